/**
 * The fast paths of the shared readers give exactly what the general path gives: the arithmetic ISO
 * formatter matches Date, the canonical-time shortcut matches optionalTime, the field readers build a path
 * only for a warning, and readTags asks for a lazily given path only when it warns.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalTime,
  isoFromMs,
  optionalTime,
  ReadContext,
  readTags,
  stringAt,
  timeAt,
} from "../../../core/normalize/read";

const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

describe("isoFromMs", () => {
  it("formats every instant of the accepted range as Date does, fractions of a millisecond included (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: MIN_MS, max: MAX_MS, noNaN: true }), (ms) => {
        // Act
        const formatted = isoFromMs(ms);

        // Assess
        expect(formatted).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it("formats the range's ends, leap days and the last millisecond of a year as Date does", () => {
    // Prepare
    const instants = [
      MIN_MS,
      MAX_MS,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 0, 1),
    ];

    // Act
    const formatted = instants.map(isoFromMs);

    // Assess
    expect(formatted).toEqual(instants.map((ms) => new Date(ms).toISOString()));
  });
});

describe("canonicalTime", () => {
  it("gives what optionalTime gives, with no warning, for any string it accepts (property)", () => {
    const isoLike = fc
      .tuple(fc.date({ min: new Date(MIN_MS), max: new Date(MAX_MS), noInvalidDate: true }), fc.boolean())
      .map(([date, millis]) => (millis ? date.toISOString() : `${date.toISOString().slice(0, 19)}Z`));
    fc.assert(
      fc.property(fc.oneof(isoLike, fc.string()), (text) => {
        // Prepare
        const ctx = new ReadContext("t");

        // Act
        const fast = canonicalTime(text);
        const general = optionalTime(text, "$.t", ctx);

        // Assess
        if (fast !== undefined) {
          expect(fast).toBe(general);
          expect(ctx.warnings).toEqual([]);
        }
      }),
    );
  });

  it("accepts canonical UTC times with or without milliseconds and nothing else", () => {
    // Act
    const read = [
      "2021-11-11T10:15:55.218Z",
      "2021-11-11T10:15:55Z",
      "2021-11-11T10:15:55+00:00",
      "2021-11-11 10:15:55Z",
      "1989-12-31T23:59:59Z",
    ].map(canonicalTime);

    // Assess
    expect(read).toEqual([
      "2021-11-11T10:15:55.218Z",
      "2021-11-11T10:15:55.000Z",
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("field readers", () => {
  it("timeAt reads canonical times without a warning and warns at parent + key for others", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const doc = { Canonical: "2021-11-11T10:15:55Z", Epoch: 1636625755218, "odd key": "not a time" };

    // Act
    const read = [
      timeAt(doc, "Canonical", "$.f", ctx),
      timeAt(doc, "Epoch", "$.f", ctx),
      timeAt(doc, "odd key", "$.f", ctx),
    ];

    // Assess
    expect(read).toEqual(["2021-11-11T10:15:55.000Z", "2021-11-11T10:15:55.218Z", undefined]);
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["epoch_time", "$.f.Epoch"],
      ["unreadable_time", '$.f["odd key"]'],
    ]);
  });

  it("stringAt reads an absent parent object as an absent field", () => {
    // Prepare
    const ctx = new ReadContext("t");

    // Act
    const read = stringAt(undefined, "Status", "$.Compliance", ctx);

    // Assess
    expect(read).toBeUndefined();
    expect(ctx.warnings).toEqual([]);
  });
});

describe("readTags with a lazily built path", () => {
  it("never builds the path for well-formed tags", () => {
    // Prepare
    const ctx = new ReadContext("t");
    let built = 0;
    const path = () => {
      built++;
      return "$.resource.tags";
    };

    // Act
    const tags = readTags(
      [
        { key: "Name", value: "web-1" },
        { Key: "env", Value: "prod" },
      ],
      path,
      ctx,
    );

    // Assess
    expect(tags).toEqual({ Name: "web-1", env: "prod" });
    expect(built).toBe(0);
  });

  it("builds it for each warning, at the element or the value that was ignored", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const path = () => "$.resource.tags";

    // Act
    const fromList = readTags([{ key: "a", value: "1" }, "junk"], path, ctx);
    const fromText = readTags("not tags", path, ctx);

    // Assess
    expect(fromList).toEqual({ a: "1" });
    expect(fromText).toBeUndefined();
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["ignored_field", "$.resource.tags[1]"],
      ["ignored_field", "$.resource.tags"],
    ]);
  });

  it("reads a list or map whose only keys are unusable as no tags", () => {
    // Prepare
    const ctx = new ReadContext("t");

    // Act
    const read = [readTags([{ value: "no key" }], "$.t", ctx), readTags({}, "$.t", ctx)];

    // Assess
    expect(read).toEqual([undefined, undefined]);
  });
});
