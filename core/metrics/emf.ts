/**
 * Response metrics as CloudWatch Embedded Metric Format documents: each document is one log line that
 * CloudWatch Logs turns into metrics (`_aws.CloudWatchMetrics` directives point at root members).
 *
 * Invariants (EMF specification):
 * - `_aws.Timestamp` is milliseconds since the epoch; it is given by the caller (core reads no clock).
 * - Every dimension named in a DimensionSet and every metric named in `Metrics` is a member of the root.
 * - One document per dimension combination: root members are shared by all directives of a document, so
 *   per-phase values need their own documents. Means over no incidents are left out, not sent as 0.
 */
import type { ResponseMetrics } from "./response-metrics";

export type EmfUnit = "Seconds" | "Count" | "None";

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: EmfUnit }>;
    }>;
  };
  [member: string]: unknown;
}

export interface EmfOptions {
  /** CloudWatch namespace, e.g. `IncidentResponse`. */
  namespace: string;
  /** When the metrics were computed, in epoch milliseconds. */
  timestamp: number;
  /** The value of the `Service` dimension every metric carries. */
  service?: string;
}

function document(
  options: EmfOptions,
  dimensions: Record<string, string>,
  metrics: Array<{ name: string; unit: EmfUnit; value: number }>,
): EmfDocument {
  const all = { Service: options.service ?? "incident-response", ...dimensions };
  return {
    _aws: {
      Timestamp: options.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [Object.keys(all)],
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...all,
    ...Object.fromEntries(metrics.map(({ name, value }) => [name, value])),
  };
}

export function toEmf(metrics: ResponseMetrics, options: EmfOptions): EmfDocument[] {
  const times = (
    [
      ["MTTA", metrics.mtta.seconds],
      ["MTTC", metrics.mttc.seconds],
      ["MTTR", metrics.mttr.seconds],
    ] as const
  ).flatMap(([name, value]) => (value === null ? [] : [{ name, unit: "Seconds" as const, value }]));
  return [
    ...(times.length > 0 ? [document(options, {}, times)] : []),
    ...Object.entries(metrics.phaseDurations).flatMap(([phase, mean]) =>
      mean.seconds === null
        ? []
        : [
            document(options, { Phase: phase }, [
              { name: "PhaseDuration", unit: "Seconds", value: mean.seconds },
            ]),
          ],
    ),
    ...metrics.slaCompliance.map(({ phase, severity, ratio }) =>
      document(options, { Phase: phase, Severity: severity }, [
        { name: "SlaComplianceRatio", unit: "None", value: ratio },
      ]),
    ),
    ...metrics.breachesPerWeek.map(({ week, breaches }) =>
      document(options, { Week: week }, [{ name: "Breaches", unit: "Count", value: breaches }]),
    ),
  ];
}

/** The documents as log lines (one JSON object per line, as CloudWatch Logs expects). */
export const toEmfLines = (metrics: ResponseMetrics, options: EmfOptions): string[] =>
  toEmf(metrics, options).map((doc) => JSON.stringify(doc));
