/**
 * Rendering the incident message, thread replies and mentions: what each shows, which buttons appear in
 * which state, how hostile finding text is neutralized, and that any input yields a payload inside every
 * Block Kit limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockKitViolations, type SlackMessage, TRUNCATION_MARK } from "../../../adapters/slack/block-kit";
import { SLACK_ACTION_IDS } from "../../../adapters/slack/inbound/handler";
import {
  CONTAINMENT_LABEL,
  humanDuration,
  INCIDENT_ACTIONS,
  mentionFor,
  normalizeBaseUrl,
  renderIncidentMessage,
  renderMention,
  renderThreadReply,
  runbookUrl,
  timeLeft,
} from "../../../adapters/slack/incident-message";
import { CONTAINMENT_STATUSES } from "../../../workflows/incident/context";
import {
  arbitraryIncidentView,
  hostileText,
  makeChatView,
  makeReplyParams,
} from "../../support/slack-message.factory";

/** Render time: 3 minutes after the default view opened (its detect clock is due at 12:15). */
const NOW = Date.parse("2024-05-01T12:03:00.000Z");
const options = { runbookBaseUrl: "https://runbooks.example.com", now: NOW };
const render = (overrides: Parameters<typeof makeChatView>[0] = {}, section = "Detect") => {
  const view = makeChatView(overrides);
  return renderIncidentMessage(view, { id: view.runbookId, section }, options);
};

type Json = Record<string, unknown>;
const blocksOf = (message: SlackMessage) => message.blocks as unknown as Json[];
const buttons = (message: SlackMessage) =>
  blocksOf(message)
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements as Json[]);
const actionIds = (message: SlackMessage) => buttons(message).map((b) => b.action_id);
/** A block's text (section, header) or its fields' texts. */
const textOf = (block: Json | undefined) => (block?.text as Json | undefined)?.text;
const fieldsOf = (block: Json | undefined) => ((block?.fields ?? []) as Json[]).map((f) => f.text);
/** Every string Slack would parse, anywhere in the payload. */
const allTexts = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(allTexts)
      : typeof value === "object" && value !== null
        ? Object.entries(value).flatMap(([key, v]) =>
            key === "value" || key === "action_id" ? [] : allTexts(v),
          )
        : [];
/** Our own `<…>` syntax: runbook links, date tokens, mentions of Slack ids. Nothing else may remain. */
const OURS =
  /<(?:https?:\/\/[^|<>\s]+\|[^<>]*|!date\^\d+\^[^|<>]*\|[^<>]*|@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+)>/g;
const foreignControl = (message: SlackMessage) =>
  allTexts(message).filter((text) => /[<>]/.test(text.replace(OURS, "")));
/** Any render time, including ones no Date can hold. */
const arbitraryNow = () =>
  fc.oneof(fc.constant(NOW), fc.integer({ min: -1e16, max: 1e16 }), fc.double({ noNaN: false }));

