/**
 * The single DynamoDB table behind IncidentStore and Quarantine, described as plain data so the CDK app
 * (infra/), the DynamoDB adapter and test/support/dynalite.ts build the very same table. A contract: no
 * SDK import, nothing but data and pure functions (infra/ may import core/ only).
 *
 * Items (pk / sk):
 * - incident            INCIDENT#<id>          / META
 * - outbox command      INCIDENT#<id>          / CMD#<commandId>      (entity = "command": the stream filter)
 * - timeline entry      INCIDENT#<id>          / TL#<seq>
 * - finding record      FINDING#<identity>     / META
 * - open-key lock       CORR#<correlationKey>  / META                 (→ incidentId, exists while open)
 * - latest pointer      LATEST#<correlationKey> / META                (→ newest opened incident, kept)
 * - quarantined input   QUARANTINE#<yyyy-mm-dd> / <receivedAt>#<id>   (expires via TTL)
 *
 * Sparse GSIs (an item is indexed only while it carries the index's key attributes):
 * - due:      duePk = DUE#<shard>, dueAt = <nextDeadline, canonical ISO>#<id>; only while a clock runs.
 * - byStatus: statusPk = OPEN#<shard> | CLOSED#<shard>, listSk = <openedAt, canonical ISO>#<id>; incidents only.
 *   The open list reads the OPEN shards, so it costs O(open), never a Scan of the table.
 * - pending:  pendingPk = PENDING#<shard>, pendingSk = <createdAt, canonical ISO>#<commandId>; until the
 *   command's result is recorded.
 * - findingsByIncident: findingOf = incidentId, identity; finding records only.
 * Shards (hash of the incident id mod SHARDS) keep a busy minute from piling onto one GSI partition.
 * The composite sort keys make ties (same deadline, same createdAt) break by id, as the SQLite store does.
 */

export const SHARDS = 4;

export const INDEX = {
  due: "due",
  byStatus: "byStatus",
  pending: "pending",
  findingsByIncident: "findingsByIncident",
} as const;

/** Epoch-seconds attribute DynamoDB's TTL deletes expired quarantine items by. */
export const TTL_ATTRIBUTE = "expiresAt";

/** Outbox items carry `entity = "command"`; the dispatch Lambda's event source mapping filters on it. */
export const OUTBOX_STREAM_FILTER = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { entity: { S: ["command"] } } },
} as const;

type KeyType = "S" | "N";
interface KeyAttribute {
  name: string;
  type: KeyType;
}
interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projection: { type: "ALL" | "KEYS_ONLY" } | { type: "INCLUDE"; nonKeyAttributes: readonly string[] };
}

const s = (name: string): KeyAttribute => ({ name, type: "S" });

export const INCIDENT_TABLE = {
  partitionKey: s("pk"),
  sortKey: s("sk"),
  billingMode: "PAY_PER_REQUEST",
  streamViewType: "NEW_IMAGE",
  ttlAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [
    {
      name: INDEX.due,
      partitionKey: s("duePk"),
      sortKey: s("dueAt"),
      projection: { type: "INCLUDE", nonKeyAttributes: ["id", "nextDeadline"] },
    },
    { name: INDEX.byStatus, partitionKey: s("statusPk"), sortKey: s("listSk"), projection: { type: "ALL" } },
    {
      name: INDEX.pending,
      partitionKey: s("pendingPk"),
      sortKey: s("pendingSk"),
      projection: { type: "ALL" },
    },
    {
      name: INDEX.findingsByIncident,
      partitionKey: s("findingOf"),
      sortKey: s("identity"),
      projection: { type: "ALL" },
    },
  ] satisfies IndexDefinition[],
} as const;

/** The table as a DynamoDB CreateTable request (structurally a CreateTableCommandInput). */
export function createTableInput(tableName: string) {
  const { partitionKey, sortKey, globalSecondaryIndexes } = INCIDENT_TABLE;
  const keyAttributes = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const unique = [...new Map(keyAttributes.map((a) => [a.name, a])).values()];
  return {
    TableName: tableName,
    BillingMode: INCIDENT_TABLE.billingMode,
    AttributeDefinitions: unique.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: "HASH" as const },
      { AttributeName: sortKey.name, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: "HASH" as const },
        { AttributeName: index.sortKey.name, KeyType: "RANGE" as const },
      ],
      Projection:
        index.projection.type === "INCLUDE"
          ? { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...index.projection.nonKeyAttributes] }
          : { ProjectionType: index.projection.type },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: INCIDENT_TABLE.streamViewType },
  };
}

/** FNV-1a over the id, mod SHARDS: stable across runtimes, spreads ids evenly. */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

export const SHARD_NUMBERS: readonly number[] = Array.from({ length: SHARDS }, (_, i) => i);
