import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatches } from "../../../core/runbooks/glob";

describe("globMatches", () => {
  it.each([
    ["CryptoCurrency:*", "CryptoCurrency:EC2/BitcoinTool.B!DNS", true],
    ["*:EC2/*", "Backdoor:EC2/C&CActivity.B", true],
    ["*:EC2/*", "Backdoor:Runtime/C&CActivity.B", false],
    ["*/MaliciousFile*", "Execution:EC2/MaliciousFile!Snapshot", true],
    ["cis.root-account-use", "cis.root-account-use", true],
    ["cis.root-account-use", "cis.root-account-used", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    // Regex metacharacters are literal: no pattern can be a ReDoS.
    ["S3.*", "S3.8", true],
    ["S3.*", "S38", false],
    ["*", "", true],
  ])("%s vs %s → %s", (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });

  it("agrees with a reference regex built from the pattern", () => {
    const alphabet = fc.constantFrom("a", "b", ".", ":", "/");
    const pattern = fc.array(fc.oneof(alphabet, fc.constant("*")), { maxLength: 8 }).map((c) => c.join(""));
    const text = fc.array(alphabet, { maxLength: 10 }).map((c) => c.join(""));
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        const reference = new RegExp(
          `^${p
            .split("*")
            .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
            .join(".*")}$`,
          "s",
        );
        expect(globMatches(p, t)).toBe(reference.test(t));
      }),
    );
  });
});
