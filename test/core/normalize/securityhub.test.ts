import { describe, expect, it } from "vitest";
import { categoryForGuardDutyType } from "../../../core/detections/guardduty-categories";
import { InputError } from "../../../core/errors";
import { findingIdentity, guardDutyIdentity } from "../../../core/findings/correlation";
import { findingSchema } from "../../../core/findings/finding";
import type { SeverityLabel } from "../../../core/findings/severity";
import { guardDutyNormalizer } from "../../../core/normalize/guardduty";
import { ReadContext } from "../../../core/normalize/read";
import { SECURITY_HUB_CUSTOM_ACTION, securityHubNormalizer } from "../../../core/normalize/securityhub";
import { fixturesIn, loadFixture } from "../../support/fixtures";
import {
  CONTENT_REF,
  fromBare,
  fromDocument,
  fromEvent,
  makeGuardDutyAsffFinding,
  makeSecurityGroupControlFinding,
  makeSecurityHubEvent,
  OPTIONS,
  thrown,
} from "../../support/securityhub.factory";

interface Expected {
  type: string;
  severity: SeverityLabel;
  kind: "detection" | "recovery";
  primary: [string, string];
  category: string;
}

const cis16 = (severity: SeverityLabel, kind: Expected["kind"]): Expected => ({
  type: "CIS 1.6",
  severity,
  kind,
  primary: ["aws-account", "111111111111"],
  category: "iam-credential-compromise",
});

/** Every Security Hub fixture, with what each of its findings must become. */
const FIXTURES: Record<string, Expected[]> = {
  "bare-asff-afsbp-ec2.1-public-ebs-snapshot-critical-account-resource-asr-simdata.json": [
    {
      type: "EC2.1",
      severity: "CRITICAL",
      kind: "detection",
      primary: ["aws-account", "111111111111"],
      category: "generic",
    },
  ],
  "bare-asff-afsbp-s3.2-public-read-passed-workflow-resolved-asr-simdata.json": [
    {
      type: "S3.2",
      severity: "INFORMATIONAL",
      kind: "recovery",
      primary: ["s3-bucket", "so0111-aws-cloudtrail-111111111111"],
      category: "s3-data-exposure",
    },
  ],
  "bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json": [
    {
      type: "CIS 4.1",
      severity: "HIGH",
      kind: "detection",
      primary: ["security-group", "sg-47dddc34c51b4be58"],
      category: "security-group-exposure",
    },
  ],
  "bare-asff-inspector-network-reachability-ssh-port-22-awsdocs.json": [
    {
      type: "Software and Configuration Checks/AWS Security Best Practices/Network Reachability - Recognized port reachable from internet",
      severity: "MEDIUM",
      kind: "detection",
      primary: ["ec2-instance", "i-0c10c2c7863d1a356"],
      category: "security-group-exposure",
    },
  ],
  "custom-action-cis-1.6-multi-select-two-findings-asr.json": [
    cis16("MEDIUM", "detection"),
    cis16("INFORMATIONAL", "recovery"),
  ],
  "custom-action-prowler-extra759-lambda-secret-third-party-jira-sample.json": [
    {
      type: "prowler-extra759",
      severity: "HIGH",
      kind: "detection",
      primary: ["aws-account", "123456789012"],
      category: "iam-credential-compromise",
    },
  ],
  "imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json": [
    {
      type: "EC2.7",
      severity: "INFORMATIONAL",
      kind: "detection",
      primary: ["aws-account", "111111111111"],
      category: "generic",
    },
  ],
  "imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json": [
    {
      type: "CIS 4.2",
      severity: "INFORMATIONAL",
      kind: "recovery",
      primary: ["security-group", "sg-b92493f2"],
      category: "security-group-exposure",
    },
  ],
  "imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json": [
    {
      type: "Sensitive Data Identifications/Passwords/Google Suite Two-factor backup codes in S3",
      severity: "LOW",
      kind: "detection",
      primary: ["s3-bucket", "test-bucket-12"],
      category: "s3-data-exposure",
    },
  ],
};

