/**
 * DynamoDB adapters against dynalite in-process (transactions emulated: see test/support/dynalite.ts):
 * the shared contract, plus the table layout's own promises — sparse indexes, the LATEST pointer, the
 * transaction size cap, cancellation-reason mapping, quarantine truncation and day partitions.
 */
import {
  DescribeTableCommand,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CommitTooLargeError,
  DynamoDbIncidentStore,
  MAX_TRANSACTION_ITEMS,
} from "../../../adapters/dynamodb/incident-store";
import { DynamoDbQuarantine, RAW_BUDGET_BYTES, truncateUtf8 } from "../../../adapters/dynamodb/quarantine";
import {
  createTableInput,
  INDEX,
  OUTBOX_STREAM_FILTER,
  SHARDS,
  shardOf,
} from "../../../adapters/dynamodb/table";
import { VersionConflictError } from "../../../core/ports/incident-store";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import {
  at,
  makeCommandResult,
  makeCommit,
  makeQuarantinedInput,
  makeTimelineEntry,
  T0,
} from "../../support/incident-record.factory";
import { describeIncidentStoreContract } from "../incident-store.contract";

let dynamo: Dynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

describeIncidentStoreContract("dynamodb", async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbIncidentStore({ client: dynamo.client, tableName }),
    quarantine: new DynamoDbQuarantine({ client: dynamo.client, tableName }),
    // Tables are left to die with the in-memory server: deleting costs time and proves nothing.
    teardown: async () => {},
  };
});

