/**
 * `ir explain` end to end: the real command over every real fixture, in one run (a JSON array of all of
 * them), checking type, severity band and primary resource of each — the values a responder would expect
 * from reading the event — plus input forms, errors and exit codes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExplainResult } from "../../core/explain";
import { fixturesIn, fixtureText } from "../support/fixtures";
import { runCli } from "../support/run-cli";

type Expected = Array<[kind: string, type: string, severity: string, primary: string]>;

/** file → findings as `[kind, type, severity label, "<resource type>:<id>"]`; [] = understood, no finding. */
const EXPECTED: Record<string, Expected> = {
  // GuardDuty
  "bare-discovery-s3-maliciousipcaller-custom-bucket-publicaccess-sample-sekoia.json": [
    ["detection", "Discovery:S3/MaliciousIPCaller.Custom", "HIGH", "s3-bucket:bucketName"],
  ],
  "bare-exfiltration-iamuser-anomalousbehavior-embedded-newline-sample-sekoia.json": [
    ["detection", "Exfiltration:IAMUser/AnomalousBehavior", "HIGH", "access-key:GeneratedFindingAccessKeyId"],
  ],
  "bare-policy-kubernetes-admin-access-default-serviceaccount-eks-sample-sekoia.json": [
    [
      "detection",
      "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
      "HIGH",
      "eks-cluster:GeneratedFindingEKSClusterName",
    ],
  ],
  "bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json": [
    ["detection", "Recon:EC2/PortProbeUnprotectedPort", "LOW", "ec2-instance:i-99999999"],
  ],
  "bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json": [
    ["detection", "UnauthorizedAccess:EC2/TorRelay", "HIGH", "ec2-instance:i-99999999"],
  ],
  "bare-unauthorizedaccess-iamuser-maliciousipcaller-accesskey-sample-sekoia.json": [
    [
      "detection",
      "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
      "MEDIUM",
      "access-key:GeneratedFindingAccessKeyId",
    ],
  ],
  "eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json":
    [["detection", "Discovery:Kubernetes/MaliciousIPCaller", "MEDIUM", "eks-cluster:eks-demo"]],
  "eventbridge-malware-protection-s3-object-scan-result-threats-found-via-sns-notify-slack.json": [
    ["detection", "Object:S3/MaliciousFile", "HIGH", "s3-bucket:amzn-s3-demo-bucket"],
  ],
  "eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json": [
    ["detection", "Recon:EC2/PortProbeUnprotectedPort", "LOW", "ec2-instance:i-blart"],
  ],
  "eventbridge-runtime-protection-unhealthy-eks-addon-deleted-microsecond-timestamp-aws-to-slack-cevo.json": [
    ["detection", "GuardDuty Runtime Protection Unhealthy", "MEDIUM", "eks-cluster:eks-demo"],
  ],
  // Security Hub
  "bare-asff-afsbp-ec2.1-public-ebs-snapshot-critical-account-resource-asr-simdata.json": [
    ["detection", "EC2.1", "CRITICAL", "aws-account:111111111111"],
  ],
  "bare-asff-afsbp-s3.2-public-read-passed-workflow-resolved-asr-simdata.json": [
    ["recovery", "S3.2", "INFORMATIONAL", "s3-bucket:so0111-aws-cloudtrail-111111111111"],
  ],
  "bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json": [
    ["detection", "CIS 4.1", "HIGH", "security-group:sg-47dddc34c51b4be58"],
  ],
  "bare-asff-inspector-network-reachability-ssh-port-22-awsdocs.json": [
    [
      "detection",
      "Software and Configuration Checks/AWS Security Best Practices/Network Reachability - Recognized port reachable from internet",
      "MEDIUM",
      "ec2-instance:i-0c10c2c7863d1a356",
    ],
  ],
  "custom-action-cis-1.6-multi-select-two-findings-asr.json": [
    ["detection", "CIS 1.6", "MEDIUM", "aws-account:111111111111"],
    ["recovery", "CIS 1.6", "INFORMATIONAL", "aws-account:111111111111"],
  ],
  "custom-action-prowler-extra759-lambda-secret-third-party-jira-sample.json": [
    ["detection", "prowler-extra759", "HIGH", "aws-account:123456789012"],
  ],
  "imported-afsbp-ec2.7-ebs-default-encryption-mismatched-resources-asr.json": [
    ["detection", "EC2.7", "INFORMATIONAL", "aws-account:111111111111"],
  ],
  "imported-cis-4.2-rdp-passed-default-sg-details-other-real-via-sns-aws-to-slack.json": [
    ["recovery", "CIS 4.2", "INFORMATIONAL", "security-group:sg-b92493f2"],
  ],
  "imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json": [
    [
      "detection",
      "Sensitive Data Identifications/Passwords/Google Suite Two-factor backup codes in S3",
      "LOW",
      "s3-bucket:test-bucket-12",
    ],
  ],
  // CloudTrail
  "eventbridge-api-call-s3-createbucket-root-cwe-docs.json": [
    ["detection", "cis.root-account-use", "HIGH", "iam-principal:arn:aws:iam::123456789012:root"],
  ],
  "eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json": [
    ["detection", "cis.console-signin-without-mfa", "MEDIUM", "iam-principal:arn:aws:iam::123456789012:root"],
    ["detection", "cis.root-account-use", "HIGH", "iam-principal:arn:aws:iam::123456789012:root"],
  ],
  "raw-cloudwatch-deletealarms-grimoire-elastic.json": [
    ["detection", "ir.cloudwatch-alarms-deleted", "MEDIUM", "aws-account:000000000"],
  ],
  "raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json": [
    ["detection", "cis.config-change", "HIGH", "aws-account:1010101010101"],
  ],
  // Control Tower's CreateManagedAccount by an SSO role: no CIS monitoring control covers it.
  "raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json": [],
  "raw-ec2-deleteflowlogs-grimoire-elastic.json": [
    ["detection", "ir.vpc-flow-logs-deleted", "MEDIUM", "aws-account:000000000"],
  ],
  "raw-iam-createuser-by-root-long-term-access-key-sekoia.json": [
    ["detection", "cis.root-account-use", "HIGH", "iam-principal:arn:aws:iam::1111111111:root"],
    ["detection", "ir.iam-persistence", "LOW", "iam-principal:arn:aws:iam::1111111111:root"],
  ],
  "raw-kms-schedulekeydeletion-awsdocs.json": [
    ["detection", "cis.kms-key-disabled-or-deleted", "HIGH", "kms-key:1234abcd-12ab-34cd-56ef-1234567890ab"],
  ],
  "raw-records-kms-disablekey-awsdocs.json": [
    ["detection", "cis.kms-key-disabled-or-deleted", "HIGH", "kms-key:1234abcd-12ab-34cd-56ef-1234567890ab"],
  ],
  "raw-signin-consolelogin-failure-hidden-username-iam-docs.json": [
    ["detection", "cis.console-auth-failure", "LOW", "aws-account:123456789012"],
  ],
  "raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json": [
    ["detection", "cis.console-signin-without-mfa", "MEDIUM", "iam-principal:arn:aws:iam::1111111111:root"],
    ["detection", "cis.root-account-use", "HIGH", "iam-principal:arn:aws:iam::1111111111:root"],
  ],
  // A SAML-federated role signing in: MFA is the identity provider's business (CIS excludes SSO).
  "raw-signin-consolelogin-saml-assumedrole-nomfa-trailing-newline-sekoia.json": [],
  // CloudWatch alarms: ALARM is a detection, OK a recovery; none of these match a security alarm rule.
  "alarm-metrics-insights-partial-data-awsdocs.json": [
    ["detection", "cloudwatch-alarm", "LOW", "cloudwatch-alarm:my-alarm-name"],
  ],
  "alarm-ok-from-alarm-aurora-cpu-compact-sqs-body-cw-alert-router.json": [
    [
      "recovery",
      "cloudwatch-alarm",
      "LOW",
      "cloudwatch-alarm:test-service_aurora_serverless_cpu_utilization",
    ],
  ],
  "alarm-ok-from-alarm-lambda-errors-real-mechanicalrock.json": [
    ["recovery", "cloudwatch-alarm", "LOW", "cloudwatch-alarm:flaky-service"],
  ],
  "alarm-ok-from-insufficient-data-asg-cpu-cw-alert-router.json": [
    ["recovery", "cloudwatch-alarm", "LOW", "cloudwatch-alarm:test-service-alarm-abcd"],
  ],
  // WAF logs: BLOCK is a signal, ALLOW and COUNT are not.
  "wafv2-log-allow-anonymousip-hostingprovider-count-overridden-block-excluded-as-count-alb-sekoia.json": [],
  "wafv2-log-allow-default-shield-mitigation-rulegroup-ja4-spaced-json-cloudfront-sekoia.json": [],
  "wafv2-log-allow-ipreputation-graphql-http2-escaped-sec-ch-ua-sekoia.json": [],
  "wafv2-log-block-custom-rule-labels-ja3-alb-fake-region-mojibake-args-sekoia.json": [
    ["detection", "WAF/block-wheel-calls", "MEDIUM", "waf-web-acl:web-acl-corp"],
  ],
  "wafv2-log-block-sqli-body-sensitivity-low-cloudfront-real-scanner-sekoia.json": [
    ["detection", "WAF/SQL-injection-Detection-URL", "HIGH", "waf-web-acl:ACME"],
  ],
  "wafv2-log-block-xss-query-string-cloudfront-real-scanner-sekoia.json": [
    ["detection", "WAF/XSS-Detection-URL", "HIGH", "waf-web-acl:ACME"],
  ],
};

