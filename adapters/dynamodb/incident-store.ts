/**
 * IncidentStore on one DynamoDB table (layout: table.ts; item shapes: items.ts).
 *
 * commit = one consistent GetItem (only when expectedVersion > 0: learns whether the incident held its
 * correlation lock; a stale version fails right there), one GetItem of the key's LATEST pointer (only when
 * the commit creates the incident or moves its key / openedAt) + ONE TransactWriteItems:
 * - Put incident, conditioned on `version = expected` (or attribute_not_exists(pk) for 0);
 * - lock moves: Put CORR#<key> with attribute_not_exists(pk) when the incident becomes open (or changes
 *   key), Delete it (conditioned on holding it) when it closes;
 * - Put LATEST#<key> (see latestIncident) when this incident is newer than the one it names, conditioned
 *   on the pointer being what the GetItem saw;
 * - Put each command (attribute_not_exists: immutable), timeline entry, finding record (upsert);
 * - Update each command result: SET status, completedAt, result / error and REMOVE the pending-GSI keys,
 *   conditioned on status = pending (so a missing or already-recorded command cancels the commit).
 * Every one of these counts toward the 100-item cap (CommitTooLargeError, checked before any write).
 * The version condition also pins the state the GetItem saw, so the lock moves are decided on truth.
 * ClientRequestToken = hash of the request itself: an SDK retry of a commit that did land is answered as
 * a success instead of a false conflict, while a different commit never shares a token with it.
 * Cancellation reasons, in this precedence: the incident item or the lock release failing → plain
 * VersionConflictError; the lock acquisition → VersionConflictError with correlationKey; the pointer, or
 * a TransactionConflict on a command result → plain VersionConflictError (a concurrent writer: re-read);
 * a command result's condition → CommandAlreadyRecordedError; a command's → duplicate command error.
 *
 * latestIncident: LATEST#<key> names the incident of that key with the greatest `<openedAt>#<id>` (the
 * order SQLite's index gives). It is written only by commits that create an incident or change its key or
 * openedAt, and never deleted, so the lookup is two consistent GetItems and never a Scan or a GSI read.
 * Limits, accepted because the workflow fixes key and openedAt at creation: a commit that moves the
 * latest incident off its key or back in time leaves the pointer on it (latestIncident then checks the
 * key and answers undefined rather than an incident of another key); incidents created before the
 * pointer existed are not found until a newer incident on their key is created.
 *
 * Reads: point reads are strongly consistent; dueIncidents, listIncidents, pendingCommands and findingsOf
 * read GSIs, which are eventually consistent (a just-committed change may show a moment later).
 * dueIncidents and pendingCommands query every shard with Limit and merge: cost O(limit × shards).
 */
import { createHash } from "node:crypto";
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CommandAlreadyRecordedError,
  type CommandResult,
  type Commit,
  type FindingRecord,
  type IncidentFilter,
  type IncidentRecord,
  type IncidentStore,
  type StoredCommand,
  type StoredTimelineEntry,
  VersionConflictError,
} from "../../core/ports/incident-store";
import { canonicalTime, checkCommit, commandIncidentId, duplicateCommandError } from "../store/commit-rules";
import { type Item, JSON_S, readBoolean, readNumber, readString, S } from "./attributes";
import {
  COMMAND_PREFIX,
  commandItem,
  commandKey,
  duePk,
  findingItem,
  findingKey,
  findingRecord,
  incidentItem,
  incidentKey,
  incidentPk,
  incidentRecord,
  latestItem,
  latestKey,
  lockItem,
  lockKey,
  openedOrder,
  pendingPk,
  statusPk,
  storedCommand,
  storedTimelineEntry,
  TIMELINE_PREFIX,
  timelineItem,
  upTo,
} from "./items";
import { INDEX, SHARD_NUMBERS } from "./table";

/** DynamoDB's cap on items in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The commit needs more items than one transaction holds: the caller must split its work. */
export class CommitTooLargeError extends Error {
  override readonly name = "CommitTooLargeError";
  constructor(
    readonly incidentId: string,
    readonly itemCount: number,
  ) {
    super(
      `commit for incident ${incidentId} needs ${itemCount} DynamoDB items; one transaction holds at most ${MAX_TRANSACTION_ITEMS} (incident + lock changes + latest pointer + commands + command results + timeline entries + findings)`,
    );
  }
}

