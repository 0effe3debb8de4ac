/**
 * Advance queue messages: FIFO keys SQS accepts for any correlation key, deduplication ids that change
 * exactly with the facts that make a finding new, batches within SQS's limits, and a partially failed
 * batch surfacing as an error.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import {
  batchesOf,
  findingMessage,
  MAX_MESSAGE_BYTES,
  type OutgoingMessage,
  QueueSendError,
  sendToAdvanceQueue,
} from "../../../functions/shared/advance-message";
import { advanceMessageSchema } from "../../../functions/shared/advance-message-schema";
import { makeFinding } from "../../support/incident-record.factory";
import { QUEUE_URL } from "../support/lambda-events.factory";
import { firstFindingOf, GUARDDUTY_EVENT } from "../support/pipeline";

/** SQS: MessageGroupId / MessageDeduplicationId are 1–128 chars of alphanumerics and punctuation. */
const SQS_ID = /^[\x21-\x7e]{1,128}$/;

const client = new SQSClient({ region: "us-east-1" });
const sqs = mockClient(client);
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

const message = (bytes: number, n: number): OutgoingMessage => ({
  body: "x".repeat(bytes),
  groupId: `g${n}`,
  deduplicationId: `d${n}`,
});

describe("advance queue messages", () => {
  it("wraps a finding so it parses back as the same finding", () => {
    // Prepare
    const finding = firstFindingOf(GUARDDUTY_EVENT);

    // Act
    const parsed = advanceMessageSchema.parse(JSON.parse(findingMessage(finding).body));

    // Assess
    expect(parsed).toEqual({ kind: "finding", finding });
  });

  it("derives FIFO ids SQS accepts from any correlation key and identity", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 2000 }),
        fc.string({ maxLength: 500 }),
        (key, identity) => {
          // Prepare
          const finding = makeFinding({ correlationKey: key || "k", identity: identity || "i" });

          // Act
          const { groupId, deduplicationId } = findingMessage(finding);

          // Assess
          expect(groupId).toMatch(SQS_ID);
          expect(deduplicationId).toMatch(SQS_ID);
        },
      ),
    );
  });

  it("groups findings of one correlation key together and deduplicates on identity, updatedAt and count", () => {
    // Prepare
    const base = makeFinding();
    const sameFacts = { ...base, title: "retitled", description: "changed" };
    const later = { ...base, updatedAt: "2030-01-01T00:00:00.000Z" };
    const counted = { ...base, count: base.count + 1 };
    const elsewhere = { ...base, correlationKey: `${base.correlationKey}-other` };

    // Act
    const ids = [base, sameFacts, later, counted, elsewhere].map(findingMessage);

    // Assess
    expect(ids[1]!.deduplicationId).toBe(ids[0]!.deduplicationId);
    expect(ids[2]!.deduplicationId).not.toBe(ids[0]!.deduplicationId);
    expect(ids[3]!.deduplicationId).not.toBe(ids[0]!.deduplicationId);
    expect(ids[3]!.groupId).toBe(ids[0]!.groupId);
    expect(ids[4]!.groupId).not.toBe(ids[0]!.groupId);
  });

  it("batches at most 10 messages and at most 256 KiB per SendMessageBatch, in order", () => {
    // Prepare
    const small = Array.from({ length: 23 }, (_, n) => message(10, n));
    const big = [message(100_000, 1), message(100_000, 2), message(100_000, 3)];

    // Act
    const smallBatches = batchesOf(small);
    const bigBatches = batchesOf(big);

    // Assess
    expect(smallBatches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(smallBatches.flat()).toEqual(small);
    expect(bigBatches.map((b) => b.map((m) => m.groupId))).toEqual([["g1", "g2"], ["g3"]]);
    expect(() => batchesOf([message(MAX_MESSAGE_BYTES, 9)])).toThrow(QueueSendError);
  });

  it("sends each batch with positional entry ids and fails when SQS refuses any entry", async () => {
    // Prepare
    const messages = Array.from({ length: 12 }, (_, n) => message(5, n));
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [] })
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: "m1", Code: "InvalidParameterValue", SenderFault: true }],
      });

    // Act
    const run = sendToAdvanceQueue(client, QUEUE_URL, messages);

    // Assess
    await expect(run).rejects.toThrow(
      "SQS SendMessageBatch failed 1 of 2: m1: InvalidParameterValue (sender fault)",
    );
    const inputs = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Entries!.map((e) => e.Id))).toEqual([
      ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"],
      ["m0", "m1"],
    ]);
    expect(inputs[1]!.Entries![1]).toEqual({
      Id: "m1",
      MessageBody: messages[11]!.body,
      MessageGroupId: "g11",
      MessageDeduplicationId: "d11",
    });
  });

  it("sends nothing for no messages", async () => {
    // Act
    await sendToAdvanceQueue(client, QUEUE_URL, []);

    // Assess
    expect(sqs.commandCalls(SendMessageBatchCommand)).toEqual([]);
  });
});
