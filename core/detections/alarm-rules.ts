/**
 * CloudWatch alarm rules: the default table that says which alarms are security signals, and how an
 * alarm is matched against a rule list.
 *
 * Invariants:
 * - First match wins, so the table runs from specific to general: named detections before the
 *   namespace catch-alls.
 * - Several rules may share an id: they are alternative ways (alarm name, metric name) to recognise one
 *   detection, and the id becomes the finding type, so every variant yields the same type.
 * - Alarm-name globs are case-sensitive (CloudWatch alarm names are); `*` is the only wildcard. The
 *   matcher is linear-backtracking, never a RegExp built from config, so a rule cannot cause ReDoS.
 * - A rule's namespace and metric name must hold for the same metric; alarms without metrics (composite,
 *   Metrics Insights) can only match rules that state no namespace or metric.
 */
import type { Category } from "../findings/categories";
import type { SeverityLabel } from "../findings/severity";
import { type AlarmRule, alarmRuleSchema } from "../normalize/alarm-rule";
import { expectShape } from "../normalize/read";

/** What an alarm offers to matching: its name and the metrics it watches. */
export interface AlarmFacts {
  alarmName: string;
  metrics: readonly { namespace?: string; metricName?: string }[];
}

/** `*` matches any run of characters (also none); every other character matches itself only. */
export function alarmNameMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (p < pattern.length && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (star >= 0) {
      // Let the last star swallow one more character and retry from there.
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

export function alarmRuleMatches(rule: AlarmRule, alarm: AlarmFacts): boolean {
  if (rule.alarmName !== undefined && !alarmNameMatches(rule.alarmName, alarm.alarmName)) return false;
  if (rule.namespace === undefined && rule.metricName === undefined) return true;
  return alarm.metrics.some(
    (m) =>
      (rule.namespace === undefined || rule.namespace === m.namespace) &&
      (rule.metricName === undefined || rule.metricName === m.metricName),
  );
}

export const matchAlarmRule = (rules: readonly AlarmRule[], alarm: AlarmFacts): AlarmRule | undefined =>
  rules.find((rule) => alarmRuleMatches(rule, alarm));

/** Rules from configuration: validated, with the first problem reported as an InputError at its path. */
export const parseAlarmRules = (value: unknown, path = "$.alarmRules"): AlarmRule[] =>
  expectShape(alarmRuleSchema.array(), value, path);

// ---------------------------------------------------------------------------------------------------
// The default table.

interface Detection {
  id: string;
  title: string;
  severity: SeverityLabel;
  category: Category;
  /** Word lists of common alarm names; each is matched anywhere in the name, in the usual spellings. */
  names?: string[][];
  /** Metric names that identify the detection in any namespace (the CIS filters are named these ways). */
  metrics?: string[];
  /** Namespace + metric pairs that only mean this detection in that namespace. */
  namespaced?: { namespace: string; metricNames: string[] }[];
}

/** PascalCase, camelCase, kebab-case, snake_case, SCREAMING_SNAKE and spaced spellings of one name. */
export function nameSpellings(words: readonly string[]): string[] {
  const lower = words.map((w) => w.toLowerCase());
  const camel = lower[0] + words.slice(1).join("");
  return [
    ...new Set([
      words.join(""),
      camel,
      lower.join("-"),
      lower.join("_"),
      lower.join("_").toUpperCase(),
      words.join(" "),
    ]),
  ];
}

/**
 * CIS AWS Foundations monitoring alarms (Security Hub CloudWatch.1–15). Metric names are those of the
 * CloudTrail user guide examples (`…EventCount` in CloudTrailMetrics), AWS Security Hub's automated
 * remediation and the CIS benchmark text. Network changes share the network-exposure runbook.
 */
const CIS: Detection[] = [
  {
    id: "cis-root-usage",
    title: "Root user activity",
    severity: "HIGH",
    category: "root-account-use",
    names: [
      ["Root", "Account", "Usage"],
      ["Root", "Usage"],
      ["Root", "Account", "Use"],
      ["Root", "Activity"],
    ],
    metrics: ["RootAccountUsage", "RootAccountUsageCount", "RootUsage", "RootAccountUsageEventCount"],
  },
  {
    id: "cis-unauthorized-api-calls",
    title: "Unauthorized API calls",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    names: [
      ["Unauthorized", "API", "Call"],
      ["Unauthorized", "Api", "Call"],
    ],
    metrics: ["UnauthorizedAPICalls", "UnauthorizedAPICallsCount", "AuthorizationFailureCount"],
  },
  {
    id: "cis-console-signin-without-mfa",
    title: "Console sign-in without MFA",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    names: [
      ["Console", "Signin", "Without", "MFA"],
      ["Console", "SignIn", "Without", "MFA"],
      ["Console", "Login", "Without", "MFA"],
      ["No", "MFA", "Console", "Signin"],
      ["No", "MFA", "Console", "Login"],
    ],
    metrics: ["ConsoleSigninWithoutMFA", "ConsoleSignInWithoutMfaCount", "NoMFAConsoleSignin"],
  },
  {
    id: "cis-console-auth-failures",
    title: "Console authentication failures",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    names: [
      ["Console", "Authentication", "Failure"],
      ["Console", "Signin", "Failure"],
      ["Console", "SignIn", "Failure"],
      ["Console", "Login", "Failure"],
    ],
    metrics: [
      "ConsoleSigninFailures",
      "ConsoleSigninFailureCount",
      "ConsoleSignInFailureCount",
      "ConsoleAuthenticationFailure",
    ],
  },
  {
    id: "cis-iam-policy-changes",
    title: "IAM policy changes",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    names: [["IAM", "Policy", "Change"]],
    metrics: ["IAMPolicyChanges", "IAMPolicyEventCount"],
  },
  {
    id: "cis-cloudtrail-changes",
    title: "CloudTrail configuration changes",
    severity: "HIGH",
    category: "logging-tampering",
    names: [
      ["CloudTrail", "Change"],
      ["Cloud", "Trail", "Change"],
      ["CloudTrail", "Config", "Change"],
    ],
    metrics: ["CloudTrailChanges", "CloudTrailEventCount", "CloudTrailConfigChanges"],
  },
  {
    id: "cis-config-changes",
    title: "AWS Config configuration changes",
    severity: "HIGH",
    category: "logging-tampering",
    names: [
      ["AWS", "Config", "Change"],
      ["Config", "Service", "Change"],
      ["Config", "Recorder", "Change"],
    ],
    metrics: ["AWSConfigChanges", "ConfigEventCount", "AWSConfigChangesCount"],
  },
  {
    id: "cis-kms-cmk-disable-delete",
    title: "KMS key disabled or scheduled for deletion",
    severity: "HIGH",
    category: "generic",
    names: [
      ["Disable", "Or", "Delete", "CMK"],
      ["CMK", "Change"],
      ["KMS", "Key", "Change"],
      ["KMS", "Key", "Deletion"],
    ],
    metrics: ["DisableOrDeleteCMK", "CMKEventCount", "DisableOrDeleteCMKCount"],
  },
  {
    id: "cis-s3-bucket-policy-changes",
    title: "S3 bucket policy changes",
    severity: "MEDIUM",
    category: "s3-data-exposure",
    names: [["S3", "Bucket", "Policy", "Change"]],
    metrics: ["S3BucketPolicyChanges", "S3BucketActivityEventCount", "S3BucketPolicyEventCount"],
  },
  {
    id: "cis-security-group-changes",
    title: "Security group changes",
    severity: "MEDIUM",
    category: "security-group-exposure",
    names: [["Security", "Group", "Change"]],
    metrics: ["SecurityGroupChanges", "SecurityGroupEventCount"],
  },
  {
    id: "cis-nacl-changes",
    title: "Network ACL changes",
    severity: "MEDIUM",
    category: "security-group-exposure",
    names: [
      ["NACL", "Change"],
      ["Network", "ACL", "Change"],
      ["Network", "Acl", "Change"],
    ],
    metrics: ["NACLChanges", "NetworkACLChanges", "NetworkAclEventCount"],
  },
  {
    id: "cis-network-gateway-changes",
    title: "Network gateway changes",
    severity: "MEDIUM",
    category: "security-group-exposure",
    names: [["Gateway", "Change"]],
    metrics: ["NetworkGatewayChanges", "GatewayEventCount"],
  },
  {
    id: "cis-route-table-changes",
    title: "Route table changes",
    severity: "MEDIUM",
    category: "security-group-exposure",
    names: [["Route", "Table", "Change"]],
    metrics: ["RouteTableChanges", "RouteTableEventCount"],
  },
  {
    id: "cis-vpc-changes",
    title: "VPC changes",
    severity: "MEDIUM",
    category: "security-group-exposure",
    names: [
      ["VPC", "Change"],
      ["Vpc", "Change"],
    ],
    metrics: ["VPCChanges", "VpcEventCount"],
  },
  {
    id: "cis-organizations-changes",
    title: "AWS Organizations changes",
    severity: "MEDIUM",
    category: "generic",
    names: [
      ["Organizations", "Change"],
      ["Organization", "Change"],
    ],
    metrics: ["OrganizationsChanges", "OrganizationsEvents", "OrganizationsEventCount"],
  },
];

const SERVICES: Detection[] = [
  {
    id: "waf-blocked-requests",
    title: "WAF blocked-request surge",
    severity: "MEDIUM",
    category: "waf-attack",
    namespaced: [
      { namespace: "AWS/WAFV2", metricNames: ["BlockedRequests"] },
      { namespace: "WAF", metricNames: ["BlockedRequests"] },
    ],
  },
  {
    id: "cloudtrail-metric-filter",
    title: "CloudTrail metric-filter alarm",
    severity: "MEDIUM",
    category: "generic",
    // Any other alarm on a CloudTrail metric filter is someone's security monitoring.
    namespaced: [
      { namespace: "CloudTrailMetrics", metricNames: [] },
      { namespace: "CISBenchmark", metricNames: [] },
    ],
  },
  {
    id: "ecs-running-tasks-drop",
    title: "ECS running task count dropped",
    severity: "MEDIUM",
    category: "generic",
    names: [
      ["Running", "Task"],
      ["Task", "Count"],
    ],
    namespaced: [
      {
        namespace: "ECS/ContainerInsights",
        metricNames: ["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount", "TaskCount"],
      },
      { namespace: "AWS/ECS", metricNames: ["RunningTaskCount"] },
    ],
  },
  {
    id: "alb-http-5xx",
    title: "Load balancer 5XX errors",
    severity: "MEDIUM",
    category: "application-security",
    namespaced: [
      {
        namespace: "AWS/ApplicationELB",
        metricNames: ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"],
      },
    ],
  },
  {
    id: "alb-http-4xx",
    title: "Load balancer 4XX errors",
    severity: "MEDIUM",
    category: "application-security",
    namespaced: [
      {
        namespace: "AWS/ApplicationELB",
        metricNames: ["HTTPCode_ELB_4XX_Count", "HTTPCode_Target_4XX_Count"],
      },
    ],
  },
  {
    id: "api-gateway-5xx",
    title: "API Gateway 5XX errors",
    severity: "MEDIUM",
    category: "application-security",
    // REST APIs publish 5XXError; HTTP APIs publish 5xx.
    namespaced: [{ namespace: "AWS/ApiGateway", metricNames: ["5XXError", "5xx"] }],
  },
  {
    id: "api-gateway-4xx",
    title: "API Gateway 4XX errors",
    severity: "MEDIUM",
    category: "application-security",
    namespaced: [{ namespace: "AWS/ApiGateway", metricNames: ["4XXError", "4xx"] }],
  },
];

function rulesFor(d: Detection): AlarmRule[] {
  const base = { id: d.id, title: d.title, severity: d.severity, category: d.category };
  return [
    ...(d.metrics ?? []).map((metricName) => ({ ...base, metricName })),
    ...(d.namespaced ?? []).flatMap(({ namespace, metricNames }) =>
      metricNames.length === 0
        ? [{ ...base, namespace }]
        : metricNames.map((metricName) => ({ ...base, namespace, metricName })),
    ),
    ...(d.names ?? []).flatMap((words) =>
      nameSpellings(words).map((spelling) => ({ ...base, alarmName: `*${spelling}*` })),
    ),
  ];
}

/**
 * The rules used when configuration gives none. CIS detections come first (they are the most
 * specific), then service metrics; the CloudTrailMetrics catch-all sits after every CIS rule.
 */
export const DEFAULT_ALARM_RULES: readonly AlarmRule[] = Object.freeze(
  parseAlarmRules([...CIS, ...SERVICES].flatMap(rulesFor), "DEFAULT_ALARM_RULES"),
);
