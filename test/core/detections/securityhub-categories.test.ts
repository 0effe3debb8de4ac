import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { categoryForGuardDutyType } from "../../../core/detections/guardduty-categories";
import {
  categoryForSecurityHub,
  SECURITY_HUB_CATEGORY_RULES,
  SECURITY_HUB_PRODUCTS,
  type SecurityHubFacts,
} from "../../../core/detections/securityhub-categories";
import type { Category } from "../../../core/findings/categories";

const control = (
  controlId: string,
  title: string,
  overrides: Partial<SecurityHubFacts> = {},
): SecurityHubFacts => ({
  product: "security-hub",
  type: controlId,
  controlId,
  title,
  types: ["Software and Configuration Checks/Industry and Regulatory Standards"],
  primaryResource: "aws-account",
  ...overrides,
});

const product = (
  name: SecurityHubFacts["product"],
  title: string,
  overrides: Partial<SecurityHubFacts> = {},
): SecurityHubFacts => ({
  product: name,
  type: title,
  title,
  types: [],
  primaryResource: "other",
  ...overrides,
});

describe("categoryForSecurityHub", () => {
  it.each([
    [
      control("CIS 4.1", "4.1 Ensure no security groups allow ingress from 0.0.0.0/0 to port 22"),
      "security-group-exposure",
    ],
    [
      control("CIS 4.1", "4.1 Ensure a log metric filter and alarm exist for unauthorized API calls"),
      "logging-tampering",
    ],
    [
      control(
        "CIS 5.3",
        "5.3 Ensure no security groups allow ingress from ::/0 to remote server administration ports",
      ),
      "security-group-exposure",
    ],
    [
      control(
        "EC2.18",
        "Security groups should only allow unrestricted incoming traffic for authorized ports",
      ),
      "security-group-exposure",
    ],
    [
      control("EC2.19", "Security groups should not allow unrestricted access to ports with high risk"),
      "security-group-exposure",
    ],
    [control("S3.2", "S3 buckets should prohibit public read access"), "s3-data-exposure"],
    [
      control(
        "CloudTrail.1",
        "CloudTrail should be enabled and configured with at least one multi-Region trail",
      ),
      "logging-tampering",
    ],
    [control("CIS 2.1", "2.1 Ensure CloudTrail is enabled in all regions"), "logging-tampering"],
    [
      control("CIS 3.3", '3.3 Ensure a log metric filter and alarm exist for usage of "root" account'),
      "root-account-use",
    ],
    [control("CIS 1.1", '1.1 Avoid the use of the "root" account'), "root-account-use"],
    [
      control("CIS 1.7", "1.7 Eliminate use of the 'root' user for administrative and daily tasks"),
      "root-account-use",
    ],
    [control("IAM.6", "Hardware MFA should be enabled for the root user"), "root-account-use"],
    [
      control("CIS 1.6", "1.6 Ensure IAM password policy requires at least one lowercase letter"),
      "iam-credential-compromise",
    ],
    [
      control("IAM.3", "IAM users' access keys should be rotated every 90 days or less"),
      "iam-credential-compromise",
    ],
    [control("EC2.7", "EBS default encryption should be enabled"), "generic"],
    [
      product("inspector", "Network Reachability - Recognized port reachable from internet", {
        primaryResource: "ec2-instance",
      }),
      "security-group-exposure",
    ],
    [product("inspector", "CVE-2023-4863 - libwebp", { primaryResource: "ec2-instance" }), "ec2-compromise"],
    [product("inspector", "CVE-2023-4863 - libwebp", { primaryResource: "lambda-function" }), "generic"],
    [product("macie", "Google Suite Two-Factor Backup Codes uploaded to S3"), "s3-data-exposure"],
    [product("firewall-manager", "Resource lacks the web ACL required by the policy"), "waf-attack"],
    [
      product("firewall-manager", "Security group is not compliant with the audit policy"),
      "security-group-exposure",
    ],
    [
      product("prowler", "[extra759] Find secrets in Lambda functions variables"),
      "iam-credential-compromise",
    ],
    [product("third-party", "Bitcoin miner process detected on host"), "crypto-mining"],
    [product("third-party", "Something unusual happened"), "generic"],
  ])("%j → %s", (facts, category) => {
    // Act
    const read = categoryForSecurityHub(facts);

    // Assess
    expect(read).toBe(category);
  });

  it.each([
    "Recon:EC2/PortProbeUnprotectedPort",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
    "Policy:IAMUser/RootCredentialUsage",
  ])("uses GuardDuty's own table for the copy of %s", (type) => {
    // Act
    const read = categoryForSecurityHub(product("guardduty", "any title", { type }));

    // Assess
    expect(read).toBe(categoryForGuardDutyType(type));
  });

  it("decides exactly as the first matching rule of the table, read top to bottom", () => {
    // Prepare: the table's meaning, spelled out plainly (categoryForSecurityHub indexes it for speed).
    const reference = (facts: SecurityHubFacts): Category => {
      if (facts.product === "guardduty") return categoryForGuardDutyType(facts.type);
      const text = [facts.title, facts.type, ...facts.types].join("\n");
      const rule = SECURITY_HUB_CATEGORY_RULES.find(
        (r) =>
          (!r.product || r.product.includes(facts.product)) &&
          (!r.control || (facts.controlId !== undefined && r.control.test(facts.controlId))) &&
          (!r.resource || r.resource.includes(facts.primaryResource)) &&
          (!r.text || r.text.test(text)),
      );
      return rule?.category ?? "generic";
    };
    const words = fc.constantFrom(
      "root",
      "root account",
      "security group",
      "0.0.0.0/0",
      "ingress",
      "S3",
      "bucket",
      "public",
      "CloudTrail",
      "logging disabled",
      "metric filter",
      "secret",
      "bitcoin",
      "malware",
      "Sensitive Data",
      "EKS",
      "WAF",
      "network reachability",
      "encryption",
      "\n",
    );
    const phrase = fc.array(fc.oneof(words, fc.string()), { maxLength: 6 }).map((w) => w.join(" "));
    const facts = fc.record({
      product: fc.constantFrom(...SECURITY_HUB_PRODUCTS),
      type: phrase,
      controlId: fc.option(
        fc.constantFrom(
          "CIS 1.4",
          "CIS 2.1",
          "CIS 3.3",
          "CIS 4.1",
          "EC2.6",
          "EC2.19",
          "S3.1",
          "IAM.4",
          "X.1",
        ),
        { nil: undefined },
      ),
      title: phrase,
      types: fc.array(phrase, { maxLength: 3 }),
      primaryResource: fc.constantFrom("ec2-instance", "s3-bucket", "waf-web-acl", "aws-account", "other"),
    });

    fc.assert(
      fc.property(facts, (f) => {
        // Act / Assess
        expect(categoryForSecurityHub(f)).toBe(reference(f));
      }),
      { numRuns: 2000 },
    );
  });
});
