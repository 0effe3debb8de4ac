/**
 * Quarantine on the incident table: one partition per UTC day (QUARANTINE#<yyyy-mm-dd>, sort key
 * `<receivedAt>#<id>`), so a flood of bad input spreads over days instead of one hot key, and items expire
 * through the table's TTL after `retentionDays`.
 *
 * - `raw` is kept whole unless the item would pass DynamoDB's 400 KB limit: then it is cut at a character
 *   boundary to RAW_BUDGET_BYTES and a visible marker with the original size is appended.
 * - `list` walks the day partitions from today back to the retention horizon, newest first, and stops as
 *   soon as it has `limit` items (at most retentionDays + 1 queries; older items have expired anyway).
 */
import { type DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { InputErrorCode } from "../../core/errors";
import type { Quarantine, QuarantinedInput } from "../../core/ports/quarantine";
import { canonicalTime } from "../store/commit-rules";
import { type Item, N, readString, S } from "./attributes";
import { TTL_ATTRIBUTE } from "./table";

/** Room for `raw` within the 400 KB item limit, leaving space for the other attributes and names. */
export const RAW_BUDGET_BYTES = 350 * 1024;
const DAY_MS = 86_400_000;
const MAX_TEXT_BYTES = 16 * 1024;

export interface DynamoDbQuarantineOptions {
  client: DynamoDBClient;
  tableName: string;
  retentionDays?: number;
  /** The clock `list` starts its walk from (injected in tests). */
  now?: () => Date;
}

const dayPk = (canonical: string) => `QUARANTINE#${canonical.slice(0, 10)}`;

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character; reports whether it cut. */
export function truncateUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return { text, cut: false };
  const bytes = Buffer.from(text, "utf8");
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString("utf8"), cut: true };
}

export class DynamoDbQuarantine implements Quarantine {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly now: () => Date;

  constructor(options: DynamoDbQuarantineOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays ?? 30;
    this.now = options.now ?? (() => new Date());
  }

  async put(item: QuarantinedInput): Promise<void> {
    const canonical = canonicalTime(item.receivedAt, "receivedAt");
    const rawBytes = Buffer.byteLength(item.raw, "utf8");
    const raw = truncateUtf8(item.raw, RAW_BUDGET_BYTES);
    const message = truncateUtf8(item.error.message, MAX_TEXT_BYTES).text;
    const expiresAt = Math.floor(Date.parse(canonical) / 1000) + this.retentionDays * 86_400;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: S(dayPk(canonical)),
          sk: S(`${canonical}#${item.id}`),
          entity: S("quarantine"),
          id: S(item.id),
          receivedAt: S(item.receivedAt),
          channel: S(item.channel),
          errorCode: S(item.error.code),
          errorMessage: S(message),
          errorPath: S(truncateUtf8(item.error.path, MAX_TEXT_BYTES).text),
          raw: S(
            raw.cut
              ? `${raw.text}\n…[truncated by quarantine: kept the first ${Buffer.byteLength(raw.text, "utf8")} of ${rawBytes} bytes]`
              : raw.text,
          ),
          rawBytes: N(rawBytes),
          truncated: { BOOL: raw.cut },
          [TTL_ATTRIBUTE]: N(expiresAt),
        },
      }),
    );
  }

  async list(limit: number): Promise<QuarantinedInput[]> {
    const found: QuarantinedInput[] = [];
    const today = this.now().getTime();
    for (let day = 0; day <= this.retentionDays && found.length < limit; day++) {
      const pk = dayPk(new Date(today - day * DAY_MS).toISOString());
      let startKey: Item | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": S(pk) },
            ScanIndexForward: false,
            Limit: limit - found.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        found.push(...(page.Items ?? []).map(quarantinedInput));
        startKey = page.LastEvaluatedKey;
      } while (startKey && found.length < limit);
    }
    return found.slice(0, Math.max(0, limit));
  }
}

function quarantinedInput(item: Item): QuarantinedInput {
  return {
    id: readString(item, "id"),
    receivedAt: readString(item, "receivedAt"),
    channel: readString(item, "channel"),
    error: {
      code: readString(item, "errorCode") as InputErrorCode,
      message: readString(item, "errorMessage"),
      path: readString(item, "errorPath"),
    },
    raw: readString(item, "raw"),
  };
}
