/**
 * The local runtime's durable inbox on a real database file: arrival order, ids never reused, durable once
 * enqueue returns (a second connection sees the row), refusal to join someone else's transaction, and
 * deletes that roll back with the transaction they joined.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "../../../adapters/sqlite/database";
import { SqliteInbox } from "../../../adapters/sqlite/inbox";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../adapters/sqlite/schema";

const AT = "2024-05-01T10:00:00.000Z";

describe("SqliteInbox", () => {
  let dir: string;
  let path: string;
  let db: SqliteDatabase;
  let inbox: SqliteInbox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ir-inbox-"));
    path = join(dir, "incidents.db");
    db = openDatabase(path);
    inbox = new SqliteInbox(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is created by the schema's latest migration, so one database has one version", () => {
    // Prepare / Act
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
    // Assess
    expect(tables).toEqual(expect.arrayContaining(["inbox", "chat_messages"]));
    expect(MIGRATIONS[SCHEMA_VERSION - 1]).toContain("CREATE TABLE inbox");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
  });

  it("hands rows out oldest first and keeps them until removed", () => {
    // Prepare
    const bodies = ["first", "second", "third"].map((b) => inbox.enqueue(b, "http", AT));
    // Act
    const taken = inbox.take(2);
    const again = inbox.take(10);
    // Assess
    expect(taken.map((i) => i.body)).toEqual(["first", "second"]);
    expect(again.map((i) => i.id)).toEqual(bodies.map((b) => b.id));
    expect(inbox.depth()).toBe(3);
  });

  it("names rows inbox-<seq> and never reuses an id after a delete", () => {
    // Prepare
    const a = inbox.enqueue("a", "http", AT);
    const b = inbox.enqueue("b", "http", AT);
    inbox.remove([a.seq, b.seq]);
    // Act
    const c = inbox.enqueue("c", "http", AT);
    // Assess
    expect(a.id).toBe(`inbox-${a.seq}`);
    expect(c.seq).toBeGreaterThan(b.seq);
    expect(inbox.depth()).toBe(1);
  });

  it("is durable when enqueue returns: another connection sees the row at once", () => {
    // Prepare
    const item = inbox.enqueue('{"detail-type":"x"}', "http", AT);
    const other = new Database(path, { readonly: true });
    // Act
    const row = other.prepare("SELECT seq, body, channel, received_at FROM inbox").get();
    other.close();
    // Assess
    expect(row).toEqual({ seq: item.seq, body: '{"detail-type":"x"}', channel: "http", received_at: AT });
  });

  it("refuses to enqueue inside another transaction, which a rollback could erase after the ack", () => {
    // Prepare
    db.exec("BEGIN IMMEDIATE");
    // Act
    const attempt = () => inbox.enqueue("body", "http", AT);
    // Assess
    expect(attempt).toThrow(/inside another transaction/);
    db.exec("ROLLBACK");
    expect(inbox.depth()).toBe(0);
  });

  it("removes rows inside the caller's transaction: a rollback puts them back", () => {
    // Prepare
    const item = inbox.enqueue("body", "http", AT);
    // Act
    db.exec("BEGIN IMMEDIATE");
    const removed = inbox.remove([item.seq, 9999]);
    db.exec("ROLLBACK");
    // Assess
    expect(removed).toBe(1);
    expect(inbox.take(5).map((i) => i.id)).toEqual([item.id]);
  });

  it("counts failed attempts per row and keeps the last error", () => {
    // Prepare
    const item = inbox.enqueue("body", "http", AT);
    // Act
    const first = inbox.recordFailure(item.seq, "boom 1");
    const second = inbox.recordFailure(item.seq, "boom 2");
    const gone = inbox.recordFailure(item.seq + 100, "no such row");
    // Assess
    expect([first, second, gone]).toEqual([1, 2, 0]);
    expect(inbox.take(1)[0]).toMatchObject({ attempts: 2, lastError: "boom 2" });
  });

  it("survives a reopen of the database file", () => {
    // Prepare
    inbox.enqueue("kept", "cli", AT);
    db.close();
    // Act
    db = openDatabase(path);
    const reopened = new SqliteInbox(db);
    // Assess
    expect(reopened.take(1).map((i) => [i.body, i.channel])).toEqual([["kept", "cli"]]);
  });
});
