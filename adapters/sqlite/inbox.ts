/**
 * The local runtime's durable inbox: raw POST /events bodies, stored before the HTTP answer and kept until
 * the worker has ingested them (DESIGN §4: "a crash loses nothing that was acknowledged").
 *
 * Invariants:
 * - `enqueue` is its own IMMEDIATE transaction and refuses to run inside another one: joining someone
 *   else's transaction would acknowledge a row that a later rollback could erase.
 * - `take`, `remove` and `recordFailure` join the caller's transaction, so the worker deletes processed
 *   rows in the same transaction as the store commits they caused: a crash re-processes a batch at most,
 *   never loses or doubles it.
 * - Ids (`inbox-<seq>`) are never reused (AUTOINCREMENT): findings and quarantine refer to them.
 * - Rows are taken oldest first, so ingest order is arrival order.
 */
import type { SqliteDatabase } from "./database";

export interface InboxItem {
  /** `inbox-<seq>`: the raw reference of everything ingested from this body. */
  id: string;
  seq: number;
  receivedAt: string;
  /** Where it came from: "http", "cli"… */
  channel: string;
  body: string;
  /** Failed ingest attempts so far. */
  attempts: number;
  lastError: string | null;
}

interface InboxRow {
  seq: number;
  received_at: string;
  channel: string;
  body: string;
  attempts: number;
  last_error: string | null;
}

export const inboxId = (seq: number): string => `inbox-${seq}`;

const item = (row: InboxRow): InboxItem => ({
  id: inboxId(row.seq),
  seq: row.seq,
  receivedAt: row.received_at,
  channel: row.channel,
  body: row.body,
  attempts: row.attempts,
  lastError: row.last_error,
});

export class SqliteInbox {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare<[{ received_at: string; channel: string; body: string }]>(
        "INSERT INTO inbox (received_at, channel, body) VALUES (@received_at, @channel, @body)",
      ),
      take: db.prepare<[number], InboxRow>("SELECT * FROM inbox ORDER BY seq LIMIT ?"),
      remove: db.prepare<[number]>("DELETE FROM inbox WHERE seq = ?"),
      fail: db.prepare<[string, number], { attempts: number }>(
        "UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? RETURNING attempts",
      ),
      depth: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox"),
    };
  }

  /** Stores a body durably (committed when this returns) and returns its item. */
  enqueue(body: string, channel: string, receivedAt: string): InboxItem {
    if (this.db.inTransaction) throw new Error("inbox.enqueue must not run inside another transaction");
    const seq = this.db
      .transaction(
        () =>
          this.statements.insert.run({ received_at: receivedAt, channel, body }).lastInsertRowid as number,
      )
      .immediate();
    return {
      id: inboxId(Number(seq)),
      seq: Number(seq),
      receivedAt,
      channel,
      body,
      attempts: 0,
      lastError: null,
    };
  }

  /** The oldest `limit` rows, left in place until `remove`d. */
  take(limit: number): InboxItem[] {
    if (limit <= 0) return [];
    return this.statements.take.all(limit).map(item);
  }

  /** Deletes processed rows; joins the caller's transaction. Returns how many were deleted. */
  remove(seqs: readonly number[]): number {
    let removed = 0;
    for (const seq of seqs) removed += this.statements.remove.run(seq).changes;
    return removed;
  }

  /** Counts a failed attempt on one row; returns the attempts so far (0 when the row is gone). */
  recordFailure(seq: number, error: string): number {
    return this.statements.fail.get(error.slice(0, 2000), seq)?.attempts ?? 0;
  }

  depth(): number {
    return this.statements.depth.get()?.n ?? 0;
  }
}
