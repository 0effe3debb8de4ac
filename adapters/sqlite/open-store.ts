/**
 * One call to get the local runtime's stores on a database file: the IncidentStore, the Quarantine and
 * the shared handle (for the local server's own tables), all on one connection so they share transactions.
 */
import { type OpenDatabaseOptions, openDatabase, type SqliteDatabase } from "./database";
import { SqliteIncidentStore } from "./incident-store";
import { SqliteQuarantine } from "./quarantine";
import { SqliteUnitOfWork } from "./unit-of-work";

export interface SqliteStores {
  db: SqliteDatabase;
  store: SqliteIncidentStore;
  quarantine: SqliteQuarantine;
  unitOfWork: SqliteUnitOfWork;
  close(): void;
}

export function openSqliteStores(path: string, options: OpenDatabaseOptions = {}): SqliteStores {
  const db = openDatabase(path, options);
  return {
    db,
    store: new SqliteIncidentStore(db),
    quarantine: new SqliteQuarantine(db),
    unitOfWork: new SqliteUnitOfWork(db),
    close: () => db.close(),
  };
}
