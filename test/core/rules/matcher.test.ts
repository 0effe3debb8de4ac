/**
 * The matcher's own rules beyond AWS's examples (see matcher.aws-docs.test.ts for those): edge cases of
 * types, arrays and absence, pattern validation with JSON paths, and fast-check properties.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { compilePattern, matchesPattern, validatePattern } from "../../../core/rules/matcher";
import {
  type EventPattern,
  eventPatternSchema,
  MAX_PATTERN_DEPTH,
  type MatchValue,
  NUMERIC_LIMIT,
} from "../../../core/rules/pattern";

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("matching: value types", () => {
  it("matches exact strings, numbers, booleans and null only against the same type", () => {
    // Prepare
    const pattern: EventPattern = { v: ["1", 2, true, null] };
    const values = ["1", 1, 2, "2", true, "true", false, null, "null"];
    // Act
    const results = values.map((v) => matchesPattern(pattern, { v }));
    // Assess
    expect(results).toEqual([true, false, true, false, true, false, false, true, false]);
  });

  it("treats null as a present value for exists and anything-but", () => {
    // Prepare
    const event = { v: null };
    // Act
    const results = [
      matchesPattern({ v: [{ exists: true }] }, event),
      matchesPattern({ v: [{ exists: false }] }, event),
      matchesPattern({ v: [{ "anything-but": "x" }] }, event),
    ];
    // Assess
    expect(results).toEqual([true, false, true]);
  });

  it("applies string operators to strings only and numeric to numbers only", () => {
    // Prepare
    const event = { n: 42, s: "42" };
    // Act
    const results = [
      matchesPattern({ n: [{ prefix: "4" }] }, event),
      matchesPattern({ n: [{ wildcard: "*" }] }, event),
      matchesPattern({ n: [{ "equals-ignore-case": "42" }] }, event),
      matchesPattern({ s: [{ numeric: ["=", 42] }] }, event),
      matchesPattern({ n: [{ numeric: ["=", 42] }] }, event),
    ];
    // Assess
    expect(results).toEqual([false, false, false, false, true]);
  });

  it("compares numbers to six decimal places, as documented", () => {
    // Prepare
    const pattern: EventPattern = { v: [{ numeric: ["=", 0.3] }] };
    // Act
    const results = [0.1 + 0.2, 0.3000001, 0.300001].map((v) => matchesPattern(pattern, { v }));
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("compares numbers beyond the numeric range exactly (account ids written as numbers)", () => {
    // Prepare
    const pattern: EventPattern = { account: [123456789012] };
    // Act
    const results = [123456789012, 123456789013].map((account) => matchesPattern(pattern, { account }));
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("lets anything-but match values of another type but never a missing field", () => {
    // Prepare
    const pattern: EventPattern = { v: [{ "anything-but": [1, 2] }] };
    // Act
    const results = [matchesPattern(pattern, { v: "1" }), matchesPattern(pattern, { w: 3 })];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("matches nothing for an empty leaf list", () => {
    // Prepare
    const pattern: EventPattern = { source: [] };
    // Act
    const results = [{ source: "aws.ec2" }, {}, { source: null }].map((e) => matchesPattern(pattern, e));
    // Assess
    expect(results).toEqual([false, false, false]);
  });

  it("honours wildcard escapes: \\* is a literal star and \\\\ a literal backslash", () => {
    // Prepare
    const star: EventPattern = { v: [{ wildcard: "a\\*b*" }] };
    const slash: EventPattern = { v: [{ wildcard: "c:\\\\*" }] };
    // Act
    const results = [
      matchesPattern(star, { v: "a*bc" }),
      matchesPattern(star, { v: "axbc" }),
      matchesPattern(slash, { v: "c:\\temp" }),
      matchesPattern(slash, { v: "c:/temp" }),
    ];
    // Assess
    expect(results).toEqual([true, false, true, false]);
  });

  it("places wildcard pieces in order without overlapping", () => {
    // Prepare
    const pattern: EventPattern = { v: [{ wildcard: "ab*ba" }] };
    // Act
    const results = ["aba", "abba", "ab-ba", "abxba"].map((v) => matchesPattern(pattern, { v }));
    // Assess
    expect(results).toEqual([false, true, true, true]);
  });
});

describe("matching: arrays, objects and absence", () => {
  it("matches a leaf when any element of an event array matches, flattening nested arrays", () => {
    // Prepare
    const pattern: EventPattern = { tags: [{ prefix: "prod" }] };
    // Act
    const results = [
      matchesPattern(pattern, { tags: ["dev", ["test", ["prod-eu"]]] }),
      matchesPattern(pattern, { tags: ["dev", "test"] }),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("lets anything-but match an array holding any other value", () => {
    // Prepare
    const pattern: EventPattern = { v: [{ "anything-but": "a" }] };
    // Act
    const results = [matchesPattern(pattern, { v: ["a", "b"] }), matchesPattern(pattern, { v: ["a"] })];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("treats an empty array or an object at a leaf path as absent", () => {
    // Prepare
    const exists: EventPattern = { v: [{ exists: true }] };
    const missing: EventPattern = { v: [{ exists: false }] };
    const events = [{ v: [] }, { v: {} }, { v: [{ x: 1 }] }, { v: [1] }];
    // Act
    const results = events.map((e) => [matchesPattern(exists, e), matchesPattern(missing, e)]);
    // Assess
    expect(results).toEqual([
      [false, true],
      [false, true],
      [false, true],
      [true, false],
    ]);
  });

  it("judges exists:false inside the array element the other conditions chose", () => {
    // Prepare
    const pattern: EventPattern = { items: { kind: ["disk"], encrypted: [{ exists: false }] } };
    // Act
    const results = [
      matchesPattern(pattern, { items: [{ kind: "disk", encrypted: true }, { kind: "disk" }] }),
      matchesPattern(pattern, { items: [{ kind: "disk", encrypted: true }, { kind: "nic" }] }),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("requires absence in every element when only exists:false constrains an array", () => {
    // Prepare
    const pattern: EventPattern = { items: { secret: [{ exists: false }] } };
    // Act
    const results = [
      matchesPattern(pattern, { items: [{ a: 1 }, { b: 2 }] }),
      matchesPattern(pattern, { items: [{ a: 1 }, { secret: "x" }] }),
      matchesPattern(pattern, { items: [] }),
    ];
    // Assess
    expect(results).toEqual([true, false, true]);
  });

  it("matches nested fields through a missing or scalar parent only by absence", () => {
    // Prepare
    const missing: EventPattern = { detail: { x: [{ exists: false }] } };
    const present: EventPattern = { detail: { x: [{ exists: true }] } };
    // Act
    const results = [
      matchesPattern(missing, {}),
      matchesPattern(missing, { detail: "text" }),
      matchesPattern(present, { detail: "text" }),
    ];
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("reads only the event's own fields, never inherited ones", () => {
    // Prepare
    const pattern: EventPattern = { constructor: [{ exists: true }] };
    const own = JSON.parse('{"constructor":"x"}');
    // Act
    const results = [matchesPattern(pattern, {}), matchesPattern(pattern, own)];
    // Assess
    expect(results).toEqual([false, true]);
  });

  it("matches nothing when the event is not a JSON object", () => {
    // Prepare
    const pattern: EventPattern = { v: [{ exists: false }] };
    // Act
    const results = [null, "text", 3, [{}], undefined].map((e) => matchesPattern(pattern, e));
    // Assess
    expect(results).toEqual([false, false, false, false, false]);
  });

  it("matches nothing for an invalid pattern instead of throwing", () => {
    // Prepare
    const invalid = { source: "aws.ec2" } as unknown as EventPattern;
    // Act
    const matched = matchesPattern(invalid, { source: "aws.ec2" });
    // Assess
    expect(matched).toBe(false);
  });

  it("compiles once into a matcher that agrees with matchesPattern", () => {
    // Prepare
    const pattern: EventPattern = { detail: { severity: [{ numeric: [">=", 4] }] } };
    const match = compilePattern(pattern);
    const events = [2, 4, 8.5, "9"].map((severity) => ({ detail: { severity } }));
    // Act
    const results = events.map(match);
    // Assess
    expect(results).toEqual([false, true, true, false]);
    expect(events.map((e) => matchesPattern(pattern, e))).toEqual(results);
  });
});

describe("validatePattern", () => {
  const invalid: [string, unknown, string, string][] = [
    ["a top level that is not an object", ["x"], "$", "wrong_type"],
    ["an empty pattern", {}, "$", "invalid_value"],
    ["a leaf that is not an array", { source: "aws.ec2" }, "$.source", "wrong_type"],
    ["an empty nested object", { detail: {} }, "$.detail", "invalid_value"],
    ["a nested array in a leaf", { a: [["x"]] }, "$.a[0]", "wrong_type"],
    ["an unknown operator", { a: [{ contains: "x" }] }, "$.a[0].contains", "invalid_value"],
    ["two operators in one object", { a: [{ prefix: "a", suffix: "b" }] }, "$.a[0]", "invalid_value"],
    [
      "a numeric range with two lower bounds",
      { a: [{ numeric: [">", 1, ">", 5] }] },
      "$.a[0].numeric",
      "invalid_value",
    ],
    [
      "a numeric = combined with a bound",
      { a: [{ numeric: ["=", 1, "<", 2] }] },
      "$.a[0].numeric",
      "invalid_value",
    ],
    [
      "a numeric range upside down",
      { a: [{ numeric: [">", 5, "<", 1] }] },
      "$.a[0].numeric",
      "invalid_value",
    ],
    ["a numeric bound as a string", { a: [{ numeric: [">", "5"] }] }, "$.a[0].numeric", "invalid_value"],
    ["a numeric bound out of range", { a: [{ numeric: [">", 6e9] }] }, "$.a[0].numeric", "invalid_value"],
    ["an unknown numeric operator", { a: [{ numeric: ["!=", 5] }] }, "$.a[0].numeric", "invalid_value"],
    [
      "anything-but with mixed types",
      { a: [{ "anything-but": ["x", 1] }] },
      '$.a[0]["anything-but"]',
      "invalid_value",
    ],
    ["anything-but null", { a: [{ "anything-but": null }] }, '$.a[0]["anything-but"]', "invalid_value"],
    [
      "anything-but an empty prefix",
      { a: [{ "anything-but": { prefix: "" } }] },
      '$.a[0]["anything-but"]',
      "invalid_value",
    ],
    ["a wildcard with **", { a: [{ wildcard: "a**b" }] }, "$.a[0].wildcard", "invalid_value"],
    ["a wildcard escaping a letter", { a: [{ wildcard: "a\\b" }] }, "$.a[0].wildcard", "invalid_value"],
    ["a prefix that is a number", { a: [{ prefix: 5 }] }, "$.a[0].prefix", "invalid_value"],
    ["an invalid cidr", { a: [{ cidr: "10.0.0.0/33" }] }, "$.a[0].cidr", "invalid_value"],
    ["exists that is not a boolean", { a: [{ exists: "true" }] }, "$.a[0].exists", "wrong_type"],
    ["$or that is not an array", { $or: { a: ["x"] } }, "$.$or", "wrong_type"],
    ["$or with one alternative", { $or: [{ a: ["x"] }] }, "$.$or", "invalid_value"],
    ["$or holding a non-object", { $or: [{ a: ["x"] }, "b"] }, "$.$or[1]", "wrong_type"],
    [
      "an operator name as a field inside $or",
      { $or: [{ a: ["x"] }, { prefix: ["b"] }] },
      "$.$or[1].prefix",
      "invalid_value",
    ],
  ];

  it.each(invalid)("refuses %s with an InputError at its JSON path", (_, pattern, path, code) => {
    // Act
    const error = thrown(() => validatePattern(pattern));
    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ path, code });
  });

  it(`refuses nesting deeper than ${MAX_PATTERN_DEPTH} objects`, () => {
    // Prepare
    let deep: Record<string, unknown> = { leaf: ["x"] };
    for (let i = 0; i < MAX_PATTERN_DEPTH; i++) deep = { n: deep };
    // Act
    const error = thrown(() => validatePattern(deep));
    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: "invalid_shape" });
    expect((error as InputError).path.split(".n").length - 1).toBe(MAX_PATTERN_DEPTH);
  });

  it("refuses a cyclic pattern with an InputError", () => {
    // Prepare
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act
    const error = thrown(() => validatePattern(cyclic));
    // Assess
    expect(error).toBeInstanceOf(InputError);
  });

  it("refuses patterns over the 4096-character hard limit", () => {
    // Prepare
    const pattern = { names: Array.from({ length: 400 }, (_, i) => `EventName${i}`) };
    // Act
    const error = thrown(() => validatePattern(pattern));
    // Assess
    expect(error).toMatchObject({ code: "too_large", path: "$" });
  });

  it("accepts every documented operator form and returns the pattern", () => {
    // Prepare
    const pattern = {
      a: ["x", 1, true, null, { prefix: "p" }, { prefix: { "equals-ignore-case": "P" } }, { suffix: "s" }],
      b: [{ suffix: { "equals-ignore-case": "S" } }, { "equals-ignore-case": "e" }, { wildcard: "w*\\*" }],
      c: [
        { "anything-but": "x" },
        { "anything-but": 1 },
        { "anything-but": ["x"] },
        { "anything-but": [1, 2] },
      ],
      d: [{ "anything-but": { prefix: "p" } }, { "anything-but": { suffix: "s" } }],
      e: [{ "anything-but": { "equals-ignore-case": ["a"] } }, { "anything-but": { wildcard: ["*a"] } }],
      f: [{ numeric: ["=", 1] }, { numeric: ["<", 1] }, { numeric: [">=", -5e9, "<=", 5e9] }],
      g: [{ exists: true }, { exists: false }, { cidr: "10.0.0.0/8" }, { cidr: "::/0" }],
      $or: [{ h: ["x"] }, { i: { j: ["y"] } }],
    };
    // Act
    const result = validatePattern(pattern);
    // Assess
    expect(result).toBe(pattern);
    expect(eventPatternSchema.safeParse(pattern).success).toBe(true);
  });

  it("reports the same problem through the zod schema", () => {
    // Act
    const result = eventPatternSchema.safeParse({ a: [{ contains: "x" }] });
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/unknown operator "contains"/);
  });
});

// ---- fast-check properties ----------------------------------------------------------------------

const KEYS = ["a", "b", "detail", "source", "$or", "prefix", "__proto__", "constructor"] as const;
const key = fc.constantFrom(...KEYS);
const bounded = fc.double({ min: -NUMERIC_LIMIT, max: NUMERIC_LIMIT, noNaN: true });
const wildcard = fc
  .array(
    fc.string({ maxLength: 4 }).map((s) => s.replace(/[\\*]/g, "")),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join("*"));
const numericCondition = fc.oneof(
  bounded.map((n) => ["=", n]),
  fc.tuple(fc.constantFrom(">", ">=", "<", "<="), bounded),
  fc
    .tuple(fc.constantFrom(">", ">="), bounded, fc.constantFrom("<", "<="), bounded)
    .filter(([, lo, , hi]) => lo < hi),
);
const matchValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.record({ prefix: fc.oneof(fc.string(), fc.record({ "equals-ignore-case": fc.string() })) }),
  fc.record({ suffix: fc.oneof(fc.string(), fc.record({ "equals-ignore-case": fc.string() })) }),
  fc.record({ "equals-ignore-case": fc.string() }),
  fc.record({ wildcard }),
  fc.record({
    "anything-but": fc.oneof(
      fc.string(),
      bounded,
      fc.array(fc.string(), { minLength: 1 }),
      fc.array(bounded, { minLength: 1 }),
      fc.record({ prefix: fc.string({ minLength: 1 }) }),
      fc.record({ wildcard: fc.oneof(wildcard, fc.array(wildcard, { minLength: 1 })) }),
    ),
  }),
  fc.record({ numeric: numericCondition }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ cidr: fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, p]) => `${ip}/${p}`) }),
);

/** Patterns built from the documented grammar (valid except for rare size or reserved-name cases). */
const patternArb = fc.letrec<{ pattern: Record<string, unknown> }>((tie) => ({
  pattern: fc
    .array(
      fc.tuple(
        key,
        fc.oneof(
          { depthSize: "small" },
          fc.array(matchValue, { maxLength: 3 }),
          tie("pattern"),
          fc.array(tie("pattern"), { minLength: 2, maxLength: 3 }),
        ),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((entries) => Object.fromEntries(entries)),
})).pattern;

const scalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const eventArb = fc.letrec<{ node: unknown; object: Record<string, unknown> }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.ipV4(),
    tie("object"),
    fc.array(tie("node"), { maxLength: 3 }),
  ),
  object: fc
    .array(fc.tuple(key, tie("node")), { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries)),
})).object;

