/**
 * Lookup tables keyed by event values must only see their own keys: a finding whose resourceType is
 * "constructor" or "__proto__" is an unknown type (a warning or a typed error), never a crash. Every string
 * field of every real fixture is replaced, one at a time, with each of Object's own property names.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { findingSchema } from "../../../core/findings/finding";
import { splitInput } from "../../../core/input/split-input";
import { expandDocument, normalizeUnit } from "../../../core/normalize";
import { fixturesIn, fixtureText } from "../../support/fixtures";

const WORDS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

function* stringPaths(value: unknown, path: Array<string | number> = []): Generator<Array<string | number>> {
  if (typeof value === "string") yield path;
  else if (value && typeof value === "object")
    for (const [key, child] of Object.entries(value))
      yield* stringPaths(child, [...path, Array.isArray(value) ? Number(key) : key]);
}

function withValue(doc: unknown, path: Array<string | number>, word: string): string {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = word;
  return JSON.stringify(copy);
}

describe("prototype property names as values", () => {
  for (const category of ["guardduty", "securityhub", "cloudtrail", "cloudwatch", "waf"]) {
    it(`${category}: every field set to an Object property name gives findings or an InputError`, () => {
      const failures: string[] = [];
      for (const file of fixturesIn(category)) {
        const doc = JSON.parse(fixtureText(file));
        for (const path of stringPaths(doc))
          for (const word of WORDS) {
            try {
              for (const item of splitInput(withValue(doc, path, word)))
                if (!item.error)
                  for (const unit of expandDocument(item.doc, item.at))
                    for (const finding of normalizeUnit(unit, "test")) findingSchema.parse(finding);
            } catch (error) {
              if (!(error instanceof InputError))
                failures.push(`${file} ${path.join(".")}=${word}: ${String(error)}`);
            }
          }
      }
      expect(failures).toEqual([]);
    });
  }
});
