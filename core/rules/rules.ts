/**
 * The EventBridge rules the service installs, as data: the CDK app (infra/) creates one rule per entry
 * and the local router runs the same patterns through the matcher, so both runtimes route identically.
 *
 * Invariants (checked by the tests): names are unique, valid EventBridge rule names; every pattern
 * passes validatePattern and fits EventBridge's default 2048-character pattern quota; CloudTrail
 * patterns require an `aws.` source, which PutEvents refuses to custom senders, so they cannot be forged.
 * Patterns are deliberately a little wider than the detections: code decides what becomes a finding
 * (and ignores our own Security Hub updates); a pattern only keeps obvious noise off the bus.
 *
 * Thresholds: GuardDuty findings from severity 4.0 (MEDIUM: GuardDuty bands are LOW 1.0–3.9, MEDIUM
 * 4.0–6.9, HIGH 7.0–8.9, CRITICAL 9.0–10.0); Security Hub findings labelled MEDIUM and up, or, for old
 * findings with no label, Normalized 40 and up (the same bands ×10); OCSF findings with severity_id 3
 * (Medium) up to 6 (Fatal). CloudTrail rules follow the CIS AWS Foundations Benchmark monitoring
 * controls (v1.4.0 numbering, 4.1–4.15) plus the design's extra detections, one rule per event
 * source because event names repeat across services (CreatePolicy, DeleteMembers…). IAM and
 * Organizations are global services: their events reach EventBridge in us-east-1 only.
 */
import { CLOUDTRAIL_DETECTIONS, type DetectionPredicate } from "../detections/cloudtrail-catalog";
import { InputError } from "../errors";
import { SEVERITY_LABELS, type SeverityLabel } from "../findings/severity";
import { matchesPattern } from "./matcher";
import { type EventPattern, validatePattern } from "./pattern";

export interface Rule {
  /** EventBridge rule name (also the name the local router reports). */
  name: string;
  description: string;
  pattern: EventPattern;
}

export interface RuleOptions {
  /** Lowest GuardDuty severity (1.0–10.0) that is routed. */
  guardDutyMinSeverity: number;
  /** Lowest Security Hub severity label routed (ASFF and OCSF); MEDIUM when omitted. */
  securityHubMinLabel?: SeverityLabel;
}

export const DEFAULT_RULE_OPTIONS = {
  guardDutyMinSeverity: 4.0,
  securityHubMinLabel: "MEDIUM",
} as const satisfies RuleOptions;

/** Lowest ASFF Severity.Normalized of each label band (what Security Hub derives the label from). */
const NORMALIZED_FLOOR: Record<SeverityLabel, number> = {
  INFORMATIONAL: 0,
  LOW: 1,
  MEDIUM: 40,
  HIGH: 70,
  CRITICAL: 90,
};

/** OCSF severity_id of each label; 6 (Fatal) is the top of the scale, 99 (Other) is left out. */
const OCSF_SEVERITY_ID: Record<SeverityLabel, number> = {
  INFORMATIONAL: 1,
  LOW: 2,
  MEDIUM: 3,
  HIGH: 4,
  CRITICAL: 5,
};
const OCSF_FATAL = 6;

const API_CALL = "AWS API Call via CloudTrail";
const CONSOLE_SIGN_IN = "AWS Console Sign In via CloudTrail";
const AWS_SOURCE = [{ prefix: "aws." }] as const;

/** A CloudTrail rule for write API calls of one event source (or a few that share no event names). */
function apiCallPattern(eventSources: readonly string[], eventNames: readonly string[]): EventPattern {
  return {
    source: AWS_SOURCE,
    "detail-type": [API_CALL],
    detail: { eventSource: eventSources, eventName: eventNames },
  };
}

/**
 * One rule per service whose API calls the CloudTrail detection catalog watches. The event names are
 * taken from the catalog itself, so a rule routes exactly the calls some detection turns into a finding:
 * nothing the catalog ignores is delivered (and paid for), and a detection added to the catalog is routed
 * without touching this file.
 */
interface CloudTrailGroup {
  name: string;
  description: string;
  eventSources: readonly string[];
}

