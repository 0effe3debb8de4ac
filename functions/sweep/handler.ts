/**
 * sweep (EventBridge schedule, every minute): the SLA clocks' heartbeat — app/sweep.ts batch after batch
 * until nothing due is left (`more` is false), bounded per invocation by `maxBatches` and by the time
 * left, so one invocation never runs into the next minute's. Whatever stays due is found by the next
 * sweep (clocks are data: a late sweep simply finds more). An error fails the invocation; the next
 * minute's sweep starts over, and commits already made stay made.
 *
 * Each sweep also emits the OpenIncidents gauge (open incidents per phase) for the dashboard: the sweep is
 * the one thing that runs every minute whatever happens. Once an hour it also emits the response metrics
 * (MTTA, time to contain, MTTR, SLA compliance, breaches per week — core/metrics) as CloudWatch EMF over
 * the newest RESPONSE_WINDOW incidents. A failure to count is logged, not raised — the clocks matter more.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import type { AppDeps } from "../../app/response-config";
import { sweep } from "../../app/sweep";
import { toEmfLines } from "../../core/metrics/emf";
import { responseMetrics } from "../../core/metrics/response-metrics";
import { dynamodbClient } from "../shared/clients/dynamodb";
import { once } from "../shared/config-parse";
import { createTelemetry, errorFields, type Telemetry } from "../shared/observability";
import { dynamoStore, observedStore, recordOpenIncidents, wallClock } from "../shared/runtime";
import { loadSweepConfig } from "./config";

/** Stop starting batches when less than this is left of the invocation. */
export const MIN_TIME_LEFT_MS = 10_000;

/** How many of the newest incidents the hourly response metrics cover. */
export const RESPONSE_WINDOW = 500;

const writeLine = (line: string) => process.stdout.write(`${line}\n`);

/** Response metrics as EMF lines on stdout (CloudWatch Logs turns them into metrics). */
export async function emitResponseMetrics(app: AppDeps, emit: (line: string) => void): Promise<number> {
  const incidents = await app.store.listIncidents({ limit: RESPONSE_WINDOW });
  const histories = await Promise.all(
    incidents.map(async (incident) => ({ incident, timeline: await app.store.timeline(incident.id) })),
  );
  const lines = toEmfLines(responseMetrics(histories), {
    namespace: "IncidentResponse",
    timestamp: Date.parse(app.clock.now()),
    service: app.config.serviceName,
  });
  for (const line of lines) emit(line);
  return lines.length;
}

export interface SweepHandlerDeps {
  /** Where EMF lines go (default stdout). */
  emit?: (line: string) => void;
  app: AppDeps;
  batchSize: number;
  maxBatches: number;
  telemetry: Telemetry;
}

export interface SweepSummary {
  batches: number;
  checked: number;
  changed: number;
  /** True when the invocation stopped with due incidents left (bounded): the next sweep takes them. */
  more: boolean;
}

export type SweepHandler = (event?: ScheduledEvent, context?: Context) => Promise<SweepSummary>;

export function createSweepHandler(deps: SweepHandlerDeps): SweepHandler {
  const { telemetry } = deps;
  return async (_event, context) => {
    if (context) telemetry.logger.addContext(context);
    const summary: SweepSummary = { batches: 0, checked: 0, changed: 0, more: true };
    try {
      while (summary.more && summary.batches < deps.maxBatches) {
        if (context && context.getRemainingTimeInMillis() < MIN_TIME_LEFT_MS) break;
        const outcome = await sweep(deps.app, deps.batchSize);
        summary.batches++;
        summary.checked += outcome.checked;
        summary.changed += outcome.changed;
        summary.more = outcome.more;
      }
      await recordOpenIncidents(deps.app.store, telemetry).catch((error: unknown) =>
        telemetry.logger.warn("open incidents not counted", errorFields(error)),
      );
      if (new Date(deps.app.clock.now()).getUTCMinutes() === 0)
        await emitResponseMetrics(deps.app, deps.emit ?? writeLine).catch((error: unknown) =>
          telemetry.logger.warn("response metrics not emitted", errorFields(error)),
        );
      telemetry.logger.info("sweep done", { ...summary });
      return summary;
    } finally {
      telemetry.flush();
    }
  };
}

const build = once(() => {
  const config = loadSweepConfig(process.env);
  const telemetry = createTelemetry({ serviceName: "sweep" });
  return createSweepHandler({
    app: {
      store: observedStore(dynamoStore(dynamodbClient(), config.tableName), telemetry),
      clock: wallClock,
      config: config.response,
    },
    batchSize: config.batchSize,
    maxBatches: config.maxBatches,
    telemetry,
  });
});

/** The Lambda entry point: wired from the environment on first use, once per container. */
export const handler: SweepHandler = async (event, context) => build()(event, context);
