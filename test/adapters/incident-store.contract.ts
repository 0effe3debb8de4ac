/**
 * The IncidentStore / Quarantine contract (core/ports/incident-store.ts, core/ports/quarantine.ts), run
 * against every adapter: each adapter's test file calls `describeIncidentStoreContract` with a setup that
 * gives a fresh, empty store.
 *
 * Besides the port's invariants it pins what both adapters document so callers may rely on it:
 * listIncidents newest opened first; commandsOf / pendingCommands by createdAt then id; findingsOf by
 * identity; quarantine list newest first; malformed commits are RangeError / TypeError, not conflicts;
 * latestIncident orders by openedAt (not by creation order); a command result in a commit for a command
 * that does not exist is refused like one already recorded (neither is pending).
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CommandAlreadyRecordedError,
  type Commit,
  type IncidentStore,
  type StoredCommand,
  VersionConflictError,
} from "../../core/ports/incident-store";
import type { Quarantine } from "../../core/ports/quarantine";
import {
  at,
  makeCommandResult,
  makeCommit,
  makeFinding,
  makeFindingRecord,
  makeIncidentRecord,
  makeOutboxCommand,
  makeQuarantinedInput,
  makeTimelineEntry,
  T0,
} from "../support/incident-record.factory";

export interface ContractSubject {
  store: IncidentStore;
  quarantine: Quarantine;
  teardown: () => Promise<void>;
}

async function conflictOf(promise: Promise<unknown>): Promise<VersionConflictError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VersionConflictError);
  return error as VersionConflictError;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function alreadyRecordedOf(promise: Promise<unknown>): Promise<CommandAlreadyRecordedError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(CommandAlreadyRecordedError);
  expect(error).not.toBeInstanceOf(VersionConflictError);
  return error as CommandAlreadyRecordedError;
}

const commandIds = (commands: StoredCommand[]) => commands.map((c) => c.id);

export function describeIncidentStoreContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`IncidentStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: IncidentStore;
    let quarantine: Quarantine;

    beforeEach(async () => {
      subject = await setup();
      ({ store, quarantine } = subject);
    });
    afterEach(async () => {
      await subject.teardown();
    });

    describe("create and read", () => {
      it("returns the created incident exactly as committed", async () => {
        // Prepare
        const commit = makeCommit("inc-a", { incident: { linkedTo: "inc-old", nextDeadline: at(15) } });

        // Act
        await store.commit(commit);

        // Assess
        expect(await store.getIncident("inc-a")).toEqual(commit.incident);
        expect(await store.getIncident("inc-missing")).toBeUndefined();
      });

      it("round-trips an incident without clock or link", async () => {
        const commit = makeCommit("inc-b", { incident: { nextDeadline: null, open: true } });

        await store.commit(commit);

        const stored = await store.getIncident("inc-b");
        expect(stored).toEqual(commit.incident);
        expect(stored).not.toHaveProperty("linkedTo");
      });
    });

    describe("optimistic concurrency and atomicity", () => {
      it("rejects a commit at a stale version and writes none of its parts", async () => {
        // Prepare
        const finding = makeFindingRecord({ incidentId: "inc-a" });
        await store.commit(makeCommit("inc-a", { commands: 1, findings: [finding] }));
        const stale = makeCommit("inc-a", {
          expectedVersion: 2,
          incident: { phase: "contain", open: false },
          commands: 2,
          timeline: [makeTimelineEntry({ text: "must not appear" })],
          findings: [
            { ...finding, count: 5 },
            makeFindingRecord({ identity: "guardduty:other", incidentId: "inc-a" }),
          ],
        });

        // Act
        const error = await conflictOf(store.commit(stale));

        // Assess
        expect(error).toMatchObject({ incidentId: "inc-a", expectedVersion: 2 });
        expect(error.correlationKey).toBeUndefined();
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1, phase: "detect", open: true });
        expect(commandIds(await store.commandsOf("inc-a"))).toEqual(["inc-a:1:0"]);
        expect((await store.timeline("inc-a")).map((e) => e.text)).toEqual(["version 1"]);
        expect(await store.getFinding(finding.identity)).toEqual(finding);
        expect(await store.getFinding("guardduty:other")).toBeUndefined();
        expect(await store.findOpenIncident(stale.incident.correlationKey)).toMatchObject({ id: "inc-a" });
      });

      it("rejects creating an incident whose id exists, and updating one that does not", async () => {
        await store.commit(makeCommit("inc-a"));

        const duplicate = await conflictOf(
          store.commit(makeCommit("inc-a", { incident: { title: "again" } })),
        );
        const ghost = await conflictOf(store.commit(makeCommit("inc-ghost", { expectedVersion: 3 })));

        expect(duplicate).toMatchObject({ incidentId: "inc-a", expectedVersion: 0 });
        expect(ghost).toMatchObject({ incidentId: "inc-ghost", expectedVersion: 3 });
        expect(await store.getIncident("inc-a")).toMatchObject({ title: makeIncidentRecord().title });
        expect(await store.getIncident("inc-ghost")).toBeUndefined();
        expect(await store.timeline("inc-ghost")).toEqual([]);
      });

      it("lets exactly one of two concurrent commits at the same version win", async () => {
        await store.commit(makeCommit("inc-a"));
        const left = makeCommit("inc-a", { expectedVersion: 1, incident: { phase: "assess" }, commands: 1 });
        const right = makeCommit("inc-a", {
          expectedVersion: 1,
          incident: { phase: "contain" },
          commands: 1,
        });

        const results = await Promise.allSettled([store.commit(left), store.commit(right)]);

        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
        const winner = results[0]?.status === "fulfilled" ? left : right;
        expect(await store.getIncident("inc-a")).toEqual(winner.incident);
        expect(await store.timeline("inc-a")).toHaveLength(2);
      });

      it("lets exactly one of two concurrent creations on one correlation key win", async () => {
        // Prepare
        const key = "123456789012:us-east-1:ec2-instance:i-shared";
        const first = makeCommit("inc-a", { incident: { correlationKey: key }, commands: 1 });
        const second = makeCommit("inc-b", { incident: { correlationKey: key }, commands: 1 });

        // Act
        const results = await Promise.allSettled([store.commit(first), store.commit(second)]);

        // Assess
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const [winner, loser] = results[0]?.status === "fulfilled" ? [first, second] : [second, first];
        const rejection = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        expect(rejection.reason).toBeInstanceOf(VersionConflictError);
        expect(rejection.reason).toMatchObject({ correlationKey: key, incidentId: loser.incident.id });
        expect(await store.findOpenIncident(key)).toEqual(winner.incident);
        expect(await store.getIncident(loser.incident.id)).toBeUndefined();
        expect(await store.commandsOf(loser.incident.id)).toEqual([]);
        expect(await store.timeline(loser.incident.id)).toEqual([]);
      });
    });

    describe("one open incident per correlation key", () => {
      const key = "123456789012:us-east-1:iam-principal:AIDAEXAMPLE";

      it("frees the key when the incident closes, so a linked incident can open on it", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { incident: { correlationKey: key } }));
        await store.commit(
          makeCommit("inc-a", {
            expectedVersion: 1,
            incident: { correlationKey: key, open: false, phase: "closed" },
          }),
        );

        // Act
        const reopened = makeCommit("inc-b", { incident: { correlationKey: key, linkedTo: "inc-a" } });
        await store.commit(reopened);

        // Assess
        expect(await store.findOpenIncident(key)).toEqual(reopened.incident);
        expect(await store.getIncident("inc-b")).toMatchObject({ linkedTo: "inc-a", open: true });
        expect(await store.getIncident("inc-a")).toMatchObject({ open: false, version: 2 });
      });

      it("refuses to reopen a closed incident while another holds its key", async () => {
        await store.commit(makeCommit("inc-a", { incident: { correlationKey: key } }));
        await store.commit(
          makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: key, open: false } }),
        );
        await store.commit(makeCommit("inc-b", { incident: { correlationKey: key } }));

        const error = await conflictOf(
          store.commit(
            makeCommit("inc-a", { expectedVersion: 2, incident: { correlationKey: key, open: true } }),
          ),
        );

        expect(error.correlationKey).toBe(key);
        expect(await store.getIncident("inc-a")).toMatchObject({ open: false, version: 2 });
        expect(await store.findOpenIncident(key)).toMatchObject({ id: "inc-b" });
      });

      it("keeps commits on a closed incident independent of the key's new holder", async () => {
        await store.commit(makeCommit("inc-a", { incident: { correlationKey: key } }));
        await store.commit(
          makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: key, open: false } }),
        );
        await store.commit(makeCommit("inc-b", { incident: { correlationKey: key } }));

        await store.commit(
          makeCommit("inc-a", {
            expectedVersion: 2,
            incident: { correlationKey: key, open: false, phase: "closed" },
          }),
        );

        expect(await store.getIncident("inc-a")).toMatchObject({ version: 3, open: false });
        expect(await store.findOpenIncident(key)).toMatchObject({ id: "inc-b", open: true });
      });

      it("finds only open incidents", async () => {
        await store.commit(makeCommit("inc-a", { incident: { correlationKey: key } }));
        expect(await store.findOpenIncident(key)).toMatchObject({ id: "inc-a" });

        await store.commit(
          makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: key, open: false } }),
        );

        expect(await store.findOpenIncident(key)).toBeUndefined();
        expect(await store.findOpenIncident("no-such-key")).toBeUndefined();
      });
    });

    describe("latest incident per correlation key", () => {
      const key = "123456789012:us-east-1:ec2-instance:i-reopened";

      it("returns the most recently opened incident, open or closed", async () => {
        // Prepare: inc-a opens and closes, inc-b reopens the key (linked), another key stays apart.
        await store.commit(makeCommit("inc-a", { incident: { correlationKey: key, openedAt: at(0) } }));
        await store.commit(
          makeCommit("inc-a", {
            expectedVersion: 1,
            incident: { correlationKey: key, openedAt: at(0), open: false, phase: "closed" },
          }),
        );
        const reopened = makeCommit("inc-b", {
          incident: { correlationKey: key, openedAt: at(10), linkedTo: "inc-a" },
        });
        await store.commit(reopened);
        await store.commit(
          makeCommit("inc-z", { incident: { correlationKey: "k-other", openedAt: at(60) } }),
        );

        // Act
        const whileOpen = await store.latestIncident(key);
        const closing = makeCommit("inc-b", {
          expectedVersion: 1,
          incident: {
            correlationKey: key,
            openedAt: at(10),
            linkedTo: "inc-a",
            open: false,
            phase: "closed",
          },
        });
        await store.commit(closing);
        const afterClose = await store.latestIncident(key);

        // Assess
        expect(whileOpen).toEqual(reopened.incident);
        expect(afterClose).toEqual(closing.incident);
        expect(await store.findOpenIncident(key)).toBeUndefined();
        expect(await store.latestIncident("k-other")).toMatchObject({ id: "inc-z" });
        expect(await store.latestIncident("no-such-key")).toBeUndefined();
      });

      it("orders by openedAt, so an incident created later but opened earlier does not displace it", async () => {
        // Prepare
        const newest = makeCommit("inc-new", { incident: { correlationKey: key, openedAt: at(30) } });
        await store.commit(newest);
        const closed = makeCommit("inc-new", {
          expectedVersion: 1,
          incident: { correlationKey: key, openedAt: at(30), open: false },
        });
        await store.commit(closed);

        // Act: a late event opens an incident whose detection time is older.
        await store.commit(makeCommit("inc-late", { incident: { correlationKey: key, openedAt: at(20) } }));

        // Assess
        expect(await store.latestIncident(key)).toEqual(closed.incident);
        expect(await store.findOpenIncident(key)).toMatchObject({ id: "inc-late" });
      });
    });

    describe("finding records", () => {
      it("replaces a finding record with the later one (upsert on identity)", async () => {
        // Prepare
        const first = makeFindingRecord({ incidentId: "inc-a" });
        const later = makeFindingRecord({
          incidentId: "inc-a",
          count: 4,
          updatedAt: at(30),
          finding: makeFinding({ count: 4, updatedAt: at(30) }),
        });
        await store.commit(makeCommit("inc-a", { findings: [first] }));

        // Act
        await store.commit(makeCommit("inc-a", { expectedVersion: 1, findings: [later] }));

        // Assess
        expect(await store.getFinding(first.identity)).toEqual(later);
        expect(await store.findingsOf("inc-a")).toEqual([later]);
      });

      it("moves a finding to the incident that recorded it last; findingsOf is ordered by identity", async () => {
        const key = "k-move";
        const moved = makeFindingRecord({ identity: "z-finding", incidentId: "inc-a" });
        const stays = makeFindingRecord({ identity: "a-finding", incidentId: "inc-a" });
        await store.commit(
          makeCommit("inc-a", { incident: { correlationKey: key }, findings: [moved, stays] }),
        );
        await store.commit(
          makeCommit("inc-a", { expectedVersion: 1, incident: { correlationKey: key, open: false } }),
        );
        const other = makeFindingRecord({ identity: "m-finding", incidentId: "inc-b" });

        await store.commit(
          makeCommit("inc-b", {
            incident: { correlationKey: key },
            findings: [{ ...moved, incidentId: "inc-b" }, other],
          }),
        );

        expect((await store.findingsOf("inc-a")).map((f) => f.identity)).toEqual(["a-finding"]);
        expect((await store.findingsOf("inc-b")).map((f) => f.identity)).toEqual(["m-finding", "z-finding"]);
        expect(await store.getFinding("z-finding")).toMatchObject({ incidentId: "inc-b" });
      });
    });

    describe("due clocks", () => {
      const now = T0;

      async function seedClocks(): Promise<void> {
        const deadlines: Array<[string, string | null]> = [
          ["inc-late", at(-10)],
          ["inc-later", at(-5)],
          ["inc-exact", "2024-05-01T12:00:00Z"],
          ["inc-future", at(5)],
          ["inc-idle", null],
        ];
        for (const [id, nextDeadline] of deadlines) {
          await store.commit(makeCommit(id, { incident: { correlationKey: `k-${id}`, nextDeadline } }));
        }
      }

      it("returns only due incidents, earliest first, a deadline equal to now included", async () => {
        await seedClocks();

        const due = await store.dueIncidents(now, 10);

        expect(due).toEqual([
          { id: "inc-late", nextDeadline: at(-10) },
          { id: "inc-later", nextDeadline: at(-5) },
          { id: "inc-exact", nextDeadline: "2024-05-01T12:00:00Z" },
        ]);
      });

      it("respects the limit, keeping the earliest", async () => {
        await seedClocks();

        expect((await store.dueIncidents(now, 2)).map((d) => d.id)).toEqual(["inc-late", "inc-later"]);
        expect(await store.dueIncidents(now, 0)).toEqual([]);
      });

      it("drops an incident whose deadline is cleared, and picks up one whose deadline moves", async () => {
        await seedClocks();

        await store.commit(
          makeCommit("inc-late", {
            expectedVersion: 1,
            incident: { correlationKey: "k-inc-late", nextDeadline: null },
          }),
        );
        await store.commit(
          makeCommit("inc-future", {
            expectedVersion: 1,
            incident: { correlationKey: "k-inc-future", nextDeadline: at(-1) },
          }),
        );

        expect((await store.dueIncidents(now, 10)).map((d) => d.id)).toEqual([
          "inc-later",
          "inc-future",
          "inc-exact",
        ]);
      });

      it("agrees with a model over arbitrary deadlines, times and limits", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.option(fc.integer({ min: -120, max: 120 }), { nil: null }), { maxLength: 12 }),
            fc.integer({ min: -60, max: 60 }),
            fc.integer({ min: 1, max: 6 }),
            async (offsets, nowOffset, limit) => {
              const local = await setup();
              try {
                const incidents = offsets.map((offset, i) => ({
                  id: `p-${String(i).padStart(2, "0")}`,
                  nextDeadline: offset === null ? null : at(offset),
                }));
                for (const { id, nextDeadline } of incidents) {
                  await local.store.commit(
                    makeCommit(id, { incident: { correlationKey: `k-${id}`, nextDeadline } }),
                  );
                }
                const sweepAt = at(nowOffset);
                const expected = incidents
                  .filter((i): i is { id: string; nextDeadline: string } => i.nextDeadline !== null)
                  .filter((i) => i.nextDeadline <= sweepAt)
                  .sort((a, b) =>
                    a.nextDeadline === b.nextDeadline
                      ? a.id < b.id
                        ? -1
                        : 1
                      : a.nextDeadline < b.nextDeadline
                        ? -1
                        : 1,
                  )
                  .slice(0, limit);

                expect(await local.store.dueIncidents(sweepAt, limit)).toEqual(expected);
              } finally {
                await local.teardown();
              }
            },
          ),
          { numRuns: 15 },
        );
      });
    });

    describe("listing", () => {
      async function seedListing(): Promise<void> {
        const rows = [
          { id: "inc-1", open: true, phase: "detect", severity: "HIGH", openedAt: at(1) },
          { id: "inc-2", open: true, phase: "contain", severity: "CRITICAL", openedAt: at(2) },
          { id: "inc-3", open: false, phase: "closed", severity: "HIGH", openedAt: at(3) },
          { id: "inc-4", open: true, phase: "detect", severity: "LOW", openedAt: at(4) },
          { id: "inc-5", open: false, phase: "closed", severity: "LOW", openedAt: at(5) },
        ] as const;
        for (const { id, ...fields } of rows) {
          await store.commit(makeCommit(id, { incident: { ...fields, correlationKey: `k-${id}` } }));
        }
      }
      const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);

      it("lists every incident newest opened first", async () => {
        await seedListing();

        expect(ids(await store.listIncidents())).toEqual(["inc-5", "inc-4", "inc-3", "inc-2", "inc-1"]);
      });

      it("filters on open, phase and severity, alone and combined", async () => {
        await seedListing();

        expect(ids(await store.listIncidents({ open: true }))).toEqual(["inc-4", "inc-2", "inc-1"]);
        expect(ids(await store.listIncidents({ open: false }))).toEqual(["inc-5", "inc-3"]);
        expect(ids(await store.listIncidents({ phase: "detect" }))).toEqual(["inc-4", "inc-1"]);
        expect(ids(await store.listIncidents({ severity: "HIGH" }))).toEqual(["inc-3", "inc-1"]);
        expect(ids(await store.listIncidents({ open: true, severity: "LOW" }))).toEqual(["inc-4"]);
        expect(ids(await store.listIncidents({ open: false, phase: "detect" }))).toEqual([]);
      });

      it("respects the limit after filtering", async () => {
        await seedListing();

        expect(ids(await store.listIncidents({ open: true, limit: 2 }))).toEqual(["inc-4", "inc-2"]);
        expect(ids(await store.listIncidents({ severity: "LOW", limit: 1 }))).toEqual(["inc-5"]);
        expect(await store.listIncidents({ limit: 0 })).toEqual([]);
      });

      it("returns full records that reflect the latest commit", async () => {
        await seedListing();
        const update = makeCommit("inc-1", {
          expectedVersion: 1,
          incident: { correlationKey: "k-inc-1", openedAt: at(1), phase: "assess", severity: "CRITICAL" },
        });

        await store.commit(update);

        expect(await store.listIncidents({ phase: "assess" })).toEqual([update.incident]);
        expect(ids(await store.listIncidents({ phase: "detect" }))).toEqual(["inc-4"]);
      });
    });

    describe("timeline", () => {
      it("keeps entries of several commits in commit order with sortable seqs", async () => {
        // Prepare
        const batches = [["opened", "finding"], ["acknowledged"], ["contained", "note", "approved"]];

        // Act
        for (const [index, texts] of batches.entries()) {
          await store.commit(
            makeCommit("inc-a", {
              expectedVersion: index,
              timeline: texts.map((text, n) =>
                makeTimelineEntry({ text, at: at(index * 10 + n), data: { n } }),
              ),
            }),
          );
        }

        // Assess
        const entries = await store.timeline("inc-a");
        expect(entries.map((e) => e.text)).toEqual(batches.flat());
        const seqs = entries.map((e) => e.seq);
        expect([...seqs].sort()).toEqual(seqs);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(entries[5]).toEqual({
          incidentId: "inc-a",
          seq: entries[5]?.seq,
          at: at(22),
          actor: "system",
          kind: "finding.received",
          text: "approved",
          data: { n: 2 },
        });
        expect(await store.timeline("inc-other")).toEqual([]);
      });
    });

    describe("outbox commands", () => {
      it("stores commands as pending and lists pending ones oldest first", async () => {
        // Prepare
        await store.commit(
          makeCommit("inc-a", { commands: 2, incident: { updatedAt: at(20), correlationKey: "k-a" } }),
        );
        await store.commit(
          makeCommit("inc-b", { commands: 1, incident: { updatedAt: at(10), correlationKey: "k-b" } }),
        );

        // Act
        const pending = await store.pendingCommands(10);
        const limited = await store.pendingCommands(2);

        // Assess
        expect(commandIds(pending)).toEqual(["inc-b:1:0", "inc-a:1:0", "inc-a:1:1"]);
        expect(commandIds(limited)).toEqual(["inc-b:1:0", "inc-a:1:0"]);
        expect(await store.getCommand("inc-a:1:1")).toEqual({
          ...makeOutboxCommand("inc-a", 1, 1, { createdAt: at(20) }),
          status: "pending",
        });
        expect(commandIds(await store.commandsOf("inc-a"))).toEqual(["inc-a:1:0", "inc-a:1:1"]);
        expect(await store.getCommand("inc-a:9:9")).toBeUndefined();
      });

      it("records a result once: a second report changes nothing and returns false", async () => {
        await store.commit(makeCommit("inc-a", { commands: 2 }));

        const first = await store.recordCommandResult("inc-a:1:0", {
          status: "succeeded",
          at: at(5),
          result: { messageTs: "1714564800.000100" },
        });
        const second = await store.recordCommandResult("inc-a:1:0", {
          status: "failed",
          at: at(6),
          error: "late",
        });
        const failed = await store.recordCommandResult("inc-a:1:1", {
          status: "failed",
          at: at(7),
          error: "rate limited",
        });
        const unknown = await store.recordCommandResult("inc-a:1:9", { status: "succeeded", at: at(8) });

        expect([first, second, failed, unknown]).toEqual([true, false, true, false]);
        expect(await store.getCommand("inc-a:1:0")).toMatchObject({
          status: "succeeded",
          completedAt: at(5),
          result: { messageTs: "1714564800.000100" },
        });
        expect(await store.getCommand("inc-a:1:0")).not.toHaveProperty("error");
        expect(await store.getCommand("inc-a:1:1")).toMatchObject({
          status: "failed",
          error: "rate limited",
        });
        expect(await store.pendingCommands(10)).toEqual([]);
        expect((await store.commandsOf("inc-a")).map((c) => c.status)).toEqual(["succeeded", "failed"]);
      });

      it("keeps commands immutable: a commit reusing a stored command id writes nothing", async () => {
        await store.commit(makeCommit("inc-a", { commands: 1 }));
        const reuse: Commit = {
          ...makeCommit("inc-a", { expectedVersion: 1 }),
          commands: [makeOutboxCommand("inc-a", 1, 0, { type: "isolateInstance" })],
        };

        const error = await store.commit(reuse).then(
          () => undefined,
          (e: unknown) => e,
        );

        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(VersionConflictError);
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1 });
        expect(await store.getCommand("inc-a:1:0")).toMatchObject({ type: "postIncidentMessage" });
        expect(await store.timeline("inc-a")).toHaveLength(1);
      });
    });

    describe("command results recorded in a commit", () => {
      it("records results together with the incident change they cause", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { commands: 3 }));
        const succeeded = makeCommandResult("inc-a:1:0", { result: { messageTs: "1714564800.000100" } });
        const failed = makeCommandResult("inc-a:1:2", { status: "failed", at: at(6), error: "rate limited" });
        const commit = makeCommit("inc-a", {
          expectedVersion: 1,
          incident: { phase: "assess" },
          commandResults: [succeeded, failed],
          timeline: [makeTimelineEntry({ kind: "command.succeeded", text: "message posted" })],
        });

        // Act
        await store.commit(commit);

        // Assess
        expect(await store.getIncident("inc-a")).toEqual(commit.incident);
        expect(await store.getCommand("inc-a:1:0")).toEqual({
          ...makeOutboxCommand("inc-a", 1, 0, { createdAt: at(1) }),
          status: "succeeded",
          completedAt: at(5),
          result: { messageTs: "1714564800.000100" },
        });
        const failedCommand = await store.getCommand("inc-a:1:2");
        expect(failedCommand).toMatchObject({ status: "failed", completedAt: at(6), error: "rate limited" });
        expect(failedCommand).not.toHaveProperty("result");
        expect(commandIds(await store.pendingCommands(10))).toEqual(["inc-a:1:1"]);
        expect((await store.timeline("inc-a")).map((e) => e.text)).toEqual(["version 1", "message posted"]);
      });

      it("refuses a second commit recording the same command and writes none of it", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { commands: 1 }));
        await store.commit(
          makeCommit("inc-a", { expectedVersion: 1, commandResults: [makeCommandResult("inc-a:1:0")] }),
        );
        const duplicate = makeCommit("inc-a", {
          expectedVersion: 2,
          incident: { phase: "contain", open: false },
          commands: 1,
          timeline: [makeTimelineEntry({ text: "must not appear" })],
          findings: [makeFindingRecord({ incidentId: "inc-a" })],
          commandResults: [makeCommandResult("inc-a:1:0", { status: "failed", at: at(9), error: "again" })],
        });

        // Act
        const error = await alreadyRecordedOf(store.commit(duplicate));

        // Assess
        expect(error.commandId).toBe("inc-a:1:0");
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 2, phase: "detect", open: true });
        expect((await store.timeline("inc-a")).map((e) => e.text)).toEqual(["version 1", "version 2"]);
        expect(commandIds(await store.commandsOf("inc-a"))).toEqual(["inc-a:1:0"]);
        expect(await store.getCommand("inc-a:1:0")).toMatchObject({
          status: "succeeded",
          completedAt: at(5),
        });
        expect(await store.getFinding(makeFindingRecord().identity)).toBeUndefined();
        expect(await store.findOpenIncident(duplicate.incident.correlationKey)).toMatchObject({
          id: "inc-a",
        });
      });

      it("refuses a result already recorded through recordCommandResult, leaving the others pending", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { commands: 2 }));
        await store.recordCommandResult("inc-a:1:1", { status: "failed", at: at(3), error: "timeout" });
        const late = makeCommit("inc-a", {
          expectedVersion: 1,
          commandResults: [makeCommandResult("inc-a:1:0"), makeCommandResult("inc-a:1:1")],
        });

        // Act
        const error = await alreadyRecordedOf(store.commit(late));

        // Assess
        expect(error.commandId).toBe("inc-a:1:1");
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1 });
        expect(await store.timeline("inc-a")).toHaveLength(1);
        expect(commandIds(await store.pendingCommands(10))).toEqual(["inc-a:1:0"]);
        expect(await store.getCommand("inc-a:1:0")).not.toHaveProperty("completedAt");
        expect(await store.getCommand("inc-a:1:1")).toMatchObject({ status: "failed", error: "timeout" });
      });

      it("refuses a result for a command that does not exist", async () => {
        await store.commit(makeCommit("inc-a", { commands: 1 }));

        const error = await alreadyRecordedOf(
          store.commit(
            makeCommit("inc-a", { expectedVersion: 1, commandResults: [makeCommandResult("inc-a:1:7")] }),
          ),
        );

        expect(error.commandId).toBe("inc-a:1:7");
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1 });
        expect(await store.getCommand("inc-a:1:7")).toBeUndefined();
      });

      it("reports a version conflict, not the recorded command, when a commit fails on both", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { commands: 1 }));
        await store.recordCommandResult("inc-a:1:0", { status: "succeeded", at: at(2) });
        const recorded = [makeCommandResult("inc-a:1:0")];

        // Act
        const stale = await conflictOf(
          store.commit(makeCommit("inc-a", { expectedVersion: 3, commandResults: recorded })),
        );
        const recreate = await conflictOf(store.commit(makeCommit("inc-a", { commandResults: recorded })));

        // Assess
        expect(stale).toMatchObject({ incidentId: "inc-a", expectedVersion: 3 });
        expect(recreate).toMatchObject({ incidentId: "inc-a", expectedVersion: 0 });
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1 });
        expect(await store.getCommand("inc-a:1:0")).toMatchObject({
          status: "succeeded",
          completedAt: at(2),
        });
      });

      it("agrees with a model over interleaved direct and in-commit results", async () => {
        let run = 0;
        const commandCount = 3;
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.oneof(
                fc.record({ kind: fc.constant("record" as const), n: fc.nat(commandCount - 1) }),
                fc.record({
                  kind: fc.constant("commit" as const),
                  ns: fc.uniqueArray(fc.nat(commandCount - 1), { maxLength: commandCount }),
                  stale: fc.boolean(),
                }),
              ),
              { minLength: 1, maxLength: 8 },
            ),
            async (steps) => {
              // Prepare: the model is "a result lands iff its command is pending; a commit lands iff its
              // version is current and every command it records is pending".
              const id = `res-${++run}`;
              const commandId = (n: number) => `${id}:1:${n}`;
              await store.commit(
                makeCommit(id, { commands: commandCount, incident: { correlationKey: `k-${id}` } }),
              );
              let version = 1;
              const recorded = new Map<string, string>();

              // Act
              for (const [index, step] of steps.entries()) {
                const when = at(100 + index);
                if (step.kind === "record") {
                  const landed = await store.recordCommandResult(commandId(step.n), {
                    status: "succeeded",
                    at: when,
                  });
                  expect(landed).toBe(!recorded.has(commandId(step.n)));
                  if (landed) recorded.set(commandId(step.n), when);
                  continue;
                }
                const ids = step.ns.map(commandId);
                const outcome = await rejectionOf(
                  store.commit(
                    makeCommit(id, {
                      expectedVersion: step.stale ? version + 1 : version,
                      incident: { correlationKey: `k-${id}` },
                      commandResults: ids.map((c) => makeCommandResult(c, { at: when })),
                    }),
                  ),
                );
                if (step.stale) {
                  expect(outcome).toBeInstanceOf(VersionConflictError);
                } else if (ids.some((c) => recorded.has(c))) {
                  expect(outcome).toBeInstanceOf(CommandAlreadyRecordedError);
                } else {
                  expect(outcome).toBeUndefined();
                  version++;
                  for (const c of ids) recorded.set(c, when);
                }
              }

              // Assess
              expect((await store.getIncident(id))?.version).toBe(version);
              const stored = await store.commandsOf(id);
              expect(stored.map((c) => [c.id, c.status, c.completedAt])).toEqual(
                Array.from({ length: commandCount }, (_, n) => {
                  const completedAt = recorded.get(commandId(n));
                  return [commandId(n), completedAt ? "succeeded" : "pending", completedAt];
                }),
              );
            },
          ),
          { numRuns: 20 },
        );
      });
    });

    describe("malformed commits are caller bugs, not conflicts", () => {
      it("rejects a version that is not expectedVersion + 1", async () => {
        const commit = makeCommit("inc-a");

        await expect(
          store.commit({ ...commit, incident: { ...commit.incident, version: 3 } }),
        ).rejects.toBeInstanceOf(RangeError);
        await expect(store.commit({ ...commit, expectedVersion: -1 })).rejects.toBeInstanceOf(RangeError);
        expect(await store.getIncident("inc-a")).toBeUndefined();
      });

      it("rejects commands and findings that belong to another incident", async () => {
        const commit = makeCommit("inc-a");

        await expect(
          store.commit({ ...commit, commands: [makeOutboxCommand("inc-b", 1, 0)] }),
        ).rejects.toBeInstanceOf(TypeError);
        await expect(
          store.commit({ ...commit, findings: [makeFindingRecord({ incidentId: "inc-b" })] }),
        ).rejects.toBeInstanceOf(TypeError);
        await expect(
          store.commit({ ...commit, commandResults: [makeCommandResult("inc-b:1:0")] }),
        ).rejects.toBeInstanceOf(TypeError);
        await expect(
          store.commit({ ...commit, incident: { ...commit.incident, nextDeadline: "soon" } }),
        ).rejects.toBeInstanceOf(RangeError);
        expect(await store.getIncident("inc-a")).toBeUndefined();
      });

      it("rejects command results no commit can carry", async () => {
        // Prepare
        await store.commit(makeCommit("inc-a", { commands: 1 }));
        const next = makeCommit("inc-a", { expectedVersion: 1, commands: 1 });
        const withResults = (...results: NonNullable<Commit["commandResults"]>) =>
          store.commit({ ...next, commandResults: results });

        // Act
        const twice = await rejectionOf(
          withResults(makeCommandResult("inc-a:1:0"), makeCommandResult("inc-a:1:0", { status: "failed" })),
        );
        const ownCommand = await rejectionOf(withResults(makeCommandResult("inc-a:2:0")));
        const pending = await rejectionOf(
          withResults({ ...makeCommandResult("inc-a:1:0"), status: "pending" as "succeeded" }),
        );
        const badTime = await rejectionOf(withResults(makeCommandResult("inc-a:1:0", { at: "later" })));
        const malformedId = await rejectionOf(withResults(makeCommandResult("inc-a")));

        // Assess
        expect([twice, ownCommand, pending, malformedId].map((e) => e instanceof TypeError)).toEqual([
          true,
          true,
          true,
          true,
        ]);
        expect(badTime).toBeInstanceOf(RangeError);
        expect(await store.getIncident("inc-a")).toMatchObject({ version: 1 });
        expect(await store.getCommand("inc-a:1:0")).toMatchObject({ status: "pending" });
        expect(await store.getCommand("inc-a:2:0")).toBeUndefined();
      });
    });

    describe("any sequence of commits", () => {
      it("leaves exactly the successful commits: version, timeline and commands", async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.record({
                drift: fc.constantFrom(-1, 0, 0, 1),
                entries: fc.integer({ min: 0, max: 3 }),
                commands: fc.integer({ min: 0, max: 2 }),
              }),
              { minLength: 1, maxLength: 8 },
            ),
            async (steps) => {
              // Prepare: a fresh incident per run; the model is "succeeds iff expected == stored version".
              const id = `prop-${++run}`;
              let version = 0;
              const expectedTexts: string[] = [];
              const expectedCommands: string[] = [];

              // Act
              for (const [step, { drift, entries, commands }] of steps.entries()) {
                const expectedVersion = Math.max(0, version + drift);
                const texts = Array.from({ length: entries }, (_, n) => `step ${step} entry ${n}`);
                const commit = makeCommit(id, {
                  expectedVersion,
                  commands,
                  incident: { correlationKey: `k-${id}` },
                  timeline: texts.map((text) => makeTimelineEntry({ text })),
                });
                const outcome = await store.commit(commit).then(
                  () => "ok" as const,
                  (e: unknown) => e,
                );
                if (expectedVersion === version) {
                  expect(outcome).toBe("ok");
                  version++;
                  expectedTexts.push(...texts);
                  expectedCommands.push(...commit.commands.map((c) => c.id));
                } else {
                  expect(outcome).toBeInstanceOf(VersionConflictError);
                }
              }

              // Assess
              expect((await store.getIncident(id))?.version).toBe(version === 0 ? undefined : version);
              expect((await store.timeline(id)).map((e) => e.text)).toEqual(expectedTexts);
              expect(commandIds(await store.commandsOf(id)).sort()).toEqual([...expectedCommands].sort());
            },
          ),
          { numRuns: 30 },
        );
      });
    });

    describe("quarantine", () => {
      const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

      it("keeps what it is given and lists newest first", async () => {
        // Prepare
        const items = [
          makeQuarantinedInput({ id: "q-old", receivedAt: hoursAgo(30) }),
          makeQuarantinedInput({
            id: "q-new",
            receivedAt: hoursAgo(1),
            channel: "eventbridge",
            error: { code: "unknown_event", message: "no normalizer for aws.inspector2", path: "$.source" },
            raw: '{"source":"aws.inspector2","detail":{"ünïcödé":"✓"}}',
          }),
          makeQuarantinedInput({ id: "q-mid", receivedAt: hoursAgo(5), raw: "" }),
        ];

        // Act
        for (const item of items) await quarantine.put(item);

        // Assess
        expect(await quarantine.list(10)).toEqual([items[1], items[2], items[0]]);
        expect((await quarantine.list(2)).map((q) => q.id)).toEqual(["q-new", "q-mid"]);
        expect(await quarantine.list(0)).toEqual([]);
      });

      it("treats a redelivered item as the same item", async () => {
        const item = makeQuarantinedInput({ receivedAt: hoursAgo(2) });

        await quarantine.put(item);
        await quarantine.put(item);

        expect(await quarantine.list(10)).toEqual([item]);
      });
    });
  });
}
