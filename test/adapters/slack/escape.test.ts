/**
 * Slack mrkdwn escaping: the three control characters become entities, nothing else changes, and no input
 * — however hostile — comes out able to mention, link or break the encoding.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entityLengthAt, escapeMrkdwn, unescapeMrkdwn, wellFormed } from "../../../adapters/slack/escape";

const isWellFormed = (text: string) => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

const anyUtf16 = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((c) => String.fromCharCode(...c)),
);

describe("escapeMrkdwn", () => {
  it.each([
    ["<!channel> <!here>", "&lt;!channel&gt; &lt;!here&gt;"],
    ["<https://evil.example|click>", "&lt;https://evil.example|click&gt;"],
    ["<@U012AB3CD> and <!subteam^S0123ABC>", "&lt;@U012AB3CD&gt; and &lt;!subteam^S0123ABC&gt;"],
    ["AT&T", "AT&amp;T"],
    ["already &amp; escaped", "already &amp;amp; escaped"],
    ["*bold* _it_ `code` @channel é 😀", "*bold* _it_ `code` @channel é 😀"],
  ])("escapes %j", (input, expected) => {
    // Act
    const escaped = escapeMrkdwn(input);

    // Assess
    expect(escaped).toBe(expected);
  });

  it("replaces a lone surrogate, which the Web API's form encoding cannot carry", () => {
    // Prepare
    const input = `a\uD800b\uDC00c😀`;

    // Act
    const escaped = escapeMrkdwn(input);

    // Assess
    expect(escaped).toBe("a\uFFFDb\uFFFDc😀");
    expect(() => encodeURIComponent(input)).toThrow(URIError);
    expect(isWellFormed(escaped)).toBe(true);
  });

  it("never lets < or > through, and every & starts an entity, for any UTF-16 input", () => {
    fc.assert(
      fc.property(anyUtf16, (input) => {
        // Act
        const escaped = escapeMrkdwn(input);

        // Assess
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
        expect(isWellFormed(escaped)).toBe(true);
      }),
    );
  });

  it("round-trips: unescaping gives the input back (well-formed input)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "grapheme" }), fc.stringMatching(/^[&<>a;mplgt]*$/)),
        (input) => {
          // Act
          const back = unescapeMrkdwn(escapeMrkdwn(input));

          // Assess
          expect(back).toBe(input);
        },
      ),
    );
  });

  it("round-trips any UTF-16 input up to its lone surrogates", () => {
    fc.assert(
      fc.property(anyUtf16, (input) => {
        // Act
        const back = unescapeMrkdwn(escapeMrkdwn(input));

        // Assess
        expect(back).toBe(wellFormed(input));
      }),
    );
  });
});

describe("entityLengthAt", () => {
  it("measures the entity starting at an index, and nothing elsewhere", () => {
    // Prepare
    const text = "a&amp;b&lt;c&gt;&x";

    // Act
    const lengths = [...text].map((_, i) => entityLengthAt(text, i));

    // Assess
    expect(lengths.flatMap((n, i) => (n > 0 ? [[i, n]] : []))).toEqual([
      [1, 5],
      [7, 4],
      [12, 4],
    ]);
  });
});
