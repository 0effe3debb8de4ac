/**
 * What the ASFF and OCSF readers share: the envelope facts a finding may fall back on, the time rules,
 * the severity label reading, and the field readers.
 *
 * The field readers (`stringAt`, `numberAt`…) live in ../read, shared with every normalizer; they are
 * re-exported here for the modules of this folder.
 */
import type { FindingOrigin, Warning } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import { fromLabel, SEVERITY_LABELS, type Severity, type SeverityLabel } from "../../findings/severity";
import { arrayAt, childPath, isObject, type Json, optionalString, type ReadContext } from "../read";

export { arrayAt, numberAt, objectAt, requiredStringAt, stringAt, timeAt } from "../read";

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
  if (LABELS.has(text)) return text as SeverityLabel; // as written nearly always: no case folding needed
  const upper = text.trim().toUpperCase();
  if (upper === "FATAL") return "CRITICAL";
  return LABELS.has(upper) ? (upper as SeverityLabel) : undefined;
}

const LABELS: ReadonlySet<string> = new Set(SEVERITY_LABELS);

/** When a finding states no severity at all: the middle band, so it is neither ignored nor paged on. */
export function unknownSeverity(path: string, ctx: ReadContext): Severity {
  ctx.warn("missing_severity", path, "no readable severity; using MEDIUM");
  return fromLabel("MEDIUM");
}

/** An occurrence count: a positive safe integer, else 1 (with a warning when something else was given). */
export function countOf(value: number | undefined, parent: string, key: string, ctx: ReadContext): number {
  if (value === undefined) return 1;
  if (Number.isSafeInteger(value) && value >= 1) return value;
  ctx.warn("invalid_value", childPath(parent, key), `count ${value} is not a positive integer; using 1`);
  return 1;
}

/** A finding must have a resource: the account itself when the source names none. */
export function accountResource(accountId: string, region: string, path: string, ctx: ReadContext): Resource {
  ctx.warn("missing_resource", path, "no readable resource; using the account");
  return { type: "aws-account", id: accountId, accountId, region };
}

type Key = string | number;

/** One step of `dig`: an array element by index, an object member by name. */
const step = (value: unknown, key: Key): unknown =>
  typeof key === "number"
    ? Array.isArray(value)
      ? value[key]
      : undefined
    : isObject(value)
      ? value[key]
      : undefined;

/**
 * A nested value (up to four keys deep), or undefined: for optional, best-effort fields (actor, hints) that
 * need no warning. Fixed parameters rather than a rest parameter: a finding digs a dozen times or more, and
 * a rest parameter is an array allocated per call.
 */
export function dig(value: unknown, k1: Key, k2?: Key, k3?: Key, k4?: Key): unknown {
  let v = step(value, k1);
  if (v === undefined || k2 === undefined) return v;
  v = step(v, k2);
  if (v === undefined || k3 === undefined) return v;
  v = step(v, k3);
  if (v === undefined || k4 === undefined) return v;
  return step(v, k4);
}

/** A non-blank string (numbers read as text), else undefined. */
export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== ""
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

/** A list of strings at `obj[key]`; other items are dropped with a warning. */
export function stringListAt(obj: Json | undefined, key: string, parent: string, ctx: ReadContext): string[] {
  const list = arrayAt(obj, key, parent, ctx);
  const strings: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === "string" && item !== "") strings.push(item);
    else {
      const read = optionalString(item, childPath(childPath(parent, key), i), ctx);
      if (read !== undefined) strings.push(read);
    }
  }
  return strings;
}

/** This finding's warnings: the event's, then those recorded since `mark`. */
export function findingWarnings(context: FindingContext, ctx: ReadContext, mark: number): Warning[] {
  const own = ctx.since(mark);
  return context.baseWarnings.length === 0 ? own : [...context.baseWarnings, ...own];
}
