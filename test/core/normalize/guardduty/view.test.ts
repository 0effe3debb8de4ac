/**
 * The case-tolerant view reads a key, else its PascalCase twin, whatever mix of spellings an object has,
 * and never reports what an object inherits; its shortcuts (no twin lookup in an object with no key a twin
 * could be, no ownership check for plain JSON values) must not change any answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldValue, View } from "../../../../core/normalize/guardduty/view";
import { type Json, ReadContext } from "../../../../core/normalize/read";

const viewOf = (json: Json, ctx = new ReadContext("t")) => new View(json, "$.detail", ctx);
const twinOf = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

describe("View key lookup", () => {
  it("reads the camelCase key first, its PascalCase twin when only the twin is there", () => {
    // Prepare
    const view = viewOf({ id: "camel", Id: "pascal", Title: "only pascal", region: "" });

    // Act
    const read = [view.str("id"), view.str("title"), view.str("region"), view.str("missing")];

    // Assess
    expect(read).toEqual(["camel", "only pascal", undefined, undefined]);
  });

  it("still finds twins after a missing key was looked up in the same object", () => {
    // Prepare
    const view = viewOf({ id: "f-1", Severity: 5 });

    // Act
    const missingFirst = view.str("partition");
    const twin = view.num("severity");

    // Assess
    expect(missingFirst).toBeUndefined();
    expect(twin).toBe(5);
  });

  it("finds twins of keys that start with a character other than a letter", () => {
    // Prepare
    const view = viewOf({ a: 1, Ärger: "umlaut twin", _x: "as is" });

    // Act
    const read = [view.str("ärger"), view.str("_x")];

    // Assess
    expect(read).toEqual(["umlaut twin", "as is"]);
  });

  it("never reports what an object inherits, but reads own keys named like Object's members", () => {
    // Prepare
    const plain = viewOf(JSON.parse('{"id": "x"}') as Json);
    const own = viewOf(JSON.parse('{"constructor": "c", "__proto__": "p", "ToString": "t"}') as Json);

    // Act
    const inherited = ["constructor", "toString", "__proto__", "hasOwnProperty"].map((k) => plain.has(k));
    const owned = [own.str("constructor"), own.str("__proto__"), own.str("toString")];

    // Assess
    expect(inherited).toEqual([false, false, false, false]);
    expect(owned).toEqual(["c", "p", "t"]);
  });

  it("answers as a plain lookup of the key, then of its own twin, on any JSON object (property)", () => {
    const keys = fc.constantFrom(
      "id",
      "Id",
      "title",
      "Title",
      "count",
      "Count",
      "constructor",
      "toString",
      "x",
    );
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue()), fc.array(keys, { maxLength: 6 }), (raw, asked) => {
        // Prepare
        const json = JSON.parse(JSON.stringify(raw)) as Json;
        const view = viewOf(json);
        const reference = (key: string) => {
          const twin = twinOf(key);
          if (Object.hasOwn(json, key) && json[key] !== null) return true;
          return !Object.hasOwn(json, key) && Object.hasOwn(json, twin) && json[twin] !== null;
        };

        // Act
        const answers = asked.map((key) => view.has(key));

        // Assess
        expect(answers).toEqual(asked.map(reference));
        expect(asked.map((key) => fieldValue(json, key) ?? null)).toEqual(
          asked.map((key) =>
            view.has(key) ? view.json[Object.hasOwn(json, key) ? key : twinOf(key)] : null,
          ),
        );
      }),
    );
  });
});

describe("View readers", () => {
  it("reads text from numbers and strings, and warns at the twin's path for anything else", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const view = viewOf({ asn: 64512, Org: "Example", Isp: { name: "x" } }, ctx);

    // Act
    const read = [view.text("asn"), view.text("org"), view.text("isp")];

    // Assess
    expect(read).toEqual(["64512", "Example", undefined]);
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([["ignored_field", "$.detail.Isp"]]);
  });

  it("reads canonical times as they are and warns at the nested field's path for epoch times", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const view = viewOf(
      { Service: { eventFirstSeen: "2024-05-01T10:00:00Z", EventLastSeen: 1714557600 } },
      ctx,
    );
    const service = view.obj("service")!;

    // Act
    const read = [service.time("eventFirstSeen"), service.time("eventLastSeen")];

    // Assess
    expect(read).toEqual(["2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.000Z"]);
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["epoch_time", "$.detail.Service.EventLastSeen"],
    ]);
  });

  it("warns about a tag that is not an object at its own path, built only then", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const view = viewOf({ resource: { InstanceDetails: { Tags: [{ Key: "Name", Value: "web" }, 7] } } }, ctx);
    const details = view.obj("resource")!.obj("instanceDetails")!;

    // Act
    const tags = details.tags("tags");

    // Assess
    expect(tags).toEqual({ Name: "web" });
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["ignored_field", "$.detail.resource.InstanceDetails.Tags[1]"],
    ]);
  });
});
