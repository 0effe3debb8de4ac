/**
 * The messages on the advance queue (SQS FIFO) and how they are sent. Producers: ingest (findings) and
 * slack (responder actions); anything that may change an incident from outside can send an incident event.
 *
 * The body is JSON with a `kind` that routes it (a finding has a `kind` of its own, so it travels wrapped):
 * - `finding`: `{ kind, finding }` → app/ingest ingestFinding;
 * - `responder-action`: `{ kind, incidentId, action, actor, at }` → the action as an incident event at the
 *   moment the person acted (not when the queue delivered it);
 * - `incident-event`: `{ kind, incidentId, event }` → app/advance.
 *
 * FIFO keys: MessageGroupId orders a finding's incident work (the correlation key, hashed: SQS allows 128
 * characters of a restricted set, keys are free text); MessageDeduplicationId drops re-deliveries within
 * SQS's 5-minute window (a finding's identity + updatedAt + count: the facts that make it new).
 *
 * The schema the advance function checks bodies with is advance-message-schema.ts; producers (ingest,
 * slack) only serialize typed values and do not load it.
 */
import { createHash } from "node:crypto";
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Finding } from "../../core/findings/finding";
import type { AdvanceMessage } from "./advance-message-schema";

export type { AdvanceMessage } from "./advance-message-schema";

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** Whole messages are at most this big, and so is one SendMessageBatch (SQS's default limit). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH_ENTRIES = 10;

export interface OutgoingMessage {
  body: string;
  groupId: string;
  deduplicationId: string;
}

export function findingMessage(finding: Finding): OutgoingMessage {
  return {
    body: JSON.stringify({ kind: "finding", finding } satisfies AdvanceMessage),
    groupId: sha256(finding.correlationKey),
    deduplicationId: sha256(`${finding.identity}|${finding.updatedAt}|${finding.count}`),
  };
}

export function incidentMessage(
  message: Extract<AdvanceMessage, { kind: "responder-action" | "incident-event" }>,
): OutgoingMessage {
  const body = JSON.stringify(message);
  return { body, groupId: sha256(`incident:${message.incidentId}`), deduplicationId: sha256(body) };
}

export class QueueSendError extends Error {
  override readonly name = "QueueSendError";
}

const bytes = (message: OutgoingMessage) =>
  Buffer.byteLength(message.body, "utf8") + message.groupId.length + message.deduplicationId.length;

/** Batches of at most 10 entries and MAX_MESSAGE_BYTES, in order. */
export function batchesOf(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let size = 0;
  for (const message of messages) {
    const b = bytes(message);
    if (b > MAX_MESSAGE_BYTES) {
      throw new QueueSendError(`an advance message of ${b} bytes exceeds SQS's ${MAX_MESSAGE_BYTES} bytes`);
    }
    if (current.length === MAX_BATCH_ENTRIES || size + b > MAX_MESSAGE_BYTES) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += b;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends every message or throws: a partially failed batch throws QueueSendError naming the failed entries'
 * codes, so the caller's event source retries (the FIFO deduplication id makes the resend of the entries
 * that did land harmless within 5 minutes, and ingest dedupes by finding identity after that).
 */
export async function sendToAdvanceQueue(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
): Promise<void> {
  for (const batch of batchesOf(messages)) {
    const entries: SendMessageBatchRequestEntry[] = batch.map((message, i) => ({
      Id: `m${i}`,
      MessageBody: message.body,
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
    }));
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    if (Failed.length > 0) {
      const codes = Failed.map(
        (f) => `${f.Id}: ${f.Code ?? "unknown"}${f.SenderFault ? " (sender fault)" : ""}`,
      );
      throw new QueueSendError(
        `SQS SendMessageBatch failed ${Failed.length} of ${entries.length}: ${codes.join(", ")}`,
      );
    }
  }
}