const CLOUDTRAIL_GROUPS: readonly CloudTrailGroup[] = [
  {
    name: "cloudtrail-iam-changes",
    description:
      "IAM policy changes (CIS 4.4), new users, passwords and trust policies, root access keys and MFA devices removed.",
    eventSources: ["iam.amazonaws.com"],
  },
  {
    name: "cloudtrail-trail-changes",
    description:
      "CloudTrail configuration changes (CIS 4.5): trails created, updated, deleted, started or stopped.",
    eventSources: ["cloudtrail.amazonaws.com"],
  },
  {
    name: "cloudtrail-kms-changes",
    description: "KMS keys disabled or scheduled for deletion (CIS 4.7).",
    eventSources: ["kms.amazonaws.com"],
  },
  {
    name: "cloudtrail-s3-policy-changes",
    description: "S3 bucket policy, ACL, CORS, lifecycle and replication changes (CIS 4.8).",
    eventSources: ["s3.amazonaws.com"],
  },
  {
    name: "cloudtrail-config-changes",
    description: "AWS Config recorder and delivery channel changes (CIS 4.9).",
    eventSources: ["config.amazonaws.com"],
  },
  {
    name: "cloudtrail-network-changes",
    description:
      "Security group (CIS 4.10), network ACL (4.11), gateway (4.12), route table (4.13) and VPC (4.14) changes, flow logs deleted.",
    eventSources: ["ec2.amazonaws.com"],
  },
  {
    name: "cloudtrail-organizations-changes",
    description: "AWS Organizations changes (CIS 4.15): accounts, OUs, policies and handshakes.",
    eventSources: ["organizations.amazonaws.com"],
  },
  {
    name: "cloudtrail-securityhub-changes",
    description: "Security Hub disabled, detached from its administrator, or standards switched off.",
    eventSources: ["securityhub.amazonaws.com"],
  },
  {
    name: "cloudtrail-monitoring-changes",
    description:
      "Monitoring tampering: CloudWatch alarms deleted or silenced, log metric filters, subscriptions and log groups deleted.",
    eventSources: ["monitoring.amazonaws.com", "logs.amazonaws.com"],
  },
];

/** The catalog's event names for these sources, split by whether a detection puts conditions on them. */
function catalogEventNames(eventSources: readonly string[]): { plain: string[]; conditional: string[] } {
  const plain = new Set<string>();
  const conditional = new Set<string>();
  for (const { match } of CLOUDTRAIL_DETECTIONS) {
    const predicate: DetectionPredicate = match;
    const { eventSources: sources, eventNames: names } = predicate;
    if (sources === "any" || names === "any" || !sources.some((s) => eventSources.includes(s))) continue;
    for (const name of names) (predicate.byEvent?.[name] ? conditional : plain).add(name);
  }
  for (const name of conditional) plain.delete(name);
  return { plain: [...plain].sort(), conditional: [...conditional].sort() };
}

function cloudTrailGroupRule(group: CloudTrailGroup): Rule {
  const { plain, conditional } = catalogEventNames(group.eventSources);
  if (conditional.length > 0)
    throw new Error(
      `${group.name}: conditional detections need a hand-written pattern (${conditional.join(", ")})`,
    );
  return {
    name: group.name,
    description: group.description,
    pattern: apiCallPattern(group.eventSources, plain),
  };
}

/**
 * GuardDuty tampering: the catalog's plain event names, plus UpdateDetector only when it disables the
 * detector — the one catalog condition EventBridge can express and worth expressing (routine updates are many).
 */
function guardDutyTampering(): EventPattern {
  const { plain, conditional } = catalogEventNames(["guardduty.amazonaws.com"]);
  if (conditional.join() !== "UpdateDetector")
    throw new Error(`GuardDuty rule: unexpected conditional detections ${conditional.join(", ")}`);
  return {
    source: AWS_SOURCE,
    "detail-type": [API_CALL],
    detail: {
      eventSource: ["guardduty.amazonaws.com"],
      $or: [{ eventName: plain }, { eventName: ["UpdateDetector"], requestParameters: { enable: [false] } }],
    },
  };
}

function checkOptions(options: RuleOptions): Required<RuleOptions> {
  const { guardDutyMinSeverity: severity, securityHubMinLabel: label = "MEDIUM" } = options;
  if (typeof severity !== "number" || !Number.isFinite(severity) || severity < 0 || severity > 10)
    throw new InputError(
      "invalid_value",
      `guardDutyMinSeverity must be a number from 0 to 10, got ${String(severity)}`,
      "$.guardDutyMinSeverity",
    );
  if (!SEVERITY_LABELS.includes(label))
    throw new InputError(
      "invalid_value",
      `securityHubMinLabel must be one of ${SEVERITY_LABELS.join(", ")}, got ${String(label)}`,
      "$.securityHubMinLabel",
    );
  return { guardDutyMinSeverity: severity, securityHubMinLabel: label };
}

