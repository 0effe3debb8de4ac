/**
 * Tolerant readers for messy real events. Each reader takes the value and its JSON path; what can be
 * understood with a little help (a number written as a string, an epoch time) is accepted and a warning
 * is recorded; what cannot be understood at all throws a typed InputError.
 */
import type { z } from "zod";
import { InputError } from "../errors";
import type { Warning } from "../findings/finding";

export type Json = Record<string, unknown>;

/** Collects warnings while one input document is read. */
export class ReadContext {
  // Declared and assigned in the constructor, not class fields: field initialisers cost an extra call,
  // and a context is made for every document.
  /** Envelope id or content hash of the raw input. */
  declare readonly rawRef: string;
  declare readonly warnings: Warning[];

  constructor(rawRef: string) {
    this.rawRef = rawRef;
    this.warnings = [];
  }

  warn(code: string, path: string, message: string): void {
    this.warnings.push({ code, path, message });
  }

  /** Warnings recorded since `mark` (so each finding of a multi-finding event gets only its own). */
  since(mark: number): Warning[] {
    return this.warnings.slice(mark);
  }
}

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Plain identifiers use dot notation; anything else is quoted. (A char loop: this runs for every field read.) */
function isIdentifier(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

export const childPath = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : isIdentifier(key) ? `${path}.${key}` : `${path}["${key}"]`;

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function requireObject(value: unknown, path: string): Json {
  if (value === undefined) throw new InputError("missing_field", `${path} is required`, path);
  if (!isObject(value))
    throw new InputError("wrong_type", `${path} must be an object, got ${describeType(value)}`, path);
  return value;
}

export function optionalObject(value: unknown, path: string, ctx: ReadContext): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  ctx.warn("ignored_field", path, `expected an object, got ${describeType(value)}; ignored`);
  return undefined;
}

export function optionalArray(value: unknown, path: string, ctx: ReadContext): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  ctx.warn("ignored_field", path, `expected an array, got ${describeType(value)}; ignored`);
  return [];
}

export function requireString(value: unknown, path: string): string {
  if (value === undefined || value === null)
    throw new InputError("missing_field", `${path} is required`, path);
  if (typeof value === "number") return String(value);
  if (typeof value !== "string")
    throw new InputError("wrong_type", `${path} must be a string, got ${describeType(value)}`, path);
  if (value.trim() === "") throw new InputError("invalid_value", `${path} must not be empty`, path);
  return value;
}

/** A string if present; numbers become strings (account ids written as numbers). */
export function optionalString(value: unknown, path: string, ctx: ReadContext): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    ctx.warn("coerced_string", path, `expected a string, got ${typeof value}; read as "${String(value)}"`);
    return String(value);
  }
  ctx.warn("ignored_field", path, `expected a string, got ${describeType(value)}; ignored`);
  return undefined;
}

/** A number if present; numeric strings are accepted with a warning. */
export function optionalNumber(value: unknown, path: string, ctx: ReadContext): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    ctx.warn("coerced_number", path, `number written as a string ("${value}")`);
    return Number(value);
  }
  ctx.warn("ignored_field", path, `expected a number, got ${describeType(value)}; ignored`);
  return undefined;
}

// ── Field readers ────────────────────────────────────────────────────────────────────────────────
// The readers above applied to `obj[key]`. Speed: they take the parent's JSON path and the key instead of
// the field's own path, and build that path only when a warning or error needs one. Most fields are well
// formed, and building a path for every field read was the largest cost of normalizing an event.

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

/** `optionalTime` of `obj[key]`; the path is built only when the time is not already canonical. */
export function timeAt(obj: Json, key: string, parent: string, ctx: ReadContext): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    const canonical = canonicalTime(value);
    if (canonical !== undefined) return canonical;
  }
  return optionalTime(value, childPath(parent, key), ctx);
}

/** Epoch seconds, milliseconds or microseconds → ms, by magnitude. */
function epochToMs(n: number): number {
  const abs = Math.abs(n);
  if (abs >= 1e14) return n / 1000; // microseconds
  if (abs >= 1e11) return n; // milliseconds
  return n * 1000; // seconds
}

const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

const MS_PER_DAY = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()` for a time in MIN_MS..MAX_MS (four-digit years), by arithmetic: the Date
 * round trip costs several times more, and epoch times (WAF logs, µs timestamps) are formatted per record.
 * Days → civil date is Howard Hinnant's `civil_from_days`; fractions of a millisecond are dropped as Date does.
 */
export function isoFromMs(ms: number): string {
  const t = Math.floor(ms);
  const days = Math.floor(t / MS_PER_DAY);
  let rest = t - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(millis)}Z`;
}

