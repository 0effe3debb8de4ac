/**
 * Opens the embedded store's SQLite database with the settings the local runtime relies on:
 * WAL (readers never block the writer; a crash loses nothing committed), synchronous = NORMAL (durable
 * at checkpoints, safe with WAL), foreign keys on, and a busy timeout so a second process waits instead
 * of failing. Migrations run on open. The handle is exported so the local server can add its own tables
 * (through a migration in schema.ts) and share transactions with the stores.
 */
import Database from "better-sqlite3";
import { migrate } from "./schema";

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

export type SqliteDatabase = Database.Database;

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
