import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  MAX_SLACK_BODY_BYTES,
  slackSignature,
  type VerifyInput,
  verifySlackSignature,
} from "../../../../adapters/slack/inbound/verify-signature";
import { NOW, SECRET, sign, TS } from "./slack-requests";

// Slack's documented example ("Verifying requests from Slack").
const DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TIMESTAMP = "1531420618";
const DOC_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const DOC_NOW = Number(DOC_TIMESTAMP) * 1000 + 30_000;

const docInput = (
  changes: {
    body?: string;
    timestamp?: string | undefined;
    signature?: string | undefined;
    now?: number;
  } = {},
): VerifyInput => ({
  signingSecret: DOC_SECRET,
  rawBody: "body" in changes ? changes.body! : DOC_BODY,
  headers: {
    "X-Slack-Request-Timestamp": "timestamp" in changes ? changes.timestamp : DOC_TIMESTAMP,
    "X-Slack-Signature": "signature" in changes ? changes.signature : DOC_SIGNATURE,
  },
  now: changes.now ?? DOC_NOW,
});

/** Every string that differs from `s` in exactly one UTF-16 unit, two ways: a neighbour and a lookalike. */
function singleCharChanges(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const neighbour = String.fromCharCode(code ^ 1);
    const swapped = /[0-9a-f]/.test(s[i]!) ? (s[i] === "0" ? "1" : "0") : s[i] === "A" ? "B" : "A";
    for (const c of [neighbour, swapped]) out.push(s.slice(0, i) + c + s.slice(i + 1));
  }
  return out;
}