const asffFindingsOf = (doc: Record<string, unknown>): Record<string, unknown>[] =>
  "detail" in doc ? (doc.detail as { findings: Record<string, unknown>[] }).findings : [doc];

describe("Security Hub fixtures", () => {
  it("has an expectation for every fixture", () => {
    // Prepare
    const names = fixturesIn("securityhub").map((path) => path.replace(/^securityhub\//, ""));

    // Assess
    expect(Object.keys(FIXTURES).sort()).toEqual(names.sort());
  });

  it.each(Object.entries(FIXTURES))("%s", (name, expected) => {
    // Prepare
    const doc = loadFixture(`securityhub/${name}`);

    // Act
    const findings = fromDocument(doc);

    // Assess
    const sources = asffFindingsOf(doc);
    expect(findings).toHaveLength(expected.length);
    findings.forEach((finding, i) => {
      const want = expected[i]!;
      expect(findingSchema.parse(finding)).toEqual(finding);
      expect(finding.identity).toBe(findingIdentity("securityhub", String(sources[i]!.Id)));
      expect(finding.origin.securityHub?.id).toBe(sources[i]!.Id);
      expect(finding.origin.securityHub?.productArn).toBe(sources[i]!.ProductArn);
      expect({
        type: finding.type,
        severity: finding.severity.label,
        kind: finding.kind,
        primary: [finding.resources[0]!.type, finding.resources[0]!.id],
        category: finding.category,
      }).toEqual(want);
      expect(finding.origin.rawPath).toBe("detail" in doc ? `$.detail.findings[${i}]` : "$");
    });
  });
});

describe("Security Hub events", () => {
  it("gives every finding of a multi-select custom action the action and its own note", () => {
    // Prepare
    const doc = loadFixture("securityhub/custom-action-cis-1.6-multi-select-two-findings-asr.json");

    // Act
    const findings = fromEvent(doc);

    // Assess
    expect(findings.map((f) => f.origin.customAction)).toEqual([
      {
        name: doc.detail.actionName,
        arn: doc.resources[0],
        description: doc.detail.actionDescription,
      },
      { name: doc.detail.actionName, arn: doc.resources[0], description: doc.detail.actionDescription },
    ]);
    expect(findings.map((f) => f.origin.securityHub?.noteUpdatedBy)).toEqual(["update_text", "resolve"]);
    expect(findings.map((f) => f.origin.securityHub?.complianceStatus)).toEqual(["WARNING", "PASSED"]);
    expect(findings.map((f) => f.origin.securityHub?.workflowStatus)).toEqual(["NEW", "RESOLVED"]);
    expect(findings.map((f) => f.origin.rawRef)).toEqual([doc.id, doc.id]);
  });

  it("names a custom action without actionName after its ARN, with a warning", () => {
    // Prepare
    const doc = makeSecurityHubEvent([makeGuardDutyAsffFinding()], {
      "detail-type": SECURITY_HUB_CUSTOM_ACTION,
      resources: ["arn:aws:securityhub:us-east-1:111122223333:action/custom/OpenIncident"],
    });

    // Act
    const [finding] = fromEvent(doc);

    // Assess
    expect(finding!.origin.customAction).toEqual({
      name: "OpenIncident",
      arn: "arn:aws:securityhub:us-east-1:111122223333:action/custom/OpenIncident",
      description: undefined,
    });
    expect(finding!.warnings.map((w) => w.path)).toContain("$.detail.actionName");
  });

  it("reads the Prowler third-party finding as Prowler and flags its account-valued Lambda resource", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/custom-action-prowler-extra759-lambda-secret-third-party-jira-sample.json",
    );

    // Act
    const [finding] = fromEvent(doc);

    // Assess
    expect(finding!.origin.product).toBe("Prowler");
    expect(finding!.origin.customAction?.name).toBe("CreateJiraIssue");
    expect(finding!.warnings.map((w) => w.code)).toContain("resource_type_mismatch");
    expect(finding!.region).toBe("eu-west-1");
  });

  it("takes the identity from the finding, not from the envelope's resources", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json",
    );

    // Act
    const [finding] = fromEvent(doc);

    // Assess
    expect(doc.resources[0]).toContain("/1.3/finding/");
    expect(finding!.identity).toBe(findingIdentity("securityhub", doc.detail.findings[0].Id));
  });

  it("reads a partial envelope (no id, account or time) from the finding alone", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json",
    );
    const macie = doc.detail.findings[0];

    // Act
    const [finding] = fromEvent(doc);

    // Assess
    expect(finding!.accountId).toBe(macie.AwsAccountId);
    expect(finding!.region).toBe("us-west-2");
    expect(finding!.firstSeenAt).toBe(new Date(macie.FirstObservedAt).toISOString());
    expect(finding!.updatedAt).toBe(new Date(macie.UpdatedAt).toISOString());
    expect(finding!.origin.rawRef).toBe(CONTENT_REF);
    expect(finding!.origin.product).toBe("Macie");
    expect(finding!.warnings).toEqual([]);
  });

  it("raises a last-seen earlier than first-seen to first-seen, with a warning", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json",
    );
    const source = doc.detail.findings[0];

    // Act
    const [finding] = fromEvent(doc);

    // Assess
    expect(source.LastObservedAt < source.FirstObservedAt).toBe(true);
    expect(finding!.lastSeenAt).toBe(finding!.firstSeenAt);
    expect(finding!.warnings.map((w) => w.code)).toEqual(["time_order"]);
  });

  it("reads the flattened Details.Other of an old security group finding", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json",
    );

    // Act
    const [finding] = fromEvent(doc);

    // Assess: the only ingress permission is a group pair (no CIDR); egress is not ingress.
    expect(finding!.resources[0]).toMatchObject({
      type: "security-group",
      id: "sg-b92493f2",
      name: "default",
      vpcId: "vpc-68d17310",
      ingress: [],
    });
  });

  it("reads the rule that opened CIS 4.1's group to the world", () => {
    // Prepare
    const doc = loadFixture("securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json");

    // Act
    const [finding] = fromBare(doc);

    // Assess
    expect(finding!.resources[0]).toMatchObject({
      type: "security-group",
      name: "launch-wizard-1",
      vpcId: "vpc-a0c6707661638116b",
      accountId: "111111111111",
      region: "us-east-1",
      ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0", worldOpen: true }],
    });
  });

  it("keeps Inspector's resource account and adds the ENI and group it names", () => {
    // Prepare
    const doc = loadFixture("securityhub/bare-asff-inspector-network-reachability-ssh-port-22-awsdocs.json");

    // Act
    const [finding] = fromBare(doc);

    // Assess
    const instance = finding!.resources[0]!;
    expect(finding!.accountId).toBe("111122223333");
    expect(instance).toMatchObject({
      accountId: "193043430472",
      tags: { Name: "kubectl" },
      vpcId: "vpc-a0c2d7c7",
      networkInterfaces: [{ id: "eni-078eac9d6ad9b20d1", securityGroups: [{ id: "sg-0af64c8a5eb30ca75" }] }],
      securityGroups: [{ id: "sg-0af64c8a5eb30ca75" }],
    });
    expect(finding!.correlationKey).toBe("193043430472|us-east-1|ec2-instance:i-0c10c2c7863d1a356");
  });

  it("prefers a containable resource over a leading account as primary", () => {
    // Prepare
    const doc = loadFixture(
      "securityhub/bare-asff-afsbp-ec2.1-public-ebs-snapshot-critical-account-resource-asr-simdata.json",
    );
    const group = makeSecurityGroupControlFinding([]).Resources[0];
    doc.Resources.push(group);

    // Act
    const [finding] = fromBare(doc);

    // Assess
    expect(finding!.resources.map((r) => r.type)).toEqual(["security-group", "aws-account"]);
  });

  it("refuses an event without findings", () => {
    // Prepare
    const doc = makeSecurityHubEvent([]);

    // Act
    const error = thrown(() => fromEvent(doc));

    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: "empty", path: "$.detail.findings" });
  });

  it.each([
    ["missing", undefined, "missing_field"],
    ["an object", {}, "wrong_type"],
  ])("refuses findings that are %s", (_, findings, code) => {
    // Prepare
    const doc = makeSecurityHubEvent([]);
    doc.detail = { findings };

    // Act
    const error = thrown(() => fromEvent(doc));

    // Assess
    expect(error).toMatchObject({ code, path: "$.detail.findings" });
  });

  it("refuses a findings element that is not an object, at its path", () => {
    // Prepare
    const doc = makeSecurityHubEvent([makeGuardDutyAsffFinding()]);
    doc.detail.findings.push("oops");

    // Act
    const error = thrown(() => fromEvent(doc));

    // Assess
    expect(error).toMatchObject({ code: "wrong_type", path: "$.detail.findings[1]" });
  });

  it.each(["Id", "ProductArn"])("refuses a finding without %s", (key) => {
    // Prepare
    const finding = makeGuardDutyAsffFinding();
    delete finding[key];

    // Act
    const error = thrown(() => fromEvent(makeSecurityHubEvent([finding])));

    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: "missing_field", path: `$.detail.findings[0].${key}` });
  });

  it("takes a missing AwsAccountId from the envelope, with a warning", () => {
    // Prepare
    const finding = makeSecurityGroupControlFinding([], { AwsAccountId: undefined, Id: "custom-id-1" });

    // Act
    const [read] = fromEvent(makeSecurityHubEvent([finding], { account: "444455556666" }));

    // Assess
    expect(read!.accountId).toBe("444455556666");
    expect(read!.warnings.map((w) => w.code)).toContain("fallback_account");
  });

  it("refuses a finding whose account cannot be found anywhere", () => {
    // Prepare
    const finding = makeSecurityGroupControlFinding([], { AwsAccountId: undefined, Id: "custom-id-1" });
    const doc = makeSecurityHubEvent([finding]);
    delete doc.account;

    // Act
    const error = thrown(() => fromEvent(doc));

    // Assess
    expect(error).toMatchObject({ code: "missing_field", path: "$.detail.findings[0].AwsAccountId" });
  });

  it("refuses a detail-type it does not read", () => {
    // Prepare
    const doc = makeSecurityHubEvent([makeGuardDutyAsffFinding()], {
      "detail-type": "Security Hub Insight Results",
    });

    // Act
    const error = thrown(() => fromEvent(doc));

    // Assess
    expect(error).toMatchObject({ code: "unknown_event" });
  });

  it("carries the envelope's warnings on every finding", () => {
    // Prepare
    const doc = loadFixture("securityhub/custom-action-cis-1.6-multi-select-two-findings-asr.json");
    doc.account = 111111111111;

    // Act
    const findings = fromEvent(doc);

    // Assess
    expect(findings.map((f) => f.warnings.filter((w) => w.path === "$.account").length)).toEqual([1, 1]);
  });
});

