/**
 * GuardDuty finding ARNs are read in one regex pass, detector included. The reference below is the
 * two-step reading it replaced (the ARN, then the detector in its resource part): both must agree on every
 * string, line breaks included (an ARN with one is not read at all).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFindingArn } from "../../../../core/normalize/guardduty/finding";

function reference(arn: string | undefined) {
  const match = /^arn:([^:]+):guardduty:([^:]*):([^:]*):(.*)$/.exec(arn ?? "");
  if (!match) return undefined;
  return {
    partition: match[1],
    region: match[2],
    account: match[3],
    detectorId: /^detector\/([^/]+)/.exec(match[4]!)?.[1],
  };
}

const PIECES = [
  "detector/",
  "d1",
  "/",
  "finding/",
  "f1",
  ":",
  "\n",
  "\r",
  "\u2028",
  "\u2029",
  "x",
  "//",
  " ",
  "detector",
];
const HEAD = "arn:aws:guardduty:us-east-1:123456789012:";

describe("parseFindingArn", () => {
  it("reads partition, region, account and detector of a finding ARN", () => {
    // Act
    const read = parseFindingArn(`arn:aws-cn:guardduty:cn-north-1:123456789012:detector/d-1/finding/f-1`);

    // Assess
    expect(read).toEqual({
      partition: "aws-cn",
      region: "cn-north-1",
      account: "123456789012",
      detectorId: "d-1",
    });
  });

  it("reads no detector from a resource part that does not start with one, and nothing from a non-ARN", () => {
    // Act
    const read = [
      parseFindingArn(`${HEAD}finding/f-1`)?.detectorId,
      parseFindingArn("f-1"),
      parseFindingArn(undefined),
    ];

    // Assess
    expect(read).toEqual([undefined, undefined, undefined]);
  });

  it("agrees with the two-step reading on ARN-like strings with odd pieces and line breaks (property)", () => {
    const tail = fc.array(fc.constantFrom(...PIECES), { maxLength: 7 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.boolean(), tail, fc.string(), (withHead, rest, noise) => {
        // Prepare
        const arn = withHead ? `${HEAD}${rest}` : noise;

        // Act
        const read = parseFindingArn(arn);

        // Assess
        expect(read).toEqual(reference(arn));
      }),
      { numRuns: 3000 },
    );
  });
});