describe("verifySlackSignature: Slack's documented example", () => {
  it("accepts the documented request, whatever the header case", () => {
    // Prepare
    const lower = {
      ...docInput(),
      headers: { "x-slack-request-timestamp": DOC_TIMESTAMP, "x-slack-signature": DOC_SIGNATURE },
    };
    // Act
    const results = [verifySlackSignature(docInput()), verifySlackSignature(lower)];
    // Assess
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it("rejects a wrong signing secret", () => {
    expect(verifySlackSignature({ ...docInput(), signingSecret: `${DOC_SECRET}x` })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });
});

describe("verifySlackSignature: tampering corpus", () => {
  const hex = DOC_SIGNATURE.slice(3);
  const corpus: Array<[string, VerifyInput]> = [
    ...singleCharChanges(DOC_BODY).map((body, i): [string, VerifyInput] => [
      `body change #${i}`,
      docInput({ body }),
    ]),
    ...singleCharChanges(DOC_TIMESTAMP).map((timestamp, i): [string, VerifyInput] => [
      `timestamp change #${i}`,
      docInput({ timestamp }),
    ]),
    ...singleCharChanges(DOC_SIGNATURE).map((signature, i): [string, VerifyInput] => [
      `signature change #${i}`,
      docInput({ signature }),
    ]),
    ["body truncated by one", docInput({ body: DOC_BODY.slice(0, -1) })],
    ["body truncated to half", docInput({ body: DOC_BODY.slice(0, DOC_BODY.length / 2) })],
    ["body empty", docInput({ body: "" })],
    ["body extended", docInput({ body: `${DOC_BODY}&text=ack` })],
    ["body with trailing newline", docInput({ body: `${DOC_BODY}\n` })],
    ["body with leading space", docInput({ body: ` ${DOC_BODY}` })],
    ["signature truncated", docInput({ signature: DOC_SIGNATURE.slice(0, -1) })],
    ["signature extended", docInput({ signature: `${DOC_SIGNATURE}0` })],
    ["signature upper-case hex", docInput({ signature: `v0=${hex.toUpperCase()}` })],
    ["signature upper-case prefix", docInput({ signature: `V0=${hex}` })],
    ["signature v1= prefix", docInput({ signature: `v1=${hex}` })],
    ["signature without prefix", docInput({ signature: hex })],
    ["signature base64", docInput({ signature: `v0=${Buffer.from(hex, "hex").toString("base64")}` })],
    ["signature empty", docInput({ signature: "" })],
    ["signature whitespace", docInput({ signature: "   " })],
    ["signature padded", docInput({ signature: ` ${DOC_SIGNATURE} ` })],
    ["signature repeated by a proxy", docInput({ signature: `${DOC_SIGNATURE}, ${DOC_SIGNATURE}` })],
    ["signature missing", docInput({ signature: undefined })],
    ["signature of another body", docInput({ signature: slackSignature(DOC_SECRET, DOC_TIMESTAMP, "x") })],
    ["timestamp missing", docInput({ timestamp: undefined })],
    ["timestamp empty", docInput({ timestamp: "" })],
    ["timestamp whitespace", docInput({ timestamp: " " })],
    ["timestamp padded", docInput({ timestamp: ` ${DOC_TIMESTAMP}` })],
    ["timestamp in ms", docInput({ timestamp: `${DOC_TIMESTAMP}000` })],
    ["timestamp decimal", docInput({ timestamp: `${DOC_TIMESTAMP}.0` })],
    ["timestamp signed", docInput({ timestamp: `+${DOC_TIMESTAMP}` })],
    ["timestamp leading zero", docInput({ timestamp: `0${DOC_TIMESTAMP}` })],
    ["timestamp truncated", docInput({ timestamp: DOC_TIMESTAMP.slice(0, -1) })],
    ["both headers empty", docInput({ timestamp: "", signature: "" })],
  ];

  it("rejects every tampered variant, and no refusal mentions the secret", () => {
    // Act
    const results = corpus.map(([name, input]) => ({ name, result: verifySlackSignature(input) }));
    // Assess
    expect(results.filter((r) => r.result.ok).map((r) => r.name)).toEqual([]);
    expect(results.filter((r) => JSON.stringify(r.result).includes(DOC_SECRET))).toEqual([]);
  });

  it("covers every position of body, timestamp and signature", () => {
    expect(corpus.length).toBeGreaterThan(
      2 * (DOC_BODY.length + DOC_TIMESTAMP.length + DOC_SIGNATURE.length),
    );
  });

  it("names why: garbled headers are malformed, a changed body is a bad signature", () => {
    expect(verifySlackSignature(docInput({ signature: `v1=${hex}` }))).toEqual({
      ok: false,
      reason: "malformed_signature",
    });
    expect(verifySlackSignature(docInput({ signature: `v0=${hex.toUpperCase()}` }))).toEqual({
      ok: false,
      reason: "malformed_signature",
    });
    expect(verifySlackSignature(docInput({ timestamp: " " }))).toEqual({
      ok: false,
      reason: "malformed_timestamp",
    });
    expect(verifySlackSignature(docInput({ timestamp: undefined }))).toEqual({
      ok: false,
      reason: "missing_timestamp",
    });
    expect(verifySlackSignature(docInput({ signature: undefined }))).toEqual({
      ok: false,
      reason: "missing_signature",
    });
    expect(verifySlackSignature(docInput({ body: `${DOC_BODY}x` }))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });
});

describe("verifySlackSignature: properties", () => {
  const field = fc.constantFrom("body", "timestamp", "signature");

  it("any single-character change of body, timestamp or signature is rejected", () => {
    fc.assert(
      fc.property(
        field,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
        (which, at, char) => {
          // Prepare
          const original = { body: DOC_BODY, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE }[which];
          const i = at % original.length;
          fc.pre(original[i] !== char);
          const changed = original.slice(0, i) + char + original.slice(i + 1);
          // Act
          const result = verifySlackSignature(docInput({ [which]: changed }));
          // Assess
          return result.ok === false;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("accepts any body signed with the secret within the window, and rejects it once the body changes", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 2000 }),
        fc.integer({ min: -300, max: 300 }),
        fc.string({ minLength: 1 }),
        (body, skew, extra) => {
          // Prepare
          const timestamp = String(NOW / 1000 + skew);
          const headers = {
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": sign(body, timestamp),
          };
          // Act
          const good = verifySlackSignature({ signingSecret: SECRET, headers, rawBody: body, now: NOW });
          const changed = verifySlackSignature({
            signingSecret: SECRET,
            headers,
            rawBody: body + extra,
            now: NOW,
          });
          // Assess
          return good.ok && !changed.ok;
        },
      ),
    );
  });

  it("never throws on arbitrary headers and bodies", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.option(fc.string(), { nil: undefined })),
        fc.string(),
        fc.oneof(fc.string(), fc.constant(TS)),
        fc.oneof(fc.string(), fc.constant("v0="), fc.stringMatching(/^v0=[0-9a-f]{64}$/)),
        (extra, body, timestamp, signature) => {
          const headers = {
            ...extra,
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature,
          };
          const result = verifySlackSignature({ signingSecret: SECRET, headers, rawBody: body, now: NOW });
          return result.ok === false;
        },
      ),
    );
  });
});

