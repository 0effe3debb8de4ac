import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fromGuardDutySeverity,
  fromNormalizedScore,
  labelForScore,
  maxSeverity,
  severityRank,
} from "../../../core/findings/severity";

describe("severity", () => {
  it("maps GuardDuty's documented bands", () => {
    const cases: Array<[number, string]> = [
      [1.0, "LOW"],
      [3.9, "LOW"],
      [4.0, "MEDIUM"],
      [6.9, "MEDIUM"],
      [7.0, "HIGH"],
      [8.9, "HIGH"],
      [9.0, "CRITICAL"],
      [10.0, "CRITICAL"],
    ];
    for (const [gd, label] of cases)
      expect(fromGuardDutySeverity(gd), String(gd)).toEqual({ label, score: gd * 10 });
  });

  it("maps Security Hub Normalized bands (0 informational)", () => {
    expect(fromNormalizedScore(0).label).toBe("INFORMATIONAL");
    expect(fromNormalizedScore(39).label).toBe("LOW");
    expect(fromNormalizedScore(40).label).toBe("MEDIUM");
    expect(fromNormalizedScore(70).label).toBe("HIGH");
    expect(fromNormalizedScore(90).label).toBe("CRITICAL");
    expect(fromNormalizedScore(250).score).toBe(100);
  });

  it("labels are monotonic in the score (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(severityRank(labelForScore(lo))).toBeLessThanOrEqual(severityRank(labelForScore(hi)));
        },
      ),
    );
  });

  it("maxSeverity only rises", () => {
    const low = fromGuardDutySeverity(2);
    const high = fromGuardDutySeverity(8);
    expect(maxSeverity(low, high)).toBe(high);
    expect(maxSeverity(high, low)).toBe(high);
  });
});
