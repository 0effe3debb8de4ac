/**
 * Logs and metrics for the Lambda functions: Powertools Logger (JSON lines) and Metrics (CloudWatch EMF).
 *
 * Invariants:
 * - Log lines carry identifiers and outcomes only — never a whole event, a Slack body, a finding's raw
 *   text or any secret. While one incident is being worked on, its id is the line's `correlation_id`
 *   (records are processed one at a time, so the key cannot leak into another record's lines).
 * - Metric names are the fixed vocabulary below (dashboards and alarms use them); each has one unit.
 *   It includes the dashboard's series (core/contracts/service-metrics.ts), which carry one dimension.
 * - Metrics without dimensions are flushed once per invocation, and only when there are some (no empty
 *   EMF documents); a metric with dimensions is its own EMF document, written at once (Powertools
 *   singleMetric), so its dimension cannot leak onto the others.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SERVICE_METRICS } from "../../core/contracts/service-metrics";

export const METRIC_UNITS = {
  IncidentsOpened: MetricUnit.Count,
  DuplicateSuppressed: MetricUnit.Count,
  SlaWarned: MetricUnit.Count,
  SlaBreached: MetricUnit.Count,
  ContainmentSeconds: MetricUnit.Seconds,
  SlackRateLimited: MetricUnit.Count,
  InputQuarantined: MetricUnit.Count,
  [SERVICE_METRICS.timeToAcknowledge.name]: MetricUnit.Seconds,
  [SERVICE_METRICS.timeToRecover.name]: MetricUnit.Seconds,
  [SERVICE_METRICS.slaBreaches.name]: MetricUnit.Count,
  [SERVICE_METRICS.openIncidents.name]: MetricUnit.Count,
} as const;
export type MetricName = keyof typeof METRIC_UNITS;

export const DEFAULT_NAMESPACE = "IncidentResponse";

/** What handlers need to say what happened. */
export interface Telemetry {
  readonly logger: Logger;
  metric(name: MetricName, value?: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Runs `work` with `incidentId` as the correlation id of every log line it writes. */
  withIncident<T>(incidentId: string, work: () => Promise<T>): Promise<T>;
  /** Emits the invocation's metrics (one EMF document) and forgets them. */
  flush(): void;
}

export interface TelemetryOptions {
  /** Defaults to POWERTOOLS_SERVICE_NAME, else the function name passed here. */
  serviceName: string;
  namespace?: string;
  logger?: Logger;
  metrics?: Metrics;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || options.serviceName;
  const logger = options.logger ?? new Logger({ serviceName });
  const metrics =
    options.metrics ??
    new Metrics({
      serviceName,
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || options.namespace || DEFAULT_NAMESPACE,
    });
  return {
    logger,
    metric(name, value = 1, dimensions) {
      if (!dimensions) {
        metrics.addMetric(name, METRIC_UNITS[name], value);
        return;
      }
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, METRIC_UNITS[name], value);
    },
    async withIncident(incidentId, work) {
      const previous = logger.getCorrelationId();
      logger.setCorrelationId(incidentId);
      try {
        return await work();
      } finally {
        if (previous === undefined) logger.removeKeys(["correlation_id"]);
        else logger.setCorrelationId(previous);
      }
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** An error as it may be logged: its class and message, never the objects it carries. */
export const errorFields = (error: unknown): { errorName: string; errorMessage: string } =>
  error instanceof Error
    ? { errorName: error.name, errorMessage: error.message.slice(0, 2000) }
    : { errorName: "NonError", errorMessage: String(error).slice(0, 2000) };
