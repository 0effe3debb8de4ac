/**
 * "CloudWatch Alarm State Change" → findings.
 *
 * Invariants:
 * - ALARM is a detection, OK a recovery hint for the same alarm (same correlation key), INSUFFICIENT_DATA
 *   says nothing and yields no finding.
 * - Identity is (alarm, state timestamp): EventBridge duplicates of one transition are one finding, and
 *   the ALARM and the later OK are two findings on the same correlation key.
 * - What the alarm means comes from the first matching AlarmRule in the options. An alarm no rule
 *   knows still becomes a finding (never silently dropped) but as LOW / generic with a warning: an
 *   unknown alarm (CPU high, queue depth) is rarely a security incident and must not page like one.
 * - For WAF alarms with a WebACL dimension the web ACL is the primary resource (id = ACL name, region =
 *   the alarm's), so the alarm joins the incident of the WAF log findings on that ACL.
 */

import { matchAlarmRule } from "../detections/alarm-rules";
import { InputError } from "../errors";
import { buildFinding } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Finding } from "../findings/finding";
import type { Resource } from "../findings/resource";
import { fromLabel } from "../findings/severity";
import type { Envelope } from "./envelope";
import {
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalObject,
  optionalString,
  optionalTime,
  type ReadContext,
  readTags,
  requireObject,
} from "./read";
import type { NormalizeOptions, SourceNormalizer } from "./source-normalizer";

const STATES = ["ALARM", "OK", "INSUFFICIENT_DATA"] as const;
type AlarmState = (typeof STATES)[number];

function stateNamed(text: string): AlarmState | undefined {
  for (const state of STATES) if (state === text) return state;
  return undefined;
}

/** Severity of an alarm no rule matched: see the module comment. */
export const UNMATCHED_ALARM_SEVERITY = "LOW" as const;
export const UNMATCHED_ALARM_TYPE = "cloudwatch-alarm";

interface MetricRef {
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
}

const ALARM_ARN = /^arn:[\w-]+:cloudwatch:([^:]*):([^:]*):alarm:(.+)$/;

/**
 * CloudWatch writes state timestamps as `2022-11-08T11:26:05.401+0000`, which the generic reader sends
 * through a Date round trip (the costliest step of this normalizer). Such a time, when it names a real
 * calendar day, is already UTC to the millisecond: swapping `+0000` for `Z` gives exactly what the round
 * trip would. Anything else (impossible days roll over in Date, other offsets) takes the generic path.
 */
const CLOUDWATCH_TIME =
  /^(?:199\d|2[01]\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}\+0000$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the ASCII digits of `text` from `start` to `end`. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Whether the day of a CLOUDWATCH_TIME exists in its month (days up to 28 always do). */
