/**
 * dispatch (DynamoDB stream of the incident table, filtered by OUTBOX_STREAM_FILTER: new outbox items
 * only; ReportBatchItemFailures): each new command → app/dispatch with the executor over the AWS
 * capabilities (capabilities.ts), which executes it and commits its result with the change it causes.
 *
 * Idempotency: app/dispatch re-reads the command (consistent read) and skips one that already has a
 * result, so a redelivered stream record never acts twice; the adapters are idempotent on the command id
 * for the window in between.
 *
 * Records are processed one after another, in stream order: an incident's commands must run in the order
 * the workflow issued them (its message is posted before it is updated).
 *
 * RetryLaterError (rate limit, throttling, a reply waiting for its incident message): the command stays
 * pending and its record is reported in batchItemFailures, so Lambda retries the stream from it (records
 * after it are redelivered too and skipped as already done). Before answering, the invocation pauses for
 * the longest Retry-After it was given, capped by MAX_PAUSE_MS and the time left, so the retry does not
 * spin. Retries are bounded by the event source mapping (MaximumRetryAttempts / MaximumRecordAgeInSeconds);
 * past them the batch goes to the mapping's on-failure destination and the command stays pending in the
 * table (the `pending` index lists it for a redrive).
 * Any other error also fails its record and is retried the same way; a command's own failure (the adapter
 * refused for good) is not an error here: it is recorded as `failed` on the incident.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { Item } from "../../adapters/dynamodb/attributes";
import { storedCommand } from "../../adapters/dynamodb/items";
import { type DispatchDeps, dispatch } from "../../app/dispatch";
import { createCommandExecutor } from "../../app/execute-command";
import type { StoredCommand } from "../../core/ports/incident-store";
import { dynamodbClient } from "../shared/clients/dynamodb";
import { once } from "../shared/config-parse";
import { createTelemetry, errorFields, type Telemetry } from "../shared/observability";
import { dynamoStore, observedStore, wallClock } from "../shared/runtime";
import { awsCapabilities } from "./capabilities";
import { createDispatchClients } from "./clients";
import { loadDispatchConfig } from "./config";

export const MAX_PAUSE_MS = 10_000;
/** Time kept free at the end of an invocation for answering Lambda. */
const SAFETY_MS = 2_000;

export interface DispatchHandlerDeps {
  dispatch: DispatchDeps;
  telemetry: Telemetry;
  maxPauseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type DispatchHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

class RetryLater extends Error {
  override readonly name = "RetryLater";
  constructor(
    commandId: string,
    readonly retryAfterMs: number,
  ) {
    super(`command ${commandId} must be retried in ${retryAfterMs} ms`);
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The outbox command a stream record announces, or undefined for anything else. */
export function commandOf(record: DynamoDBRecord): StoredCommand | undefined {
  const image = record.dynamodb?.NewImage as Item | undefined;
  if (record.eventName !== "INSERT" || image?.entity?.S !== "command") return undefined;
  return storedCommand(image);
}

export function createDispatchHandler(deps: DispatchHandlerDeps): DispatchHandler {
  const { telemetry } = deps;
  const { logger } = telemetry;
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const maxPauseMs = deps.maxPauseMs ?? MAX_PAUSE_MS;
  const sleep = deps.sleep ?? realSleep;
  let pauseMs = 0;

  async function onRecord(record: DynamoDBRecord): Promise<void> {
    const sequence = record.dynamodb?.SequenceNumber;
    let command: StoredCommand | undefined;
    try {
      command = commandOf(record);
    } catch (error) {
      // Only our store writes outbox items; an unreadable image cannot become readable by retrying.
      logger.error("unreadable outbox stream record skipped", { sequence, ...errorFields(error) });
      return;
    }
    if (!command) {
      logger.debug("not an outbox insert; skipped", { sequence, eventName: record.eventName });
      return;
    }
    const { id, incidentId, type } = command;
    await telemetry.withIncident(incidentId, async () => {
      let outcome: Awaited<ReturnType<typeof dispatch>>;
      try {
        outcome = await dispatch(deps.dispatch, command);
      } catch (error) {
        logger.error("dispatch failed; the record will be retried", {
          commandId: id,
          type,
          ...errorFields(error),
        });
        throw error;
      }
      logger.info("command dispatched", { commandId: id, type, status: outcome.status });
      if (outcome.status === "retry-later") {
        pauseMs = Math.max(pauseMs, outcome.retryAfterMs);
        throw new RetryLater(id, outcome.retryAfterMs);
      }
    });
  }

  return async (event, context) => {
    if (context) logger.addContext(context);
    pauseMs = 0;
    try {
      const response = await processPartialResponse(event, onRecord, processor, {
        ...(context ? { context } : {}),
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
      if (pauseMs > 0) {
        const left = context ? context.getRemainingTimeInMillis() - SAFETY_MS : maxPauseMs;
        const pause = Math.max(0, Math.min(pauseMs, maxPauseMs, left));
        if (pause > 0) await sleep(pause);
      }
      return response;
    } finally {
      telemetry.flush();
    }
  };
}

const build = once(() => {
  const config = loadDispatchConfig(process.env);
  const telemetry = createTelemetry({ serviceName: "dispatch" });
  const store = observedStore(dynamoStore(dynamodbClient(), config.tableName), telemetry);
  return createDispatchHandler({
    dispatch: {
      store,
      clock: wallClock,
      config: config.response,
      executor: createCommandExecutor(
        store,
        awsCapabilities(config, createDispatchClients(), telemetry, { store, clock: wallClock }),
      ),
    },
    telemetry,
  });
});

/** The Lambda entry point: wired from the environment on first use, once per container. */
export const handler: DispatchHandler = async (event, context) => build()(event, context);