describe("verifySlackSignature: replay window", () => {
  it.each([
    ["5 minutes old", -300, true],
    ["just over 5 minutes old", -301, false],
    ["an hour old", -3600, false],
    ["5 minutes ahead", 300, true],
    ["just over 5 minutes ahead", 301, false],
    ["a day ahead", 86_400, false],
  ])("a correctly signed request %s → accepted: %s", (_name, offsetSeconds, accepted) => {
    // Prepare
    const timestamp = String(NOW / 1000 + offsetSeconds);
    const headers = { "x-slack-request-timestamp": timestamp, "x-slack-signature": sign("a=b", timestamp) };
    // Act
    const result = verifySlackSignature({ signingSecret: SECRET, headers, rawBody: "a=b", now: NOW });
    // Assess
    expect(result).toEqual(
      accepted
        ? { ok: true }
        : { ok: false, reason: offsetSeconds < 0 ? "stale_timestamp" : "future_timestamp" },
    );
  });

  it("rejects Slack's documented example replayed today", () => {
    expect(verifySlackSignature(docInput({ now: NOW }))).toEqual({ ok: false, reason: "stale_timestamp" });
  });
});

describe("verifySlackSignature: limits and configuration", () => {
  const signed = (body: string) => ({
    signingSecret: SECRET,
    headers: { "x-slack-request-timestamp": TS, "x-slack-signature": sign(body) },
    rawBody: body,
    now: NOW,
  });

  it("accepts a body of exactly the cap and rejects one byte more, counting UTF-8 bytes", () => {
    // Prepare
    const atCap = "a".repeat(MAX_SLACK_BODY_BYTES);
    const overByOne = "a".repeat(MAX_SLACK_BODY_BYTES + 1);
    const multibyteOver = "é".repeat(MAX_SLACK_BODY_BYTES / 2 + 1); // fewer chars than the cap, more bytes
    // Act / Assess
    expect(verifySlackSignature(signed(atCap))).toEqual({ ok: true });
    expect(verifySlackSignature(signed(overByOne))).toEqual({ ok: false, reason: "too_large" });
    expect(verifySlackSignature(signed(multibyteOver))).toEqual({ ok: false, reason: "too_large" });
    expect(verifySlackSignature({ ...signed("abc"), maxBodyBytes: 2 })).toEqual({
      ok: false,
      reason: "too_large",
    });
  });

  it("refuses everything when no signing secret is configured, even a request signed with the empty key", () => {
    const body = "a=b";
    const headers = { "x-slack-request-timestamp": TS, "x-slack-signature": sign(body, TS, "") };
    expect(verifySlackSignature({ signingSecret: "", headers, rawBody: body, now: NOW })).toEqual({
      ok: false,
      reason: "not_configured",
    });
  });
});

describe("constantTimeEqual", () => {
  it("compares contents and treats a length mismatch as unequal without throwing", () => {
    expect(constantTimeEqual(DOC_SIGNATURE, DOC_SIGNATURE)).toBe(true);
    expect(constantTimeEqual(DOC_SIGNATURE, `${DOC_SIGNATURE.slice(0, -1)}4`)).toBe(false);
    expect(constantTimeEqual(DOC_SIGNATURE, DOC_SIGNATURE.slice(0, -1))).toBe(false);
    expect(constantTimeEqual("", "x")).toBe(false);
    expect(constantTimeEqual("é", "ab")).toBe(false); // equal byte lengths, different text
  });
});
