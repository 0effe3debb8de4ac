/**
 * The inbox worker on a real SQLite file: a batch is one group commit, its inbox rows are deleted in that
 * same transaction (a failure anywhere rolls back the ingest AND the delete), failed batches are retried
 * body by body, and a body that keeps failing ends in quarantine instead of blocking the queue. A batch
 * keeps to its time budget: the bodies left over stay queued, in order, for the next turn.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteInbox } from "../../../adapters/sqlite/inbox";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { memoryLogger } from "../../../server/logger";
import { RuntimeCounters } from "../../../server/runtime/counters";
import { createInboxWorker } from "../../../server/runtime/inbox-worker";
import { ingestStoredInput } from "../../../server/runtime/route-events";
import { makeTestRuntime, type TestRuntime } from "../support/test-runtime";
import { makeTorRelayEvent, makeTorRelayFinding } from "../support/tor-relay.factory";

const body = (n: number) => JSON.stringify(makeTorRelayEvent(n));

describe("inbox worker", () => {
  let t: TestRuntime;
  beforeEach(() => {
    t = makeTestRuntime();
  });
  afterEach(() => t.close());

  const enqueue = (...bodies: string[]) => bodies.map((b) => t.rt.inbox.enqueue(b, "http", t.clock.now()));

  function worker(
    overrides: {
      inbox?: SqliteInbox;
      store?: IncidentStore;
      maxAttempts?: number;
      nowMs?: () => number;
      turnBudgetMs?: number;
    } = {},
  ) {
    const counters = new RuntimeCounters();
    const task = createInboxWorker({
      ingest: { ...t.rt.deps, ...(overrides.store ? { store: overrides.store } : {}) },
      unitOfWork: t.rt.stores.unitOfWork,
      inbox: overrides.inbox ?? t.rt.inbox,
      log: memoryLogger(),
      counters,
      batchSize: 10,
      ...(overrides.maxAttempts ? { maxAttempts: overrides.maxAttempts } : {}),
      // Time stands still unless a test moves it: the turn budget never cuts a batch short by accident.
      nowMs: overrides.nowMs ?? (() => 0),
      ...(overrides.turnBudgetMs ? { turnBudgetMs: overrides.turnBudgetMs } : {}),
    });
    return { task, counters };
  }

  it("ingests a batch as ONE transaction and deletes its rows in it", async () => {
    // Prepare
    enqueue(body(1), body(2), body(3), body(4), body(5));
    const statements: string[] = [];
    const db = t.rt.stores.db;
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      statements.push(sql);
      return exec(sql);
    };
    const { task, counters } = worker();
    // Act
    const turn = await task.run();
    // Assess
    expect(statements).toEqual(["BEGIN IMMEDIATE", "COMMIT"]);
    expect(turn).toEqual({ worked: 5, more: false });
    expect(t.rt.inbox.depth()).toBe(0);
    expect(await t.rt.deps.store.listIncidents()).toHaveLength(5);
    expect(counters.inboxBatches).toBe(1);
  });

  it("rolls the ingest back when deleting the rows fails: nothing is half done", async () => {
    // Prepare
    enqueue(body(1), body(2));
    const inbox = Object.create(t.rt.inbox) as SqliteInbox;
    inbox.remove = () => {
      throw new Error("disk full");
    };
    const { task } = worker({ inbox });
    // Act
    await task.run();
    // Assess
    expect(await t.rt.deps.store.listIncidents()).toEqual([]);
    expect(t.rt.inbox.take(10).map((i) => i.attempts)).toEqual([1, 1]);
  });

  it("retries a failed batch body by body, so every body is ingested exactly once", async () => {
    // Prepare
    enqueue(body(1), body(2), body(3));
    let failOnce = true;
    const inbox = Object.create(t.rt.inbox) as SqliteInbox;
    inbox.remove = (seqs) => {
      if (failOnce) {
        failOnce = false;
        throw new Error("transient");
      }
      return t.rt.inbox.remove(seqs);
    };
    const { task, counters } = worker({ inbox });
    // Act
    await task.run();
    // Assess
    const incidents = await t.rt.deps.store.listIncidents();
    expect(incidents).toHaveLength(3);
    for (const incident of incidents) expect(await t.rt.deps.store.findingsOf(incident.id)).toHaveLength(1);
    expect(t.rt.inbox.depth()).toBe(0);
    expect([counters.inboxBatchFailures, counters.inboxItemsIngested]).toEqual([1, 3]);
  });

  it("moves a body that keeps failing to quarantine after maxAttempts, and ingests the others", async () => {
    // Prepare
    const [, poison] = enqueue(body(1), body(2), body(3));
    const poisonKey = "ec2-instance:i-00000000000000002";
    const store = Object.create(t.rt.deps.store) as IncidentStore;
    store.commit = async (commit) => {
      if (commit.incident.correlationKey.endsWith(poisonKey)) throw new Error("snapshot too weird");
      return t.rt.deps.store.commit(commit);
    };
    const { task, counters } = worker({ store, maxAttempts: 2 });
    // Act
    await task.run();
    const afterFirst = t.rt.inbox.depth();
    await task.run();
    // Assess
    expect(afterFirst).toBe(1);
    expect(t.rt.inbox.depth()).toBe(0);
    expect(await t.rt.deps.store.listIncidents()).toHaveLength(2);
    const [kept] = await t.rt.deps.quarantine.list(10);
    expect(kept).toMatchObject({
      id: `${poison!.id}#$`,
      error: { code: "invalid_shape", message: "could not be ingested after 2 attempts: snapshot too weird" },
      raw: body(2),
    });
    expect(counters.inboxItemsGivenUp).toBe(1);
  });

  it("routes each event: matched and bare ones are ingested, unmatched and broken ones quarantined", async () => {
    // Prepare
    const lowSeverity = makeTorRelayEvent(2, { detail: { ...makeTorRelayFinding(2), severity: 1 } });
    const [item] = enqueue(JSON.stringify([makeTorRelayEvent(1), lowSeverity, 42, makeTorRelayFinding(3)]));
    const { task } = worker();
    // Act
    await task.run();
    // Assess
    expect((await t.rt.deps.store.listIncidents()).map((i) => i.title).sort()).toEqual([
      "EC2 instance i-00000000000000001 is communicating with a Tor Exit node.",
      "EC2 instance i-00000000000000003 is communicating with a Tor Exit node.",
    ]);
    const quarantined = await t.rt.deps.quarantine.list(10);
    expect(quarantined.map((q) => [q.id, q.error.code]).sort()).toEqual([
      [`${item!.id}#$[1]`, "unmatched"],
      [`${item!.id}#$[2]`, "wrong_type"],
    ]);
    expect(quarantined.find((q) => q.id.endsWith("$[1]"))?.error.message).toMatch(
      /matched none of the service's EventBridge rules/,
    );
  });

  it("re-processing a body (a crash after ingest, before the delete) changes nothing", async () => {
    // Prepare
    const [item] = enqueue(JSON.stringify([makeTorRelayEvent(1), 42]));
    await ingestStoredInput(t.rt.deps, item!);
    const incidents = await t.rt.deps.store.listIncidents();
    // Act
    const again = await ingestStoredInput(t.rt.deps, item!);
    // Assess
    expect(again[0]?.findings).toEqual([{ decision: "duplicate", incidentId: incidents[0]!.id }]);
    expect(await t.rt.deps.store.listIncidents()).toEqual(incidents);
    expect(await t.rt.deps.quarantine.list(10)).toHaveLength(1);
  });

  it("stops a batch at its time budget and leaves the rest queued, in order, for the next turn", async () => {
    // Prepare: each body takes 6 ms of a 10 ms budget.
    enqueue(body(1), body(2), body(3), body(4), body(5));
    let now = 0;
    const store = Object.create(t.rt.deps.store) as IncidentStore;
    store.commit = async (commit) => {
      now += 6;
      return t.rt.deps.store.commit(commit);
    };
    const { task } = worker({ store, nowMs: () => now, turnBudgetMs: 10 });

    // Act
    const first = await task.run();
    const left = t.rt.inbox.take(10).map((item) => item.body);
    const second = await task.run();

    // Assess
    expect(first).toEqual({ worked: 2, more: true });
    expect(left).toEqual([body(3), body(4), body(5)]);
    expect(second).toEqual({ worked: 2, more: true });
    expect((await t.rt.deps.store.listIncidents()).map((i) => i.correlationKey.slice(-1)).sort()).toEqual([
      "1",
      "2",
      "3",
      "4",
    ]);
  });
});
