/**
 * advance (SQS FIFO event source, ReportBatchItemFailures): each message changes at most one incident
 * through the app use-cases — a finding through ingestFinding (load → decide → step → commit), a
 * responder action or an incident event through advance. Version conflicts are re-applied inside them.
 *
 * Failure semantics (Powertools SqsFifoPartialProcessorAsync, skipGroupOnError):
 * - a message that can never be understood (not JSON, wrong shape, an action the workflow refuses as
 *   malformed) is quarantined with its reason and acknowledged: retrying it would change nothing;
 * - any other error fails that message AND the later messages of its group in this batch (FIFO order
 *   within a group must hold), while other groups go on. SQS redelivers them after the visibility timeout
 *   and moves a message that keeps failing to the queue's DLQ (maxReceiveCount).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { eventFor } from "../../app/act";
import { advance } from "../../app/advance";
import { type IngestDeps, ingestFinding } from "../../app/ingest";
import { InputError } from "../../core/errors";
import { type AdvanceMessage, advanceMessageSchema } from "../shared/advance-message-schema";
import { dynamodbClient } from "../shared/clients/dynamodb";
import { once } from "../shared/config-parse";
import { createTelemetry, errorFields, type Telemetry } from "../shared/observability";
import {
  dynamoQuarantine,
  dynamoStore,
  observedStore,
  randomIncidentIds,
  wallClock,
} from "../shared/runtime";
import { loadAdvanceConfig } from "./config";

export interface AdvanceHandlerDeps extends IngestDeps {
  telemetry: Telemetry;
}

export type AdvanceHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Finding decisions that mean "we already had this": counted as DuplicateSuppressed. */
const DUPLICATE_DECISIONS: ReadonlySet<string> = new Set(["duplicate", "stale"]);

export function parseAdvanceMessage(body: string): AdvanceMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InputError("invalid_json", "the message body is not JSON");
  }
  const parsed = advanceMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ["$", ...(issue?.path ?? []).map(String)].join(".");
    throw new InputError("invalid_shape", `not an advance message: ${issue?.message ?? "invalid"}`, path);
  }
  return parsed.data;
}

export function createAdvanceHandler(deps: AdvanceHandlerDeps): AdvanceHandler {
  const { telemetry } = deps;
  const { logger } = telemetry;
  const processor = new SqsFifoPartialProcessorAsync();

  async function apply(message: AdvanceMessage, messageId: string): Promise<void> {
    switch (message.kind) {
      case "finding": {
        const outcome = await ingestFinding(deps, message.finding);
        if (DUPLICATE_DECISIONS.has(outcome.decision)) telemetry.metric("DuplicateSuppressed");
        const incidentId = "incidentId" in outcome ? outcome.incidentId : undefined;
        const log = () => logger.info("finding ingested", { messageId, decision: outcome.decision });
        if (incidentId) await telemetry.withIncident(incidentId, async () => log());
        else log();
        return;
      }
      case "responder-action": {
        const { incidentId, action, actor, at } = message;
        await telemetry.withIncident(incidentId, async () => {
          const outcome = await advance(deps, incidentId, eventFor(action, actor, at));
          logger.info("responder action applied", {
            messageId,
            action: action.type,
            actor,
            status: outcome.status,
          });
        });
        return;
      }
      case "incident-event": {
        const { incidentId, event } = message;
        await telemetry.withIncident(incidentId, async () => {
          const outcome = await advance(deps, incidentId, event);
          logger.info("incident event applied", { messageId, event: event.type, status: outcome.status });
        });
        return;
      }
      default: {
        const unknown: never = message;
        throw new Error(`unhandled advance message ${(unknown as { kind: string }).kind}`);
      }
    }
  }

  async function onRecord(record: SQSRecord): Promise<void> {
    try {
      await apply(parseAdvanceMessage(record.body), record.messageId);
    } catch (error) {
      if (!(error instanceof InputError)) {
        logger.error("advance message failed; it will be retried", {
          messageId: record.messageId,
          ...errorFields(error),
        });
        throw error;
      }
      await deps.quarantine.put({
        id: `sqs:${record.messageId}`,
        receivedAt: deps.clock.now(),
        channel: "sqs",
        error: error.toJSON(),
        raw: record.body,
      });
      telemetry.metric("InputQuarantined");
      logger.warn("advance message quarantined", { messageId: record.messageId, ...error.toJSON() });
    }
  }

  return async (event, context) => {
    if (context) telemetry.logger.addContext(context);
    try {
      return await processPartialResponse(event, onRecord, processor, {
        ...(context ? { context } : {}),
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      });
    } finally {
      telemetry.flush();
    }
  };
}

const build = once(() => {
  const config = loadAdvanceConfig(process.env);
  const telemetry = createTelemetry({ serviceName: "advance" });
  const dynamodb = dynamodbClient();
  return createAdvanceHandler({
    store: observedStore(dynamoStore(dynamodb, config.tableName), telemetry),
    quarantine: dynamoQuarantine(dynamodb, config.tableName, config.quarantineRetentionDays),
    ids: randomIncidentIds(),
    clock: wallClock,
    config: config.response,
    telemetry,
  });
});

/** The Lambda entry point: wired from the environment on first use, once per container. */
export const handler: AdvanceHandler = async (event, context) => build()(event, context);
