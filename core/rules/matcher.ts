/**
 * EventBridge content filtering, run locally: the local router and tests decide which rules an event
 * matches exactly as EventBridge would. Patterns are compiled once into closures (sets for exact values,
 * one predicate per operator), so matching many events costs no re-parsing.
 *
 * Semantics (AWS "Event patterns" / "Content filtering" pages; aws/event-ruler where they are silent):
 * - fields in a pattern are ANDed, values in a leaf list are ORed, `$or` ORs whole sub-patterns;
 * - a leaf matches when any scalar at that path matches any listed value; when the event holds an
 *   array there, any element may match (arrays nested in arrays are flattened);
 * - array consistency: fields matched inside objects of one event array must all come from the same
 *   element (`{"a":{"x":[1],"y":[2]}}` does not match `{"a":[{"x":1},{"y":2}]}`);
 * - only scalars (string, number, boolean, null) are leaf values: an object or an empty array at a leaf
 *   path counts as absent, so `exists:false` matches it and every other operator does not;
 * - null is a present value (`[null]` and `exists:true` match it; `[""]` does not);
 * - prefix, suffix, equals-ignore-case, wildcard and cidr match strings only; numeric matches numbers
 *   only, compared to six decimal places as documented; exact numbers compare by value, so 300 and
 *   300.0 are equal (after JSON.parse they cannot be told apart);
 * - anything-but X matches a present scalar that X would not match, of any type; it never matches a
 *   missing field;
 * - exists:false inside an array of objects is judged within the element the other conditions chose;
 *   when nothing else picks an element, the field must be absent from every element.
 * Matching never throws: an event that is not a JSON object, or an invalid pattern, matches nothing.
 */
import { cidrContains, parseCidr } from "../net/cidr";
import { isObject } from "../normalize/read";
import {
  type AnythingBut,
  type ContentFilter,
  type EventPattern,
  findPatternProblem,
  type IgnoreCase,
  type MatchValue,
  NUMERIC_LIMIT,
  type NumericCondition,
  type OperatorName,
  OR_KEY,
  validatePattern,
} from "./pattern";

export { validatePattern } from "./pattern";

export type EventMatcher = (event: unknown) => boolean;

type Scalar = string | number | boolean | null;
type ValueTest = (value: Scalar) => boolean;

/**
 * How a (sub)pattern fared on one event node. ANCHORED means at least one condition matched a present
 * value, which is what lets an array element be chosen; BY_ABSENCE means it held only through
 * `exists:false`.
 */
const NO = 0;
const BY_ABSENCE = 1;
const ANCHORED = 2;
type Outcome = typeof NO | typeof BY_ABSENCE | typeof ANCHORED;
type NodeTest = (node: unknown) => Outcome;

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";

const PRECISION = 1e6;
const scaled = (n: number): number => Math.round(n * PRECISION);
/** Equality key of a number: six decimals inside the documented range, the exact value beyond it. */
const numberKey = (n: number): string => (Math.abs(n) <= NUMERIC_LIMIT ? `q${scaled(n)}` : `x${n}`);

const childOf = (node: unknown, key: string): unknown =>
  isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;

/** Elements of an event array, with nested arrays flattened; cycles (impossible in JSON) are cut. */
function elementsOf(array: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<readonly unknown[]>();
  const stack: (readonly unknown[])[] = [array];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    for (let i = 0; i < current.length; i++) {
      const item = current[i];
      if (Array.isArray(item)) stack.push(item);
      else out.push(item);
    }
  }
  return out;
}

function compileWildcard(pattern: string): (text: string) => boolean {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      current += pattern[i + 1] ?? "";
      i++;
    } else if (c === "*") {
      segments.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  segments.push(current);
  if (segments.length === 1) return (text) => text === current;
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1);
  // Leftmost placement of each literal run is optimal for `*`-only globs: linear, no backtracking.
  return (text) => {
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
      return false;
    const end = text.length - last.length;
    let pos = first.length;
    for (const segment of middle) {
      const at = text.indexOf(segment, pos);
      if (at < 0 || at + segment.length > end) return false;
      pos = at + segment.length;
    }
    return true;
  };
}

