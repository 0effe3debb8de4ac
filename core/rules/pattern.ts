/**
 * EventBridge event patterns as data: the TypeScript shape, a zod schema per content filter, and
 * `validatePattern`, which accepts exactly the patterns the matcher can run and refuses anything else
 * with an InputError naming the JSON path of the first problem.
 *
 * Sources: AWS "Event patterns", "Content filtering in Amazon EventBridge event patterns" and
 * "Comparison operators" pages, and aws/event-ruler (the open-source matcher EventBridge is built on)
 * for what the pages leave open. Invariants of a valid pattern:
 * - it is a non-empty JSON object; every field holds a non-empty object (nested fields), an array of
 *   match values (a leaf), or, for `$or`, an array of at least two non-empty pattern objects;
 * - a match value is a JSON scalar or an object with exactly one known operator;
 * - numeric bounds lie within ±5.0e9 (the documented range) and a two-sided range has bottom < top;
 * - nesting is at most MAX_PATTERN_DEPTH objects deep and the compact JSON is at most
 *   MAX_EVENT_PATTERN_HARD_LIMIT characters.
 * One deliberate difference: a leaf with an empty array is accepted and matches nothing (event-ruler
 * refuses it); the service's own rules never use one.
 */
import * as z from "zod";
import { InputError, type InputErrorCode } from "../errors";
import { parseCidr } from "../net/cidr";
import { childPath, describeType, isObject } from "../normalize/read";

export type ExactValue = string | number | boolean | null;
export interface IgnoreCase {
  readonly "equals-ignore-case": string;
}
export type NumericOperator = "=" | ">" | ">=" | "<" | "<=";
export type NumericCondition =
  | readonly ["=", number]
  | readonly [">" | ">=" | "<" | "<=", number]
  | readonly [">" | ">=", number, "<" | "<=", number];
export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly "equals-ignore-case": string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

export type ContentFilter =
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly "equals-ignore-case": string }
  | { readonly wildcard: string }
  | { readonly "anything-but": AnythingBut }
  | { readonly numeric: NumericCondition }
  | { readonly exists: boolean }
  | { readonly cidr: string };

export type MatchValue = ExactValue | ContentFilter;

/** A field holds nested fields, a leaf list of match values, or (under `$or`) alternative patterns. */
export interface EventPattern {
  readonly [field: string]: EventPattern | readonly MatchValue[] | readonly EventPattern[];
}

export const OR_KEY = "$or";
/** EventBridge's default quota for one rule's pattern (adjustable on request). */
export const MAX_EVENT_PATTERN_CHARS = 2048;
/** The most the quota can be raised to, and so the most PutRule ever accepts. */
export const MAX_EVENT_PATTERN_HARD_LIMIT = 4096;
/** Our own guard (AWS documents none): deeper patterns are mistakes and would only waste stack. */
export const MAX_PATTERN_DEPTH = 32;
/** Numeric matching is documented for values in [-5.0e9, +5.0e9]. */
export const NUMERIC_LIMIT = 5e9;

// Operator names may not be field names inside `$or` (event-ruler would misread them).
const OPERATOR_NAMES = [
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
] as const;
export type OperatorName = (typeof OPERATOR_NAMES)[number];

/** `*` matches any run of characters; `\*` is a literal star, `\\` a literal backslash; `**` is refused. */
export function wildcardProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[i + 1];
      if (next !== "*" && next !== "\\") return "a backslash may only escape * or \\";
      i++;
    } else if (c === "*" && text[i + 1] === "*") {
      return "consecutive * are not allowed";
    }
  }
  return undefined;
}

const wildcardText = z.string().superRefine((text, ctx) => {
  const found = wildcardProblem(text);
  if (found) ctx.addIssue({ code: "custom", message: found });
});
const nonEmptyText = z.string().min(1, "must not be empty");
const ignoreCase = z.strictObject({ "equals-ignore-case": z.string() });

