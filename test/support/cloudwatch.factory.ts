/**
 * "CloudWatch Alarm State Change" events in AWS's documented shape (CloudWatch user guide, "Alarm events
 * and EventBridge": single metric, metric math, composite alarm examples). Each `make…` takes overrides so
 * a test states only what it is about. The fixtures lack an OK → ALARM transition; these supply it.
 */

// biome-ignore lint/suspicious/noExplicitAny: events are arbitrary JSON that tests poke at
type Json = Record<string, any>;

export interface AlarmEventOverrides {
  id?: string;
  account?: string;
  region?: string;
  time?: string;
  alarmName?: string;
  /** Defaults to the alarm's ARN; `[]` for a partial envelope. */
  resources?: string[];
  state?: Json;
  previousState?: Json;
  configuration?: Json;
  /** Extra detail fields (alarmTags…). */
  detail?: Json;
}

export const alarmArn = (account: string, region: string, name: string) =>
  `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;

/** One entry of `configuration.metrics` for a metric alarm or one input of a metric-math alarm. */
export const metricStat = (
  namespace: string,
  name: string,
  dimensions: Record<string, string> = {},
  id = "m1",
  returnData = true,
): Json => ({
  id,
  metricStat: { metric: { dimensions, name, namespace }, period: 300, stat: "Sum" },
  returnData,
});

export function makeAlarmEvent(o: AlarmEventOverrides = {}): Json {
  const account = o.account ?? "123456789012";
  const region = o.region ?? "us-east-1";
  const alarmName = o.alarmName ?? "ServerCpuTooHigh";
  return {
    version: "0",
    id: o.id ?? "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account,
    time: o.time ?? "2019-10-02T17:04:40Z",
    region,
    resources: o.resources ?? [alarmArn(account, region, alarmName)],
    detail: {
      alarmName,
      configuration: o.configuration ?? {
        description: "Goes into alarm when server CPU utilization is too high!",
        metrics: [metricStat("AWS/EC2", "CPUUtilization", { InstanceId: "i-12345678901234567" })],
      },
      previousState: {
        reason:
          "Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 13:46:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
        reasonData:
          '{"version":"1.0","queryDate":"2019-10-01T13:56:40.985+0000","startDate":"2019-10-01T13:46:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[0.0666851903306472],"threshold":50.0}',
        timestamp: "2019-10-01T13:56:40.987+0000",
        value: "OK",
        ...o.previousState,
      },
      state: {
        reason:
          "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).",
        reasonData:
          '{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":"2019-10-02T16:59:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[99.50160229693434],"threshold":50.0}',
        timestamp: "2019-10-02T17:04:40.989+0000",
        value: "ALARM",
        ...o.state,
      },
      ...o.detail,
    },
  };
}

/** OK → ALARM on AWS/WAFV2 BlockedRequests for a regional web ACL (dimensions WebACL, Region, Rule). */
export const makeWafBlockedRequestsAlarm = (
  webAcl = "web-acl-corp",
  o: AlarmEventOverrides = {},
  dimensions: Record<string, string> = { WebACL: webAcl, Region: o.region ?? "us-east-1", Rule: "ALL" },
): Json =>
  makeAlarmEvent({
    alarmName: `${webAcl}-blocked-requests-high`,
    configuration: {
      description: "Blocked requests above baseline",
      metrics: [metricStat("AWS/WAFV2", "BlockedRequests", dimensions)],
    },
    ...o,
  });

/** CIS root-usage metric-filter alarm, as the CloudTrail user guide sets it up. */
export const makeRootUsageAlarm = (o: AlarmEventOverrides = {}): Json =>
  makeAlarmEvent({
    alarmName: "CIS-1.7-RootAccountUsage",
    configuration: { metrics: [metricStat("CloudTrailMetrics", "RootAccountUsageCount")] },
    ...o,
  });

/** Metric-math alarm: an expression over two metric inputs that do not return data themselves. */
export const makeMetricMathAlarm = (o: AlarmEventOverrides = {}): Json =>
  makeAlarmEvent({
    alarmName: "TotalNetworkTrafficTooHigh",
    configuration: {
      description: "Goes into alarm if total network traffic exceeds 10Kb",
      metrics: [
        { expression: "SUM(METRICS())", id: "e1", label: "Total Network Traffic", returnData: true },
        metricStat("AWS/EC2", "NetworkIn", { InstanceId: "i-12345678901234567" }, "m1", false),
        metricStat("AWS/EC2", "NetworkOut", { InstanceId: "i-12345678901234567" }, "m2", false),
      ],
    },
    ...o,
  });

/** Composite alarm: an alarmRule over other alarms, no metrics; reasonData names the triggering alarms. */
export const makeCompositeAlarm = (o: AlarmEventOverrides = {}): Json =>
  makeAlarmEvent({
    alarmName: "ServiceAggregatedAlarm",
    ...o,
    configuration: o.configuration ?? {
      alarmRule: "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)",
      actionsSuppressor: "ServiceMaintenanceAlarm",
      actionsSuppressorWaitPeriod: 120,
      actionsSuppressorExtensionPeriod: 180,
    },
    state: {
      actionsSuppressedBy: "WaitPeriod",
      actionsSuppressedReason: "Actions suppressed by WaitPeriod",
      reason:
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh transitioned to ALARM at Friday 30 April, 2021 22:30:22 UTC",
      reasonData:
        '{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh","state":{"value":"ALARM","timestamp":"2021-04-30T22:30:22.519+0000"}}]}',
      timestamp: "2021-04-30T22:33:21.555+0000",
      value: "ALARM",
      ...o.state,
    },
  });

/** ECS Container Insights running task count dropping below the desired count. */
export const makeEcsTaskCountAlarm = (o: AlarmEventOverrides = {}): Json =>
  makeAlarmEvent({
    alarmName: "payments-service-tasks-low",
    configuration: {
      metrics: [
        metricStat("ECS/ContainerInsights", "RunningTaskCount", {
          ClusterName: "prod-cluster",
          ServiceName: "payments",
        }),
      ],
    },
    ...o,
  });