describe("bare ASFF findings", () => {
  it.each([
    ["a GetFindings element", makeGuardDutyAsffFinding(), true],
    ["an EventBridge event", makeSecurityHubEvent([makeGuardDutyAsffFinding()]), false],
    [
      "a GuardDuty finding",
      loadFixture("guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json"),
      false,
    ],
    ["a document without SchemaVersion", { Id: "x", ProductArn: "y", Types: [] }, false],
  ])("recognises %s: %s", (_, doc, expected) => {
    // Act
    const matches = securityHubNormalizer.bare!.matches(doc);

    // Assess
    expect(matches).toBe(expected);
  });

  it("keeps the path the caller gives", () => {
    // Act
    const [finding] = fromBare(makeGuardDutyAsffFinding(), "$.Findings[3]");

    // Assess
    expect(finding!.origin.rawPath).toBe("$.Findings[3]");
  });
});

describe("GuardDuty copies", () => {
  it("take the GuardDuty identity, type, count and actor from the documented ASFF copy", () => {
    // Prepare
    const copy = makeGuardDutyAsffFinding();
    const [, region, account, , findingId] = /guardduty:([^:]+):(\d+):detector\/([^/]+)\/finding\/(.+)$/.exec(
      copy.Id,
    )!;

    // Act
    const [finding] = fromBare(copy);

    // Assess
    expect(finding!.identity).toBe(guardDutyIdentity(account!, region!, findingId!));
    expect(finding!.type).toBe("UnauthorizedAccess:EC2/SSHBruteForce");
    expect(finding!.category).toBe(categoryForGuardDutyType("UnauthorizedAccess:EC2/SSHBruteForce"));
    expect(finding!.count).toBe(74);
    expect(finding!.origin.guardDuty).toEqual({ detectorId: "d4b040365221be2b54a6264dc9a4bc64", findingId });
    expect(finding!.origin.product).toBe("GuardDuty");
    expect(finding!.actor).toEqual({
      ip: "199.241.229.197",
      location: { country: "United States", city: "Dubuque", org: "CenturyLink", asn: "209" },
    });
    expect(finding!.resources[0]).toMatchObject({
      type: "ec2-instance",
      id: "i-0c10c2c7863d1a356",
      instanceType: "t2.micro",
      subnetId: "subnet-4975b475",
    });
  });

  it("merge with the GuardDuty original: same identity, type, category and correlation key", () => {
    // Prepare
    const raw = loadFixture("guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json");
    const [original] = guardDutyNormalizer.bare!.read(raw, "$", new ReadContext("gd"), OPTIONS);
    const instanceId = raw.resource.instanceDetails.instanceId;
    const copy = makeGuardDutyAsffFinding({
      Id: raw.arn,
      ProductArn: `arn:aws:securityhub:${raw.region}::product/aws/guardduty`,
      AwsAccountId: raw.accountId,
      Types: ["TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"],
      Resources: [
        {
          Type: "AwsEc2Instance",
          Id: `arn:aws:ec2:${raw.region}:${raw.accountId}:instance/${instanceId}`,
          Region: raw.region,
        },
      ],
    });

    // Act
    const [fromCopy] = fromBare(copy);

    // Assess
    expect(fromCopy!.identity).toBe(original!.identity);
    expect(fromCopy!.type).toBe(original!.type);
    expect(fromCopy!.category).toBe(original!.category);
    expect(fromCopy!.correlationKey).toBe(original!.correlationKey);
  });

  it.each([
    [
      "the product ARN without its empty account field (as in AWS's example)",
      { ProductArn: "arn:aws:securityhub:us-east-1:product/aws/guardduty" },
    ],
    [
      "only ProductFields naming GuardDuty",
      {
        ProductArn: "arn:aws:securityhub:us-east-1:193043430472:product/193043430472/default",
        ProductName: undefined,
      },
    ],
  ])("are recognised by %s", (_, overrides) => {
    // Act
    const [finding] = fromBare(makeGuardDutyAsffFinding(overrides));

    // Assess
    expect(finding!.identity).toBe(
      guardDutyIdentity("193043430472", "us-east-1", "46ba0ac2845071e23ccdeb2ae03bfdea"),
    );
  });

  it("are a recovery when archived", () => {
    // Act
    const [finding] = fromBare(makeGuardDutyAsffFinding({ RecordState: "ARCHIVED" }));

    // Assess
    expect(finding!.kind).toBe("recovery");
    expect(finding!.archived).toBe(true);
  });
});

