/**
 * ARN pieces read in place: `resourceName` must name what the split-based reading named, for any resource
 * part, and the ARN parsers must keep every group as the regex captured it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseArn,
  parseGuardDutyFindingArn,
  parseProductArn,
  resourceName,
} from "../../../../core/normalize/securityhub/arn";

function referenceName(resource: string, prefix: string): string | undefined {
  for (const separator of ["/", ":"]) {
    const head = `${prefix}${separator}`;
    if (resource.startsWith(head)) {
      const name = resource.slice(head.length).split(separator)[0];
      return name === "" ? undefined : name;
    }
  }
  return undefined;
}

describe("resourceName", () => {
  it("reads the segment after a type prefix, whichever separator follows it", () => {
    // Act
    const read = [
      resourceName("instance/i-0abc", "instance"),
      resourceName("function:name:alias", "function"),
      resourceName("instance/", "instance"),
      resourceName("instances/i-0abc", "instance"),
      resourceName("db:prod", "db"),
    ];

    // Assess
    expect(read).toEqual(["i-0abc", "name", undefined, undefined, "prod"]);
  });

  it("names what splitting the resource part names, for any resource part and prefix (property)", () => {
    const text = fc
      .array(fc.constantFrom("instance", "db", "/", ":", "x", "", "i-1"), { maxLength: 6 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, fc.constantFrom("instance", "db", "", "x"), (resource, prefix) => {
        // Act
        const read = resourceName(resource, prefix);

        // Assess
        expect(read).toBe(referenceName(resource, prefix));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ARN parsers", () => {
  it("keep every group as captured, empty ones included", () => {
    // Act
    const read = [
      parseArn(" arn:aws:s3:::bucket/key "),
      parseProductArn("arn:aws:securityhub:::product/aws/guardduty"),
      parseGuardDutyFindingArn("arn:aws:guardduty:us-east-1:123456789012:detector/d1/finding/f1"),
    ];

    // Assess
    expect(read).toEqual([
      { partition: "aws", service: "s3", region: "", account: "", resource: "bucket/key" },
      { region: undefined, company: "aws", product: "guardduty" },
      { region: "us-east-1", account: "123456789012", detectorId: "d1", findingId: "f1" },
    ]);
  });
});
