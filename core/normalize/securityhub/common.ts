/**
 * What the ASFF and OCSF readers share: the envelope facts a finding may fall back on, the time rules,
 * the severity label reading, and the field readers.
 *
 * Speed: the field readers (`stringAt`, `numberAt`…) take the parent's JSON path and the key instead of the
 * field's own path, and build that path only when a warning needs it. Most fields are well formed, and
 * building a path for every field read was the largest cost of normalizing a finding.
 */
import type { FindingOrigin, Warning } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import { fromLabel, SEVERITY_LABELS, type Severity, type SeverityLabel } from "../../findings/severity";
import {
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalTime,
  type ReadContext,
  requireString,
} from "../read";

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

/** A nested value, or undefined: for optional, best-effort fields (actor, hints) that need no warning. */
export function dig(value: unknown, ...keys: (string | number)[]): unknown {
  let v = value;
  for (const k of keys) {
    if (typeof k === "number") v = Array.isArray(v) ? v[k] : undefined;
    else v = isObject(v) ? v[k] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** A non-blank string (numbers read as text), else undefined. */
export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== ""
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

/** `optionalString` of `obj[key]`; the path `parent` + `key` is built only for a warning. */
export function stringAt(
  obj: Json | undefined,
  key: string,
  parent: string,
  ctx: ReadContext,
): string | undefined {
  const value = obj?.[key];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (value === undefined || value === null) return undefined;
  return optionalString(value, childPath(parent, key), ctx);
}

/** `requireString` of `obj[key]`; the path is built only for an error. */
export function requiredStringAt(obj: Json, key: string, parent: string): string {
  const value = obj[key];
  if (typeof value === "string" && value.trim() !== "") return value;
  return requireString(value, childPath(parent, key));
}

/** `optionalNumber` of `obj[key]`; the path is built only for a warning. */
export function numberAt(
  obj: Json | undefined,
  key: string,
  parent: string,
  ctx: ReadContext,
): number | undefined {
  const value = obj?.[key];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (value === undefined || value === null) return undefined;
  return optionalNumber(value, childPath(parent, key), ctx);
}

/** `optionalObject` of `obj[key]`; the path is built only for a warning. */
export function objectAt(
  obj: Json | undefined,
  key: string,
  parent: string,
  ctx: ReadContext,
): Json | undefined {
  const value = obj?.[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  return optionalObject(value, childPath(parent, key), ctx);
}

/** `optionalArray` of `obj[key]`; the path is built only for a warning. */
export function arrayAt(obj: Json | undefined, key: string, parent: string, ctx: ReadContext): unknown[] {
  const value = obj?.[key];
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  return optionalArray(value, childPath(parent, key), ctx);
}

/** `optionalTime` of `obj[key]`, for present values only. */
export function timeAt(obj: Json, key: string, parent: string, ctx: ReadContext): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  return optionalTime(value, childPath(parent, key), ctx);
}

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