const shown = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value) : describeType(value);
const NUMERIC_SHAPES = 'e.g. ["=", 5], [">=", 4] or [">", 0, "<=", 5]';
const boundProblem = (value: unknown): string | undefined =>
  typeof value !== "number" || !Number.isFinite(value)
    ? `bounds must be numbers (${NUMERIC_SHAPES})`
    : Math.abs(value) > NUMERIC_LIMIT
      ? `bounds must be between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}`
      : undefined;

function numericProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4))
    return `takes a condition of 2 or 4 elements (${NUMERIC_SHAPES})`;
  const [op, bound, upper, top] = value as unknown[];
  if (value.length === 2) {
    if (!["=", ">", ">=", "<", "<="].includes(op as string))
      return `operator must be one of =, >, >=, <, <=, got ${shown(op)}`;
    return boundProblem(bound);
  }
  if (op !== ">" && op !== ">=") return `a range starts with > or >=, got ${shown(op)}`;
  if (upper !== "<" && upper !== "<=") return `a range ends with < or <=, got ${shown(upper)}`;
  const found = boundProblem(bound) ?? boundProblem(top);
  if (found) return found;
  return (bound as number) < (top as number) ? undefined : "the lower bound must be below the upper bound";
}

const anythingButObject = z.union([
  z.strictObject({ prefix: nonEmptyText }),
  z.strictObject({ suffix: nonEmptyText }),
  z.strictObject({ "equals-ignore-case": z.union([z.string(), z.array(z.string()).min(1)]) }),
  z.strictObject({ wildcard: z.union([wildcardText, z.array(wildcardText).min(1)]) }),
]);

function anythingButProblem(value: unknown): string | undefined {
  if (typeof value === "string") return undefined;
  if (typeof value === "number") return boundProblem(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "list must not be empty";
    if (value.every((v) => typeof v === "string")) return undefined;
    if (value.every((v) => typeof v === "number")) return value.map(boundProblem).find(Boolean);
    return "list must hold only strings or only numbers";
  }
  if (anythingButObject.safeParse(value).success) return undefined;
  const shapes =
    "a string, a number, a list of either, or one of prefix, suffix, equals-ignore-case, wildcard";
  return `takes ${shapes}`;
}

/** A zod check from a function that names the problem, so messages stay specific. */
const checkedBy = (check: (value: unknown) => string | undefined) =>
  z.unknown().superRefine((value, ctx) => {
    const found = check(value);
    if (found) ctx.addIssue({ code: "custom", message: found });
  });

/** The value each operator takes: a table, so an unknown operator is simply a missing key. */
export const operatorSchemas = {
  prefix: z.union([z.string(), ignoreCase]),
  suffix: z.union([z.string(), ignoreCase]),
  "equals-ignore-case": z.string(),
  wildcard: wildcardText,
  "anything-but": checkedBy(anythingButProblem),
  numeric: checkedBy(numericProblem),
  exists: z.boolean(),
  cidr: z.string().refine((text) => parseCidr(text) !== undefined, "must be an IPv4 or IPv6 CIDR block"),
} satisfies Record<OperatorName, z.ZodType>;

const isOperatorName = (key: string): key is OperatorName => Object.hasOwn(operatorSchemas, key);

export interface PatternProblem {
  code: InputErrorCode;
  path: string;
  message: string;
}

const problem = (code: InputErrorCode, path: string, message: string): PatternProblem => ({
  code,
  path,
  message,
});

function operatorProblem(name: OperatorName, value: unknown, path: string): PatternProblem | undefined {
  const result = operatorSchemas[name].safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const at = issue.path.reduce<string>(
    (p, key) => childPath(p, typeof key === "number" ? key : String(key)),
    path,
  );
  // A union reports only "invalid input"; say what the operator takes instead.
  const message =
    issue.code === "invalid_union" ? `not a valid "${name}" value` : `"${name}" ${issue.message}`;
  return problem(issue.code === "invalid_type" ? "wrong_type" : "invalid_value", at, `${at}: ${message}`);
}

