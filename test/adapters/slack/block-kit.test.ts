/**
 * Block Kit limits: visible truncation that never splits an entity, a surrogate pair or one of our links,
 * splitting long text across sections, the overflow rules for fields/elements/blocks, and the violation
 * checker the property tests rely on (shown here to catch each kind of violation).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionsBlocks,
  BlockKitLimitError,
  blockKitViolations,
  button,
  contextBlock,
  fieldsBlock,
  fitMessage,
  headerBlock,
  LIMITS,
  type MessageBlock,
  type SlackMessage,
  sectionBlock,
  splitText,
  TRUNCATION_MARK,
  truncate,
} from "../../../adapters/slack/block-kit";
import { escapeMrkdwn } from "../../../adapters/slack/escape";
import { hostileText } from "../../support/slack-message.factory";

/** No `&` that does not start a complete entity, and no unpaired surrogate. */
const cleanCut = (text: string) => {
  expect(text.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
  expect(() => encodeURIComponent(text)).not.toThrow();
};

describe("truncate", () => {
  it("leaves text that fits alone", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("x".repeat(10), 10)).toBe("x".repeat(10));
  });

  it("cuts visibly to exactly the limit", () => {
    // Act
    const cut = truncate("x".repeat(200), 150);

    // Assess
    expect(cut).toHaveLength(150);
    expect(cut).toBe(`${"x".repeat(150 - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`);
  });

  it("cuts before an entity rather than through it", () => {
    // Prepare: the budget before the mark ends two characters into `&amp;`.
    const budget = 20;
    const text = `${"a".repeat(budget - 2)}&amp;${"b".repeat(50)}`;

    // Act
    const cut = truncate(text, budget + TRUNCATION_MARK.length);

    // Assess
    expect(cut).toBe(`${"a".repeat(budget - 2)}${TRUNCATION_MARK}`);
  });

  it("cuts before a surrogate pair rather than through it", () => {
    // Prepare
    const text = `${"a".repeat(9)}😀${"b".repeat(50)}`;

    // Act
    const cut = truncate(text, 10 + TRUNCATION_MARK.length);

    // Assess
    expect(cut).toBe(`${"a".repeat(9)}${TRUNCATION_MARK}`);
  });

  it("cuts before one of our links rather than through it", () => {
    // Prepare
    const text = `see ${"<https://runbooks.example/runbooks/x#Detect|x § Detect>"} and more`;

    // Act
    const cut = truncate(text, 30 + TRUNCATION_MARK.length);

    // Assess
    expect(cut).toBe(`see${TRUNCATION_MARK}`);
  });

  it("keeps a clean prefix of any escaped text within any limit", () => {
    fc.assert(
      fc.property(hostileText(), fc.integer({ min: TRUNCATION_MARK.length + 1, max: 4000 }), (raw, max) => {
        // Prepare
        const text = escapeMrkdwn(raw);

        // Act
        const cut = truncate(text, max);

        // Assess
        expect(cut.length).toBeLessThanOrEqual(max);
        if (text.length <= max) {
          expect(cut).toBe(text);
          return;
        }
        expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
        const kept = cut.slice(0, -TRUNCATION_MARK.length);
        expect(text.startsWith(kept)).toBe(true);
        cleanCut(kept);
      }),
      { numRuns: 100 },
    );
  });
});

