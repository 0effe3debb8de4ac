/**
 * Act-once for Slack clicks across Lambda containers (adapters/slack/inbound/dedupe.ts DedupeStore): one
 * conditional PutItem on the incident table per click. A key is "first" when no item exists for it or
 * the existing one has expired; DynamoDB's TTL deletes old items eventually (it may take days, hence the
 * explicit expiry in the condition).
 *
 * Items: pk `SLACK-DEDUPE#<sha256 of the key>` / sk `META`, entity `slack-dedupe` (not an outbox item:
 * the dispatch stream filter ignores it). The key itself is not stored: it names Slack users.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { TTL_ATTRIBUTE } from "../../adapters/dynamodb/table";
import { DEFAULT_DEDUPE_TTL_MS, type DedupeStore } from "../../adapters/slack/inbound/dedupe";
import { sha256 } from "../shared/advance-message";

export interface DynamoDbDedupeOptions {
  client: DynamoDBClient;
  tableName: string;
  ttlMs?: number;
}

export class DynamoDbDedupe implements DedupeStore {
  private readonly ttlMs: number;

  constructor(private readonly options: DynamoDbDedupeOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  }

  private readonly keyOf = (key: string) => ({
    pk: { S: `SLACK-DEDUPE#${sha256(key)}` },
    sk: { S: "META" },
  });

  async firstTime(key: string, now: number): Promise<boolean> {
    const expiresAtMs = now + this.ttlMs;
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.keyOf(key),
            entity: { S: "slack-dedupe" },
            expiresAtMs: { N: String(expiresAtMs) },
            [TTL_ATTRIBUTE]: { N: String(Math.ceil(expiresAtMs / 1000)) },
          },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAtMs <= :now",
          ExpressionAttributeValues: { ":now": { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.options.client.send(
      new DeleteItemCommand({ TableName: this.options.tableName, Key: this.keyOf(key) }),
    );
  }
}