describe("DynamoDB incident table", () => {
  let tableName: string;
  let store: DynamoDbIncidentStore;

  beforeEach(async () => {
    tableName = await dynamo.createTable();
    store = new DynamoDbIncidentStore({ client: dynamo.client, tableName });
  });

  const getItem = async (pk: string, sk: string) =>
    (
      await dynamo.client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } } }),
      )
    ).Item;
  const indexItems = async (index: string, keyName: string, key: string) =>
    (
      await dynamo.client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index,
          KeyConditionExpression: "#k = :k",
          ExpressionAttributeNames: { "#k": keyName },
          ExpressionAttributeValues: { ":k": { S: key } },
        }),
      )
    ).Items ?? [];

  it("is created from the exported definition with its four sparse GSIs", async () => {
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));

    expect(Table?.KeySchema).toEqual(createTableInput(tableName).KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      Object.values(INDEX).sort(),
    );
    expect(createTableInput(tableName).StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: "NEW_IMAGE",
    });
  });

  it("writes the layout the stream filter and the CDK app rely on", async () => {
    const commit = makeCommit("inc-a", { commands: 1, incident: { correlationKey: "k-a" } });

    await store.commit(commit);

    const incident = await getItem("INCIDENT#inc-a", "META");
    expect(incident).toMatchObject({
      duePk: { S: `DUE#${shardOf("inc-a")}` },
      dueAt: { S: `${commit.incident.nextDeadline}#inc-a` },
      statusPk: { S: `OPEN#${shardOf("inc-a")}` },
    });
    expect(await getItem("CORR#k-a", "META")).toMatchObject({ incidentId: { S: "inc-a" } });
    const command = await getItem("INCIDENT#inc-a", "CMD#inc-a:1:0");
    expect(command?.entity).toEqual({ S: OUTBOX_STREAM_FILTER.dynamodb.NewImage.entity.S[0] });
    expect(command?.pendingPk).toEqual({ S: `PENDING#${shardOf("inc-a")}` });
    expect(await getItem("INCIDENT#inc-a", "TL#0000000001:00000")).toBeDefined();
  });

  it("removes due and pending index keys when the clock stops and the result is recorded", async () => {
    await store.commit(makeCommit("inc-a", { commands: 1, incident: { correlationKey: "k-a" } }));

    await store.commit(
      makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: "k-a", nextDeadline: null } }),
    );
    await store.recordCommandResult("inc-a:1:0", { status: "succeeded", at: at(1) });

    const shard = shardOf("inc-a");
    expect(await indexItems(INDEX.due, "duePk", `DUE#${shard}`)).toEqual([]);
    expect(await indexItems(INDEX.pending, "pendingPk", `PENDING#${shard}`)).toEqual([]);
    const incident = await getItem("INCIDENT#inc-a", "META");
    expect(incident).not.toHaveProperty("duePk");
    expect(incident).not.toHaveProperty("dueAt");
  });

  it("moves the incident between the OPEN and CLOSED listing partitions and releases the lock", async () => {
    await store.commit(makeCommit("inc-a", { incident: { correlationKey: "k-a" } }));

    await store.commit(
      makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: "k-a", open: false } }),
    );

    const shard = shardOf("inc-a");
    expect(await indexItems(INDEX.byStatus, "statusPk", `OPEN#${shard}`)).toEqual([]);
    expect(await indexItems(INDEX.byStatus, "statusPk", `CLOSED#${shard}`)).toHaveLength(1);
    expect(await getItem("CORR#k-a", "META")).toBeUndefined();
  });

  it("spreads ids over every due shard, deterministically", () => {
    const shards = Array.from({ length: 200 }, (_, i) => shardOf(`inc-${i}`));

    expect(new Set(shards)).toEqual(new Set(Array.from({ length: SHARDS }, (_, i) => i)));
    expect(shards.map((_, i) => shardOf(`inc-${i}`))).toEqual(shards);
  });

  it("refuses a commit that needs more than 100 transaction items, before writing anything", async () => {
    // 1 incident + 1 lock + 1 latest pointer + 97 timeline entries = 100 fits; one more entry does not.
    const fits = makeCommit("inc-fit", {
      incident: { correlationKey: "k-fit" },
      timeline: Array.from({ length: MAX_TRANSACTION_ITEMS - 3 }, (_, n) =>
        makeTimelineEntry({ text: `e${n}` }),
      ),
    });
    const tooBig = makeCommit("inc-big", {
      incident: { correlationKey: "k-big" },
      commands: 50,
      timeline: Array.from({ length: 48 }, (_, n) => makeTimelineEntry({ text: `e${n}` })),
    });

    await store.commit(fits);
    const error = await store.commit(tooBig).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(await store.timeline("inc-fit")).toHaveLength(MAX_TRANSACTION_ITEMS - 3);
    expect(error).toBeInstanceOf(CommitTooLargeError);
    expect(error).toMatchObject({ incidentId: "inc-big", itemCount: 101 });
    expect(await store.getIncident("inc-big")).toBeUndefined();
    expect(await getItem("CORR#k-big", "META")).toBeUndefined();
  });

  it("counts command results toward the cap and drops recorded commands from the pending index", async () => {
    // Prepare: 1 incident + 1 lock + 1 pointer + 97 commands = 100. The update keeps key and openedAt, so
    // it needs no lock or pointer item: 1 incident + 97 results + 2 timeline entries = 100 fits.
    const commands = MAX_TRANSACTION_ITEMS - 3;
    await store.commit(makeCommit("inc-r", { commands, timeline: [], incident: { correlationKey: "k-r" } }));
    const results = Array.from({ length: commands }, (_, n) => makeCommandResult(`inc-r:1:${n}`));
    const entries = (count: number) =>
      Array.from({ length: count }, (_, n) => makeTimelineEntry({ text: `e${n}` }));
    const update = (timeline: number) =>
      makeCommit("inc-r", {
        expectedVersion: 1,
        incident: { correlationKey: "k-r" },
        commandResults: results,
        timeline: entries(timeline),
      });

    // Act
    const error = await store.commit(update(3)).catch((e: unknown) => e);
    const pendingBefore = await indexItems(INDEX.pending, "pendingPk", `PENDING#${shardOf("inc-r")}`);
    await store.commit(update(2));

    // Assess
    expect(error).toBeInstanceOf(CommitTooLargeError);
    expect(error).toMatchObject({ incidentId: "inc-r", itemCount: MAX_TRANSACTION_ITEMS + 1 });
    expect(pendingBefore).toHaveLength(commands);
    expect(await indexItems(INDEX.pending, "pendingPk", `PENDING#${shardOf("inc-r")}`)).toEqual([]);
    const recorded = await getItem("INCIDENT#inc-r", "CMD#inc-r:1:96");
    expect(recorded).toMatchObject({ status: { S: "succeeded" }, completedAt: { S: at(5) } });
    expect(recorded).not.toHaveProperty("pendingPk");
    expect(recorded).not.toHaveProperty("pendingSk");
    expect(await store.getIncident("inc-r")).toMatchObject({ version: 2 });
  });

  it("keeps a LATEST pointer per key that outlives the lock and moves only to a newer incident", async () => {
    // Prepare
    await store.commit(makeCommit("inc-a", { incident: { correlationKey: "k", openedAt: at(0) } }));
    const afterCreate = await getItem("LATEST#k", "META");

    // Act
    await store.commit(
      makeCommit("inc-a", {
        expectedVersion: 1,
        incident: { correlationKey: "k", openedAt: at(0), open: false },
      }),
    );
    const afterClose = await getItem("LATEST#k", "META");
    await store.commit(makeCommit("inc-b", { incident: { correlationKey: "k", openedAt: at(10) } }));
    const afterReopen = await getItem("LATEST#k", "META");

    // Assess
    expect(afterCreate).toMatchObject({ incidentId: { S: "inc-a" }, openedOrder: { S: `${at(0)}#inc-a` } });
    expect(afterClose).toEqual(afterCreate);
    expect(await getItem("CORR#k", "META")).toMatchObject({ incidentId: { S: "inc-b" } });
    expect(afterReopen).toMatchObject({ incidentId: { S: "inc-b" }, openedOrder: { S: `${at(10)}#inc-b` } });
  });

  it("reports the lock as the cause only when the incident itself was not in conflict", async () => {
    await store.commit(makeCommit("inc-a", { incident: { correlationKey: "k" } }));

    const lockOnly = await store
      .commit(makeCommit("inc-b", { incident: { correlationKey: "k" } }))
      .catch((e) => e);
    const both = await store
      .commit(makeCommit("inc-a", { incident: { correlationKey: "k" } }))
      .catch((e) => e);

    expect(lockOnly).toBeInstanceOf(VersionConflictError);
    expect(lockOnly.correlationKey).toBe("k");
    expect(both).toBeInstanceOf(VersionConflictError);
    expect(both.correlationKey).toBeUndefined();
  });

  it("emulates TransactionCanceledException with one reason per item, as DynamoDB does", async () => {
    await store.commit(makeCommit("inc-a", { incident: { correlationKey: "k" } }));
    const put = (pk: string) => ({
      Put: {
        TableName: tableName,
        Item: { pk: { S: pk }, sk: { S: "META" } },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    });

    const error = await dynamo.client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [put("NEW#1"), put("INCIDENT#inc-a"), put("CORR#k")],
        }),
      )
      .catch((e) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error.CancellationReasons.map((r: { Code: string }) => r.Code)).toEqual([
      "None",
      "ConditionalCheckFailed",
      "ConditionalCheckFailed",
    ]);
    expect(await getItem("NEW#1", "META")).toBeUndefined();
  });
});

