/**
 * Alarms and the dashboard. Every dead-letter queue alarms as soon as it holds one message, every
 * function alarms on its first error, and the two places work can pile up silently — the advance queue
 * and the outbox stream — alarm on age. All alarms notify the security topic (ALARM and OK).
 *
 * The dashboard reads the service metrics (core/contracts/service-metrics.ts) with SEARCH by metric
 * name, so it shows whatever dimensions the functions emit: MTTA, MTTR, SLA breaches, open incidents
 * by phase; and the pipeline's health: DLQ depth, function errors, queue and stream age, alarm states.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { FunctionName } from "../../core/contracts/function-env";
import { SERVICE_METRICS, type ServiceMetric } from "../../core/contracts/service-metrics";
import { pascal } from "../naming";
import { DEAD_LETTER_PATHS, type DeadLetterPath } from "./queues";

export interface ObservabilityProps {
  serviceName: string;
  functions: Partial<Record<FunctionName, lambda.IFunction>>;
  deadLetterQueues: Record<DeadLetterPath, sqs.IQueue>;
  advanceQueue: sqs.IQueue;
  topic: sns.ITopic;
  dashboard: boolean;
}

const search = (namespace: string, metric: ServiceMetric, stat: string, period: Duration, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('Namespace="${namespace}" MetricName="${SERVICE_METRICS[metric].name}"', '${stat}', ${period.toSeconds()})`,
    usingMetrics: {},
    label,
    period,
  });

export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const notify = new actions.SnsAction(props.topic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    const dlqDepth = Object.entries(props.deadLetterQueues).map(([path, queue]) => {
      const metric = queue.metricApproximateNumberOfMessagesVisible({
        statistic: "Maximum",
        period: Duration.minutes(1),
      });
      alarm(`${pascal(path)}DlqNotEmpty`, {
        alarmDescription: `${props.serviceName}: ${DEAD_LETTER_PATHS[path as DeadLetterPath]}. Inspect the message, fix the cause, redrive.`,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      return metric.with({ label: `${path} DLQ` });
    });

    const errors = Object.entries(props.functions).map(([name, fn]) => {
      const metric = fn.metricErrors({ statistic: "Sum", period: Duration.minutes(1) });
      alarm(`${pascal(name)}Errors`, {
        alarmDescription: `${props.serviceName}: the ${name} function failed. Its log group has the error.`,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      return metric.with({ label: `${name} errors` });
    });

    const queueAge = props.advanceQueue.metricApproximateAgeOfOldestMessage({
      statistic: "Maximum",
      period: Duration.minutes(1),
      label: "advance queue: oldest message (s)",
    });
    alarm("AdvanceQueueBacklog", {
      alarmDescription: `${props.serviceName}: events wait over 5 minutes to be applied to incidents (advance is failing or throttled).`,
      metric: queueAge,
      threshold: 300,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const dispatch = props.functions.dispatch;
    const iteratorAge = dispatch?.metric("IteratorAge", {
      statistic: "Maximum",
      period: Duration.minutes(1),
      label: "outbox stream: oldest record (ms)",
    });
    if (iteratorAge)
      alarm("OutboxStreamBacklog", {
        alarmDescription: `${props.serviceName}: committed commands wait over 10 minutes to be dispatched (chat, pages and containment are late).`,
        metric: iteratorAge,
        threshold: 600_000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    if (!props.dashboard) return;
    const ns = props.serviceName;
    const hour = Duration.hours(1);
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `${props.serviceName}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "MTTA: time to acknowledge (s)",
        left: [search(ns, "timeToAcknowledge", "Average", hour, "MTTA")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "MTTR: time to recover (s)",
        left: [search(ns, "timeToRecover", "Average", hour, "MTTR")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "SLA breaches",
        left: [search(ns, "slaBreaches", "Sum", hour, "breaches")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Open incidents by phase",
        left: [search(ns, "openIncidents", "Maximum", Duration.minutes(5), "open")],
        stacked: true,
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: "Dead-letter queue depth", left: dlqDepth, width: 8 }),
      new cloudwatch.GraphWidget({ title: "Function errors", left: errors, width: 8 }),
      new cloudwatch.GraphWidget({
        title: "Backlog",
        left: [queueAge],
        ...(iteratorAge ? { right: [iteratorAge] } : {}),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24 }),
    );
  }
}
