import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Json,
  optionalArray,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalTime,
  ReadContext,
} from "../../../../core/normalize/read";
import {
  arrayAt,
  dig,
  labelOf,
  numberAt,
  objectAt,
  stringAt,
  stringListAt,
  timeAt,
} from "../../../../core/normalize/securityhub/common";

/** Runs a reader on a fresh context: its value and the warnings it recorded. */
function outcome<T>(read: (ctx: ReadContext) => T): { value: T; warnings: ReadContext["warnings"] } {
  const ctx = new ReadContext("ref");
  return { value: read(ctx), warnings: ctx.warnings };
}

/** Values fields really hold, plus the odd ones readers must tolerate. */
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom("", " ", "12", "2024-03-01T08:00:00Z", "2024-03-01T08:00:00", "yesterday", 1_700_000_000),
);

const PARENT = '$.detail.findings[0]["odd key"]';

describe("field readers", () => {
  it("read a field exactly as the read.ts reader given its full path would, warnings included", () => {
    fc.assert(
      fc.property(fieldValue, fc.constantFrom("Title", "odd key", "a/b"), (value, key) => {
        // Prepare
        const obj: Json = { [key]: value };
        const path = key === "Title" ? `${PARENT}.Title` : `${PARENT}["${key}"]`;

        // Act / Assess
        expect(outcome((ctx) => stringAt(obj, key, PARENT, ctx))).toEqual(
          outcome((ctx) => optionalString(value, path, ctx)),
        );
        expect(outcome((ctx) => numberAt(obj, key, PARENT, ctx))).toEqual(
          outcome((ctx) => optionalNumber(value, path, ctx)),
        );
        expect(outcome((ctx) => objectAt(obj, key, PARENT, ctx))).toEqual(
          outcome((ctx) => optionalObject(value, path, ctx)),
        );
        expect(outcome((ctx) => arrayAt(obj, key, PARENT, ctx))).toEqual(
          outcome((ctx) => optionalArray(value, path, ctx)),
        );
        expect(outcome((ctx) => timeAt(obj, key, PARENT, ctx))).toEqual(
          outcome((ctx) => optionalTime(value, path, ctx)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("read nothing, and warn about nothing, from a missing object", () => {
    // Act
    const read = outcome((ctx) => [
      stringAt(undefined, "Status", PARENT, ctx),
      numberAt(undefined, "status_id", PARENT, ctx),
      objectAt(undefined, "Note", PARENT, ctx),
    ]);

    // Assess
    expect(read).toEqual({ value: [undefined, undefined, undefined], warnings: [] });
  });

  it("keep the strings of a list and warn at the index of each other item", () => {
    // Act
    const read = outcome((ctx) => stringListAt({ Types: ["a", "", 7, { x: 1 }, "b"] }, "Types", "$", ctx));

    // Assess
    expect(read.value).toEqual(["a", "7", "b"]);
    expect(read.warnings.map((w) => [w.code, w.path])).toEqual([
      ["coerced_string", "$.Types[2]"],
      ["ignored_field", "$.Types[3]"],
    ]);
  });
});

describe("labelOf", () => {
  it.each([
    ["HIGH", "HIGH"],
    ["High", "HIGH"],
    [" critical ", "CRITICAL"],
    ["Fatal", "CRITICAL"],
    ["Informational", "INFORMATIONAL"],
    ["Severe", undefined],
    [undefined, undefined],
  ] as const)("reads %j as %j", (text, label) => {
    // Act / Assess
    expect(labelOf(text)).toBe(label);
  });
});

describe("dig", () => {
  it("follows up to four keys through objects and arrays, and stops at the first absent step", () => {
    // Prepare
    const doc = {
      Action: { PortProbeAction: { PortProbeDetails: [{ RemoteIpDetails: { IpAddressV4: "192.0.2.7" } }] } },
    };

    // Act
    const read = [
      dig(doc.Action, "PortProbeAction", "PortProbeDetails", 0, "RemoteIpDetails"),
      dig(doc, "Action", "PortProbeAction", "PortProbeDetails", 1),
      dig(doc, "Action", 0),
      dig(doc.Action.PortProbeAction.PortProbeDetails, "0"),
      dig("text", "length"),
    ];

    // Assess
    expect(read).toEqual([{ IpAddressV4: "192.0.2.7" }, undefined, undefined, undefined, undefined]);
  });
});
