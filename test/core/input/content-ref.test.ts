import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentRef } from "../../../core/input/content-ref";

describe("contentRef", () => {
  it("is stable for the same text and has a fixed shape", () => {
    expect(contentRef('{"a":1}')).toBe(contentRef('{"a":1}'));
    expect(contentRef('{"a":1}')).toMatch(/^fnv:[0-9a-f]{16}$/);
  });

  it("differs for texts that differ in one character (property, no collisions in a sample)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffff }),
        (text, at, delta) => {
          const i = at % text.length;
          const changed =
            text.slice(0, i) +
            String.fromCharCode((text.charCodeAt(i) + delta) % 0x10000) +
            text.slice(i + 1);
          fc.pre(changed !== text);
          expect(contentRef(changed)).not.toBe(contentRef(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
