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

/** Severity of an alarm no rule matched: see the module comment. */
export const UNMATCHED_ALARM_SEVERITY = "LOW" as const;
export const UNMATCHED_ALARM_TYPE = "cloudwatch-alarm";

interface MetricRef {
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
}

const ALARM_ARN = /^arn:[\w-]+:cloudwatch:([^:]*):([^:]*):alarm:(.+)$/;

function readState(detail: Json, ctx: ReadContext): { value: AlarmState; state: Json } {
  const path = "$.detail.state.value";
  const state = requireObject(detail.state, "$.detail.state");
  const raw = optionalString(state.value, path, ctx);
  if (raw === undefined) throw new InputError("missing_field", `${path} is required`, path);
  const value = raw.trim().toUpperCase();
  const known = STATES.find((s) => s === value);
  if (known === undefined)
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${STATES.join(", ")}, got "${raw.slice(0, 40)}"`,
      path,
    );
  return { value: known, state };
}

function readMetrics(configuration: Json | undefined, ctx: ReadContext): MetricRef[] {
  const path = "$.detail.configuration.metrics";
  const metrics: MetricRef[] = [];
  optionalArray(configuration?.metrics, path, ctx).forEach((entry, i) => {
    const at = childPath(path, i);
    if (!isObject(entry)) {
      ctx.warn("ignored_field", at, "metric is not an object; ignored");
      return;
    }
    // Expression entries (metric math, Metrics Insights SQL) name no metric of their own.
    const stat = optionalObject(entry.metricStat, `${at}.metricStat`, ctx);
    const metric = optionalObject(stat?.metric, `${at}.metricStat.metric`, ctx);
    if (metric === undefined) return;
    const dimensions: Record<string, string> = {};
    const dims = optionalObject(metric.dimensions, `${at}.metricStat.metric.dimensions`, ctx) ?? {};
    for (const [key, value] of Object.entries(dims))
      if (typeof value === "string" || typeof value === "number") dimensions[key] = String(value);
    metrics.push({
      namespace: optionalString(metric.namespace, `${at}.metricStat.metric.namespace`, ctx),
      metricName: optionalString(metric.name, `${at}.metricStat.metric.name`, ctx),
      dimensions,
    });
  });
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
  if (!Array.isArray(list)) return [];
  return list.flatMap((t) => (isObject(t) && typeof t.arn === "string" && t.arn !== "" ? [t.arn] : []));
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

function dimensionResources(metrics: MetricRef[], accountId: string, region: string): Resource[] {
  const seen = new Set<string>();
  const out: Resource[] = [];
  for (const m of metrics)
    for (const { dimension, make } of DIMENSION_RESOURCES) {
      const id = m.dimensions[dimension];
      if (id === undefined || id === "" || seen.has(`${dimension}:${id}`)) continue;
      seen.add(`${dimension}:${id}`);
      out.push(make(id, accountId, region));
    }
  return out;
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
  const alarm: Resource = {
    type: "cloudwatch-alarm",
    id: a.alarmName,
    ...(a.arn !== undefined ? { arn: a.arn } : {}),
    accountId,
    region,
    ...(firstMetric?.namespace !== undefined ? { namespace: firstMetric.namespace } : {}),
    ...(firstMetric?.metricName !== undefined ? { metricName: firstMetric.metricName } : {}),
    ...(a.tags !== undefined ? { tags: a.tags } : {}),
  };
  const children: Resource[] = a.children.map((childArn) => ({
    type: "cloudwatch-alarm",
    id: childArn.match(ALARM_ARN)?.[3] ?? childArn,
    arn: childArn,
    accountId,
    region,
  }));
  const webAcl = webAclOf(metrics, accountId, region);
  return [...(webAcl ? [webAcl] : []), alarm, ...dimensionResources(metrics, accountId, region), ...children];
}

function fromEnvelope(envelope: Envelope, ctx: ReadContext, options: NormalizeOptions): Finding[] {
  const mark = ctx.warnings.length;
  const detail = envelope.detail;
  const { value: state, state: stateObj } = readState(detail, ctx);
  if (state === "INSUFFICIENT_DATA") return [];

  const arn = envelope.resources.find((r) => ALARM_ARN.test(r));
  const [, arnRegion, arnAccount, arnName] = arn?.match(ALARM_ARN) ?? [];
  const alarmName = optionalString(detail.alarmName, "$.detail.alarmName", ctx) ?? arnName;
  if (alarmName === undefined)
    throw new InputError(
      "missing_field",
      "$.detail.alarmName is required (or an alarm ARN in $.resources)",
      "$.detail.alarmName",
    );

  const accountId = envelope.account ?? arnAccount ?? unknownWith(ctx, "$.account", "account");
  const region = envelope.region ?? arnRegion ?? unknownWith(ctx, "$.region", "region");

  const previous = optionalObject(detail.previousState, "$.detail.previousState", ctx);
  const configuration = optionalObject(detail.configuration, "$.detail.configuration", ctx);
  const stateAt = optionalTime(stateObj.timestamp, "$.detail.state.timestamp", ctx);
  const previousAt = optionalTime(previous?.timestamp, "$.detail.previousState.timestamp", ctx);
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
      description: [
        description,
        reason,
        alarmRule !== undefined ? `Composite rule: ${alarmRule}` : undefined,
        previousValue !== undefined ? `Previous state: ${previousValue}.` : undefined,
      ]
        .filter((s) => s !== undefined)
        .join("\n"),
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

function unknownWith(ctx: ReadContext, path: string, what: string): string {
  ctx.warn("missing_field", path, `no ${what} in the event or the alarm ARN; read as "unknown"`);
  return "unknown";
}

export const cloudWatchAlarmNormalizer: SourceNormalizer = {
  name: "cloudwatch-alarm",
  detailTypes: ["CloudWatch Alarm State Change"],
  fromEnvelope,
};