describe("splitText", () => {
  it("splits long text into parts that fit and add up to the whole", () => {
    fc.assert(
      fc.property(hostileText(), fc.integer({ min: 50, max: 3000 }), (raw, max) => {
        // Prepare
        const text = escapeMrkdwn(raw);

        // Act
        const parts = splitText(text, max, text.length + 1);

        // Assess
        for (const part of parts) {
          expect(part.length).toBeLessThanOrEqual(max);
          cleanCut(part);
        }
        expect(parts.join("")).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it("never makes a part longer than the limit, even when a line break sits right at the cut", () => {
    // Act
    const parts = splitText(`${"a".repeat(100)}\n${"b".repeat(100)}`, 100, 5);

    // Assess
    expect(parts).toEqual(["a".repeat(100), `\n${"b".repeat(99)}`, "b"]);
  });

  it("prefers a line break near the end of a part", () => {
    // Prepare
    const text = `${"a".repeat(90)}\n${"b".repeat(50)}`;

    // Act
    const parts = splitText(text, 100, 5);

    // Assess
    expect(parts).toEqual([`${"a".repeat(90)}\n`, "b".repeat(50)]);
  });

  it("truncates the last part visibly when there are more parts than allowed", () => {
    // Act
    const parts = splitText("z".repeat(1000), 100, 3);

    // Assess
    expect(parts).toHaveLength(3);
    expect(parts.slice(0, 2)).toEqual(["z".repeat(100), "z".repeat(100)]);
    expect(parts[2]).toBe(`${"z".repeat(100 - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`);
  });
});

describe("block builders", () => {
  it("caps fields at 10, the last one saying how many were left out", () => {
    // Act
    const block = fieldsBlock(Array.from({ length: 12 }, (_, i) => `f${i}`));

    // Assess
    expect(block.fields?.map((f) => f.text)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `f${i}`),
      "… (3 more truncated)",
    ]);
  });

  it("caps context elements at 10 the same way", () => {
    // Act
    const block = contextBlock(Array.from({ length: 11 }, (_, i) => `c${i}`));

    // Assess
    expect(block.elements).toHaveLength(10);
    expect(block.elements[9]?.text).toBe("… (2 more truncated)");
  });

  it("renders empty text as a dash (Slack rejects empty text objects)", () => {
    expect(sectionBlock("   ").text?.text).toBe("—");
    expect(headerBlock("").text.text).toBe("—");
  });

  it("marks mrkdwn as verbatim so Slack adds no links or mentions of its own", () => {
    expect(sectionBlock("see https://x.example @here").text).toEqual({
      type: "mrkdwn",
      text: "see https://x.example @here",
      verbatim: true,
    });
  });

  it("refuses to cut a button value, which Slack echoes back as the incident id", () => {
    // Act
    const making = () =>
      button({ actionId: "ir_ack", text: "Ack", value: "x".repeat(LIMITS.buttonValue + 1) });

    // Assess
    expect(making).toThrow(BlockKitLimitError);
  });

  it("puts at most 25 buttons in one actions block", () => {
    // Prepare
    const buttons = Array.from({ length: 30 }, (_, i) =>
      button({ actionId: `a${i}`, text: "b", value: "v" }),
    );

    // Act
    const blocks = actionsBlocks(buttons);

    // Assess
    expect(blocks.map((b) => b.elements.length)).toEqual([25, 5]);
  });

  it("keeps 50 blocks at most, the last one saying how many were dropped", () => {
    // Prepare
    const blocks = Array.from({ length: 60 }, (_, i) => sectionBlock(`s${i}`));

    // Act
    const message = fitMessage("t", blocks);

    // Assess
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks[48]).toEqual(sectionBlock("s48"));
    expect(message.blocks[49]).toEqual(contextBlock([`${TRUNCATION_MARK} 11 more blocks`]));
  });

  it("cuts the fallback text at 40 000 characters", () => {
    // Act
    const message = fitMessage("x".repeat(50_000), []);

    // Assess
    expect(message.text).toHaveLength(LIMITS.messageText);
    expect(message.text.endsWith(TRUNCATION_MARK)).toBe(true);
  });
});

describe("blockKitViolations", () => {
  const plain = (text: string) => ({ type: "plain_text" as const, text });
  const md = (text: string) => ({ type: "mrkdwn" as const, text });
  const ok: SlackMessage = {
    text: "fallback",
    blocks: [
      headerBlock("Title"),
      sectionBlock("text"),
      fieldsBlock(["a", "b"]),
      contextBlock(["c"]),
      ...actionsBlocks([
        button({
          actionId: "ir_ack",
          text: "Ack",
          value: "IR-1",
          confirm: { title: "Sure?", text: "Really", confirm: "Yes", deny: "No" },
        }),
      ]),
      { type: "divider" },
    ],
  };
  const withBlock = (block: unknown): SlackMessage => ({ text: "t", blocks: [block as MessageBlock] });
  const buttonWith = (overrides: object) =>
    withBlock({
      type: "actions",
      elements: [{ type: "button", action_id: "a", text: plain("b"), value: "v", ...overrides }],
    });

  it("finds nothing wrong with a payload inside every limit", () => {
    expect(blockKitViolations(ok)).toEqual([]);
  });

  it.each([
    ["empty fallback text", { text: "", blocks: [] }, /^text: empty/],
    ["fallback text over 40 000", { text: "x".repeat(40_001), blocks: [] }, /^text: length 40001/],
    ["51 blocks", { text: "t", blocks: Array(51).fill({ type: "divider" }) }, /^blocks: 51/],
    [
      "a header over 150",
      withBlock({ type: "header", text: plain("x".repeat(151)) }),
      /blocks\[0\]\.text: length 151/,
    ],
    ["a mrkdwn header", withBlock({ type: "header", text: md("x") }), /must be plain_text/],
    ["section text over 3000", withBlock({ type: "section", text: md("x".repeat(3001)) }), /length 3001/],
    ["an empty section", withBlock({ type: "section" }), /no text and no fields/],
    ["11 fields", withBlock({ type: "section", fields: Array(11).fill(md("f")) }), /more than 10/],
    [
      "a field over 2000",
      withBlock({ type: "section", fields: [md("x".repeat(2001))] }),
      /fields\[0\]: length 2001/,
    ],
    [
      "11 context elements",
      withBlock({ type: "context", elements: Array(11).fill(md("c")) }),
      /more than 10/,
    ],
    ["an empty text object", withBlock({ type: "context", elements: [md("")] }), /length 0/],
    ["button text over 75", buttonWith({ text: plain("x".repeat(76)) }), /text: length 76/],
    ["button value over 2000", buttonWith({ value: "v".repeat(2001) }), /value: length 2001/],
    ["action_id over 255", buttonWith({ action_id: "a".repeat(256) }), /action_id/],
    [
      "a confirm title over 100",
      buttonWith({
        confirm: { title: plain("x".repeat(101)), text: plain("t"), confirm: plain("y"), deny: plain("n") },
      }),
      /confirm\.title: length 101/,
    ],
    ["an unknown block", withBlock({ type: "video" }), /unknown block type video/],
  ])("reports %s", (_, message, problem) => {
    // Act
    const problems = blockKitViolations(message as SlackMessage);

    // Assess
    expect(problems.some((p) => problem.test(p))).toBe(true);
  });
});
