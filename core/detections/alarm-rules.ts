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
 *   matcher places the literal parts between stars left to right, never a RegExp built from config, so a
 *   rule cannot cause ReDoS.
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

/**
 * A glob split at its stars (`"*Root*Usage"` → `["", "Root", "Usage"]`): the first part must start the
 * name, the last end it, and the middle ones follow in order. Taking the leftmost place of each middle
 * part is always right: a later place only leaves less room for the rest.
 */
function globPartsMatch(parts: readonly string[], name: string): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return name === first;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last))
    return false;
  const end = name.length - last.length;
  let from = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = name.indexOf(part, from);
    if (at < 0 || at + part.length > end) return false;
    from = at + part.length;
  }
  return true;
}

/** `*` matches any run of characters (also none); every other character matches itself only. */
export const alarmNameMatches = (pattern: string, name: string): boolean =>
  globPartsMatch(pattern.split("*"), name);

/** The namespace and metric-name conditions of a rule, which must hold for one and the same metric. */
function metricConditionsHold(rule: AlarmRule, alarm: AlarmFacts): boolean {
  if (rule.namespace === undefined && rule.metricName === undefined) return true;
  return alarm.metrics.some(
    (m) =>
      (rule.namespace === undefined || rule.namespace === m.namespace) &&
      (rule.metricName === undefined || rule.metricName === m.metricName),
  );
}

export const alarmRuleMatches = (rule: AlarmRule, alarm: AlarmFacts): boolean =>
  (rule.alarmName === undefined || alarmNameMatches(rule.alarmName, alarm.alarmName)) &&
  metricConditionsHold(rule, alarm);

// ---------------------------------------------------------------------------------------------------
// Matching a rule list. The default table has ~300 rules and every alarm is checked against it, so the
// list is compiled once into an index that yields, for one alarm, only the rules that could match it;
// those candidates are then checked in list order, so first-match-wins holds. Name globs are split at
// their stars once, here, rather than on every check.

/**
 * Alarm-name rules are filed under an anchor: the first three characters of the longest literal part of
 * their glob, which every matching name contains. Anchors are hashed into a fixed number of buckets
 * (small integers index an array, no substring is allocated); a collision only adds a candidate that
 * the full check then turns down.
 */
const ANCHOR_LENGTH = 3;
const ANCHOR_BUCKETS = 4096; // a power of two, so a mask picks the bucket

const anchorBucket = (first: number, second: number, third: number): number =>
  ((first * 31 + second) * 31 + third) & (ANCHOR_BUCKETS - 1);

/** Candidate rules by what an alarm must have for them to match. Each list holds rule positions, ascending. */
interface RuleIndex {
  /** The list the index was built from had this many rules (a changed length means a rebuilt index). */
  size: number;
  /** Position of the first rule with no condition at all (it matches every alarm), or `size`. */
  firstUnconditional: number;
  /** Rules with an alarm-name glob, by anchor bucket; undefined when no rule has an anchor. */
  byNameAnchor: (number[] | undefined)[] | undefined;
  /** Rules with an alarm-name glob too short to anchor (`*`, `a*b`): always candidates. */
  unanchoredNames: number[];
  /** Rules without an alarm name but with a metric name. */
  byMetricName: Map<string, number[]>;
  /** Rules with only a namespace. */
  byNamespace: Map<string, number[]>;
  /** Each rule's alarm-name glob split at its stars, by position (undefined: no name condition). */
  globParts: (readonly string[] | undefined)[];
}

function longestOf(parts: readonly string[]): string {
  let longest = "";
  for (const part of parts) if (part.length > longest.length) longest = part;
  return longest;
}

function pushTo<K>(map: Map<K, number[]>, key: K, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else list.push(position);
}

