/**
 * Every detection routes to a runbook that exists and says it covers it; every runbook is complete and
 * reachable. The routing tables live in core/detections; this test holds runbooks/*.md to them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type LoadedRunbook, loadRunbooks } from "../../adapters/runbooks/load-runbooks";
import { DEFAULT_ALARM_RULES } from "../../core/detections/alarm-rules";
import { CLOUDTRAIL_DETECTIONS } from "../../core/detections/cloudtrail-catalog";
import { GUARDDUTY_CATEGORY_RULES, guardDutyCategoryRule } from "../../core/detections/guardduty-categories";
import {
  categoryForSecurityHub,
  SECURITY_HUB_CATEGORY_RULES,
  type SecurityHubFacts,
} from "../../core/detections/securityhub-categories";
import { explain } from "../../core/explain";
import { CATEGORIES, type Category } from "../../core/findings/categories";
import { COMMAND_TYPES } from "../../core/incident/commands";
import { ACTIVE_PHASES, INCIDENT_PHASES, RUNBOOK_SECTION } from "../../core/incident/phases";
import { APP_EVENT_TYPES } from "../../core/normalize/app-event";
import { anchorOf, type Runbook, runbookCovers, sectionFor } from "../../core/runbooks/parse-runbook";
import { runbookUrl } from "../../core/runbooks/runbook-url";
import { fixturesIn, fixtureText } from "../support/fixtures";

let loaded: LoadedRunbook[];
let byId: Map<string, Runbook>;
beforeAll(async () => {
  loaded = await loadRunbooks();
  byId = new Map(loaded.map(({ runbook }) => [runbook.frontMatter.id, runbook]));
});

/** The runbook a category routes to: it must exist, and its front matter id must be the category. */
function runbookFor(category: Category): Runbook {
  const runbook = byId.get(category);
  expect(runbook, `runbooks/${category}.md`).toBeDefined();
  expect(runbook!.frontMatter.id).toBe(category);
  return runbook!;
}

const expectCovered = (category: Category, type: string) =>
  expect(runbookCovers(runbookFor(category), type), `${category}.md covers "${type}"`).toBe(true);

/** Concrete GuardDuty types per rule of GUARDDUTY_CATEGORY_RULES, in table order (AWS finding types list). */
const GUARDDUTY_EXAMPLES: readonly (readonly string[])[] = [
  ["AttackSequence:IAM/CompromisedCredentials"],
  ["AttackSequence:S3/CompromisedData"],
  ["AttackSequence:EKS/CompromisedCluster", "AttackSequence:ECS/CompromisedCluster"],
  ["AttackSequence:EC2/CompromisedInstanceGroup"],
  ["Execution:EC2/MaliciousFile", "Execution:EC2/MaliciousFile!Snapshot", "Object:S3/MaliciousFile"],
  [
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "CryptoCurrency:Runtime/BitcoinTool.B",
    "CryptoCurrency:Lambda/BitcoinTool.B",
  ],
  ["Impact:EC2/BitcoinDomainRequest.Reputation", "Impact:Runtime/CryptoMinerExecuted"],
  ["Policy:IAMUser/RootCredentialUsage", "Policy:IAMUser/ShortTermRootCredentialUsage"],
  [
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
    "Stealth:S3/ServerAccessLoggingDisabled",
    "DefenseEvasion:IAMUser/BedrockLoggingDisabled",
  ],
  ["DefenseEvasion:IAMUser/AnomalousBehavior"],
  [
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
    "Discovery:Kubernetes/SuccessfulAnonymousAccess",
    "Execution:Runtime/ReverseShell",
    "Execution:ECS/SuspiciousCommand",
  ],
  ["CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", "Discovery:RDS/MaliciousIPCaller"],
  [
    "Exfiltration:S3/AnomalousBehavior",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "Discovery:S3/MaliciousIPCaller",
  ],
  [
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    "CredentialAccess:IAMUser/AnomalousBehavior",
    "Recon:IAMUser/MaliciousIPCaller",
  ],
  ["Recon:EC2/Portscan"],
  ["Recon:EC2/PortProbeUnprotectedPort", "Recon:EC2/PortProbeEMRUnprotectedPort"],
  [
    "Backdoor:EC2/C&CActivity.B!DNS",
    "Trojan:EC2/DNSDataExfiltration",
    "UnauthorizedAccess:EC2/SSHBruteForce",
  ],
];

const facts = (overrides: Partial<SecurityHubFacts>): SecurityHubFacts => ({
  product: "third-party",
  type: "Unusual Behaviors",
  title: "",
  types: [],
  primaryResource: "aws-account",
  ...overrides,
});
const control = (controlId: string, title: string): SecurityHubFacts =>
  facts({ product: "security-hub", type: controlId, controlId, title });