/** The service's rules for the given thresholds; every pattern is validated before it is returned. */
export function buildRules(options: RuleOptions): readonly Rule[] {
  const { guardDutyMinSeverity, securityHubMinLabel } = checkOptions(options);
  const labels = SEVERITY_LABELS.slice(SEVERITY_LABELS.indexOf(securityHubMinLabel));
  const rules: Rule[] = [
    {
      name: "guardduty-findings",
      description: `GuardDuty findings of severity ${guardDutyMinSeverity} and above.`,
      pattern: {
        source: ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        detail: { severity: [{ numeric: [">=", guardDutyMinSeverity] }] },
      },
    },
    {
      name: "guardduty-malware-and-runtime-health",
      description:
        "GuardDuty Malware Protection scan results that found threats, and Runtime Protection agents turning unhealthy.",
      pattern: {
        source: ["aws.guardduty"],
        $or: [
          {
            "detail-type": ["GuardDuty Malware Protection Object Scan Result"],
            // AWS documents THREATS_FOUND; the @types/aws-lambda typing spells it THREAT_FOUND.
            detail: { scanResultDetails: { scanResultStatus: ["THREATS_FOUND", "THREAT_FOUND"] } },
          },
          { "detail-type": ["GuardDuty Runtime Protection Unhealthy"] },
        ],
      },
    },
    {
      name: "securityhub-imported-findings",
      description: `Active, new or notified Security Hub findings (ASFF) labelled ${labels.join(", ")}.`,
      pattern: {
        source: ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        detail: {
          findings: {
            Severity: {
              $or: [
                { Label: labels },
                // Findings imported before Security Hub set labels carry only Normalized.
                {
                  Label: [{ exists: false }],
                  Normalized: [{ numeric: [">=", NORMALIZED_FLOOR[securityHubMinLabel]] }],
                },
              ],
            },
            RecordState: ["ACTIVE"],
            // Old findings have no Workflow object (only the deprecated WorkflowState).
            Workflow: { Status: ["NEW", "NOTIFIED", { exists: false }] },
          },
        },
      },
    },
    {
      name: "securityhub-custom-actions",
      description:
        "Security Hub custom actions (open incident, isolate) chosen by a person, whatever the severity.",
      pattern: { source: ["aws.securityhub"], "detail-type": ["Security Hub Findings - Custom Action"] },
    },
    {
      name: "securityhub-ocsf-findings",
      description: `Security Hub OCSF findings (Findings Imported V2) of severity ${labels.join(", ")} or fatal.`,
      pattern: {
        source: ["aws.securityhub"],
        "detail-type": ["Findings Imported V2"],
        detail: {
          findings: {
            severity_id: [{ numeric: [">=", OCSF_SEVERITY_ID[securityHubMinLabel], "<=", OCSF_FATAL] }],
          },
        },
      },
    },
    {
      name: "cloudtrail-console-sign-in",
      description: "Every console sign-in (CIS 4.2 without MFA, 4.3 root, 4.6 failures are decided in code).",
      pattern: { source: ["aws.signin"], "detail-type": [CONSOLE_SIGN_IN] },
    },
    {
      name: "cloudtrail-root-activity",
      description:
        "API calls made with the root user's credentials, not by an AWS service on its behalf (CIS 4.3).",
      pattern: {
        source: AWS_SOURCE,
        "detail-type": [API_CALL],
        detail: {
          userIdentity: { type: ["Root"], invokedBy: [{ exists: false }] },
          eventType: [{ "anything-but": "AwsServiceEvent" }],
        },
      },
    },
    {
      name: "cloudtrail-unauthorized-calls",
      description:
        "API calls refused for lack of permission (CIS 4.1: *UnauthorizedOperation, AccessDenied*). Suffix, not wildcard, keeps the rule out of the 30-wildcard-rules quota.",
      pattern: {
        source: AWS_SOURCE,
        "detail-type": [API_CALL],
        detail: { errorCode: [{ suffix: "UnauthorizedOperation" }, { prefix: "AccessDenied" }] },
      },
    },
    ...CLOUDTRAIL_GROUPS.map(cloudTrailGroupRule),
    {
      name: "cloudtrail-guardduty-changes",
      description: "GuardDuty detector deleted or disabled, or the account detached from its administrator.",
      pattern: guardDutyTampering(),
    },
    {
      name: "cloudwatch-alarm-state-changes",
      description: "CloudWatch alarms entering ALARM, and OK as the recovery signal.",
      pattern: {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { state: { value: ["ALARM", "OK"] } },
      },
    },
    {
      name: "application-security-events",
      description: 'Application security events ("Security Event") from any source on the custom bus.',
      pattern: { "detail-type": ["Security Event"] },
    },
  ];
  for (const rule of rules) validatePattern(rule.pattern);
  return rules;
}

export const RULES: readonly Rule[] = buildRules(DEFAULT_RULE_OPTIONS);

/** Names of the rules an event matches, in rule order. Never throws. */
export function matchingRules(rules: readonly Rule[], event: unknown): string[] {
  return rules.filter((rule) => matchesPattern(rule.pattern, event)).map((rule) => rule.name);
}