function buildIndex(rules: readonly AlarmRule[]): RuleIndex {
  const index: RuleIndex = {
    size: rules.length,
    firstUnconditional: rules.length,
    byNameAnchor: undefined,
    unanchoredNames: [],
    byMetricName: new Map(),
    byNamespace: new Map(),
    globParts: rules.map((rule) => rule.alarmName?.split("*")),
  };
  rules.forEach((rule, position) => {
    const parts = index.globParts[position];
    if (parts !== undefined) {
      const literal = longestOf(parts);
      if (literal.length < ANCHOR_LENGTH) {
        index.unanchoredNames.push(position);
        return;
      }
      index.byNameAnchor ??= new Array(ANCHOR_BUCKETS);
      const bucket = anchorBucket(literal.charCodeAt(0), literal.charCodeAt(1), literal.charCodeAt(2));
      const list = index.byNameAnchor[bucket];
      if (list === undefined) index.byNameAnchor[bucket] = [position];
      else list.push(position);
    } else if (rule.metricName !== undefined) pushTo(index.byMetricName, rule.metricName, position);
    else if (rule.namespace !== undefined) pushTo(index.byNamespace, rule.namespace, position);
    else index.firstUnconditional = Math.min(index.firstUnconditional, position);
  });
  return index;
}

/**
 * One index per rule list. Options may carry custom lists, so the cache is keyed by the array itself
 * (and dropped with it); a list that grew or shrank since is re-indexed. Rule lists are readonly
 * configuration: a rule edited in place, at the same length, is not seen.
 */
const indexes = new WeakMap<readonly AlarmRule[], RuleIndex>();

function indexFor(rules: readonly AlarmRule[]): RuleIndex {
  const cached = indexes.get(rules);
  if (cached !== undefined && cached.size === rules.length) return cached;
  const built = buildIndex(rules);
  indexes.set(rules, built);
  return built;
}

/** alarmRuleMatches for the rule at `position`, with its glob already split. */
function matchesAt(
  index: RuleIndex,
  rules: readonly AlarmRule[],
  position: number,
  alarm: AlarmFacts,
): boolean {
  const parts = index.globParts[position];
  return (
    (parts === undefined || globPartsMatch(parts, alarm.alarmName)) &&
    metricConditionsHold(rules[position]!, alarm)
  );
}

/** The first of `candidates` (ascending positions) before `best` that matches, else `best`. */
function firstMatchBefore(
  best: number,
  candidates: readonly number[] | undefined,
  index: RuleIndex,
  rules: readonly AlarmRule[],
  alarm: AlarmFacts,
): number {
  if (candidates === undefined) return best;
  for (const position of candidates) {
    if (position >= best) return best;
    if (matchesAt(index, rules, position, alarm)) return position;
  }
  return best;
}

export function matchAlarmRule(rules: readonly AlarmRule[], alarm: AlarmFacts): AlarmRule | undefined {
  const index = indexFor(rules);
  // Position of the earliest match so far; candidates at or after it cannot win.
  let best = index.firstUnconditional;
  const name = alarm.alarmName;
  const byAnchor = index.byNameAnchor;
  if (byAnchor !== undefined && name.length >= ANCHOR_LENGTH) {
    // Every three-character window of the name, each character read once.
    let first = name.charCodeAt(0);
    let second = name.charCodeAt(1);
    for (let at = 2; at < name.length; at++) {
      const third = name.charCodeAt(at);
      best = firstMatchBefore(best, byAnchor[anchorBucket(first, second, third)], index, rules, alarm);
      first = second;
      second = third;
    }
  }
  best = firstMatchBefore(best, index.unanchoredNames, index, rules, alarm);
  for (const metric of alarm.metrics) {
    if (metric.metricName !== undefined)
      best = firstMatchBefore(best, index.byMetricName.get(metric.metricName), index, rules, alarm);
    if (metric.namespace !== undefined)
      best = firstMatchBefore(best, index.byNamespace.get(metric.namespace), index, rules, alarm);
  }
  return best < rules.length ? rules[best] : undefined;
}

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
