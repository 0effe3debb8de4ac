/**
 * Quarantine on the embedded SQLite database: bad input kept whole with its reason (SQLite's row limit is
 * far above any input we accept, so nothing is truncated here). Keyed by (receivedAt, id) like the
 * DynamoDB adapter, so a redelivered item replaces itself; listed newest first.
 */
import type { InputErrorCode } from "../../core/errors";
import type { Quarantine, QuarantinedInput } from "../../core/ports/quarantine";
import { canonicalTime } from "../store/commit-rules";
import type { SqliteDatabase } from "./database";

interface QuarantineRow {
  received_key: string;
  id: string;
  received_at: string;
  channel: string;
  error_code: string;
  error_message: string;
  error_path: string;
  raw: string;
}

export class SqliteQuarantine implements Quarantine {
  private readonly insert;
  private readonly newest;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare<[QuarantineRow]>(
      `INSERT OR REPLACE INTO quarantine
         (received_key, id, received_at, channel, error_code, error_message, error_path, raw)
       VALUES (@received_key, @id, @received_at, @channel, @error_code, @error_message, @error_path, @raw)`,
    );
    this.newest = db.prepare<[number], QuarantineRow>(
      "SELECT * FROM quarantine ORDER BY received_key DESC, id DESC LIMIT ?",
    );
  }

  async put(item: QuarantinedInput): Promise<void> {
    this.insert.run({
      received_key: canonicalTime(item.receivedAt, "receivedAt"),
      id: item.id,
      received_at: item.receivedAt,
      channel: item.channel,
      error_code: item.error.code,
      error_message: item.error.message,
      error_path: item.error.path,
      raw: item.raw,
    });
  }

  async list(limit: number): Promise<QuarantinedInput[]> {
    if (limit <= 0) return [];
    return this.newest.all(limit).map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      channel: row.channel,
      error: { code: row.error_code as InputErrorCode, message: row.error_message, path: row.error_path },
      raw: row.raw,
    }));
  }
}
