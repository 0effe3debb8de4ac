/**
 * RecordState and Compliance.Status are compared ignoring case, as upper-casing would: the letter-by-letter
 * comparison of ASCII text must agree with `toUpperCase()` on every spelling, other alphabets included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBare, makeSecurityGroupControlFinding } from "../../../support/securityhub.factory";

const withStatus = (recordState: string, complianceStatus: string) =>
  fromBare(
    makeSecurityGroupControlFinding([], {
      RecordState: recordState,
      Compliance: { Status: complianceStatus, SecurityControlId: "EC2.19" },
    }),
  )[0]!;

describe("ASFF record state and compliance status", () => {
  it("reads an archived record and a passed control in any letter case as a recovery", () => {
    // Act
    const read = [
      withStatus("archived", "FAILED"),
      withStatus("ACTIVE", "Passed"),
      withStatus("ACTIVE", "PAßED"),
      withStatus("ACTIVE", "FAILED"),
    ].map((f) => [f.archived, f.kind]);

    // Assess
    expect(read).toEqual([
      [true, "recovery"],
      [false, "recovery"],
      [false, "recovery"],
      [false, "detection"],
    ]);
  });

  it("decides as comparing the upper-cased text would (property)", () => {
    const spelling = fc
      .array(
        fc.constantFrom(
          "a",
          "A",
          "r",
          "R",
          "c",
          "C",
          "h",
          "H",
          "i",
          "I",
          "v",
          "V",
          "e",
          "E",
          "d",
          "D",
          "ı",
          "ß",
          "s",
          "S",
          "p",
          "P",
        ),
        { maxLength: 9 },
      )
      .map((chars) => chars.join(""));
    fc.assert(
      fc.property(spelling, spelling, (recordState, status) => {
        // Act
        const finding = withStatus(recordState, status);

        // Assess
        const archived = recordState.toUpperCase() === "ARCHIVED";
        expect(finding.archived).toBe(archived);
        expect(finding.kind).toBe(archived || status.toUpperCase() === "PASSED" ? "recovery" : "detection");
      }),
      { numRuns: 500 },
    );
  });
});