describe("properties", () => {
  it("matchesPattern never throws, whatever the pattern and the event", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), patternArb),
        fc.oneof(fc.anything(), eventArb),
        (pattern, event) => {
          // Act
          const matched = matchesPattern(pattern as EventPattern, event);
          // Assess
          expect(typeof matched).toBe("boolean");
        },
      ),
    );
  });

  it("validatePattern throws nothing but InputError, also for patterns with arbitrary pieces", () => {
    const mutated = fc.letrec<{ pattern: unknown }>((tie) => ({
      pattern: fc.oneof(
        { depthSize: "small" },
        fc.anything(),
        fc.dictionary(key, fc.oneof(fc.array(fc.oneof(matchValue, fc.anything())), tie("pattern"))),
      ),
    })).pattern;
    fc.assert(
      fc.property(mutated, (pattern) => {
        // Act
        const error = thrown(() => validatePattern(pattern));
        // Assess
        if (error !== undefined) expect(error).toBeInstanceOf(InputError);
      }),
    );
  });

  it("a valid pattern compiles to a matcher that agrees with matchesPattern", () => {
    fc.assert(
      fc.property(patternArb, fc.array(eventArb, { maxLength: 5 }), (pattern, events) => {
        fc.pre(thrown(() => validatePattern(pattern)) === undefined);
        // Prepare
        const match = compilePattern(pattern as EventPattern);
        // Act
        const compiled = events.map(match);
        // Assess
        expect(compiled).toEqual(events.map((e) => matchesPattern(pattern as EventPattern, e)));
      }),
    );
  });

  it("an exact-value pattern built from one of the event's own leaves matches the event", () => {
    const leaves = (node: unknown, path: string[], out: [string[], unknown][]): [string[], unknown][] => {
      if (Array.isArray(node)) for (const item of node) leaves(item, path, out);
      else if (node !== null && typeof node === "object")
        for (const [k, v] of Object.entries(node)) leaves(v, [...path, k], out);
      else if (path.length > 0) out.push([path, node]);
      return out;
    };
    const withLeaf = fc
      .dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 4 }), { minKeys: 1 })
      .chain((event) => {
        const found = leaves(event, [], []).filter(([path]) => !path.includes("$or"));
        return found.length === 0
          ? fc.constant(undefined)
          : fc.constantFrom(...found).map((leaf) => ({ event, leaf }));
      });
    fc.assert(
      fc.property(withLeaf, (sample) => {
        fc.pre(sample !== undefined);
        // Prepare
        const { event, leaf } = sample!;
        const [path, value] = leaf;
        const pattern = path.reduceRight<unknown>(
          (inner, k) => Object.fromEntries([[k, inner]]),
          [value as MatchValue],
        ) as EventPattern;
        // Act
        const matched = matchesPattern(pattern, event);
        // Assess
        expect(matched).toBe(true);
      }),
    );
  });

  it("anything-but [v] is the negation of [v] for a present scalar field", () => {
    const excluded = fc.oneof(fc.string({ maxLength: 3 }), bounded, fc.integer({ min: -3, max: 3 }));
    const value = fc.oneof(excluded, fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(excluded, value, fc.boolean(), (v, actual, asList) => {
        // Prepare
        const event = { detail: { field: actual } };
        const exact: EventPattern = { detail: { field: [v] } };
        const negated: EventPattern = {
          detail: { field: [{ "anything-but": asList ? ([v] as string[] | number[]) : v }] },
        };
        // Act
        const results = [matchesPattern(exact, event), matchesPattern(negated, event)];
        // Assess
        expect(results[1]).toBe(!results[0]);
      }),
      {
        examples: [
          ["x", "x", true],
          [3, 3, false],
          [0, -0, true],
        ],
      },
    );
  });

  it("numeric ranges agree with plain comparisons, and never match non-numbers", () => {
    // Quarter steps are exact in binary, so six-decimal rounding cannot blur the reference.
    const quarter = fc.integer({ min: -400, max: 400 }).map((n) => n / 4);
    const condition = fc.oneof(
      fc.tuple(fc.constantFrom("=", ">", ">=", "<", "<="), quarter),
      fc
        .tuple(fc.constantFrom(">", ">="), quarter, fc.constantFrom("<", "<="), quarter)
        .filter(([, lo, , hi]) => lo < hi),
    );
    const value = fc.oneof(quarter, quarter.map(String), fc.boolean(), fc.constant(null));
    const holds = (op: string, v: number, bound: number): boolean =>
      ({ "=": v === bound, ">": v > bound, ">=": v >= bound, "<": v < bound, "<=": v <= bound })[op] ?? false;
    fc.assert(
      fc.property(condition, value, (cond, v) => {
        // Prepare
        const pattern = { x: [{ numeric: cond }] } as unknown as EventPattern;
        const expected =
          typeof v === "number" &&
          holds(cond[0] as string, v, cond[1] as number) &&
          (cond.length === 2 || holds(cond[2] as string, v, cond[3] as number));
        // Act
        const matched = matchesPattern(pattern, { x: v });
        // Assess
        expect(matched).toBe(expected);
      }),
    );
  });
});