const ALL = ["guardduty", "securityhub", "cloudtrail", "cloudwatch", "waf"].flatMap(fixturesIn);
const summary = (r: ExplainResult) =>
  r.findings.map((f) => [f.kind, f.type, f.severity.label, `${f.resources[0]!.type}:${f.resources[0]!.id}`]);

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "ir-cli-")), name);
  writeFileSync(path, text);
  return path;
}

describe("ir explain", () => {
  it("has an expectation for every fixture", () => {
    expect(ALL.map((f) => basename(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("yields the right type, severity band and primary resource for every real fixture", () => {
    // Prepare: every fixture as one element of a JSON array.
    const file = tempFile("all.json", `[${ALL.map(fixtureText).join(",\n")}]`);
    // Act
    const run = runCli(["explain", file]);
    // Assess: exit 0 (all understood); one result per fixture (the Records file has one record).
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: ExplainResult[] };
    expect(results).toHaveLength(ALL.length);
    results.forEach((result, i) => {
      const name = basename(ALL[i]!);
      expect(result.error, name).toBeNull();
      expect(summary(result), name).toEqual(EXPECTED[name]);
    });
  });

  it("reads standard input and JSON lines, and names the matched rules", () => {
    const gd = JSON.parse(
      fixtureText(
        "guardduty/eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json",
      ),
    );
    const signin = JSON.parse(
      fixtureText("cloudtrail/eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json"),
    );
    const run = runCli(["explain", "-"], `${JSON.stringify(gd)}\n\n${JSON.stringify(signin)}\n`);
    expect(run.status).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: ExplainResult[] };
    expect(results.map((r) => [r.input, r.rules])).toEqual([
      ["line 1", ["guardduty-findings"]],
      ["line 3", ["cloudtrail-console-sign-in"]],
    ]);
  });

  it("gives typed errors for what it cannot understand, keeps going, and exits 2", () => {
    const gd = fixtureText("guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json");
    const lines = [
      JSON.stringify(JSON.parse(gd)),
      "{not json",
      JSON.stringify({ "detail-type": "Something Else", source: "x", detail: {} }),
      JSON.stringify({
        "detail-type": "GuardDuty Finding",
        source: "aws.guardduty",
        detail: { type: "Recon:EC2/Portscan" },
      }),
      JSON.stringify([1, 2]),
      JSON.stringify({ hello: "world" }),
    ];
    const run = runCli(["explain"], lines.join("\n"));
    expect(run.status).toBe(2);
    const { results } = JSON.parse(run.stdout) as { results: ExplainResult[] };
    expect(results.map((r) => [r.input, r.error?.code ?? null])).toEqual([
      ["line 1", null],
      ["line 2", "invalid_json"],
      ["line 3", "unknown_event"],
      ["line 4", "missing_field"],
      ["line 5[0]", "wrong_type"],
      ["line 5[1]", "wrong_type"],
      ["line 6", "unknown_event"],
    ]);
    for (const r of results.filter((r) => r.error))
      expect(r.error).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        path: expect.stringMatching(/^\$|^line/),
      });
    expect(results[3]!.error!.path).toMatch(/^\$\.detail\./);
  });

  it("refuses an event over 256 KB with too_large", () => {
    const big = JSON.stringify({
      "detail-type": "Security Event",
      source: "app",
      detail: { metadata: { p: "x".repeat(300_000) } },
    });
    const run = runCli(["explain", tempFile("big.json", big)]);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout).results[0].error.code).toBe("too_large");
  });

  it("reports a missing file on stderr with exit 1", () => {
    const run = runCli(["explain", "/nonexistent/events.json"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ir: .*no such file/i);
  });
});

describe("ir rules and help", () => {
  it("lists every rule with its pattern as JSON", () => {
    const run = runCli(["rules", "--json"]);
    expect(run.status).toBe(0);
    const rules = JSON.parse(run.stdout) as Array<{ name: string; pattern: Record<string, unknown> }>;
    expect(rules.map((r) => r.name)).toContain("guardduty-findings");
    expect(rules.find((r) => r.name === "guardduty-findings")!.pattern).toMatchObject({
      source: ["aws.guardduty"],
    });
  });

  it("has built-in help naming its commands", () => {
    const run = runCli(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/explain/);
    expect(run.stdout).toMatch(/rules/);
  });
});