describe("DynamoDB quarantine", () => {
  let tableName: string;

  beforeEach(async () => {
    tableName = await dynamo.createTable();
  });

  it("truncates raw input that would pass the 400 KB item limit, visibly, and keeps small input whole", async () => {
    const quarantine = new DynamoDbQuarantine({ client: dynamo.client, tableName, now: () => new Date(T0) });
    const big = "é".repeat(300 * 1024); // 600 KiB of UTF-8

    await quarantine.put(
      makeQuarantinedInput({
        id: "q-big",
        raw: big,
        error: { code: "too_large", message: "600 KiB", path: "$" },
      }),
    );
    await quarantine.put(makeQuarantinedInput({ id: "q-small", receivedAt: at(-1) }));

    const [kept, small] = await quarantine.list(10);
    expect(kept?.id).toBe("q-big");
    expect(kept?.raw.startsWith("é".repeat(1000))).toBe(true);
    expect(kept?.raw).toMatch(/…\[truncated by quarantine: kept the first \d+ of 614400 bytes\]$/);
    expect(Buffer.byteLength(kept?.raw ?? "", "utf8")).toBeLessThan(RAW_BUDGET_BYTES + 100);
    expect(small).toEqual(makeQuarantinedInput({ id: "q-small", receivedAt: at(-1) }));
  });

  it("lists across day partitions newest first, within the retention window", async () => {
    const now = "2024-05-10T08:00:00.000Z";
    const quarantine = new DynamoDbQuarantine({
      client: dynamo.client,
      tableName,
      retentionDays: 7,
      now: () => new Date(now),
    });
    const items = [
      makeQuarantinedInput({ id: "q-today", receivedAt: "2024-05-10T07:00:00.000Z" }),
      makeQuarantinedInput({ id: "q-yesterday", receivedAt: "2024-05-09T23:59:59.000Z" }),
      makeQuarantinedInput({ id: "q-last-week", receivedAt: "2024-05-04T00:00:00.000Z" }),
      makeQuarantinedInput({ id: "q-expired", receivedAt: "2024-04-01T00:00:00.000Z" }),
    ];

    for (const item of items) await quarantine.put(item);

    expect((await quarantine.list(10)).map((q) => q.id)).toEqual(["q-today", "q-yesterday", "q-last-week"]);
    expect((await quarantine.list(2)).map((q) => q.id)).toEqual(["q-today", "q-yesterday"]);
    const stored = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: "QUARANTINE#2024-05-10" }, sk: { S: "2024-05-10T07:00:00.000Z#q-today" } },
      }),
    );
    expect(stored.Item?.expiresAt).toEqual({
      N: String(Date.parse("2024-05-10T07:00:00.000Z") / 1000 + 7 * 86_400),
    });
  });

  it("truncates UTF-8 on a character boundary and never grows the text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.integer({ min: 0, max: 800 }),
        (text, max) => {
          const { text: cut, cut: wasCut } = truncateUtf8(text, max);

          expect(Buffer.byteLength(cut, "utf8")).toBeLessThanOrEqual(
            Math.max(max, wasCut ? 0 : Buffer.byteLength(text)),
          );
          expect(text.startsWith(cut)).toBe(true);
          expect(wasCut).toBe(Buffer.byteLength(text, "utf8") > max);
        },
      ),
    );
  });
});
