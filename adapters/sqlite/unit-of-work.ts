/**
 * Group commit on the embedded database: one IMMEDIATE transaction around a batch of work, inside which
 * each store commit becomes a SAVEPOINT (better-sqlite3 nests transactions that way), so a conflicting
 * commit still rolls back alone. The store's methods settle synchronously, so nothing else interleaves
 * with the batch unless the work itself awaits real I/O — callers keep such work outside.
 */
import type { UnitOfWork } from "../../core/ports/unit-of-work";
import type { SqliteDatabase } from "./database";

export class SqliteUnitOfWork implements UnitOfWork {
  constructor(private readonly db: SqliteDatabase) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return work(); // already inside a group: join it
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = await work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }
}
