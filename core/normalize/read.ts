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
  readonly warnings: Warning[] = [];
  constructor(
    /** Envelope id or content hash of the raw input. */
    readonly rawRef: string,
  ) {}

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

/** Epoch seconds, milliseconds or microseconds → ms, by magnitude. */
function epochToMs(n: number): number {
  const abs = Math.abs(n);
  if (abs >= 1e14) return n / 1000; // microseconds
  if (abs >= 1e11) return n; // milliseconds
  return n * 1000; // seconds
}

const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

/**
 * An ISO-8601 UTC string for a time written as ISO text, epoch seconds/ms/µs (number or string), or
 * another format Date can read (with a warning). Unreadable times are ignored with a warning.
 */
/** Already canonical (what AWS mostly sends): no Date round trip needed. */
const CANONICAL_TIME =
  /^(199\d|2[01]\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?Z$/;

const UTC_OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:?00$/;

export function optionalTime(value: unknown, path: string, ctx: ReadContext): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    if (CANONICAL_TIME.test(value)) return value.length === 24 ? value : `${value.slice(0, 19)}.000Z`;
    // CloudWatch writes `…+0000`: the same instant, once the date is a real one (checked by the round trip).
    if (UTC_OFFSET_TIME.test(value)) {
      const iso = `${value.slice(0, 19)}${value[19] === "." ? value.slice(19, 23) : ".000"}Z`;
      const ms = Date.parse(iso);
      if (ms >= MIN_MS && ms <= MAX_MS && new Date(ms).toISOString() === iso) return iso;
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
    ctx.warn(
      "unreadable_time",
      path,
      `cannot read ${JSON.stringify(value)?.slice(0, 60)} as a time; ignored`,
    );
    return undefined;
  }
  return new Date(ms).toISOString();
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

/** AWS tag lists ([{key,value}] / [{Key,Value}]) or maps → a plain map. */
export function readTags(value: unknown, path: string, ctx: ReadContext): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const tags: Record<string, string> = {};
  if (Array.isArray(value)) {
    value.forEach((tag, i) => {
      if (!isObject(tag)) {
        ctx.warn("ignored_field", childPath(path, i), "tag is not an object; ignored");
        return;
      }
      const key = tag.key ?? tag.Key;
      const val = tag.value ?? tag.Value;
      if (typeof key === "string") tags[key] = typeof val === "string" ? val : String(val ?? "");
    });
  } else if (isObject(value)) {
    for (const [key, val] of Object.entries(value))
      tags[key] = typeof val === "string" ? val : String(val ?? "");
  } else {
    ctx.warn("ignored_field", path, `expected tags, got ${describeType(value)}; ignored`);
    return undefined;
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}
