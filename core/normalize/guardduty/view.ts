/**
 * A case-tolerant, path-tracking view over one object of a GuardDuty document.
 *
 * GuardDuty findings arrive camelCase (the API, EventBridge `detail`, S3 exports) or PascalCase
 * (`aws guardduty get-findings` and SDK dumps). Each lookup tries the camelCase key, then its PascalCase
 * twin, and reports the JSON path of the key actually present, so warnings and errors point into the
 * document as written. All reads go through the tolerant readers of ../read: nothing here throws except
 * the `require*` methods, and those throw InputError.
 *
 * Speed: a finding reads dozens of fields and almost all of them are well-formed, so JSON paths are
 * built only when something needs one (a warning, an error, a finding's rawPath). A child view keeps its
 * parent and key and builds its path on first use; well-typed values are returned without calling the
 * ../read reader, which takes its path up front.
 */
import {
  canonicalTime,
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalTime,
  type ReadContext,
  readTags,
  requireObject,
  requireString,
} from "../read";

/**
 * What reading a key needs besides the key: its PascalCase twin, and the path suffix of each (a child
 * path is its parent's plus a suffix that depends only on the key, `.name` or `["odd key"]`). Computed
 * once per key, since the twin is wanted on every miss and the suffix whenever a path is; keys are almost
 * always the literals of this folder, and the bound keeps keys taken from input from growing it forever.
 */
interface KeyForms {
  twin: string;
  suffix: string;
  twinSuffix: string;
}
const FORMS = new Map<string, KeyForms>();
const FORMS_LIMIT = 1000;

function formsOf(key: string): KeyForms {
  let forms = FORMS.get(key);
  if (forms === undefined) {
    const twin = key.charAt(0).toUpperCase() + key.slice(1);
    forms = { twin, suffix: childPath("", key), twinSuffix: childPath("", twin) };
    if (FORMS.size < FORMS_LIMIT) FORMS.set(key, forms);
  }
  return forms;
}

const OBJECT_PROTOTYPE: unknown = Object.prototype;

/**
 * The value under `key`, else under its PascalCase twin, else undefined. Most lookups miss (optional
 * fields), so plain property reads come first and the own-property checks run only on a hit, to ignore
 * what an object inherits (`constructor`, `toString`…). A parsed JSON object inherits only from
 * Object.prototype, which lends methods and the prototype itself (`__proto__`), never a JSON value: any
 * other value found is the object's own, so the own-property check (a call, on the hottest path of the
 * normalizer) is needed only for those two.
 */
export function fieldValue(json: Json, key: string): unknown {
  const value = json[key];
  if (
    value !== undefined &&
    ((typeof value !== "function" && value !== OBJECT_PROTOTYPE) || Object.hasOwn(json, key))
  )
    return value;
  return twinValue(json, key);
}

/** The value under `key`'s PascalCase twin when `key` itself is absent, else undefined. */
function twinValue(json: Json, key: string): unknown {
  const twin = formsOf(key).twin;
  const twinValue = json[twin];
  if (twinValue === undefined || !Object.hasOwn(json, twin) || Object.hasOwn(json, key)) return undefined;
  return twinValue;
}

/**
 * Whether some key of `json` could be a PascalCase twin: one that does not start with a lower-case ASCII
 * letter (a twin starts with an upper-cased character, and nothing upper-cases to a-z). When none does —
 * nearly every object of a camelCase document — a missing key needs no twin lookup, which costs more than
 * the missing key itself. (JSON objects: every own key is enumerable, so `for…in` sees them all.)
 */
function mayHoldTwins(json: Json): boolean {
  for (const key in json) {
    const c = key.charCodeAt(0);
    if (!(c >= 97 && c <= 122)) return true;
  }
  return false;
}

/** The path suffix of the key a value is found under: `key`'s, or its twin's when only the twin is present. */
function fieldSuffix(json: Json, key: string): string {
  const forms = formsOf(key);
  return Object.hasOwn(json, key) || !Object.hasOwn(json, forms.twin) ? forms.suffix : forms.twinSuffix;
}

export class View {
  // Declared and assigned in the constructor, not class fields: field initialisers cost an extra call for
  // every view made, and a finding makes dozens.
  declare readonly json: Json;
  declare readonly ctx: ReadContext;
  declare private readonly parent: View | undefined;
  declare private readonly key: string;
  declare private readonly index: number;
  declare private knownPath: string | undefined;
  /** `mayHoldTwins(json)`, worked out on the first missing key. */
  declare private twins: boolean | undefined;

  /**
   * A view of `json` at `path`. Child views are made by obj/list/requireObj with no path: they keep
   * where they were found (`parent`, the `key` asked for there, and the `index` in the array under it,
   * or -1) and build their path only if one is asked for.
   */
  constructor(json: Json, path: string | undefined, ctx: ReadContext, parent?: View, key = "", index = -1) {
    this.json = json;
    this.ctx = ctx;
    this.parent = parent;
    this.key = key;
    this.index = index;
    this.knownPath = path;
    this.twins = undefined;
  }

  /** `fieldValue(this.json, key)`; a missing key's twin is looked up only if this object may hold twins. */
  private value(key: string): unknown {
    const json = this.json;
    const value = json[key];
    if (
      value !== undefined &&
      ((typeof value !== "function" && value !== OBJECT_PROTOTYPE) || Object.hasOwn(json, key))
    )
      return value;
    this.twins ??= mayHoldTwins(json);
    return this.twins ? twinValue(json, key) : undefined;
  }