describe("renderIncidentMessage", () => {
  it("shows severity and title in the header and the incident's facts in fields", () => {
    // Act
    const message = render({ owner: "U012AB3CD", acknowledgedBy: "bob", findingCount: 4 });

    // Assess
    const [header, facts, clocks, breaches, resources, correlation, runbook] = blocksOf(message);
    expect(header).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: ":large_orange_circle: HIGH · EC2 instance i-0abc is communicating with a Tor relay",
        emoji: true,
      },
    });
    expect(fieldsOf(facts)).toEqual([
      "*Phase*\nDetect",
      "*Severity*\nHIGH (80)",
      "*Owner*\n<@U012AB3CD>",
      "*Acknowledged by*\nbob",
      "*Containment*\nNone",
      "*Account / region*\n123456789012 / us-east-1",
      "*Findings*\n4",
      "*Category*\nec2-compromise",
      "*Opened*\n<!date^1714564800^{date_short_pretty} {time}|2024-05-01T12:00:00.000Z>",
    ]);
    expect(textOf(clocks)).toBe(
      "*SLA clocks* · time left as of <!date^1714564980^{time}|2024-05-01T12:03:00.000Z>\n" +
        ":stopwatch: *Detect* due <!date^1714565700^{date_short_pretty} {time}|2024-05-01T12:15:00.000Z> — due in 12 min",
    );
    expect(textOf(breaches)).toBe("*Breaches* none");
    expect(textOf(resources)).toBe("*Resources* (1)\n• ec2-instance i-0abc _(primary)_");
    expect(textOf(correlation)).toBe("*Correlated on* 123456789012:us-east-1:ec2-instance:i-0abc");
    expect(textOf(runbook)).toBe(
      ":book: *Runbook:* <https://runbooks.example.com/runbooks/ec2-compromise.md#detect|ec2-compromise § Detect>",
    );
    expect(message.text).toBe(
      "HIGH incident IR-0001: EC2 instance i-0abc is communicating with a Tor relay — phase Detect, containment None",
    );
  });

  it("lists every open clock with its deadline token and the time left at render time", () => {
    // Prepare
    const clocks = [
      {
        phase: "detect",
        warnAt: "2024-05-01T12:12:00.000Z",
        deadline: "2024-05-01T12:15:00.000Z",
        state: "late",
      },
      {
        phase: "assess",
        warnAt: "2024-05-01T12:24:00.000Z",
        deadline: "2024-05-01T12:30:00.000Z",
        state: "met",
      },
      {
        phase: "contain",
        warnAt: "2024-05-01T12:48:00.000Z",
        deadline: "2024-05-01T13:00:00.000Z",
        state: "warned",
      },
      {
        phase: "postmortem",
        warnAt: "2024-05-02T10:00:00.000Z",
        deadline: "2024-05-03T14:40:00.000Z",
        state: "running",
      },
      {
        phase: "recover",
        warnAt: "2024-05-01T12:40:00.000Z",
        deadline: "2024-05-01T12:50:00.000Z",
        state: "breached",
      },
    ] as const;
    const view = makeChatView({ phase: "contain", clocks: [...clocks] });
    const now = Date.parse("2024-05-01T12:53:30.000Z");

    // Act
    const message = renderIncidentMessage(
      view,
      { id: view.runbookId, section: "Contain" },
      { ...options, now },
    );

    // Assess
    const lines = (textOf(blocksOf(message)[2]) as string).split("\n");
    expect(lines).toEqual([
      "*SLA clocks* · time left as of <!date^1714568010^{time}|2024-05-01T12:53:30.000Z>",
      ":warning: *Contain* due <!date^1714568400^{date_short_pretty} {time}|2024-05-01T13:00:00.000Z> — due in 6 min (warned)",
      ":stopwatch: *Postmortem* due <!date^1714747200^{date_short_pretty} {time}|2024-05-03T14:40:00.000Z> — due in 2 d 1 h",
      ":rotating_light: *Recover* due <!date^1714567800^{date_short_pretty} {time}|2024-05-01T12:50:00.000Z> — overdue by 3 min (breached)",
    ]);
  });

  it("counts time left from the render time, so a later render shows less", () => {
    // Act
    const early = render();
    const late = renderIncidentMessage(
      makeChatView(),
      { id: "ec2-compromise", section: "Detect" },
      { ...options, now: Date.parse("2024-05-01T12:15:00.000Z") },
    );

    // Assess
    expect(textOf(blocksOf(early)[2])).toContain("— due in 12 min");
    expect(textOf(blocksOf(late)[2])).toContain("— overdue by under 1 min");
  });

  it("shows no clock section once no clock runs, but still the breaches on record", () => {
    // Act
    const message = render({
      phase: "closed",
      clocks: [
        {
          phase: "detect",
          warnAt: "2024-05-01T12:12:00.000Z",
          deadline: "2024-05-01T12:15:00.000Z",
          state: "late",
        },
      ],
      breaches: [
        { phase: "detect", deadline: "2024-05-01T12:15:00.000Z", at: "2024-05-01T12:16:00.000Z", level: 1 },
      ],
    });

    // Assess
    const texts = blocksOf(message).map(textOf);
    expect(texts.some((t) => String(t).includes("SLA clocks"))).toBe(false);
    expect(texts).toContain(
      "*Breaches* (1)\n:rotating_light: *Detect* missed <!date^1714565700^{date_short_pretty} {time}|2024-05-01T12:15:00.000Z>" +
        " (breached <!date^1714565760^{date_short_pretty} {time}|2024-05-01T12:16:00.000Z>, paged level 1)",
    );
  });

  it("shows a deadline that is no time as escaped text, with no time left", () => {
    // Act
    const message = render({
      clocks: [{ phase: "<!here>", warnAt: "soon", deadline: "<!channel> whenever", state: "running" }],
    });

    // Assess
    expect(textOf(blocksOf(message)[2])).toMatch(
      /\n:stopwatch: \*&lt;!here&gt;\* due &lt;!channel&gt; whenever$/,
    );
    expect(foreignControl(message)).toEqual([]);
  });

  it("escapes resource ids, marks the primary one and counts those the view leaves out", () => {
    // Prepare
    const resources = [
      { type: "s3-bucket", id: "<!channel> & <https://evil.example|x>" },
      ...Array.from({ length: 9 }, (_, i) => ({ type: "iam-user", id: `user-${i}` })),
    ];

    // Act
    const message = render({ resources, resourceCount: 14 });

    // Assess
    const lines = (textOf(blocksOf(message)[4]) as string).split("\n");
    expect(lines[0]).toBe("*Resources* (14)");
    expect(lines[1]).toBe("• s3-bucket &lt;!channel&gt; &amp; &lt;https://evil.example|x&gt; _(primary)_");
    expect(lines.slice(2, -1)).toEqual(Array.from({ length: 8 }, (_, i) => `• iam-user user-${i}`));
    expect(lines.at(-1)).toBe("… and 5 more resources");
    expect(foreignControl(message)).toEqual([]);
  });

  it("cuts a long list of clocks visibly", () => {
    // Prepare
    const clock = {
      phase: "contain",
      warnAt: "2024-05-01T12:48:00.000Z",
      deadline: "2024-05-01T13:00:00.000Z",
      state: "running",
    } as const;

    // Act
    const message = render({ clocks: Array.from({ length: 25 }, () => clock) });

    // Assess
    const lines = (textOf(blocksOf(message)[2]) as string).split("\n");
    expect(lines).toHaveLength(1 + 10);
    expect(lines.at(-1)).toBe("… and 16 more clocks");
    expect(blockKitViolations(message)).toEqual([]);
  });

  it.each([
    [0, "under 1 min"],
    [59_999, "under 1 min"],
    [12 * 60_000 + 59_000, "12 min"],
    [60 * 60_000, "1 h"],
    [(3 * 60 + 5) * 60_000, "3 h 5 min"],
    [(47 * 60 + 59) * 60_000, "47 h 59 min"],
    [(2 * 24 + 4) * 3_600_000, "2 d 4 h"],
    [3 * 24 * 3_600_000, "3 d"],
  ])("says %i ms as %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it("says how long until or since a deadline, and nothing for what is no time", () => {
    // Prepare
    const deadline = "2024-05-01T12:15:00.000Z";

    // Assess
    expect(timeLeft(deadline, Date.parse("2024-05-01T12:03:00.000Z"))).toBe("due in 12 min");
    expect(timeLeft(deadline, Date.parse("2024-05-01T12:18:00.000Z"))).toBe("overdue by 3 min");
    expect(timeLeft("tomorrow-ish", NOW)).toBeNull();
  });

  it("says who is missing when nobody owns or acknowledged the incident", () => {
    // Act
    const facts = fieldsOf(blocksOf(render())[1]);

    // Assess
    expect(facts).toContain("*Owner*\n_unassigned_");
    expect(facts).toContain("*Acknowledged by*\n_not yet_");
  });

  it("offers acknowledge and false positive to a new incident, each button carrying the incident id", () => {
    // Act
    const message = render({ incidentId: "IR-0042", phase: "detect" });

    // Assess
    expect(actionIds(message)).toEqual([
      "ir_ack",
      "ir_own",
      "ir_advance",
      "ir_false_positive",
      "ir_note",
      "ir_escalate",
    ]);
    expect(new Set(buttons(message).map((b) => b.value))).toEqual(new Set(["IR-0042"]));
    expect(buttons(message).map((b) => (b.text as Json).text)).toEqual([
      "Acknowledge",
      "Take ownership",
      "Advance phase",
      "Mark false positive",
      "Add note",
      "Escalate now",
    ]);
  });

  it("offers approve and deny, both behind a confirm dialog, only while containment awaits approval", () => {
    // Act
    const waiting = render({
      phase: "contain",
      acknowledgedBy: "U012AB3CD",
      containment: "awaitingApproval",
    });
    const isolated = render({ phase: "contain", acknowledgedBy: "U012AB3CD", containment: "isolated" });

    // Assess
    expect(actionIds(waiting)).toEqual([
      "ir_own",
      "ir_approve",
      "ir_deny",
      "ir_advance",
      "ir_note",
      "ir_escalate",
    ]);
    expect(actionIds(isolated)).toEqual(["ir_own", "ir_advance", "ir_note", "ir_escalate"]);
    const confirmed = buttons(waiting)
      .filter((b) => b.confirm !== undefined)
      .map((b) => b.action_id);
    expect(confirmed).toEqual(["ir_approve", "ir_deny"]);
    expect(buttons(waiting).find((b) => b.action_id === "ir_deny")?.confirm).toMatchObject({
      title: { text: "Deny containment?" },
      confirm: { text: "Deny" },
      deny: { text: "Cancel" },
      style: "danger",
    });
  });

  it("puts the false-positive button behind a confirm dialog", () => {
    // Act
    const fp = buttons(render({ phase: "assess" })).find((b) => b.action_id === "ir_false_positive");

    // Assess
    expect(fp?.confirm).toMatchObject({ title: { text: "Mark as false positive?" }, style: "danger" });
  });

  it.each(["closed", "suppressed"])("shows no actions once the incident is %s", (phase) => {
    // Act
    const message = render({ phase });

    // Assess
    expect(actionIds(message)).toEqual([]);
    expect(fieldsOf(blocksOf(message)[1])[0]).toMatch(/^\*Phase\*\n:[a-z_]+: /);
  });

  it("uses only action ids the chat-action handler knows", () => {
    // Assess
    expect(new Set(Object.values(INCIDENT_ACTIONS))).toEqual(new Set(Object.values(SLACK_ACTION_IDS)));
  });

  it("labels every containment status the workflow has", () => {
    // Assess
    expect(Object.keys(CONTAINMENT_LABEL).sort()).toEqual([...CONTAINMENT_STATUSES].sort());
  });

  it("links the runbook section of the current phase", () => {
    // Act
    const message = render({ phase: "contain", runbookId: "ec2-compromise" }, "Contain");

    // Assess
    expect(JSON.stringify(message.blocks)).toContain(
      "<https://runbooks.example.com/runbooks/ec2-compromise.md#contain|ec2-compromise § Contain>",
    );
  });

  it("neutralizes a malicious finding title: no channel mention, no forged link", () => {
    // Prepare
    const title = "<!channel> <https://evil.example|click> <@U0EVIL0001> & more";

    // Act
    const message = render({ title, correlationKey: "<!here>", category: "<https://evil.example>" });

    // Assess
    const json = JSON.stringify(message);
    for (const forged of ["<!channel>", "<!here>", "<https://evil.example", "<@U0EVIL0001>"]) {
      expect(json).not.toContain(forged);
    }
    expect(textOf(blocksOf(message)[0])).toBe(
      ":large_orange_circle: HIGH · &lt;!channel&gt; &lt;https://evil.example|click&gt; &lt;@U0EVIL0001&gt; &amp; more",
    );
    expect(message.text).toContain("&lt;!channel&gt;");
    expect(foreignControl(message)).toEqual([]);
  });

  it("cuts a huge title visibly in the header and keeps the message inside every limit", () => {
    // Act
    const message = render({ title: "A".repeat(100_000), correlationKey: "k".repeat(10_000) });

    // Assess
    const header = textOf(blocksOf(message)[0]) as string;
    expect(header).toHaveLength(150);
    expect(header.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(blockKitViolations(message)).toEqual([]);
  });

  it("shows no buttons, and says why, when the incident id is too long to carry", () => {
    // Act
    const message = render({ incidentId: "I".repeat(2001) });

    // Assess
    expect(actionIds(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain("Actions unavailable here");
  });

  it("respects every limit and lets no foreign <…> through, whatever the incident holds", () => {
    fc.assert(
      fc.property(arbitraryIncidentView(), fc.string(), arbitraryNow(), (view, section, now) => {
        // Act
        const message = renderIncidentMessage(view, { id: view.runbookId, section }, { ...options, now });

        // Assess
        expect(blockKitViolations(message)).toEqual([]);
        expect(foreignControl(message)).toEqual([]);
        for (const b of buttons(message)) expect(b.value).toBe(view.incidentId);
        expect(() => encodeURIComponent(JSON.stringify(message))).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});

describe("renderThreadReply", () => {
  it("shows the topic, the text and the runbook link", () => {
    // Act
    const message = renderThreadReply(makeReplyParams(), options);

    // Assess
    expect(message.blocks).toEqual([
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "*:warning: SLA warning*\nAssess is due by 2024-05-01T12:30:00.000Z",
          verbatim: true,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: ":book: <https://runbooks.example.com/runbooks/ec2-compromise.md#assess|ec2-compromise § Assess>",
            verbatim: true,
          },
        ],
      },
    ]);
    expect(message.text).toBe(":warning: SLA warning: Assess is due by 2024-05-01T12:30:00.000Z");
  });

  it("escapes an unknown topic and the text", () => {
    // Act
    const message = renderThreadReply(
      makeReplyParams({ topic: "<!here>", text: "New finding joined: <!channel>" }),
      options,
    );

    // Assess
    expect(textOf(blocksOf(message)[0])).toBe(
      "*:speech_balloon: &lt;!here&gt;*\nNew finding joined: &lt;!channel&gt;",
    );
  });

  it("spreads a long note over several sections before cutting it", () => {
    // Act
    const message = renderThreadReply(makeReplyParams({ text: "n".repeat(7000) }), options);

    // Assess
    const sections = blocksOf(message).filter((b) => b.type === "section");
    expect(sections).toHaveLength(3);
    expect(sections.map((s) => ((s.text as Json).text as string).length).reduce((a, b) => a + b)).toBe(
      "*:warning: SLA warning*\n".length + 7000,
    );
    expect(blockKitViolations(message)).toEqual([]);
  });

  it("respects every limit whatever the reply holds", () => {
    fc.assert(
      fc.property(hostileText(), hostileText(), hostileText(), (topic, text, id) => {
        // Act
        const message = renderThreadReply({ topic, text, runbook: { id, section: "Assess" } }, options);

        // Assess
        expect(blockKitViolations(message)).toEqual([]);
        expect(foreignControl(message)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe("mentions", () => {
  it.each([
    ["a user id", "U012AB3CD", {}, "<@U012AB3CD>"],
    ["an enterprise user id", "W012AB3CD", {}, "<@W012AB3CD>"],
    ["a user group id", "S0123ABCDE", {}, "<!subteam^S0123ABCDE>"],
    [
      "a level mapped to a group",
      "security-lead",
      { "security-lead": "S0123ABCDE" },
      "<!subteam^S0123ABCDE>",
    ],
    ["a level with no id", "on-call", {}, "*on-call*"],
    ["an upper-case word that is no id", "SECURITYLEAD", {}, "*SECURITYLEAD*"],
    ["a hostile target", "<!channel>", {}, "*&lt;!channel&gt;*"],
  ])("mentions %s", (_, target, mentions, expected) => {
    expect(mentionFor(target, mentions)).toBe(expected);
  });

  it("puts the mention first and escapes the text", () => {
    // Act
    const message = renderMention(
      { target: "on-call", text: "SLA breached <!everyone>" },
      { "on-call": "S0123ABCDE" },
    );

    // Assess
    expect(message.text).toBe(":rotating_light: <!subteam^S0123ABCDE> SLA breached &lt;!everyone&gt;");
    expect(blocksOf(message)).toEqual([
      { type: "section", text: { type: "mrkdwn", text: message.text, verbatim: true } },
    ]);
  });

  it("respects every limit whatever the text", () => {
    fc.assert(
      fc.property(hostileText(), hostileText(), (target, text) => {
        // Act
        const message = renderMention({ target, text });

        // Assess
        expect(blockKitViolations(message)).toEqual([]);
        expect(foreignControl(message)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe("runbook links", () => {
  it("URL-encodes the runbook id and links the section by its heading anchor", () => {
    expect(runbookUrl("https://r.example", { id: "a b|c>d", section: "Contain & verify" })).toBe(
      "https://r.example/runbooks/a%20b%7Cc%3Ed.md#contain--verify",
    );
  });

  it("normalizes the base URL and refuses anything but a plain http(s) base", () => {
    expect(normalizeBaseUrl("https://runbooks.example.com/ir/")).toBe("https://runbooks.example.com/ir");
    expect(() => normalizeBaseUrl("javascript:alert(1)")).toThrow(/http\(s\)/);
    expect(() => normalizeBaseUrl("https://x.example/?q=1")).toThrow(/no query/);
    expect(() => normalizeBaseUrl("not a url")).toThrow(TypeError);
  });
});
