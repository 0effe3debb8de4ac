/**
 * A case-tolerant, path-tracking view over one object of a GuardDuty document.
 *
 * GuardDuty findings arrive camelCase (the API, EventBridge `detail`, S3 exports) or PascalCase
 * (`aws guardduty get-findings` and SDK dumps). Each lookup tries the camelCase key, then its PascalCase
 * twin, and reports the JSON path of the key actually present, so warnings and errors point into the
 * document as written. All reads go through the tolerant readers of ../read: nothing here throws except
 * the `require*` methods, and those throw InputError.
 */
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
  readTags,
  requireObject,
  requireString,
} from "../read";

const own = (json: Json, key: string) => Object.hasOwn(json, key);
const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/** The value under `key` or its PascalCase twin, and the key it was found under (or `key`). */
export function fieldOf(json: Json, key: string): { value: unknown; key: string } {
  const actual = own(json, key) || !own(json, pascal(key)) ? key : pascal(key);
  return { value: own(json, actual) ? json[actual] : undefined, key: actual };
}

export class View {
  constructor(
    readonly json: Json,
    readonly path: string,
    readonly ctx: ReadContext,
  ) {}

  /** The value under `key` (or its PascalCase twin) and the path where it is, or would be. */
  at(key: string): { value: unknown; path: string } {
    const found = fieldOf(this.json, key);
    return { value: found.value, path: childPath(this.path, found.key) };
  }

  has(key: string): boolean {
    const { value } = this.at(key);
    return value !== undefined && value !== null;
  }

  str(key: string): string | undefined {
    const { value, path } = this.at(key);
    return optionalString(value, path, this.ctx);
  }

  /** A string for fields documented as a number in one place and a string in another (ASNs, ids). */
  text(key: string): string | undefined {
    const { value } = this.at(key);
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    return this.str(key);
  }

  num(key: string): number | undefined {
    const { value, path } = this.at(key);
    return optionalNumber(value, path, this.ctx);
  }

  time(key: string): string | undefined {
    const { value, path } = this.at(key);
    return optionalTime(value, path, this.ctx);
  }

  /** A boolean; "true"/"false" strings are accepted with a warning. */
  bool(key: string): boolean | undefined {
    const { value, path } = this.at(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
      this.ctx.warn("coerced_boolean", path, `boolean written as a string ("${value}")`);
      return value.trim().toLowerCase() === "true";
    }
    this.ctx.warn("ignored_field", path, `expected a boolean, got ${typeof value}; ignored`);
    return undefined;
  }

  obj(key: string): View | undefined {
    const { value, path } = this.at(key);
    const json = optionalObject(value, path, this.ctx);
    return json ? new View(json, path, this.ctx) : undefined;
  }

  /** The objects of an array; anything else in it is skipped with a warning. */
  list(key: string): View[] {
    const { value, path } = this.at(key);
    return optionalArray(value, path, this.ctx).flatMap((item, i) => {
      if (isObject(item)) return [new View(item, childPath(path, i), this.ctx)];
      if (item !== null && item !== undefined)
        this.ctx.warn("ignored_field", childPath(path, i), "expected an object; ignored");
      return [];
    });
  }

  /** The strings of an array (numbers read as strings, with a warning); anything else is skipped. */
  strings(key: string): string[] {
    const { value, path } = this.at(key);
    return optionalArray(value, path, this.ctx).flatMap((item, i) => {
      const s = optionalString(item, childPath(path, i), this.ctx);
      return s === undefined ? [] : [s];
    });
  }

  tags(key: string): Record<string, string> | undefined {
    const { value, path } = this.at(key);
    return readTags(value, path, this.ctx);
  }

  requireStr(key: string): string {
    const { value, path } = this.at(key);
    return requireString(value, path);
  }

  requireObj(key: string): View {
    const { value, path } = this.at(key);
    return new View(requireObject(value, path), path, this.ctx);
  }
}

/** Stand-ins when a finding and its envelope both lack an account or region, or any time at all. */
export const UNKNOWN = "unknown";
export const EPOCH = "1970-01-01T00:00:00.000Z";

/** First present value; warns when none is, and returns `fallback`. */
export function firstOf(
  view: View,
  path: string,
  what: string,
  fallback: string,
  ...values: (string | undefined)[]
) {
  const found = values.find((v) => v !== undefined && v !== "");
  if (found !== undefined) return found;
  view.ctx.warn(`missing_${what}`, path, `no ${what} in the finding or its envelope; using "${fallback}"`);
  return fallback;
}

/** Drops keys whose value is undefined, so findings carry only what the source said. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