/** One Security Hub finding per rule of SECURITY_HUB_CATEGORY_RULES, in table order, and where it goes. */
const SECURITY_HUB_EXAMPLES: ReadonlyArray<[SecurityHubFacts, Category]> = [
  [control("IAM.6", "Hardware MFA should be enabled for the root user"), "root-account-use"],
  [
    control("EC2.19", "Security groups should not allow unrestricted access to ports with high risk"),
    "security-group-exposure",
  ],
  [
    control("CIS 4.1", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22"),
    "security-group-exposure",
  ],
  [control("S3.8", "S3 general purpose buckets should block public access"), "s3-data-exposure"],
  [
    control("Athena.4", "Athena workgroups should write results to an encrypted S3 bucket"),
    "s3-data-exposure",
  ],
  [
    control("CloudTrail.1", "CloudTrail should be enabled with at least one multi-Region trail"),
    "logging-tampering",
  ],
  [control("ELB.5", "Application and Classic Load Balancers logging should be enabled"), "logging-tampering"],
  [control("CIS 2.8", "Ensure rotation for customer created CMKs is enabled"), "logging-tampering"],
  [
    control("IAM.3", "IAM users' access keys should be rotated every 90 days or less"),
    "iam-credential-compromise",
  ],
  [
    facts({
      product: "inspector",
      title: "Recognized port reachable from internet",
      primaryResource: "ec2-instance",
    }),
    "security-group-exposure",
  ],
  [
    facts({ product: "inspector", title: "CVE-2024-6387 - openssh", primaryResource: "ec2-instance" }),
    "ec2-compromise",
  ],
  [
    facts({ product: "macie", title: "Sensitive data in object", primaryResource: "s3-bucket" }),
    "s3-data-exposure",
  ],
  [
    facts({ product: "firewall-manager", title: "Security group is not compliant" }),
    "security-group-exposure",
  ],
  [facts({ product: "firewall-manager", title: "Web ACL is not associated" }), "waf-attack"],
  [
    facts({ product: "other-aws", title: "Web ACL rule changed", primaryResource: "waf-web-acl" }),
    "waf-attack",
  ],
  [
    facts({ product: "access-analyzer", title: "Cross-account access", primaryResource: "s3-bucket" }),
    "s3-data-exposure",
  ],
  [facts({ title: "Activity by the root account" }), "root-account-use"],
  [facts({ title: "Potential secret found in Lambda environment variables" }), "iam-credential-compromise"],
  [facts({ title: "Port 22 open to 0.0.0.0/0" }), "security-group-exposure"],
  [facts({ title: "Bitcoin wallet traffic" }), "crypto-mining"],
  [facts({ title: "Trojan detected on host" }), "malware"],
  [facts({ title: "x", types: ["Sensitive Data Identifications/PII"] }), "s3-data-exposure"],
  [facts({ title: "Bucket is publicly readable" }), "s3-data-exposure"],
  [facts({ title: "CloudTrail is not enabled in us-west-2" }), "logging-tampering"],
  [facts({ title: "Kubernetes dashboard exposed" }), "kubernetes-runtime"],
  [facts({ title: "WAF rule in count mode" }), "waf-attack"],
];

describe("every detection routes to an existing runbook that covers it", () => {
  it("each GuardDuty category rule, through concrete types it decides", () => {
    expect(GUARDDUTY_EXAMPLES).toHaveLength(GUARDDUTY_CATEGORY_RULES.length);
    GUARDDUTY_CATEGORY_RULES.forEach((rule, i) => {
      for (const type of GUARDDUTY_EXAMPLES[i]!) {
        // The example is decided by this very rule, not a rule above it.
        expect(guardDutyCategoryRule(type), type).toBe(rule);
        expectCovered(rule.category, type);
      }
    });
  });

  it("each CloudTrail detection in the catalog", () => {
    for (const detection of CLOUDTRAIL_DETECTIONS) expectCovered(detection.category, detection.id);
  });

  it("each default alarm rule", () => {
    for (const rule of DEFAULT_ALARM_RULES) expectCovered(rule.category, rule.id);
  });

  it("each application event type", () => {
    for (const type of APP_EVENT_TYPES) expectCovered("application-security", type);
  });

  it("each Security Hub category rule, through one finding per rule", () => {
    expect(SECURITY_HUB_EXAMPLES).toHaveLength(SECURITY_HUB_CATEGORY_RULES.length);
    SECURITY_HUB_CATEGORY_RULES.forEach((rule, i) => {
      const [example, expected] = SECURITY_HUB_EXAMPLES[i]!;
      expect(expected, `example ${i} is written for rule ${i}`).toBe(rule.category);
      expect(categoryForSecurityHub(example), example.title).toBe(expected);
      runbookFor(expected);
      // Control findings carry the control id as their type: where a rule routes by control id alone,
      // the runbook lists that id (title-routed controls cannot be listed exhaustively).
      if (example.controlId !== undefined && rule.text === undefined)
        expectCovered(expected, example.controlId);
    });
  });

  it("each real sample event, normalized end to end", () => {
    const files = ["guardduty", "cloudtrail", "securityhub", "cloudwatch", "waf"].flatMap(fixturesIn);
    let findings = 0;
    for (const file of files) {
      for (const result of explain(fixtureText(file), { rawRef: file }).results) {
        for (const finding of result.findings) {
          findings++;
          expect(finding.runbookId, file).toBe(finding.category);
          runbookFor(finding.category);
          // Specific runbooks list what routes to them; `generic` is the fallback for the rest, and
          // free-text Security Hub routing (third parties) cannot be listed exhaustively.
          if (finding.category !== "generic" && finding.source !== "securityhub")
            expectCovered(finding.category, finding.type);
        }
      }
    }
    expect(findings).toBeGreaterThan(30);
  });
});

describe("runbooks", () => {
  it("there is exactly one per category, named after its id", () => {
    expect(loaded.map((l) => l.file).sort()).toEqual(CATEGORIES.map((c) => `${c}.md`).sort());
  });

  it("none is orphaned: every category is reached by some routing table", () => {
    const reached = new Set<string>([
      ...GUARDDUTY_CATEGORY_RULES.map((r) => r.category),
      ...CLOUDTRAIL_DETECTIONS.map((d) => d.category),
      ...DEFAULT_ALARM_RULES.map((r) => r.category),
      ...SECURITY_HUB_CATEGORY_RULES.map((r) => r.category),
      "application-security", // every app event
      "generic", // the fallback of every table
    ]);
    expect([...byId.keys()].filter((id) => !reached.has(id))).toEqual([]);
  });

  it("each has the six phase sections, in order, so every phase's link lands on a heading", () => {
    for (const { file, runbook } of loaded) {
      expect(
        runbook.sections.map((s) => s.heading),
        file,
      ).toEqual(ACTIVE_PHASES.map((p) => RUNBOOK_SECTION[p]));
      for (const phase of INCIDENT_PHASES) {
        const section = sectionFor(runbook, phase);
        expect(section, `${file} § ${phase}`).toBeDefined();
        const url = runbookUrl("", runbook.frontMatter.id, RUNBOOK_SECTION[phase]);
        expect(url).toBe(`runbooks/${file}#${anchorOf(section!.heading)}`);
      }
    }
  });

  it("each section has a checklist, automated steps naming real commands, and a manual AWS CLI fallback", () => {
    for (const { file, runbook } of loaded) {
      for (const section of runbook.sections) {
        const where = `${file} § ${section.heading}`;
        expect(section.checklist.length, where).toBeGreaterThan(0);
        expect(section.automatedSteps.length, where).toBeGreaterThan(0);
        for (const step of section.automatedSteps) expect(COMMAND_TYPES, `${where}: ${step}`).toContain(step);
        expect(
          section.manualFallback.some((cmd) => cmd.startsWith("aws ")),
          `${where} has an aws command`,
        ).toBe(true);
        for (const cmd of section.manualFallback) expect(cmd, where).toMatch(/^(aws |kubectl |for |done$)/);
      }
    }
  });

  it("each names an owner role and a review date that is a real calendar day", () => {
    for (const { file, runbook } of loaded) {
      const { owner, lastReviewed } = runbook.frontMatter;
      expect(owner, file).toMatch(/^[a-z][a-z-]+$/);
      expect(new Date(`${lastReviewed}T00:00:00Z`).toISOString().slice(0, 10), file).toBe(lastReviewed);
    }
  });

  it("containment steps name the command that fits what the runbook contains", () => {
    // Prepare: which automatic containment each resource kind gets (core/incident/containment-policy).
    const contain = (id: Category) =>
      byId.get(id)!.sections.find((s) => s.heading === "Contain")!.automatedSteps;
    // Assess
    expect(contain("ec2-compromise")).toEqual(
      expect.arrayContaining(["isolateInstance", "completeIsolation"]),
    );
    expect(contain("security-group-exposure")).toContain("lockDownSecurityGroup");
    expect(contain("iam-credential-compromise")).toContain("deactivateAccessKey");
    expect(contain("s3-data-exposure")).not.toContain("isolateInstance");
  });
});
