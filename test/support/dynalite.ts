/**
 * dynalite in-process for DynamoDB adapter tests: listens on 127.0.0.1 with an ephemeral port and creates
 * tables from adapters/dynamodb/table.ts, so tests run against the real table definition.
 *
 * dynalite 4 implements neither TransactWriteItems nor UpdateTimeToLive (its server answers
 * UnknownOperationException). Tests therefore install `emulateTransactWrites` on their client: it runs a
 * TransactWriteItems request as its conditional Put / Delete / Update calls against dynalite, serialized
 * with every other emulated transaction, undoing the applied ones from before-images when any condition
 * fails, and throws TransactionCanceledException with one CancellationReason per item in request order,
 * as DynamoDB does. Reads that race a transaction may see it half applied; DynamoDB's would not.
 * Update items (conditional, e.g. recording a pending command's result) are emulated like Put and Delete.
 * dynalite turns a new table ACTIVE on a timer, and answers ResourceNotFound until then: `createTable`
 * waits for ACTIVE, so a test's first call never races it.
 */
import type { AddressInfo } from "node:net";
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createTableInput, INCIDENT_TABLE } from "../../adapters/dynamodb/table";

export interface Dynalite {
  endpoint: string;
  /** A client for this server with transaction emulation installed. */
  client: DynamoDBClient;
  /** Creates a fresh incident table (unique name unless given) and returns its name. */
  createTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tableCounter = 0;

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClient(endpoint);
  emulateTransactWrites(client);

  return {
    endpoint,
    client,
    async createTable(name = `incidents-${++tableCounter}`) {
      await client.send(new CreateTableCommand(createTableInput(name)));
      await waitUntilActive(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`dynalite table ${tableName} did not become ACTIVE`);
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

type Key = Record<string, AttributeValue>;
type Item = Record<string, AttributeValue>;

interface EmulatedOp {
  tableName: string;
  key: Key;
  run(client: DynamoDBClient): Promise<unknown>;
}

const MAX_TRANSACTION_ITEMS = 100;

/** Makes `client` answer TransactWriteItems itself (see the module comment). Idempotent per client. */
export function emulateTransactWrites(client: DynamoDBClient): void {
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "TransactWriteItemsCommand") return next(args);
      const input = args.input as TransactWriteItemsCommandInput;
      const ops = (input.TransactItems ?? []).map(toOp);
      validate(ops);
      await serialize(() => applyAll(client, ops));
      return { output: { $metadata: {} }, response: {} };
    },
    { step: "initialize", name: "emulateTransactWrites", override: true },
  );
}

function validationError(message: string): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name: "ValidationException",
    $fault: "client",
    $metadata: {},
    message,
  });
}

function validate(ops: EmulatedOp[]): void {
  if (ops.length > MAX_TRANSACTION_ITEMS) {
    throw validationError(`Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}`);
  }
  const seen = new Set<string>();
  for (const op of ops) {
    const id = `${op.tableName}|${JSON.stringify(keyOf(op.key))}`;
    if (seen.has(id))
      throw validationError("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
}

function keyOf(item: Item): Key {
  const { partitionKey, sortKey } = INCIDENT_TABLE;
  const pk = item[partitionKey.name];
  const sk = item[sortKey.name];
  if (!pk || !sk) throw validationError("The provided key element does not match the schema");
  return { [partitionKey.name]: pk, [sortKey.name]: sk };
}

function toOp(entry: TransactWriteItem): EmulatedOp {
  if (entry.Put) {
    const { Put } = entry;
    return {
      tableName: Put.TableName!,
      key: keyOf(Put.Item ?? {}),
      run: (c) =>
        c.send(
          new PutItemCommand({
            TableName: Put.TableName,
            Item: Put.Item,
            ConditionExpression: Put.ConditionExpression,
            ExpressionAttributeNames: Put.ExpressionAttributeNames,
            ExpressionAttributeValues: Put.ExpressionAttributeValues,
          }),
        ),
    };
  }
  if (entry.Delete) {
    const { Delete } = entry;
    return {
      tableName: Delete.TableName!,
      key: keyOf(Delete.Key ?? {}),
      run: (c) =>
        c.send(
          new DeleteItemCommand({
            TableName: Delete.TableName,
            Key: Delete.Key,
            ConditionExpression: Delete.ConditionExpression,
            ExpressionAttributeNames: Delete.ExpressionAttributeNames,
            ExpressionAttributeValues: Delete.ExpressionAttributeValues,
          }),
        ),
    };
  }
  if (entry.Update) {
    const { Update } = entry;
    return {
      tableName: Update.TableName!,
      key: keyOf(Update.Key ?? {}),
      run: (c) =>
        c.send(
          new UpdateItemCommand({
            TableName: Update.TableName,
            Key: Update.Key,
            UpdateExpression: Update.UpdateExpression,
            ConditionExpression: Update.ConditionExpression,
            ExpressionAttributeNames: Update.ExpressionAttributeNames,
            ExpressionAttributeValues: Update.ExpressionAttributeValues,
          }),
        ),
    };
  }
  throw validationError("emulated TransactWriteItems supports Put, Delete and Update only");
}

async function applyAll(client: DynamoDBClient, ops: EmulatedOp[]): Promise<void> {
  const before = await Promise.all(
    ops.map(async (op) => {
      const got = await client.send(
        new GetItemCommand({ TableName: op.tableName, Key: op.key, ConsistentRead: true }),
      );
      return got.Item;
    }),
  );
  const applied: number[] = [];
  const codes: string[] = [];
  let unexpected: unknown;
  // Every item is tried (conditions are per item, so order does not change them), so the reasons list
  // every failed condition, as DynamoDB's do.
  for (const [index, op] of ops.entries()) {
    try {
      await op.run(client);
      applied.push(index);
      codes.push("None");
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
        codes.push("ConditionalCheckFailed");
      } else {
        unexpected ??= error;
        codes.push("ValidationError");
      }
    }
  }
  if (applied.length === ops.length) return;

  for (const index of applied.reverse()) {
    const op = ops[index]!;
    const old = before[index];
    if (old) await client.send(new PutItemCommand({ TableName: op.tableName, Item: old }));
    else await client.send(new DeleteItemCommand({ TableName: op.tableName, Key: op.key }));
  }
  if (unexpected) throw unexpected;
  throw new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) =>
      Code === "None" ? { Code } : { Code, Message: "The conditional request failed" },
    ),
  });
}