function isCalendarDay(time: string): boolean {
  const day = digitsAt(time, 8, 10);
  if (day <= 28) return true;
  const month = digitsAt(time, 5, 7);
  if (month !== 2) return day <= DAYS_IN_MONTH[month - 1]!;
  const year = digitsAt(time, 0, 4);
  return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function readAlarmTime(value: unknown, path: string, ctx: ReadContext): string | undefined {
  if (typeof value === "string" && CLOUDWATCH_TIME.test(value) && isCalendarDay(value))
    return `${value.slice(0, 23)}Z`;
  return optionalTime(value, path, ctx);
}

function readState(detail: Json, ctx: ReadContext): { value: AlarmState; state: Json } {
  const path = "$.detail.state.value";
  const state = requireObject(detail.state, "$.detail.state");
  const raw = optionalString(state.value, path, ctx);
  if (raw === undefined) throw new InputError("missing_field", `${path} is required`, path);
  const known = stateNamed(raw) ?? stateNamed(raw.trim().toUpperCase());
  if (known === undefined)
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${STATES.join(", ")}, got "${raw.slice(0, 40)}"`,
      path,
    );
  return { value: known, state };
}

const METRICS_PATH = "$.detail.configuration.metrics";

/** Path of a field of metric `i`: built only when a warning needs it, as this runs for every metric. */
const metricPath = (i: number, field: string): string => `${childPath(METRICS_PATH, i)}${field}`;

/** optionalObject / optionalString for a metric field; the well-formed case needs no path. */
function metricObject(value: unknown, i: number, field: string, ctx: ReadContext): Json | undefined {
  if (isObject(value)) return value;
  return value === undefined || value === null ? undefined : optionalObject(value, metricPath(i, field), ctx);
}

function metricString(value: unknown, i: number, field: string, ctx: ReadContext): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  return value === undefined || value === null ? undefined : optionalString(value, metricPath(i, field), ctx);
}

function readMetrics(configuration: Json | undefined, ctx: ReadContext): MetricRef[] {
  const metrics: MetricRef[] = [];
  const entries = optionalArray(configuration?.metrics, METRICS_PATH, ctx);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!isObject(entry)) {
      ctx.warn("ignored_field", metricPath(i, ""), "metric is not an object; ignored");
      continue;
    }
    // Expression entries (metric math, Metrics Insights SQL) name no metric of their own.
    const stat = metricObject(entry.metricStat, i, ".metricStat", ctx);
    const metric = metricObject(stat?.metric, i, ".metricStat.metric", ctx);
    if (metric === undefined) continue;
    const dimensions: Record<string, string> = {};
    const dims = metricObject(metric.dimensions, i, ".metricStat.metric.dimensions", ctx);
    if (dims !== undefined)
      for (const key of Object.keys(dims)) {
        const value = dims[key];
        if (typeof value === "string" || typeof value === "number") dimensions[key] = String(value);
      }
    metrics.push({
      namespace: metricString(metric.namespace, i, ".metricStat.metric.namespace", ctx),
      metricName: metricString(metric.name, i, ".metricStat.metric.name", ctx),
      dimensions,
    });
  }
  return metrics;
}

/** reasonData is a JSON string in real events; some relays hand it over already parsed. */
function readReasonData(value: unknown, path: string, ctx: ReadContext): Json | undefined {
  if (isObject(value)) return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    ctx.warn("ignored_field", path, "reasonData is not JSON; ignored");
    return undefined;
  }
}

/** Composite alarms name the child alarms that tripped them in reasonData.triggeringAlarms[].arn. */
function triggeringAlarms(reasonData: Json | undefined): string[] {
  const list = reasonData?.triggeringAlarms;
  const arns: string[] = [];
  if (!Array.isArray(list)) return arns;
  for (const t of list) if (isObject(t) && typeof t.arn === "string" && t.arn !== "") arns.push(t.arn);
  return arns;
}

/** Dimensions that name a resource worth showing next to the alarm. */
const DIMENSION_RESOURCES: {
  dimension: string;
  make: (id: string, accountId: string, region: string) => Resource;
}[] = [
  {
    dimension: "ClusterName",
    make: (id, accountId, region) => ({ type: "ecs-cluster", id, accountId, region }),
  },
  {
    dimension: "FunctionName",
    make: (id, accountId, region) => ({ type: "lambda-function", id, name: id, accountId, region }),
  },
  {
    dimension: "DBInstanceIdentifier",
    make: (id, accountId, region) => ({ type: "rds-db-instance", id, accountId, region }),
  },
  {
    dimension: "LoadBalancer",
    make: (id, accountId, region) => ({
      type: "other",
      id,
      accountId,
      region,
      sourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    }),
  },
];

function webAclOf(metrics: MetricRef[], accountId: string, region: string): Resource | undefined {
  const metric = metrics.find((m) => m.namespace === "AWS/WAFV2" && m.dimensions.WebACL);
  if (metric === undefined) return undefined;
  const name = metric.dimensions.WebACL!;
  const rule = metric.dimensions.Rule;
  return {
    type: "waf-web-acl",
    id: name,
    name,
    accountId,
    // CloudFront web ACLs have no Region dimension; their metrics and alarms live in us-east-1.
    region: metric.dimensions.Region ?? region,
    ...(rule !== undefined && rule !== "ALL" ? { ruleIds: [rule] } : {}),
  };
}

function addDimensionResources(
  out: Resource[],
  metrics: MetricRef[],
  accountId: string,
  region: string,
): void {
  // Most alarms name no such dimension: the set of seen ones is only made when one turns up.
  let seen: Set<string> | undefined;
  for (const m of metrics)
    for (const { dimension, make } of DIMENSION_RESOURCES) {
      const id = m.dimensions[dimension];
      if (id === undefined || id === "") continue;
      const key = `${dimension}:${id}`;
      seen ??= new Set();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(make(id, accountId, region));
    }
}

/** Web ACL first when the alarm watches one; then the alarm; then what its dimensions and children name. */
function resourcesOf(a: {
  alarmName: string;
  arn: string | undefined;
  accountId: string;
  region: string;
  metrics: MetricRef[];
  tags: Record<string, string> | undefined;
  children: string[];
}): Resource[] {
  const { accountId, region, metrics } = a;
  const firstMetric = metrics.find((m) => m.namespace !== undefined || m.metricName !== undefined);
  // Optional fields are set one by one (in the usual key order) rather than spread in: this runs per alarm.
  const alarm: Extract<Resource, { type: "cloudwatch-alarm" }> = {
    type: "cloudwatch-alarm",
    id: a.alarmName,
  };
  if (a.arn !== undefined) alarm.arn = a.arn;
  alarm.accountId = accountId;
  alarm.region = region;
  if (firstMetric?.namespace !== undefined) alarm.namespace = firstMetric.namespace;
  if (firstMetric?.metricName !== undefined) alarm.metricName = firstMetric.metricName;
  if (a.tags !== undefined) alarm.tags = a.tags;
  const resources: Resource[] = [];
  const webAcl = webAclOf(metrics, accountId, region);
  if (webAcl !== undefined) resources.push(webAcl);
  resources.push(alarm);
  addDimensionResources(resources, metrics, accountId, region);
  for (const childArn of a.children)
    resources.push({
      type: "cloudwatch-alarm",
      id: childArn.match(ALARM_ARN)?.[3] ?? childArn,
      arn: childArn,
      accountId,
      region,
    });
  return resources;
}

/** The first alarm ARN in the envelope's resources, with its region, account and alarm name. */
function alarmArnOf(resources: readonly string[]): RegExpExecArray | undefined {
  for (const resource of resources) {
    const parts = ALARM_ARN.exec(resource);
    if (parts !== null) return parts;
  }
  return undefined;
}

function fromEnvelope(envelope: Envelope, ctx: ReadContext, options: NormalizeOptions): Finding[] {
  const mark = ctx.warnings.length;
  const detail = envelope.detail;
  const { value: state, state: stateObj } = readState(detail, ctx);
  if (state === "INSUFFICIENT_DATA") return [];

  // Indexed rather than destructured: destructuring a RegExp match walks the iterator protocol.
  const arnParts = alarmArnOf(envelope.resources);
  const arn = arnParts?.[0];
  const alarmName = optionalString(detail.alarmName, "$.detail.alarmName", ctx) ?? arnParts?.[3];
  if (alarmName === undefined)
    throw new InputError(
      "missing_field",
      "$.detail.alarmName is required (or an alarm ARN in $.resources)",
      "$.detail.alarmName",
    );

  const accountId = envelope.account ?? arnParts?.[2] ?? unknownWith(ctx, "$.account", "account");
  const region = envelope.region ?? arnParts?.[1] ?? unknownWith(ctx, "$.region", "region");

  const previous = optionalObject(detail.previousState, "$.detail.previousState", ctx);
  const configuration = optionalObject(detail.configuration, "$.detail.configuration", ctx);
  const stateAt = readAlarmTime(stateObj.timestamp, "$.detail.state.timestamp", ctx);
  const previousAt = readAlarmTime(previous?.timestamp, "$.detail.previousState.timestamp", ctx);
  const changedAt = stateAt ?? envelope.time;
  if (changedAt === undefined)
    throw new InputError(
      "missing_field",
      "no readable time: $.detail.state.timestamp or $.time is required",
      "$.detail.state.timestamp",
    );

  const metrics = readMetrics(configuration, ctx);
  const rule = matchAlarmRule(options.alarmRules, { alarmName, metrics });
  if (rule === undefined)
    ctx.warn(
      "no_alarm_rule",
      "$.detail.alarmName",
      `no alarm rule matched "${alarmName}"; read as a generic ${UNMATCHED_ALARM_SEVERITY} finding`,
    );

  const reasonData = readReasonData(stateObj.reasonData, "$.detail.state.reasonData", ctx);
  const resources = resourcesOf({
    alarmName,
    arn,
    accountId,
    region,
    metrics,
    tags: readTags(detail.alarmTags, "$.detail.alarmTags", ctx),
    children: triggeringAlarms(reasonData),
  });

  const recovery = state === "OK";
  const previousValue = typeof previous?.value === "string" ? previous.value : undefined;
  const label = rule?.title ?? "CloudWatch alarm";
  const reason = optionalString(stateObj.reason, "$.detail.state.reason", ctx);
  const description = optionalString(configuration?.description, "$.detail.configuration.description", ctx);
  const alarmRule = optionalString(configuration?.alarmRule, "$.detail.configuration.alarmRule", ctx);

  return [
    buildFinding({
      source: "cloudwatch",
      identity: findingIdentity("cloudwatch", arn ?? `${accountId}:${region}:${alarmName}`, changedAt),
      kind: recovery ? "recovery" : "detection",
      type: rule?.id ?? UNMATCHED_ALARM_TYPE,
      category: rule?.category ?? "generic",
      title: recovery ? `${label} recovered: ${alarmName} is OK` : `${label}: ${alarmName} is in ALARM`,
      description: describe(description, reason, alarmRule, previousValue),
      severity: fromLabel(rule?.severity ?? UNMATCHED_ALARM_SEVERITY),
      accountId,
      region,
      // A recovery covers the whole ALARM period: from when the alarm fired to when it cleared.
      firstSeenAt: recovery && previousValue === "ALARM" && previousAt !== undefined ? previousAt : changedAt,
      lastSeenAt: changedAt,
      updatedAt: changedAt,
      count: 1,
      archived: false,
      resources,
      origin: {
        product: "CloudWatch",
        sourceId: arn ?? alarmName,
        rawRef: ctx.rawRef,
        rawPath: "$",
      },
      warnings: ctx.since(mark),
    }),
  ];
}

/** The alarm's description, the reason for the change, the composite rule and the previous state, one a line. */
function describe(
  description: string | undefined,
  reason: string | undefined,
  alarmRule: string | undefined,
  previousValue: string | undefined,
): string {
  const lines: string[] = [];
  if (description !== undefined) lines.push(description);
  if (reason !== undefined) lines.push(reason);
  if (alarmRule !== undefined) lines.push(`Composite rule: ${alarmRule}`);
  if (previousValue !== undefined) lines.push(`Previous state: ${previousValue}.`);
  return lines.join("\n");
}

function unknownWith(ctx: ReadContext, path: string, what: string): string {
  ctx.warn("missing_field", path, `no ${what} in the event or the alarm ARN; read as "unknown"`);
  return "unknown";
}

export const cloudWatchAlarmNormalizer: SourceNormalizer = {
  name: "cloudwatch-alarm",
  detailTypes: ["CloudWatch Alarm State Change"],
  fromEnvelope,
};
