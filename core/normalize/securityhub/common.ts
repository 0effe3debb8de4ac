/**
 * What the ASFF and OCSF readers share: the envelope facts a finding may fall back on, the time rules,
 * and the severity label reading.
 */
import type { FindingOrigin, Warning } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import { fromLabel, type Severity, type SeverityLabel, severityLabelSchema } from "../../findings/severity";
import { childPath, isObject, optionalArray, optionalString, type ReadContext } from "../read";

/** Envelope facts (possibly absent: replayed and partial envelopes) a finding falls back on. */
export interface FindingContext {
  account?: string;
  region?: string;
  time?: string;
  customAction?: FindingOrigin["customAction"];
  /** Warnings recorded before this finding (envelope, custom action), carried by every finding. */
  baseWarnings: readonly Warning[];
}

/** Used only when a finding carries no time at all, so any dated re-publication supersedes it. */
export const UNKNOWN_TIME = "1970-01-01T00:00:00.000Z";

export interface SeenTimes {
  firstSeenAt: string;
  lastSeenAt: string;
  updatedAt: string;
}

/**
 * First seen ← observed/created, last seen ← observed/updated, updated ← updated/observed; the envelope time
 * when the finding has none. A last-seen earlier than first-seen (real data has it) is raised to first-seen.
 */
export function seenTimes(
  times: { first?: string; last?: string; updated?: string; created?: string },
  fallbackTime: string | undefined,
  path: string,
  ctx: ReadContext,
): SeenTimes {
  const any = times.first ?? times.created ?? times.updated ?? times.last ?? fallbackTime;
  if (any === undefined)
    ctx.warn("missing_time", path, `no time in the finding or its envelope; using ${UNKNOWN_TIME}`);
  const firstSeenAt = times.first ?? times.created ?? any ?? UNKNOWN_TIME;
  let lastSeenAt = times.last ?? times.updated ?? firstSeenAt;
  const updatedAt = times.updated ?? times.last ?? times.created ?? fallbackTime ?? firstSeenAt;
  if (lastSeenAt < firstSeenAt) {
    ctx.warn(
      "time_order",
      path,
      `last seen ${lastSeenAt} is before first seen ${firstSeenAt}; using first seen`,
    );
    lastSeenAt = firstSeenAt;
  }
  return { firstSeenAt, lastSeenAt, updatedAt };
}

/** A severity label in any case ("High", "HIGH"); OCSF's "Fatal" is our CRITICAL. */
export function labelOf(text: string | undefined): SeverityLabel | undefined {
  if (text === undefined) return undefined;
  const upper = text.trim().toUpperCase();
  const parsed = severityLabelSchema.safeParse(upper === "FATAL" ? "CRITICAL" : upper);
  return parsed.success ? parsed.data : undefined;
}

/** When a finding states no severity at all: the middle band, so it is neither ignored nor paged on. */
export function unknownSeverity(path: string, ctx: ReadContext): Severity {
  ctx.warn("missing_severity", path, "no readable severity; using MEDIUM");
  return fromLabel("MEDIUM");
}

/** An occurrence count: a positive safe integer, else 1 (with a warning when something else was given). */
export function countOf(value: number | undefined, path: string, ctx: ReadContext): number {
  if (value === undefined) return 1;
  if (Number.isSafeInteger(value) && value >= 1) return value;
  ctx.warn("invalid_value", path, `count ${value} is not a positive integer; using 1`);
  return 1;
}

/** A finding must have a resource: the account itself when the source names none. */
export function accountResource(accountId: string, region: string, path: string, ctx: ReadContext): Resource {
  ctx.warn("missing_resource", path, "no readable resource; using the account");
  return { type: "aws-account", id: accountId, accountId, region };
}

/** A nested value, or undefined: for optional, best-effort fields (actor, hints) that need no warning. */
export const dig = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>(
    (v, k) =>
      typeof k === "number" ? (Array.isArray(v) ? v[k] : undefined) : isObject(v) ? v[k] : undefined,
    value,
  );

/** A non-blank string (numbers read as text), else undefined. */
export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== ""
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

/** A list of strings; other items are dropped with a warning. */
export function stringList(value: unknown, path: string, ctx: ReadContext): string[] {
  return optionalArray(value, path, ctx).flatMap((item, i) => {
    const read = optionalString(item, childPath(path, i), ctx);
    return read === undefined ? [] : [read];
  });
}