const oneOrMany = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? (value as readonly T[]) : [value as T];

function stringTest(match: (text: string) => boolean): ValueTest {
  return (value) => typeof value === "string" && match(value);
}

function affixTest(kind: "prefix" | "suffix", arg: string | IgnoreCase): ValueTest {
  const ignoreCase = typeof arg !== "string";
  const affix = ignoreCase ? arg["equals-ignore-case"].toLowerCase() : arg;
  const has =
    kind === "prefix" ? (text: string) => text.startsWith(affix) : (text: string) => text.endsWith(affix);
  return stringTest(ignoreCase ? (text) => has(text.toLowerCase()) : has);
}

function ignoreCaseTest(values: readonly string[]): ValueTest {
  const lowered = new Set(values.map((v) => v.toLowerCase()));
  return stringTest((text) => lowered.has(text.toLowerCase()));
}

function wildcardTest(patterns: readonly string[]): ValueTest {
  const matchers = patterns.map(compileWildcard);
  return stringTest((text) => matchers.some((m) => m(text)));
}

/** What anything-but excludes, as a test; the operator is its negation. */
function excludedBy(arg: AnythingBut): ValueTest {
  if (typeof arg === "string") return (value) => value === arg;
  if (typeof arg === "number") {
    const key = numberKey(arg);
    return (value) => typeof value === "number" && numberKey(value) === key;
  }
  if (Array.isArray(arg)) {
    const strings = new Set(arg.filter((v): v is string => typeof v === "string"));
    const numbers = new Set(arg.filter((v): v is number => typeof v === "number").map(numberKey));
    return (value) =>
      typeof value === "string"
        ? strings.has(value)
        : typeof value === "number" && numbers.has(numberKey(value));
  }
  const object = arg as Exclude<AnythingBut, string | number | readonly unknown[]>;
  if ("prefix" in object) return affixTest("prefix", object.prefix);
  if ("suffix" in object) return affixTest("suffix", object.suffix);
  if ("wildcard" in object) return wildcardTest(oneOrMany(object.wildcard));
  return ignoreCaseTest(oneOrMany(object["equals-ignore-case"]));
}

function numericTest(condition: NumericCondition): ValueTest {
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  let lowOpen = false;
  let highOpen = false;
  for (let i = 0; i + 1 < condition.length; i += 2) {
    const op = condition[i] as string;
    const bound = scaled(condition[i + 1] as number);
    if (op === "=" || op === ">" || op === ">=") [low, lowOpen] = [bound, op === ">"];
    if (op === "=" || op === "<" || op === "<=") [high, highOpen] = [bound, op === "<"];
  }
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
    const v = scaled(value);
    return (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
  };
}

const PRESENT = "present";
const MISSING = "missing";

function compileFilter(filter: ContentFilter): ValueTest | typeof PRESENT | typeof MISSING {
  const name = Object.keys(filter)[0] as OperatorName;
  const arg = (filter as Record<OperatorName, unknown>)[name];
  switch (name) {
    case "prefix":
    case "suffix":
      return affixTest(name, arg as string | IgnoreCase);
    case "equals-ignore-case":
      return ignoreCaseTest([arg as string]);
    case "wildcard":
      return wildcardTest([arg as string]);
    case "anything-but": {
      const excluded = excludedBy(arg as AnythingBut);
      return (value) => !excluded(value);
    }
    case "numeric":
      return numericTest(arg as NumericCondition);
    case "exists":
      return arg === true ? PRESENT : MISSING;
    case "cidr": {
      const block = parseCidr(arg as string)!;
      return stringTest((text) => cidrContains(block, text));
    }
    default: {
      const unknownOperator: never = name;
      throw new Error(`unhandled operator ${String(unknownOperator)}`);
    }
  }
}

