/**
 * The dashboard's ChatOps on a real SQLite file: one message per incident kept current, replies and
 * mentions threaded under it, idempotent on the command id, and every post logged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DashboardChat, UnknownChatMessageError } from "../../../adapters/local/dashboard-chat";
import { openDatabase, type SqliteDatabase } from "../../../adapters/sqlite/database";
import { makeIncidentView } from "../../support/incident-view.factory";
import { TestClock } from "../../support/test-clock";

const T0 = "2024-05-01T10:00:00.000Z";
const runbook = { id: "ec2-compromise", section: "Detect" };

describe("DashboardChat", () => {
  let dir: string;
  let db: SqliteDatabase;
  let clock: TestClock;
  let logged: Array<{ msg: string; fields: Record<string, unknown> }>;
  let chat: DashboardChat;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ir-chat-"));
    db = openDatabase(join(dir, "incidents.db"));
    clock = new TestClock(T0);
    logged = [];
    chat = new DashboardChat(db, clock, {
      channel: "#sec",
      log: (msg, fields) => logged.push({ msg, fields }),
    });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts the incident message once per command id, however often the command is retried", async () => {
    // Prepare
    const incident = makeIncidentView({ incidentId: "IR-1", title: "Tor relay", severity: "HIGH" });
    // Act
    const first = await chat.postIncidentMessage("IR-1:1:0", { incident, runbook });
    const again = await chat.postIncidentMessage("IR-1:1:0", { incident, runbook });
    // Assess
    expect(again).toEqual(first);
    expect(first).toEqual({ channel: "#sec", ts: "IR-1:1:0" });
    expect(chat.messagesOf("IR-1")).toHaveLength(1);
    expect(chat.messagesOf("IR-1")[0]?.text).toContain("[HIGH] Tor relay");
    expect(logged.filter((l) => l.msg === "chat.message")).toHaveLength(1);
  });

  it("keeps the incident message current and threads replies and mentions under it", async () => {
    // Prepare
    const incident = makeIncidentView({ incidentId: "IR-2", phase: "detect" });
    const ref = await chat.postIncidentMessage("IR-2:1:0", { incident, runbook });
    clock.advance(5);
    // Act
    await chat.updateIncidentMessage("IR-2:2:0", ref, {
      incident: { ...incident, phase: "assess", acknowledgedBy: "alice" },
      runbook: { ...runbook, section: "Assess" },
    });
    const reply = await chat.postThreadReply("IR-2:2:1", ref, {
      topic: "phase.advanced",
      text: "Phase Assess",
      runbook,
    });
    const mention = await chat.mentionInChat("IR-2:3:0", ref, { target: "on-call", text: "SLA breached" });
    // Assess
    const messages = chat.messagesOf("IR-2");
    expect(messages.map((m) => [m.kind, m.threadTs])).toEqual([
      ["message", null],
      ["reply", ref.ts],
      ["mention", ref.ts],
    ]);
    expect(messages[0]?.text).toContain("phase assess");
    expect(messages[0]?.text).toContain("acknowledged by alice");
    expect(messages[0]?.updatedAt).toBe(clock.now());
    expect(messages[2]?.text).toBe("@on-call SLA breached");
    expect([reply.ts, mention.ts]).toEqual(["IR-2:2:1", "IR-2:3:0"]);
  });

  it("refuses replies and updates to a message it never posted", async () => {
    // Prepare
    const ghost = { channel: "#sec", ts: "nope" };
    // Act
    const reply = chat.postThreadReply("IR-3:1:0", ghost, { topic: "t", text: "x", runbook });
    const update = chat.updateIncidentMessage("IR-3:1:1", ghost, { incident: makeIncidentView(), runbook });
    // Assess
    await expect(reply).rejects.toBeInstanceOf(UnknownChatMessageError);
    await expect(update).rejects.toBeInstanceOf(UnknownChatMessageError);
    expect(chat.recent(10)).toEqual([]);
  });

  it("lists the newest messages across incidents first", async () => {
    // Prepare
    for (const id of ["IR-A", "IR-B", "IR-C"]) {
      clock.advance(1);
      await chat.postIncidentMessage(`${id}:1:0`, {
        incident: makeIncidentView({ incidentId: id }),
        runbook,
      });
    }
    // Act
    const recent = chat.recent(2);
    // Assess
    expect(recent.map((m) => m.incidentId)).toEqual(["IR-C", "IR-B"]);
  });
});