export interface DynamoDbIncidentStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** What a transaction item is, so a cancellation reason at its index can be explained. */
type Role = "incident" | "lock-acquire" | "lock-release" | "latest" | "command" | "command-result" | "other";
interface Part {
  role: Role;
  commandId?: string;
}

const CONDITION_FAILED: ReadonlySet<string> = new Set(["ConditionalCheckFailed"]);
const CONCURRENT_WRITE: ReadonlySet<string> = new Set(["TransactionConflict"]);
const CONFLICT_CODES: ReadonlySet<string> = new Set([...CONDITION_FAILED, ...CONCURRENT_WRITE]);

export class DynamoDbIncidentStore implements IncidentStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbIncidentStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const item = await this.get(incidentKey(id));
    return item && incidentRecord(item);
  }

  async findOpenIncident(correlationKey: string): Promise<IncidentRecord | undefined> {
    const lock = await this.get(lockKey(correlationKey));
    if (!lock) return undefined;
    const incident = await this.getIncident(readString(lock, "incidentId"));
    return incident?.open && incident.correlationKey === correlationKey ? incident : undefined;
  }

  async latestIncident(correlationKey: string): Promise<IncidentRecord | undefined> {
    const pointer = await this.get(latestKey(correlationKey));
    if (!pointer) return undefined;
    const incident = await this.getIncident(readString(pointer, "incidentId"));
    return incident?.correlationKey === correlationKey ? incident : undefined;
  }

  async getFinding(identity: string): Promise<FindingRecord | undefined> {
    const item = await this.get(findingKey(identity));
    return item && findingRecord(item);
  }

  async commit(commit: Commit): Promise<void> {
    const findings = checkCommit(commit);
    const { incident, expectedVersion } = commit;

    let current: Item | undefined;
    if (expectedVersion > 0) {
      current = await this.get(incidentKey(incident.id));
      if (!current || readNumber(current, "version") !== expectedVersion) {
        throw new VersionConflictError(incident.id, expectedVersion);
      }
    }
    const heldKey =
      current && readBoolean(current, "open") ? readString(current, "correlationKey") : undefined;
    const wantedKey = incident.open ? incident.correlationKey : undefined;
    const latest = await this.latestPointerWrite(incident, current);

    const items: TransactWriteItem[] = [];
    const parts: Part[] = [];
    const add = (part: Part, item: TransactWriteItem) => {
      parts.push(part);
      items.push(item);
    };

    add(
      { role: "incident" },
      {
        Put: {
          TableName: this.tableName,
          Item: incidentItem(incident),
          ...(expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
              }),
        },
      },
    );
    if (heldKey !== wantedKey) {
      if (heldKey !== undefined) {
        add(
          { role: "lock-release" },
          {
            Delete: {
              TableName: this.tableName,
              Key: lockKey(heldKey),
              ConditionExpression: "incidentId = :id",
              ExpressionAttributeValues: { ":id": S(incident.id) },
            },
          },
        );
      }
      if (wantedKey !== undefined) {
        add(
          { role: "lock-acquire" },
          {
            Put: {
              TableName: this.tableName,
              Item: lockItem(wantedKey, incident.id),
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
        );
      }
    }
    if (latest) add({ role: "latest" }, latest);
    for (const command of commit.commands) {
      add(
        { role: "command", commandId: command.id },
        {
          Put: {
            TableName: this.tableName,
            Item: commandItem(command),
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      );
    }
    for (const { id, ...result } of commit.commandResults ?? []) {
      add(
        { role: "command-result", commandId: id },
        { Update: commandResultUpdate(this.tableName, incident.id, id, result) },
      );
    }
    commit.timeline.forEach((entry, index) => {
      add(
        { role: "other" },
        {
          Put: {
            TableName: this.tableName,
            Item: timelineItem(incident, entry, index),
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      );
    });
    for (const record of findings) {
      add({ role: "other" }, { Put: { TableName: this.tableName, Item: findingItem(record) } });
    }

    if (items.length > MAX_TRANSACTION_ITEMS) throw new CommitTooLargeError(incident.id, items.length);

    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: items,
          ClientRequestToken: requestToken(this.tableName, items),
        }),
      );
    } catch (error) {
      throw explainFailure(error, commit, parts);
    }
  }

  async dueIncidents(now: string, limit: number): Promise<Array<{ id: string; nextDeadline: string }>> {
    if (limit <= 0) return [];
    const bound = upTo(canonicalTime(now, "now"));
    const perShard = await Promise.all(
      SHARD_NUMBERS.map((shard) =>
        this.query(
          {
            IndexName: INDEX.due,
            KeyConditionExpression: "duePk = :pk AND dueAt < :bound",
            ExpressionAttributeValues: { ":pk": S(duePk(shard)), ":bound": S(bound) },
          },
          limit,
        ),
      ),
    );
    return mergeBy(perShard, "dueAt", "ascending", limit).map((item) => ({
      id: readString(item, "id"),
      nextDeadline: readString(item, "nextDeadline"),
    }));
  }

  /** Reads the byStatus GSI: the OPEN shards for open incidents, the CLOSED shards for closed, newest first. */
  async listIncidents(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const states = filter.open === undefined ? [true, false] : [filter.open];
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = {};
    if (filter.phase !== undefined) {
      conditions.push("#phase = :phase");
      names["#phase"] = "phase";
      values[":phase"] = S(filter.phase);
    }
    if (filter.severity !== undefined) {
      conditions.push("#severity = :severity");
      names["#severity"] = "severity";
      values[":severity"] = S(filter.severity);
    }
    const partitions = states.flatMap((open) => SHARD_NUMBERS.map((shard) => statusPk(open, shard)));
    const perPartition = await Promise.all(
      partitions.map((pk) =>
        this.query(
          {
            IndexName: INDEX.byStatus,
            KeyConditionExpression: "statusPk = :pk",
            ScanIndexForward: false,
            ...(conditions.length > 0
              ? { FilterExpression: conditions.join(" AND "), ExpressionAttributeNames: names }
              : {}),
            ExpressionAttributeValues: { ...values, ":pk": S(pk) },
          },
          limit,
        ),
      ),
    );
    return mergeBy(perPartition, "listSk", "descending", limit).map(incidentRecord);
  }

  async timeline(incidentId: string): Promise<StoredTimelineEntry[]> {
    const items = await this.itemsOf(incidentId, TIMELINE_PREFIX);
    return items.map(storedTimelineEntry);
  }

  async findingsOf(incidentId: string): Promise<FindingRecord[]> {
    const items = await this.query(
      {
        IndexName: INDEX.findingsByIncident,
        KeyConditionExpression: "findingOf = :id",
        ExpressionAttributeValues: { ":id": S(incidentId) },
      },
      Number.POSITIVE_INFINITY,
    );
    return items.map(findingRecord);
  }

  async commandsOf(incidentId: string): Promise<StoredCommand[]> {
    const items = await this.itemsOf(incidentId, COMMAND_PREFIX);
    return items
      .map((item) => ({
        item,
        order: `${canonicalTime(readString(item, "createdAt"), "createdAt")}#${readString(item, "id")}`,
      }))
      .sort((a, b) => compare(a.order, b.order))
      .map(({ item }) => storedCommand(item));
  }

  async getCommand(id: string): Promise<StoredCommand | undefined> {
    const incidentId = commandIncidentId(id);
    if (incidentId === undefined) return undefined;
    const item = await this.get(commandKey(incidentId, id));
    return item && storedCommand(item);
  }

  async pendingCommands(limit: number): Promise<StoredCommand[]> {
    if (limit <= 0) return [];
    const perShard = await Promise.all(
      SHARD_NUMBERS.map((shard) =>
        this.query(
          {
            IndexName: INDEX.pending,
            KeyConditionExpression: "pendingPk = :pk",
            ExpressionAttributeValues: { ":pk": S(pendingPk(shard)) },
          },
          limit,
        ),
      ),
    );
    return mergeBy(perShard, "pendingSk", "ascending", limit).map(storedCommand);
  }

  async recordCommandResult(id: string, result: CommandResult): Promise<boolean> {
    const incidentId = commandIncidentId(id);
    if (incidentId === undefined) return false;
    try {
      await this.client.send(
        new UpdateItemCommand(commandResultUpdate(this.tableName, incidentId, id, result)),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /**
   * The LATEST pointer write this commit needs, if any: none when the incident keeps the key and openedAt
   * it was stored with, or when the pointer already names a newer incident. The condition pins the pointer
   * the read saw, so two racing writers cannot both believe they are the newest.
   */
  private async latestPointerWrite(
    incident: IncidentRecord,
    current: Item | undefined,
  ): Promise<TransactWriteItem | undefined> {
    const order = openedOrder(incident);
    if (
      current &&
      readString(current, "correlationKey") === incident.correlationKey &&
      readString(current, "listSk") === order
    ) {
      return undefined;
    }
    const pointer = await this.get(latestKey(incident.correlationKey));
    const item = latestItem(incident);
    if (!pointer) {
      return {
        Put: { TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" },
      };
    }
    const seen = readString(pointer, "openedOrder");
    if (readString(pointer, "incidentId") !== incident.id && seen >= order) return undefined;
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: "#order = :seen",
        ExpressionAttributeNames: { "#order": "openedOrder" },
        ExpressionAttributeValues: { ":seen": S(seen) },
      },
    };
  }

  private async get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return item;
  }

  /** Items of one incident's collection whose sort key starts with `prefix`, in sort-key order. */
  private itemsOf(incidentId: string, prefix: string): Promise<Item[]> {
    return this.query(
      {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": S(incidentPk(incidentId)), ":prefix": S(prefix) },
        ConsistentRead: true,
      },
      Number.POSITIVE_INFINITY,
    );
  }

  /** Pages through a query until `want` items passed its filter or the partition is exhausted. */
  private async query(input: Omit<QueryCommandInput, "TableName">, want: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(Number.isFinite(want) ? { Limit: Math.max(1, want - items.length) } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < want);
    return items.slice(0, want);
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Merges per-partition results (each already sorted on `attribute`) and keeps the first `limit`. */
function mergeBy(
  lists: Item[][],
  attribute: string,
  direction: "ascending" | "descending",
  limit: number,
): Item[] {
  const sign = direction === "ascending" ? 1 : -1;
  return lists
    .flat()
    .sort((a, b) => sign * compare(readString(a, attribute), readString(b, attribute)))
    .slice(0, limit);
}

function requestToken(tableName: string, items: TransactWriteItem[]): string {
  return createHash("sha256").update(tableName).update(JSON.stringify(items)).digest("hex").slice(0, 36);
}

interface CancellationReason {
  Code?: string;
}

function explainFailure(error: unknown, commit: Commit, parts: Part[]): unknown {
  const { incident, expectedVersion } = commit;
  if (!(error instanceof Error)) return error;
  if (error.name !== "TransactionCanceledException") return error;

  const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  const failed = (role: Role, codes: ReadonlySet<string> = CONFLICT_CODES) =>
    reasons.findIndex((reason, index) => parts[index]?.role === role && codes.has(reason.Code ?? ""));
  if (failed("incident") >= 0 || failed("lock-release") >= 0) {
    return new VersionConflictError(incident.id, expectedVersion);
  }
  if (failed("lock-acquire") >= 0) {
    return new VersionConflictError(incident.id, expectedVersion, incident.correlationKey);
  }
  if (failed("latest") >= 0 || failed("command-result", CONCURRENT_WRITE) >= 0) {
    return new VersionConflictError(incident.id, expectedVersion);
  }
  const recorded = failed("command-result", CONDITION_FAILED);
  if (recorded >= 0) return new CommandAlreadyRecordedError(parts[recorded]?.commandId ?? "?");
  const duplicate = failed("command", CONDITION_FAILED);
  if (duplicate >= 0) return duplicateCommandError(parts[duplicate]?.commandId ?? "?");
  return error;
}

/**
 * Records a result on a pending command and drops it from the pending GSI; the condition makes a missing
 * or already-recorded command fail (once-only results, in recordCommandResult and in commit alike).
 */
function commandResultUpdate(
  tableName: string,
  incidentId: string,
  id: string,
  result: CommandResult,
): Update {
  const names: Record<string, string> = { "#status": "status" };
  const values: Item = { ":pending": S("pending"), ":status": S(result.status), ":at": S(result.at) };
  const sets = ["#status = :status", "completedAt = :at"];
  if (result.result !== undefined) {
    sets.push("#result = :result");
    names["#result"] = "result";
    values[":result"] = JSON_S(result.result);
  }
  if (result.error !== undefined) {
    sets.push("#error = :error");
    names["#error"] = "error";
    values[":error"] = S(result.error);
  }
  return {
    TableName: tableName,
    Key: commandKey(incidentId, id),
    UpdateExpression: `SET ${sets.join(", ")} REMOVE pendingPk, pendingSk`,
    ConditionExpression: "#status = :pending",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
