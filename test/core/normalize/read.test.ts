import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InputError } from "../../../core/errors";
import {
  expectShape,
  optionalNumber,
  optionalTime,
  preview,
  ReadContext,
  readTags,
  requireString,
} from "../../../core/normalize/read";

describe("tolerant readers", () => {
  it("reads ISO, epoch seconds, milliseconds, microseconds and exponent forms as the same instant", () => {
    const ctx = new ReadContext("t");
    const iso = "2021-11-11T10:15:55.218Z";
    expect(optionalTime(iso, "$.a", ctx)).toBe(iso);
    expect(optionalTime(1636625755.218, "$.b", ctx)).toBe(iso);
    expect(optionalTime(1636625755218, "$.c", ctx)).toBe(iso);
    expect(optionalTime(1636625755218000, "$.d", ctx)).toBe(iso);
    expect(optionalTime("1.636625755218E9", "$.e", ctx)).toBe(iso);
    expect(ctx.warnings.map((w) => w.path)).toEqual(["$.b", "$.c", "$.d", "$.e"]);
  });

  it("reads +0000 offsets and times without a zone as UTC", () => {
    const ctx = new ReadContext("t");
    expect(optionalTime("2019-10-02T17:04:40.985+0000", "$", ctx)).toBe("2019-10-02T17:04:40.985Z");
    expect(optionalTime("2019-10-02T17:04:40", "$", ctx)).toBe("2019-10-02T17:04:40.000Z");
    expect(optionalTime("2019-10-02T17:04:40+00:00", "$", ctx)).toBe("2019-10-02T17:04:40.000Z");
    expect(optionalTime("2019-10-02T17:04:40.985+00:00", "$", ctx)).toBe("2019-10-02T17:04:40.985Z");
    expect(optionalTime("2019-02-30T17:04:40+0000", "$", ctx)).toBe("2019-03-02T17:04:40.000Z");
  });

  it("warns about a time it cannot even print (a cyclic object) instead of throwing", () => {
    // Prepare
    const ctx = new ReadContext("t");
    const cyclic: Record<string, unknown> = { tag: 1 };
    cyclic.self = cyclic;
    // Act
    const read = optionalTime(cyclic, "$.eventTime", ctx);
    // Assess
    expect(read).toBeUndefined();
    expect(ctx.warnings).toEqual([
      expect.objectContaining({
        code: "unreadable_time",
        path: "$.eventTime",
        message: expect.stringContaining("(object)"),
      }),
    ]);
  });

  it("previews any value in at most `max` characters, without throwing", () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 1, max: 80 }), (value, max) => {
        expect(preview(value, max).length).toBeLessThanOrEqual(Math.max(max, "(undefined)".length));
      }),
    );
    expect(preview({ a: "b" })).toBe('{"a":"b"}');
  });

  it("ignores unreadable or absurd times with a warning instead of failing", () => {
    const ctx = new ReadContext("t");
    expect(optionalTime("not a time", "$.x", ctx)).toBeUndefined();
    expect(optionalTime(true, "$.y", ctx)).toBeUndefined();
    expect(ctx.warnings.map((w) => w.code)).toEqual(["unreadable_time", "unreadable_time"]);
  });

  it("coerces numeric strings with a warning", () => {
    const ctx = new ReadContext("t");
    expect(optionalNumber("8.5", "$.severity", ctx)).toBe(8.5);
    expect(ctx.warnings).toEqual([
      { code: "coerced_number", path: "$.severity", message: expect.any(String) },
    ]);
  });

  it("requires strings with typed errors carrying the path", () => {
    expect(() => requireString(undefined, "$.detail.id")).toThrow(
      expect.objectContaining({ code: "missing_field", path: "$.detail.id" }),
    );
    expect(() => requireString({}, "$.detail.id")).toThrow(expect.objectContaining({ code: "wrong_type" }));
    expect(requireString(123456789012, "$.account")).toBe("123456789012");
  });

  it("reads both AWS tag list spellings and maps", () => {
    const ctx = new ReadContext("t");
    expect(
      readTags(
        [
          { key: "a", value: "1" },
          { Key: "b", Value: "2" },
        ],
        "$",
        ctx,
      ),
    ).toEqual({ a: "1", b: "2" });
    expect(readTags({ c: "3" }, "$", ctx)).toEqual({ c: "3" });
  });

  it("writes out number and boolean tag values, and ignores object values with a warning", () => {
    // Prepare: an object value that cannot even be turned into a string
    const ctx = new ReadContext("t");
    // Act
    const fromList = readTags(
      [
        { Key: "n", Value: 5 },
        { Key: "odd", Value: { toString: 0 } },
      ],
      "$.tags",
      ctx,
    );
    const fromMap = readTags({ b: true, odd: [1], none: null }, "$.map", ctx);
    // Assess
    expect(fromList).toEqual({ n: "5" });
    expect(fromMap).toEqual({ b: "true", none: "" });
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["ignored_field", "$.tags[1]"],
      ["ignored_field", "$.map.odd"],
    ]);
  });

  it("turns zod issues into InputErrors at the right path", () => {
    const schema = z.object({ detail: z.object({ id: z.string() }) });
    try {
      expectShape(schema, { detail: { id: 5 } }, "$");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).path).toBe("$.detail.id");
      expect((e as InputError).code).toBe("wrong_type");
    }
  });

  it("optionalTime never throws and returns ISO or undefined (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? "x" : d.toISOString())),
        ),
        (value) => {
          const out = optionalTime(value, "$", new ReadContext("t"));
          if (out !== undefined) expect(new Date(out).toISOString()).toBe(out);
        },
      ),
    );
  });
});
