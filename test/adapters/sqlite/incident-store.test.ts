/**
 * SQLite adapters on a real database file in a temp dir: the shared contract, plus what only SQLite has
 * (pragmas, migrations, the query plans that make the sweep O(due), a second connection's view).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "../../../adapters/sqlite/database";
import { SqliteIncidentStore } from "../../../adapters/sqlite/incident-store";
import { openSqliteStores } from "../../../adapters/sqlite/open-store";
import { SqliteQuarantine } from "../../../adapters/sqlite/quarantine";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../adapters/sqlite/schema";
import { seedIncidents, syntheticIncidents } from "../../../adapters/sqlite/seed";
import { at, makeCommit, makeIncidentRecord, T0 } from "../../support/incident-record.factory";
import { describeIncidentStoreContract } from "../incident-store.contract";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "ir-sqlite-"));
  dirs.push(dir);
  return join(dir, "incidents.db");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeIncidentStoreContract("sqlite", async () => {
  const stores = openSqliteStores(tempFile());
  return { store: stores.store, quarantine: stores.quarantine, teardown: async () => stores.close() };
});

describe("SQLite database", () => {
  let db: SqliteDatabase;
  let path: string;

  beforeEach(() => {
    path = tempFile();
    db = openDatabase(path);
  });
  afterEach(() => {
    if (db.open) db.close();
  });

  it("opens in WAL with NORMAL sync, foreign keys and a busy timeout", () => {
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("records the schema version and does not re-run migrations on reopen", async () => {
    const store = new SqliteIncidentStore(db);
    await store.commit(makeCommit("inc-a"));
    db.close();

    db = openDatabase(path);

    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(await new SqliteIncidentStore(db).getIncident("inc-a")).toMatchObject({ id: "inc-a", version: 1 });
  });

  it("refuses a database written by a newer schema", () => {
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => openDatabase(path)).toThrow(/newer than this code/);
  });

  it("sweeps through the partial deadline index and lists pending commands through theirs", () => {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("\n");

    const due = plan(
      "SELECT id, next_deadline FROM incidents WHERE due_key IS NOT NULL AND due_key <= '2024' ORDER BY due_key, id LIMIT 10",
    );
    const pending = plan("SELECT * FROM commands WHERE status = 'pending' ORDER BY created_key, id LIMIT 10");
    const open = plan("SELECT * FROM incidents WHERE correlation_key = 'k' AND open = 1");
    const latest = plan(
      "SELECT * FROM incidents WHERE correlation_key = 'k' ORDER BY opened_key DESC, id DESC LIMIT 1",
    );

    expect(due).toMatch(/incidents_due/);
    expect(due).not.toMatch(/TEMP B-TREE/);
    expect(pending).toMatch(/commands_pending/);
    expect(pending).not.toMatch(/TEMP B-TREE/);
    expect(open).toMatch(/incidents_open_correlation_key/);
    expect(latest).toMatch(/incidents_latest/);
    expect(latest).not.toMatch(/TEMP B-TREE/);
  });

  it("migrates a database created at schema version 1, keeping its incidents", async () => {
    // Prepare: a file as the first release left it, holding two incidents on one key.
    db.close();
    const v1Path = tempFile();
    const v1 = new Database(v1Path);
    v1.exec(MIGRATIONS[0] ?? "");
    v1.pragma("user_version = 1");
    const key = "123456789012:us-east-1:ec2-instance:i-v1";
    seedIncidents(v1, [
      makeIncidentRecord({ id: "inc-old", correlationKey: key, openedAt: at(0), open: false }),
      makeIncidentRecord({ id: "inc-new", correlationKey: key, openedAt: at(10) }),
    ]);
    v1.close();

    // Act
    db = openDatabase(v1Path);

    // Assess
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    const indexes = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'incidents'")
      .pluck()
      .all();
    expect(indexes).toContain("incidents_latest");
    const store = new SqliteIncidentStore(db);
    expect(await store.latestIncident(key)).toMatchObject({ id: "inc-new", openedAt: at(10) });
    expect(await store.getIncident("inc-old")).toMatchObject({ open: false });
  });

  it("shows one connection's commit to another connection on the same file", async () => {
    const writer = new SqliteIncidentStore(db);
    const other = openDatabase(path);
    try {
      await writer.commit(makeCommit("inc-a", { commands: 1 }));

      const reader = new SqliteIncidentStore(other);
      expect(await reader.getIncident("inc-a")).toMatchObject({ version: 1 });
      expect((await reader.pendingCommands(5)).map((c) => c.id)).toEqual(["inc-a:1:0"]);
    } finally {
      other.close();
    }
  });

  it("enforces one open incident per key across connections", async () => {
    const other = openDatabase(path);
    try {
      await new SqliteIncidentStore(db).commit(makeCommit("inc-a", { incident: { correlationKey: "k" } }));

      await expect(
        new SqliteIncidentStore(other).commit(makeCommit("inc-b", { incident: { correlationKey: "k" } })),
      ).rejects.toMatchObject({ name: "VersionConflictError", correlationKey: "k" });
    } finally {
      other.close();
    }
  });

  it("keeps quarantined input whole, however large", async () => {
    const quarantine = new SqliteQuarantine(db);
    const raw = `{"detail":"${"x".repeat(600 * 1024)}"}`;

    await quarantine.put({
      id: "q-big",
      receivedAt: T0,
      channel: "http",
      error: { code: "too_large", message: "event is 600 KB", path: "$" },
      raw,
    });

    expect((await quarantine.list(1))[0]?.raw).toBe(raw);
  });

  it("opens a plain better-sqlite3 handle on the same file with the schema in place", () => {
    db.close();
    const plain = new Database(path, { readonly: true });
    try {
      const tables = plain
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      expect(tables).toEqual([
        "chat_messages",
        "commands",
        "findings",
        "inbox",
        "incidents",
        "quarantine",
        "sqlite_sequence",
        "timeline",
      ]);
    } finally {
      plain.close();
    }
  });
});

describe("seedIncidents", () => {
  it("bulk-loads synthetic incidents of which exactly `due` are due at `now`", async () => {
    const db = openDatabase(tempFile());
    try {
      const inserted = seedIncidents(db, syntheticIncidents({ total: 500, due: 37, now: T0 }));
      const store = new SqliteIncidentStore(db);

      const due = await store.dueIncidents(T0, 1000);

      expect(inserted).toBe(500);
      expect(due).toHaveLength(37);
      expect(due[0]).toEqual({ id: "seed-0000036", nextDeadline: at(-37) });
      expect(await store.dueIncidents(at(1), 1000)).toHaveLength(38);
      expect(await store.listIncidents({ open: true, limit: 3 })).toHaveLength(3);
    } finally {
      db.close();
    }
  });
});