describe("security group exposure", () => {
  it.each([
    ["0.0.0.0/0", "IpRanges", "CidrIp", true],
    ["::/0", "Ipv6Ranges", "CidrIpv6", true],
    ["10.0.0.0/8", "IpRanges", "CidrIp", false],
  ])("reads %s as worldOpen=%s", (cidr, list, key, worldOpen) => {
    // Prepare
    const finding = makeSecurityGroupControlFinding([
      { IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, [list]: [{ [key]: cidr }] },
    ]);

    // Act
    const [read] = fromBare(finding);

    // Assess
    expect(read!.type).toBe("EC2.19");
    expect(read!.category).toBe("security-group-exposure");
    expect(read!.resources[0]).toMatchObject({
      type: "security-group",
      id: "sg-0123456789abcdef0",
      ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidr, worldOpen }],
    });
  });
});

describe("severity", () => {
  it.each([
    ["Label with its Normalized", { Label: "HIGH", Normalized: 75 }, "HIGH", 75],
    ["Label over a disagreeing Normalized", { Label: "LOW", Normalized: 75 }, "LOW", 20],
    ["Label in another case", { Label: "Critical" }, "CRITICAL", 95],
    ["Normalized alone", { Normalized: 42 }, "MEDIUM", 42],
    ["Original when nothing else", { Original: "HIGH" }, "HIGH", 80],
    ["INFORMATIONAL", { Label: "INFORMATIONAL", Normalized: 0 }, "INFORMATIONAL", 0],
  ])("reads %s", (_, severity, label, score) => {
    // Act
    const [finding] = fromBare(makeSecurityGroupControlFinding([], { Severity: severity }));

    // Assess
    expect(finding!.severity).toEqual({ label, score });
  });

  it.each([
    ["a Security Hub control", makeSecurityGroupControlFinding([], { Severity: { Product: 60 } }), 60],
    ["a GuardDuty copy (GuardDuty's 1–10 scale)", makeGuardDutyAsffFinding({ Severity: { Product: 8 } }), 80],
  ])("falls back on Product for %s, with a warning", (_, doc, score) => {
    // Act
    const [finding] = fromBare(doc);

    // Assess
    expect(finding!.severity.score).toBe(score);
    expect(finding!.warnings.map((w) => w.code)).toContain("severity_from_product");
  });

  it("uses MEDIUM with a warning when no severity can be read", () => {
    // Act
    const [finding] = fromBare(makeSecurityGroupControlFinding([], { Severity: "high" }));

    // Assess
    expect(finding!.severity.label).toBe("MEDIUM");
    expect(finding!.warnings.map((w) => w.code)).toContain("missing_severity");
  });
});

describe("kind", () => {
  it.each([
    [{ Compliance: { Status: "PASSED" } }, "recovery"],
    [{ Compliance: { Status: "FAILED" } }, "detection"],
    [{ Compliance: { Status: "WARNING" } }, "detection"],
    [{ Compliance: { Status: "NOT_AVAILABLE" } }, "detection"],
    [{ Workflow: { Status: "RESOLVED" } }, "recovery"],
    [{ Workflow: { Status: "SUPPRESSED" } }, "recovery"],
    [{ Workflow: { Status: "NOTIFIED" } }, "detection"],
    [{ Workflow: undefined, WorkflowState: "RESOLVED" }, "recovery"],
    [{ RecordState: "ARCHIVED" }, "recovery"],
  ])("%j is a %s", (overrides, kind) => {
    // Act
    const [finding] = fromBare(makeSecurityGroupControlFinding([], overrides));

    // Assess
    expect(finding!.kind).toBe(kind);
    expect(finding!.archived).toBe("RecordState" in overrides);
  });
});