function matchValueProblem(value: unknown, path: string): PatternProblem | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number")
    return Number.isFinite(value) ? undefined : problem("invalid_value", path, `${path}: not a JSON number`);
  if (!isObject(value))
    return problem(
      "wrong_type",
      path,
      `${path}: a match value is a string, number, boolean, null or an operator object, got ${describeType(value)}`,
    );
  const keys = Object.keys(value);
  if (keys.length !== 1)
    return problem(
      "invalid_value",
      path,
      `${path}: an operator object has exactly one key, got ${keys.length}`,
    );
  const name = keys[0]!;
  if (!isOperatorName(name))
    return problem(
      "invalid_value",
      childPath(path, name),
      `${childPath(path, name)}: unknown operator "${name}"`,
    );
  return operatorProblem(name, value[name], childPath(path, name));
}

function objectProblem(
  value: unknown,
  path: string,
  depth: number,
  insideOr: boolean,
): PatternProblem | undefined {
  if (!isObject(value))
    return problem("wrong_type", path, `${path}: a pattern must be an object, got ${describeType(value)}`);
  if (depth > MAX_PATTERN_DEPTH)
    return problem("invalid_shape", path, `${path}: patterns nest at most ${MAX_PATTERN_DEPTH} objects deep`);
  const entries = Object.entries(value);
  if (entries.length === 0)
    return problem("invalid_value", path, `${path}: a pattern object must not be empty`);
  for (const [key, field] of entries) {
    const at = childPath(path, key);
    if (key === OR_KEY) {
      const found = orProblem(field, at, depth);
      if (found) return found;
      continue;
    }
    if (insideOr && isOperatorName(key))
      return problem(
        "invalid_value",
        at,
        `${at}: "${key}" is an operator and cannot be a field name inside $or`,
      );
    if (Array.isArray(field)) {
      for (let i = 0; i < field.length; i++) {
        const found = matchValueProblem(field[i], childPath(at, i));
        if (found) return found;
      }
    } else if (isObject(field)) {
      const found = objectProblem(field, at, depth + 1, insideOr);
      if (found) return found;
    } else {
      return problem(
        "wrong_type",
        at,
        `${at}: a field must be an array of match values or a nested object, got ${describeType(field)}`,
      );
    }
  }
  return undefined;
}

function orProblem(value: unknown, path: string, depth: number): PatternProblem | undefined {
  if (!Array.isArray(value))
    return problem("wrong_type", path, `${path}: $or takes an array of patterns, got ${describeType(value)}`);
  if (value.length < 2)
    return problem(
      "invalid_value",
      path,
      `${path}: $or needs at least two alternatives, got ${value.length}`,
    );
  for (let i = 0; i < value.length; i++) {
    const found = objectProblem(value[i], childPath(path, i), depth + 1, true);
    if (found) return found;
  }
  return undefined;
}

function firstProblem(value: unknown): PatternProblem | undefined {
  const found = objectProblem(value, "$", 1, false);
  if (found) return found;
  // Only a structurally valid pattern is known to be JSON-serialisable (no cycles, no BigInt).
  const size = JSON.stringify(value).length;
  return size > MAX_EVENT_PATTERN_HARD_LIMIT
    ? problem("too_large", "$", `$: pattern is ${size} characters, over ${MAX_EVENT_PATTERN_HARD_LIMIT}`)
    : undefined;
}

/** The first thing wrong with a pattern, or undefined when it is valid. Never throws. */
export function findPatternProblem(value: unknown): PatternProblem | undefined {
  try {
    return firstProblem(value);
  } catch {
    // Only exotic objects (throwing getters, proxies) get here; parsed JSON never does.
    return problem("invalid_shape", "$", "$: the pattern could not be read as JSON");
  }
}

/** Check a pattern; return it typed, or throw an InputError at the JSON path of the first problem. */
export function validatePattern(value: unknown): EventPattern {
  const found = findPatternProblem(value);
  if (found) throw new InputError(found.code, found.message, found.path);
  return value as EventPattern;
}

/** The same check as a zod schema, for configuration that embeds patterns. */
export const eventPatternSchema = z.unknown().transform((value, ctx): EventPattern => {
  const found = findPatternProblem(value);
  if (found) {
    ctx.addIssue({ code: "custom", message: found.message, input: value });
    return z.NEVER;
  }
  return value as EventPattern;
});
