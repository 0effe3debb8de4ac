/**
 * Slack request verification (v0 signatures, DESIGN §5): the first thing done with any Slack request, before
 * a single byte of the body is parsed.
 *
 * Invariants:
 * - The signature is `v0=` + lowercase hex HMAC-SHA256(signingSecret, `v0:<timestamp>:<raw body>`) over the
 *   exact bytes received; anything that is not exactly that shape (other version, upper-case hex, padding,
 *   duplicated headers joined by a proxy) is refused before hashing.
 * - The comparison is constant time on equal-length buffers; a length mismatch is a refusal, never a throw.
 * - The timestamp must lie within ±5 minutes of `now` (Slack's documented window), so a captured request
 *   cannot be replayed later. `now` is an argument, as in Slack Bolt, so tests need no fake timers.
 * - Oversized bodies are refused before hashing, so a flood of large bodies costs no HMAC work.
 * - Refusals carry a reason code only: the secret and the expected signature never leave this module.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Largest body we hash. A block_actions payload embeds the whole message it came from, URL-encoded, so keep
 * our messages well under this (the outbound adapters enforce Block Kit limits); callers may raise it.
 */
export const MAX_SLACK_BODY_BYTES = 64 * 1024;

/** Slack's replay window, both ways. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export const VERIFY_FAILURES = [
  "not_configured",
  "too_large",
  "missing_timestamp",
  "malformed_timestamp",
  "stale_timestamp",
  "future_timestamp",
  "missing_signature",
  "malformed_signature",
  "bad_signature",
] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

export interface VerifyInput {
  signingSecret: string;
  /** Header names in any case, as runtimes differ (Function URLs lower-case them). */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: string;
  /** Milliseconds since the epoch. */
  now: number;
  maxBodyBytes?: number;
  toleranceSeconds?: number;
}

export const TIMESTAMP_HEADER = "x-slack-request-timestamp";
export const SIGNATURE_HEADER = "x-slack-signature";

// Slack sends whole seconds; anything else (signs, decimals, spaces) is garbled, not "close enough".
const TIMESTAMP_SHAPE = /^[0-9]{1,12}$/;
const SIGNATURE_SHAPE = /^v0=[0-9a-f]{64}$/;

/** A header's value, looked up case-insensitively. */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Constant-time string equality; unequal lengths are simply unequal. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** The signature Slack would send for this timestamp and body. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`, "utf8").digest("hex")}`;
}

const refuse = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

export function verifySlackSignature(input: VerifyInput): VerifyResult {
  const maxBodyBytes = input.maxBodyBytes ?? MAX_SLACK_BODY_BYTES;
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  // An empty key makes every signature forgeable: refuse everything rather than run open.
  if (input.signingSecret.length === 0) return refuse("not_configured");
  // Cheap length bound first: a UTF-8 byte is at least one UTF-16 unit of the string.
  if (input.rawBody.length > maxBodyBytes || Buffer.byteLength(input.rawBody, "utf8") > maxBodyBytes) {
    return refuse("too_large");
  }

  const timestamp = headerValue(input.headers, TIMESTAMP_HEADER);
  if (timestamp === undefined || timestamp === "") return refuse("missing_timestamp");
  if (!TIMESTAMP_SHAPE.test(timestamp)) return refuse("malformed_timestamp");
  const ageSeconds = input.now / 1000 - Number(timestamp);
  if (!Number.isFinite(ageSeconds)) return refuse("malformed_timestamp");
  if (ageSeconds > tolerance) return refuse("stale_timestamp");
  if (ageSeconds < -tolerance) return refuse("future_timestamp");

  const signature = headerValue(input.headers, SIGNATURE_HEADER);
  if (signature === undefined || signature === "") return refuse("missing_signature");
  if (!SIGNATURE_SHAPE.test(signature)) return refuse("malformed_signature");

  const expected = slackSignature(input.signingSecret, timestamp, input.rawBody);
  return constantTimeEqual(signature, expected) ? { ok: true } : refuse("bad_signature");
}
