/**
 * ingest (EventBridge rule target): one event → findings → the advance queue (DESIGN §4).
 *
 * - The event is explained as text (core/explain): input that cannot be understood is quarantined with
 *   its reason (DynamoDbQuarantine), never dropped; our own lifecycle events coming back are ignored, and
 *   so are our own incident findings re-imported by Security Hub (no self-loop).
 * - Each finding goes to the FIFO queue grouped by its correlation key (hashed), deduplicated on
 *   identity + updatedAt + count (functions/shared/advance-message.ts).
 * - Any failure to quarantine or enqueue throws: the asynchronous invocation is retried by Lambda and
 *   then lands on the function's on-failure destination. Resending is harmless (FIFO deduplication, then
 *   ingest's own dedupe by finding identity).
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, EventBridgeEvent } from "aws-lambda";
import type { ResponseConfig } from "../../app/response-config";
import { isOwnFinding } from "../../core/correlation/decide-finding";
import { explain } from "../../core/explain";
import type { Clock } from "../../core/ports/clock";
import type { Quarantine } from "../../core/ports/quarantine";
import { findingMessage, type OutgoingMessage, sendToAdvanceQueue, sha256 } from "../shared/advance-message";
import { dynamodbClient } from "../shared/clients/dynamodb";
import { sqsClient } from "../shared/clients/sqs";
import { once } from "../shared/config-parse";
import { createTelemetry, type Telemetry } from "../shared/observability";
import { dynamoQuarantine, wallClock } from "../shared/runtime";
import { loadIngestConfig } from "./config";

export interface IngestHandlerDeps {
  quarantine: Quarantine;
  sqs: SQSClient;
  queueUrl: string;
  config: Pick<ResponseConfig, "serviceName" | "normalize">;
  clock: Clock;
  telemetry: Telemetry;
}

export interface IngestSummary {
  eventId: string;
  /** Units the event held (one, or several for containers). */
  inputs: number;
  queued: number;
  quarantined: number;
  /** Our own lifecycle events and incident findings. */
  ignored: number;
}

export type IngestHandler = (
  event: EventBridgeEvent<string, unknown>,
  context?: Context,
) => Promise<IngestSummary>;

const fieldOf = (event: unknown, name: string): string | undefined => {
  const value =
    typeof event === "object" && event !== null ? (event as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value.slice(0, 200) : undefined;
};

export function createIngestHandler(deps: IngestHandlerDeps): IngestHandler {
  const { telemetry, config } = deps;
  return async (event, context) => {
    if (context) telemetry.logger.addContext(context);
    try {
      const text = JSON.stringify(event ?? null);
      const rawRef = fieldOf(event, "id") ?? `sha256:${sha256(text).slice(0, 32)}`;
      const { results } = explain(text, {
        rawRef,
        ownSource: config.serviceName,
        normalize: config.normalize,
      });
      const summary: IngestSummary = {
        eventId: rawRef,
        inputs: results.length,
        queued: 0,
        quarantined: 0,
        ignored: 0,
      };
      const messages: OutgoingMessage[] = [];
      for (const result of results) {
        if (result.error) {
          await deps.quarantine.put({
            id: `${rawRef}#${result.input}`,
            receivedAt: deps.clock.now(),
            channel: "eventbridge",
            error: result.error,
            raw: text,
          });
          telemetry.metric("InputQuarantined");
          telemetry.logger.warn("input quarantined", {
            eventId: rawRef,
            input: result.input,
            ...result.error,
          });
          summary.quarantined++;
          continue;
        }
        if (result.ignored) summary.ignored++;
        for (const finding of result.findings) {
          if (isOwnFinding(finding, config.serviceName)) summary.ignored++;
          else messages.push(findingMessage(finding));
        }
      }
      await sendToAdvanceQueue(deps.sqs, deps.queueUrl, messages);
      summary.queued = messages.length;
      telemetry.logger.info("event ingested", {
        ...summary,
        source: fieldOf(event, "source"),
        detailType: fieldOf(event, "detail-type"),
      });
      return summary;
    } finally {
      telemetry.flush();
    }
  };
}

const build = once(() => {
  const config = loadIngestConfig(process.env);
  return createIngestHandler({
    quarantine: dynamoQuarantine(dynamodbClient(), config.tableName, config.quarantineRetentionDays),
    sqs: sqsClient(),
    queueUrl: config.advanceQueueUrl,
    config: config.response,
    clock: wallClock,
    telemetry: createTelemetry({ serviceName: "ingest" }),
  });
});

/** The Lambda entry point: wired from the environment on first use, once per container. */
export const handler: IngestHandler = async (event, context) => build()(event, context);
