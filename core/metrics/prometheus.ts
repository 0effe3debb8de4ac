/**
 * Response metrics in the Prometheus text exposition format (version 0.0.4), for a `/metrics` endpoint.
 *
 * Invariants:
 * - Every family has its HELP and TYPE lines even without samples, so dashboards find the names.
 * - A mean over no incidents has no sample (absent, not 0: "no data" must not read as "instant").
 * - Label values are escaped as the format requires (`\`, `"`, newline), so no input can break a line.
 */
import type { ResponseMetrics } from "./response-metrics";

interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

const formatValue = (value: number): string =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value);

function sampleLine(name: string, labels: Record<string, string> | undefined, value: number): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`;
}

const single = (value: number | null) => (value === null ? [] : [{ value }]);

export function toPrometheus(metrics: ResponseMetrics): string {
  const families: Family[] = [
    {
      name: "ir_mtta_seconds",
      help: "Mean time from detection (T0) to acknowledgement, in seconds.",
      type: "gauge",
      samples: single(metrics.mtta.seconds),
    },
    {
      name: "ir_mttc_seconds",
      help: "Mean time from detection (T0) to the end of the contain phase, in seconds.",
      type: "gauge",
      samples: single(metrics.mttc.seconds),
    },
    {
      name: "ir_mttr_seconds",
      help: "Mean time from detection (T0) to recovery (entry into postmortem), in seconds.",
      type: "gauge",
      samples: single(metrics.mttr.seconds),
    },
    {
      name: "ir_phase_duration_seconds",
      help: "Mean duration of each completed response phase, in seconds.",
      type: "gauge",
      samples: Object.entries(metrics.phaseDurations).flatMap(([phase, mean]) =>
        mean.seconds === null ? [] : [{ labels: { phase }, value: mean.seconds }],
      ),
    },
    {
      name: "ir_sla_compliance_ratio",
      help: "Share of decided phases completed before their SLA deadline, per phase and severity.",
      type: "gauge",
      samples: metrics.slaCompliance.map(({ phase, severity, ratio }) => ({
        labels: { phase, severity },
        value: ratio,
      })),
    },
    {
      name: "ir_breaches_total",
      help: "SLA breaches (first page per phase clock) per ISO-8601 week.",
      type: "counter",
      samples: metrics.breachesPerWeek.map(({ week, breaches }) => ({ labels: { week }, value: breaches })),
    },
  ];
  const lines = families.flatMap((family) => [
    `# HELP ${family.name} ${family.help}`,
    `# TYPE ${family.name} ${family.type}`,
    ...family.samples.map((s) => sampleLine(family.name, s.labels, s.value)),
  ]);
  return `${lines.join("\n")}\n`;
}