function compileLeaf(values: readonly MatchValue[]): (value: unknown) => Outcome {
  const strings = new Set<string>();
  const numbers = new Set<string>();
  const literals = new Set<boolean | null>();
  const tests: ValueTest[] = [];
  let anyPresent = false;
  let allowsAbsence = false;
  for (const value of values) {
    if (value === null || typeof value === "boolean") literals.add(value);
    else if (typeof value === "string") strings.add(value);
    else if (typeof value === "number") numbers.add(numberKey(value));
    else {
      const compiled = compileFilter(value);
      if (compiled === PRESENT) anyPresent = true;
      else if (compiled === MISSING) allowsAbsence = true;
      else tests.push(compiled);
    }
  }
  const test: ValueTest = (value) => {
    if (anyPresent) return true;
    if (typeof value === "string") {
      if (strings.has(value)) return true;
    } else if (typeof value === "number") {
      if (numbers.size > 0 && numbers.has(numberKey(value))) return true;
    } else if (literals.has(value)) {
      return true;
    }
    for (const t of tests) if (t(value)) return true;
    return false;
  };
  return (value) => {
    if (isScalar(value)) return test(value) ? ANCHORED : NO;
    if (Array.isArray(value)) {
      let present = false;
      for (const item of elementsOf(value)) {
        if (!isScalar(item)) continue;
        present = true;
        if (test(item)) return ANCHORED;
      }
      if (present) return NO;
    }
    return allowsAbsence ? BY_ABSENCE : NO;
  };
}

/** Apply an object test to a node that may be an array of objects, keeping array consistency. */
function acrossArrays(test: NodeTest): NodeTest {
  return (node) => {
    if (!Array.isArray(node)) return test(node);
    const elements = elementsOf(node);
    if (elements.length === 0) return test(undefined);
    let holdsEverywhere = true;
    for (const element of elements) {
      const outcome = test(element);
      if (outcome === ANCHORED) return ANCHORED;
      if (outcome === NO) holdsEverywhere = false;
    }
    return holdsEverywhere ? BY_ABSENCE : NO;
  };
}

function compileField(key: string, value: EventPattern[string]): NodeTest {
  if (key === OR_KEY) {
    const branches = (value as readonly EventPattern[]).map(compileObject);
    return (node) => {
      let best: Outcome = NO;
      for (const branch of branches) {
        const outcome = branch(node);
        if (outcome > best) best = outcome;
        if (best === ANCHORED) break;
      }
      return best;
    };
  }
  if (Array.isArray(value)) {
    const leaf = compileLeaf(value as readonly MatchValue[]);
    return (node) => leaf(childOf(node, key));
  }
  const nested = acrossArrays(compileObject(value as EventPattern));
  return (node) => nested(childOf(node, key));
}

function compileObject(pattern: EventPattern): NodeTest {
  const fields = Object.entries(pattern).map(([key, value]) => compileField(key, value));
  return (node) => {
    let outcome: Outcome = BY_ABSENCE;
    for (const field of fields) {
      const result = field(node);
      if (result === NO) return NO;
      if (result === ANCHORED) outcome = ANCHORED;
    }
    return outcome;
  };
}

function toMatcher(pattern: EventPattern): EventMatcher {
  const root = compileObject(pattern);
  return (event) => {
    if (!isObject(event)) return false;
    try {
      return root(event) !== NO;
    } catch {
      // Only exotic objects (throwing getters, proxies) can throw here; JSON events never do.
      return false;
    }
  };
}

/** Validate and compile a pattern once; throws InputError for an invalid pattern. */
export function compilePattern(pattern: EventPattern): EventMatcher {
  return toMatcher(validatePattern(pattern));
}

const never: EventMatcher = () => false;
const compiled = new WeakMap<object, EventMatcher>();

/**
 * Does the event match the pattern? Compiled patterns are cached per pattern object (patterns are
 * treated as immutable). Never throws: an invalid pattern matches nothing.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof pattern !== "object" || pattern === null) return false;
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = findPatternProblem(pattern) === undefined ? toMatcher(pattern) : never;
    compiled.set(pattern, matcher);
  }
  return matcher(event);
}