/** Already canonical (what AWS mostly sends): no Date round trip needed. */
const CANONICAL_TIME =
  /^(199\d|2[01]\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?Z$/;

const UTC_OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:?00$/;

/**
 * An ISO-8601 UTC string for a time written as ISO text, epoch seconds/ms/µs (number or string), or
 * another format Date can read (with a warning). Unreadable times are ignored with a warning.
 */
/** A canonical time as its millisecond form, else undefined: what optionalTime returns for it, without a path. */
export function canonicalTime(value: string): string | undefined {
  if (!CANONICAL_TIME.test(value)) return undefined;
  return value.length === 24 ? value : `${value.slice(0, 19)}.000Z`;
}

export function optionalTime(value: unknown, path: string, ctx: ReadContext): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    const canonical = canonicalTime(value);
    if (canonical !== undefined) return canonical;
    // CloudWatch writes `…+0000`: the same instant, once the date is a real one (checked by the round trip).
    if (UTC_OFFSET_TIME.test(value)) {
      const iso = `${value.slice(0, 19)}${value[19] === "." ? value.slice(19, 23) : ".000"}Z`;
      const ms = Date.parse(iso);
      if (ms >= MIN_MS && ms <= MAX_MS && isoFromMs(ms) === iso) return iso;
    }
  }
  let ms: number | undefined;
  if (typeof value === "number" && Number.isFinite(value)) {
    ms = epochToMs(value);
    ctx.warn("epoch_time", path, `time written as epoch number ${value}`);
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
      ms = epochToMs(Number(text));
      ctx.warn("epoch_time", path, `time written as epoch string "${text}"`);
    } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
      ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`);
    } else {
      ms = Date.parse(text);
      if (Number.isFinite(ms)) ctx.warn("nonstandard_time", path, `time "${text}" is not ISO-8601`);
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    ctx.warn("unreadable_time", path, `cannot read ${preview(value)} as a time; ignored`);
    return undefined;
  }
  return isoFromMs(ms);
}

/**
 * A value as a short text for a warning or error message. Never throws: a normalizer may be handed any
 * object (a cyclic one cannot come from JSON text, but a caller may build one), and a message must not be
 * what fails.
 */
export function preview(value: unknown, max = 60): string {
  try {
    return String(JSON.stringify(value)).slice(0, max);
  } catch {
    return `(${Array.isArray(value) ? "array" : typeof value})`;
  }
}

/** Validate a shape with zod and turn the first issue into a typed InputError at its JSON path. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const issuePath = issue.path.reduce<string>(
    (p, key) => childPath(p, typeof key === "number" ? key : String(key)),
    path,
  );
  const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
  const code = missing ? "missing_field" : issue.code === "invalid_type" ? "wrong_type" : "invalid_value";
  throw new InputError(code, `${issuePath}: ${issue.message}`, issuePath);
}

const pathText = (path: string | (() => string)): string => (typeof path === "string" ? path : path());

/** A tag value as text: strings as they are, numbers and booleans written out, absent as ""; else none. */
const tagText = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
};

/**
 * AWS tag lists ([{key,value}] / [{Key,Value}]) or maps → a plain map. `path` may be given as a function,
 * called only for a warning, where building it costs more than reading the tags (a GuardDuty view's path).
 */
export function readTags(
  value: unknown,
  path: string | (() => string),
  ctx: ReadContext,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const tags: Record<string, string> = {};
  let any = false;
  // Plain loops (no forEach / Object.entries pairs): tags are read for most resources.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const tag: unknown = value[i];
      if (!isObject(tag)) {
        ctx.warn("ignored_field", childPath(pathText(path), i), "tag is not an object; ignored");
        continue;
      }
      const key = tag.key ?? tag.Key;
      const val = tag.value ?? tag.Value;
      if (typeof key !== "string") continue;
      const text = tagText(val);
      if (text === undefined) {
        ctx.warn("ignored_field", childPath(pathText(path), i), "tag value is not text; ignored");
        continue;
      }
      tags[key] = text;
      any = true;
    }
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const text = tagText(value[key]);
      if (text === undefined) {
        ctx.warn("ignored_field", childPath(pathText(path), key), "tag value is not text; ignored");
        continue;
      }
      tags[key] = text;
      any = true;
    }
  } else {
    ctx.warn("ignored_field", pathText(path), `expected tags, got ${describeType(value)}; ignored`);
    return undefined;
  }
  return any && Object.keys(tags).length > 0 ? tags : undefined;
}
