/**
 * The service's EventBridge rules against the real sample events: each envelope reaches the rule meant
 * for it, bare findings / raw CloudTrail records / WAF logs (never EventBridge events) reach none, and the
 * patterns respect EventBridge's limits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { SEVERITY_LABELS } from "../../../core/findings/severity";
import { MAX_EVENT_PATTERN_CHARS, validatePattern } from "../../../core/rules/pattern";
import {
  buildRules,
  DEFAULT_RULE_OPTIONS,
  matchingRules,
  RULES,
  type RuleOptions,
} from "../../../core/rules/rules";
import { fixturesIn, loadFixture } from "../../support/fixtures";
import {
  cloudTrailEnvelope,
  makeCloudTrailApiCall,
  makeGuardDutyFinding,
  makeOcsfFinding,
  makeSecurityEvent,
} from "../../support/rule-events.factory";

const CATEGORIES = ["guardduty", "securityhub", "cloudtrail", "cloudwatch", "waf"];
const ALL_FIXTURES = CATEGORIES.flatMap(fixturesIn);
const fileName = (path: string) => path.split("/").pop()!;

describe("rule set", () => {
  it("has unique names that are valid EventBridge rule names", () => {
    // Prepare
    const names = RULES.map((rule) => rule.name);
    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
  });

  it("has descriptions within EventBridge's 512-character limit", () => {
    // Assess
    for (const rule of RULES) {
      expect(rule.description.length).toBeGreaterThan(0);
      expect(rule.description.length).toBeLessThanOrEqual(512);
    }
  });

  it("has only valid patterns, each within the default 2048-character pattern quota", () => {
    // Assess
    for (const rule of RULES) {
      expect(validatePattern(rule.pattern)).toBe(rule.pattern);
      expect(JSON.stringify(rule.pattern).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_CHARS);
    }
  });

  it("survives a JSON round trip unchanged (what CDK and the CLI print is what runs)", () => {
    // Act
    const roundTripped = JSON.parse(JSON.stringify(RULES));
    // Assess
    expect(roundTripped).toEqual(RULES);
  });

  it("is the default options' rule set", () => {
    // Act
    const rebuilt = buildRules(DEFAULT_RULE_OPTIONS);
    // Assess
    expect(rebuilt).toEqual(RULES);
  });
});

describe("real EventBridge envelopes", () => {
  const expected: Record<string, string[]> = {
    "eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json":
      ["guardduty-findings"],
    "eventbridge-malware-protection-s3-object-scan-result-threats-found-via-sns-notify-slack.json": [
      "guardduty-malware-and-runtime-health",
    ],
    "eventbridge-runtime-protection-unhealthy-eks-addon-deleted-microsecond-timestamp-aws-to-slack-cevo.json":
      ["guardduty-malware-and-runtime-health"],
    // Severity 2 (LOW): below the default 4.0.
    "eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json": [],
    "custom-action-cis-1.6-multi-select-two-findings-asr.json": ["securityhub-custom-actions"],
    "custom-action-prowler-extra759-lambda-secret-third-party-jira-sample.json": [
      "securityhub-custom-actions",
    ],
    // INFORMATIONAL, Normalized 0 and Normalized 15: all below the default MEDIUM.
    "imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json": [],
    "imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json": [],
    "imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json": [],
    "eventbridge-api-call-s3-createbucket-root-cwe-docs.json": ["cloudtrail-root-activity"],
    "eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json": ["cloudtrail-console-sign-in"],
    "alarm-metrics-insights-partial-data-awsdocs.json": ["cloudwatch-alarm-state-changes"],
    "alarm-ok-from-alarm-aurora-cpu-compact-sqs-body-cw-alert-router.json": [
      "cloudwatch-alarm-state-changes",
    ],
    "alarm-ok-from-alarm-lambda-errors-real-mechanicalrock.json": ["cloudwatch-alarm-state-changes"],
    "alarm-ok-from-insufficient-data-asg-cpu-cw-alert-router.json": ["cloudwatch-alarm-state-changes"],
  };
  const envelopes = ALL_FIXTURES.filter((path) =>
    /^(eventbridge|imported|custom-action|alarm)-/.test(fileName(path)),
  );

  it("covers every envelope fixture", () => {
    // Assess
    expect(envelopes.map(fileName).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(envelopes)("routes %s to the expected rules", (path) => {
    // Prepare
    const event = loadFixture(path);
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual(expected[fileName(path)]);
  });

  it("routes every imported fixture once the threshold is lowered to INFORMATIONAL", () => {
    // Prepare
    const rules = buildRules({ ...DEFAULT_RULE_OPTIONS, securityHubMinLabel: "INFORMATIONAL" });
    const imported = envelopes.filter((path) => fileName(path).startsWith("imported-"));
    // Act
    const matched = imported.map((path) => matchingRules(rules, loadFixture(path)));
    // Assess
    expect(matched).toEqual(imported.map(() => ["securityhub-imported-findings"]));
  });

  it("routes the Normalized-15 Macie finding from LOW but not the Normalized-0 one", () => {
    // Prepare
    const rules = buildRules({ ...DEFAULT_RULE_OPTIONS, securityHubMinLabel: "LOW" });
    // Act
    const macie = matchingRules(
      rules,
      loadFixture(
        "securityhub/imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json",
      ),
    );
    const cis = matchingRules(
      rules,
      loadFixture(
        "securityhub/imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json",
      ),
    );
    // Assess
    expect(macie).toEqual(["securityhub-imported-findings"]);
    expect(cis).toEqual([]);
  });

  it("routes a real imported finding once raised to HIGH, and only while ACTIVE and NEW/NOTIFIED", () => {
    // Prepare
    const base = loadFixture(
      "securityhub/imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json",
    );
    const withFinding = (changes: Record<string, unknown>) => ({
      ...base,
      detail: { findings: [{ ...base.detail.findings[0], ...changes }] },
    });
    const high = { Severity: { Label: "HIGH", Normalized: 70 } };
    // Act
    const results = [
      withFinding(high),
      withFinding({ ...high, RecordState: "ARCHIVED" }),
      withFinding({ ...high, Workflow: { Status: "RESOLVED" } }),
      withFinding({ ...high, Workflow: { Status: "NOTIFIED" } }),
    ].map((event) => matchingRules(RULES, event));
    // Assess
    expect(results).toEqual([["securityhub-imported-findings"], [], [], ["securityhub-imported-findings"]]);
  });

  it("does not mix severity and record state from different findings of one event", () => {
    // Prepare
    const base = loadFixture(
      "securityhub/imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json",
    );
    const finding = base.detail.findings[0];
    const event = {
      ...base,
      detail: {
        findings: [
          { ...finding, Severity: { Label: "CRITICAL" }, RecordState: "ARCHIVED" },
          { ...finding, Severity: { Label: "LOW" }, RecordState: "ACTIVE" },
        ],
      },
    };
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual([]);
  });
});

describe("events that are not EventBridge envelopes", () => {
  const notEnvelopes = ALL_FIXTURES.filter((path) => /^(bare|raw|wafv2)-/.test(fileName(path)));

  it.each(notEnvelopes)("%s matches no rule", (path) => {
    // Prepare
    const doc = loadFixture(path);
    // Act
    const matched = matchingRules(RULES, doc);
    // Assess
    expect(matched).toEqual([]);
  });
});

describe("GuardDuty severity threshold", () => {
  it("routes findings from the minimum severity up, and nothing below it", () => {
    // Prepare
    const severities = [1, 3.9, 4, 5.5, 8, 10];
    // Act
    const routed = severities.map(
      (severity) => matchingRules(RULES, makeGuardDutyFinding({ severity })).length > 0,
    );
    // Assess
    expect(routed).toEqual([false, false, true, true, true, true]);
  });

  it("takes the minimum from the options: the real severity-2 finding is routed from 2.0", () => {
    // Prepare
    const rules = buildRules({ guardDutyMinSeverity: 2 });
    const event = loadFixture(
      "guardduty/eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json",
    );
    // Act
    const matched = matchingRules(rules, event);
    // Assess
    expect(matched).toEqual(["guardduty-findings"]);
  });

  it("agrees with a plain comparison for any threshold and severity", () => {
    const tenth = fc.integer({ min: 0, max: 100 }).map((n) => n / 10);
    fc.assert(
      fc.property(tenth, tenth, (min, severity) => {
        // Prepare
        const rules = buildRules({ guardDutyMinSeverity: min });
        // Act
        const matched = matchingRules(rules, makeGuardDutyFinding({ severity })).includes(
          "guardduty-findings",
        );
        // Assess
        expect(matched).toBe(severity >= min);
      }),
      { numRuns: 50 },
    );
  });

  it("ignores a malware scan that found nothing", () => {
    // Prepare
    const scan = loadFixture(
      "guardduty/eventbridge-malware-protection-s3-object-scan-result-threats-found-via-sns-notify-slack.json",
    );
    const clean = {
      ...scan,
      detail: { ...scan.detail, scanResultDetails: { scanResultStatus: "NO_THREATS_FOUND" } },
    };
    // Act
    const matched = matchingRules(RULES, clean);
    // Assess
    expect(matched).toEqual([]);
  });
});

describe("CloudTrail rules", () => {
  it("routes none of an unrelated API call (S3 GetObject by an IAM user)", () => {
    // Prepare
    const event = makeCloudTrailApiCall({ eventSource: "s3.amazonaws.com", eventName: "GetObject" });
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual([]);
  });

  it.each([
    ["cloudtrail/raw-kms-schedulekeydeletion-awsdocs.json", ["cloudtrail-kms-changes"]],
    ["cloudtrail/raw-ec2-deleteflowlogs-grimoire-elastic.json", ["cloudtrail-network-changes"]],
    [
      "cloudtrail/raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json",
      ["cloudtrail-config-changes"],
    ],
    ["cloudtrail/raw-cloudwatch-deletealarms-grimoire-elastic.json", ["cloudtrail-monitoring-changes"]],
    [
      "cloudtrail/raw-iam-createuser-by-root-long-term-access-key-sekoia.json",
      ["cloudtrail-root-activity", "cloudtrail-iam-changes"],
    ],
    [
      "cloudtrail/raw-signin-consolelogin-failure-hidden-username-iam-docs.json",
      ["cloudtrail-console-sign-in"],
    ],
    [
      "cloudtrail/raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json",
      [],
    ],
  ])("routes the real record %s, as EventBridge delivers it, to %j", (path, rules) => {
    // Prepare
    const event = cloudTrailEnvelope(loadFixture(path));
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual(rules);
  });

  it("routes the real KMS DisableKey record from a CloudTrail log file", () => {
    // Prepare
    const record = loadFixture("cloudtrail/raw-records-kms-disablekey-awsdocs.json").Records[0];
    // Act
    const matched = matchingRules(RULES, cloudTrailEnvelope(record));
    // Assess
    expect(matched).toEqual(["cloudtrail-kms-changes"]);
  });

  it.each([
    ["cloudtrail.amazonaws.com", "StopLogging", "cloudtrail-trail-changes"],
    ["cloudtrail.amazonaws.com", "DeleteTrail", "cloudtrail-trail-changes"],
    ["iam.amazonaws.com", "AttachUserPolicy", "cloudtrail-iam-changes"],
    ["iam.amazonaws.com", "CreateAccessKey", "cloudtrail-iam-changes"],
    ["s3.amazonaws.com", "PutBucketPolicy", "cloudtrail-s3-policy-changes"],
    ["ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "cloudtrail-network-changes"],
    ["ec2.amazonaws.com", "CreateRoute", "cloudtrail-network-changes"],
    ["organizations.amazonaws.com", "LeaveOrganization", "cloudtrail-organizations-changes"],
    ["securityhub.amazonaws.com", "DisableSecurityHub", "cloudtrail-securityhub-changes"],
    ["guardduty.amazonaws.com", "DeleteDetector", "cloudtrail-guardduty-changes"],
    ["logs.amazonaws.com", "DeleteMetricFilter", "cloudtrail-monitoring-changes"],
  ])("routes %s %s to %s", (eventSource, eventName, rule) => {
    // Prepare
    const event = makeCloudTrailApiCall({ eventSource, eventName });
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual([rule]);
  });

  it("keeps event names to their own service (organizations CreatePolicy is not IAM's)", () => {
    // Prepare
    const orgs = makeCloudTrailApiCall({
      eventSource: "organizations.amazonaws.com",
      eventName: "CreatePolicy",
    });
    const iam = makeCloudTrailApiCall({ eventSource: "iam.amazonaws.com", eventName: "CreatePolicy" });
    const ec2 = makeCloudTrailApiCall({ eventSource: "ec2.amazonaws.com", eventName: "CreatePolicy" });
    // Act
    const results = [orgs, iam, ec2].map((e) => matchingRules(RULES, e));
    // Assess
    expect(results).toEqual([["cloudtrail-organizations-changes"], ["cloudtrail-iam-changes"], []]);
  });

  it("routes GuardDuty UpdateDetector only when it disables the detector", () => {
    // Prepare
    const update = (enable: boolean) =>
      makeCloudTrailApiCall({
        eventSource: "guardduty.amazonaws.com",
        eventName: "UpdateDetector",
        requestParameters: { detectorId: "12abc34d567e8fa901bc2d34e56789f0", enable },
      });
    // Act
    const results = [update(false), update(true)].map((e) => matchingRules(RULES, e));
    // Assess
    expect(results).toEqual([["cloudtrail-guardduty-changes"], []]);
  });

  it("routes refused calls (CIS 4.1) whatever the API", () => {
    // Prepare
    const codes = [
      "Client.UnauthorizedOperation",
      "AccessDenied",
      "AccessDeniedException",
      "ThrottlingException",
    ];
    // Act
    const results = codes.map((errorCode) =>
      matchingRules(RULES, makeCloudTrailApiCall({ eventName: "DescribeInstances", errorCode })),
    );
    // Assess
    expect(results).toEqual([
      ["cloudtrail-unauthorized-calls"],
      ["cloudtrail-unauthorized-calls"],
      ["cloudtrail-unauthorized-calls"],
      [],
    ]);
  });

  it("routes root calls but not those AWS services make on root's behalf (CIS 4.3)", () => {
    // Prepare
    const root = { type: "Root", principalId: "123456789012", arn: "arn:aws:iam::123456789012:root" };
    const events = [
      makeCloudTrailApiCall({ userIdentity: root }),
      makeCloudTrailApiCall({ userIdentity: { ...root, invokedBy: "support.amazonaws.com" } }),
      makeCloudTrailApiCall({ userIdentity: root, eventType: "AwsServiceEvent" }),
    ];
    // Act
    const results = events.map((e) => matchingRules(RULES, e));
    // Assess
    expect(results).toEqual([["cloudtrail-root-activity"], [], []]);
  });

  it("ignores a custom event that imitates CloudTrail (PutEvents cannot use an aws. source)", () => {
    // Prepare
    const forged = makeCloudTrailApiCall(
      { eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" },
      { source: "com.example.forger" },
    );
    // Act
    const matched = matchingRules(RULES, forged);
    // Assess
    expect(matched).toEqual([]);
  });
});

describe("Security Hub OCSF and application events", () => {
  it("routes OCSF findings from Medium up to Fatal, not Low or Other", () => {
    // Prepare
    const ids = [1, 2, 3, 4, 5, 6, 99];
    // Act
    const routed = ids.map(
      (severity_id) => matchingRules(RULES, makeOcsfFinding({ severity_id })).length > 0,
    );
    // Assess
    expect(routed).toEqual([false, false, true, true, true, true, false]);
  });

  it("follows the Security Hub threshold for OCSF findings too", () => {
    // Prepare
    const rules = buildRules({ ...DEFAULT_RULE_OPTIONS, securityHubMinLabel: "CRITICAL" });
    // Act
    const results = [4, 5].map((severity_id) => matchingRules(rules, makeOcsfFinding({ severity_id })));
    // Assess
    expect(results).toEqual([[], ["securityhub-ocsf-findings"]]);
  });

  it("routes application Security Events from any source", () => {
    // Prepare
    const events = [makeSecurityEvent(), makeSecurityEvent({}, { source: "com.example.billing" })];
    // Act
    const results = events.map((e) => matchingRules(RULES, e));
    // Assess
    expect(results).toEqual([["application-security-events"], ["application-security-events"]]);
  });

  it("routes nothing for other application events", () => {
    // Prepare
    const event = makeSecurityEvent({}, { "detail-type": "Order Placed" });
    // Act
    const matched = matchingRules(RULES, event);
    // Assess
    expect(matched).toEqual([]);
  });
});

describe("buildRules options", () => {
  it.each<[string, RuleOptions, string]>([
    ["a negative GuardDuty severity", { guardDutyMinSeverity: -1 }, "$.guardDutyMinSeverity"],
    ["a GuardDuty severity above 10", { guardDutyMinSeverity: 11 }, "$.guardDutyMinSeverity"],
    ["a non-number severity", { guardDutyMinSeverity: Number.NaN }, "$.guardDutyMinSeverity"],
    [
      "an unknown label",
      { guardDutyMinSeverity: 4, securityHubMinLabel: "SEVERE" as RuleOptions["securityHubMinLabel"] },
      "$.securityHubMinLabel",
    ],
  ])("refuses %s with an InputError", (_, options, path) => {
    // Act
    let error: unknown;
    try {
      buildRules(options);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ path });
  });

  it.each(SEVERITY_LABELS)("builds valid rules for the Security Hub threshold %s", (label) => {
    // Act
    const rules = buildRules({ ...DEFAULT_RULE_OPTIONS, securityHubMinLabel: label });
    // Assess
    expect(rules.map((r) => r.name)).toEqual(RULES.map((r) => r.name));
    for (const rule of rules)
      expect(JSON.stringify(rule.pattern).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_CHARS);
  });
});
