/**
 * Telemetry for handler tests: metrics are recorded (name, value) instead of printed as EMF, and log lines
 * are captured as parsed JSON (the real Powertools Logger, writing to a buffer) so tests can assert what
 * is — and is not — logged.
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { createTelemetry, type MetricName, type Telemetry } from "../../../functions/shared/observability";

export interface RecordingTelemetry {
  telemetry: Telemetry;
  metrics: Array<{ name: MetricName; value: number; dimensions?: Record<string, string> }>;
  /** Sum of a metric's recorded values. */
  total(name: MetricName): number;
  /** Every log line written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Every log line as written (to search for text that must never appear). */
  text(): string;
}

export function recordingTelemetry(): RecordingTelemetry {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = new Logger({ serviceName: "test", logLevel: "DEBUG" });
  // Powertools writes through its own Console; point it at the buffer.
  (logger as unknown as { console: Console }).console = new Console({ stdout: sink, stderr: sink });
  const base = createTelemetry({
    serviceName: "test",
    logger,
    metrics: new Metrics({ serviceName: "test", namespace: "Test" }),
  });
  const metrics: RecordingTelemetry["metrics"] = [];
  const telemetry: Telemetry = {
    logger,
    metric(name, value = 1, dimensions) {
      metrics.push({ name, value, ...(dimensions ? { dimensions: { ...dimensions } } : {}) });
    },
    withIncident: base.withIncident,
    flush() {},
  };
  const text = () => chunks.join("");
  return {
    telemetry,
    metrics,
    total: (name) => metrics.filter((m) => m.name === name).reduce((sum, m) => sum + m.value, 0),
    text,
    lines: () =>
      text()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
