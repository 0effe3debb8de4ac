/**
 * Makes a recorded event look like it just happened, so a replay opens new incidents with live clocks:
 * every ISO time (and epoch-millisecond time) in it is shifted by the same amount so the latest becomes
 * `now` (relative order and gaps are kept), and the ids that make findings unique get a run suffix.
 */
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_MS = { min: Date.UTC(2010, 0, 1), max: Date.UTC(2100, 0, 1) };

/** Keys whose string value identifies a finding or event (and so must be unique per run). */
const ID_KEYS = new Set(["id", "Id", "eventID", "requestId"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function latestTime(value: Json, latest = Number.NEGATIVE_INFINITY): number {
  if (typeof value === "string" && ISO.test(value)) return Math.max(latest, Date.parse(value));
  if (Array.isArray(value)) return value.reduce<number>((m, v) => latestTime(v, m), latest);
  if (value && typeof value === "object")
    return Object.values(value).reduce<number>((m, v) => latestTime(v, m), latest);
  return latest;
}

function rewrite(value: Json, shiftMs: number, suffix: string, key?: string): Json {
  if (typeof value === "string") {
    if (ISO.test(value)) return new Date(Date.parse(value) + shiftMs).toISOString();
    if (key !== undefined && ID_KEYS.has(key) && value !== "") return `${value}${suffix}`;
    return value;
  }
  if (typeof value === "number" && key === "timestamp" && value >= EPOCH_MS.min && value <= EPOCH_MS.max)
    return value + shiftMs;
  if (Array.isArray(value)) return value.map((v) => rewrite(v, shiftMs, suffix));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, shiftMs, suffix, k)]));
  return value;
}

/** The event re-dated so its latest time is `nowMs`, with ids suffixed (e.g. `-demo1a2b`). */
export function freshen(event: unknown, nowMs: number, suffix: string): unknown {
  const json = event as Json;
  const latest = latestTime(json);
  const shift = Number.isFinite(latest) ? nowMs - latest : 0;
  return rewrite(json, shift, suffix);
}