  /** This view's JSON path, built on first use. */
  get path(): string {
    if (this.knownPath === undefined) {
      const parent = this.parent!;
      const at = parent.pathOf(this.key);
      this.knownPath = this.index < 0 ? at : childPath(at, this.index);
    }
    return this.knownPath;
  }

  /** The path where `key` (or its PascalCase twin) is, or would be. */
  pathOf(key: string): string {
    return this.path + fieldSuffix(this.json, key);
  }

  has(key: string): boolean {
    const value = this.value(key);
    return value !== undefined && value !== null;
  }

  str(key: string): string | undefined {
    const value = this.value(key);
    if (typeof value === "string") return value === "" ? undefined : value;
    if (value === undefined || value === null) return undefined;
    return optionalString(value, this.pathOf(key), this.ctx);
  }

  /** A string for fields documented as a number in one place and a string in another (ASNs, ids). */
  text(key: string): string | undefined {
    const value = this.value(key);
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    // `str(key)` on the value already read.
    if (typeof value === "string") return value === "" ? undefined : value;
    if (value === undefined || value === null) return undefined;
    return optionalString(value, this.pathOf(key), this.ctx);
  }

  num(key: string): number | undefined {
    const value = this.value(key);
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (value === undefined || value === null) return undefined;
    return optionalNumber(value, this.pathOf(key), this.ctx);
  }

  time(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") {
      const canonical = canonicalTime(value); // the usual case: no path needed
      if (canonical !== undefined) return canonical;
    }
    return optionalTime(value, this.pathOf(key), this.ctx);
  }

  /** A boolean; "true"/"false" strings are accepted with a warning. */
  bool(key: string): boolean | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    const path = this.pathOf(key);
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
      this.ctx.warn("coerced_boolean", path, `boolean written as a string ("${value}")`);
      return value.trim().toLowerCase() === "true";
    }
    this.ctx.warn("ignored_field", path, `expected a boolean, got ${typeof value}; ignored`);
    return undefined;
  }

  obj(key: string): View | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return undefined;
    if (isObject(value)) return new View(value, undefined, this.ctx, this, key);
    optionalObject(value, this.pathOf(key), this.ctx);
    return undefined;
  }

  /** The objects of an array; anything else in it is skipped with a warning. */
  list(key: string): View[] {
    const value = this.value(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      optionalArray(value, this.pathOf(key), this.ctx); // warns: not an array
      return [];
    }
    const views: View[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isObject(item)) views.push(new View(item, undefined, this.ctx, this, key, i));
      else if (item !== null && item !== undefined)
        this.ctx.warn("ignored_field", childPath(this.pathOf(key), i), "expected an object; ignored");
    }
    return views;
  }

  /** The strings of an array (numbers read as strings, with a warning); anything else is skipped. */
  strings(key: string): string[] {
    const value = this.value(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      optionalArray(value, this.pathOf(key), this.ctx); // warns: not an array
      return [];
    }
    const strings: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "string") {
        if (item !== "") strings.push(item);
      } else if (item !== undefined && item !== null) {
        const s = optionalString(item, childPath(this.pathOf(key), i), this.ctx);
        if (s !== undefined) strings.push(s);
      }
    }
    return strings;
  }

  tags(key: string): Record<string, string> | undefined {
    const value = this.value(key);
    if (value === undefined || value === null) return undefined;
    return readTags(value, () => this.pathOf(key), this.ctx); // the path only for a warning
  }

  requireStr(key: string): string {
    const value = this.value(key);
    if (typeof value === "string" && value.trim() !== "") return value;
    return requireString(value, this.pathOf(key));
  }

  requireObj(key: string): View {
    const value = this.value(key);
    if (isObject(value)) return new View(value, undefined, this.ctx, this, key);
    const path = this.pathOf(key);
    return new View(requireObject(value, path), path, this.ctx); // requireObject throws: not an object
  }
}

/** Stand-ins when a finding and its envelope both lack an account or region, or any time at all. */
export const UNKNOWN = "unknown";
export const EPOCH = "1970-01-01T00:00:00.000Z";

/**
 * First present value; warns when none is, and returns `fallback`. `where` the value was expected: a key
 * of `view` (its path is built only for the warning) or an absolute JSON path.
 */
export function firstOf(
  view: View,
  where: { key: string } | string,
  what: string,
  fallback: string,
  // Up to three values as parameters rather than a rest parameter: an array allocated per call otherwise.
  a: string | undefined,
  b?: string | undefined,
  c?: string | undefined,
) {
  if (a !== undefined && a !== "") return a;
  if (b !== undefined && b !== "") return b;
  if (c !== undefined && c !== "") return c;
  view.ctx.warn(
    `missing_${what}`,
    typeof where === "string" ? where : view.pathOf(where.key),
    `no ${what} in the finding or its envelope; using "${fallback}"`,
  );
  return fallback;
}

/**
 * `read` applied to each item, keeping the results that are not undefined. A plain loop: it replaces
 * `flatMap((x) => read(x) ?? [])`, which V8 runs an order of magnitude slower on these short lists.
 */
export function mapDefined<T, R>(items: readonly T[], read: (item: T) => R | undefined): R[] {
  const results: R[] = [];
  for (const item of items) {
    const result = read(item);
    if (result !== undefined) results.push(result);
  }
  return results;
}

/** Drops keys whose value is undefined, so findings carry only what the source said. */
export function compact<T extends object>(value: T): T {
  // Callers pass fresh literals, so one without undefined values is returned as is: no copy (a copy is
  // built key by key, much slower than the literal), and the literal keeps its fast shape.
  let complete = true;
  for (const key in value)
    if (value[key] === undefined) {
      complete = false;
      break;
    }
  if (complete) return value;
  const kept: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) kept[key] = v;
  }
  return kept as T;
}
