/**
 * Chat-update coalescing in dispatch ("latest wins"), on the real SQLite store: a real GuardDuty EC2
 * finding opens the incident, responder actions queue updates of its chat message, dispatch runs them.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, type ResponderAction } from "../../app/act";
import { commandOrder, isNewer, supersedingCommand } from "../../app/coalesce";
import { dispatch } from "../../app/dispatch";
import { ingestText } from "../../app/ingest";
import type { StoredCommand } from "../../core/ports/incident-store";
import { fixtureText } from "../support/fixtures";
import { makeLocalApp } from "../support/local-app";

const T0 = "2024-05-01T10:00:00.000Z";
const GD_FILE = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp(T0);
});
afterEach(() => app.close());

async function openIncident(): Promise<string> {
  const [outcome] = await ingestText(app.deps, fixtureText(GD_FILE), { channel: "test", rawRef: "r" });
  const opened = outcome?.findings[0];
  if (opened?.decision !== "opened") throw new Error("the fixture did not open an incident");
  return opened.incidentId;
}

async function actions(incidentId: string, types: ResponderAction["type"][]): Promise<void> {
  for (const type of types) {
    app.clock.advance(1);
    await act(app.deps, incidentId, { type, note: `${type} by test` }, "U_ALICE");
  }
}

const pending = async (incidentId: string, type?: string) =>
  (await app.deps.store.commandsOf(incidentId)).filter(
    (c) => c.status === "pending" && (type === undefined || c.type === type),
  );

const executedIds = (type: string) => app.executor.executed.filter((c) => c.type === type).map((c) => c.id);

async function dispatchAll(commands: StoredCommand[]) {
  const outcomes = [];
  for (const command of commands) outcomes.push(await dispatch(app.deps, command));
  return outcomes;
}

describe("dispatch coalesces chat message updates", () => {
  it("executes only the newest of several pending updates and records the older ones as coalesced by it", async () => {
    // Prepare: three responder actions, each re-rendering the incident message
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign", "advance"]);
    const updates = await pending(id, "updateIncidentMessage");
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const newest = updates.at(-1)!;

    // Act: the dispatcher's order, oldest first
    const outcomes = await dispatchAll(updates);

    // Assess: one Slack write instead of N, carrying the latest view
    expect(executedIds("updateIncidentMessage")).toEqual([newest.id]);
    expect(outcomes.map((o) => o.status)).toEqual([...updates.slice(1).map(() => "coalesced"), "succeeded"]);
    for (const older of updates.slice(0, -1)) {
      const stored = await app.deps.store.getCommand(older.id);
      expect(stored).toMatchObject({ status: "succeeded", result: { coalesced: true, by: newest.id } });
    }
    expect((await app.deps.store.getCommand(newest.id))!.result).toBeUndefined();
  });

  it("puts every coalesced update on the incident timeline, once, and ignores a duplicate delivery", async () => {
    // Prepare
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign"]);
    const updates = await pending(id, "updateIncidentMessage");
    const older = updates[0]!;
    await dispatchAll(updates);

    // Act: the stream / SQS delivers the coalesced command again
    const again = await dispatch(app.deps, older);

    // Assess
    expect(again).toEqual({ status: "already-done", commandId: older.id });
    const mentions = (await app.deps.store.timeline(id)).filter(
      (entry) => (entry.data as { commandId?: string } | undefined)?.commandId === older.id,
    );
    expect(mentions).toHaveLength(1);
    expect(executedIds("updateIncidentMessage")).toEqual([updates.at(-1)!.id]);
  });

  it("executes a lone update", async () => {
    // Prepare
    const id = await openIncident();
    await actions(id, ["acknowledge"]);
    const [update, ...others] = await pending(id, "updateIncidentMessage");
    expect(others).toEqual([]);

    // Act
    const outcome = await dispatch(app.deps, update!);

    // Assess
    expect(outcome).toEqual({ status: "succeeded", commandId: update!.id });
    expect(executedIds("updateIncidentMessage")).toEqual([update!.id]);
  });

  it("never coalesces posts, thread replies or any other command, however many are pending", async () => {
    // Prepare: the open commands plus one reply and one lifecycle event per action
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign", "note", "advance"]);
    const others = (await pending(id)).filter((c) => c.type !== "updateIncidentMessage");
    expect(others.filter((c) => c.type === "postThreadReply").length).toBeGreaterThanOrEqual(2);

    // Act
    const outcomes = await dispatchAll(others);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(others.map(() => "succeeded"));
    expect(app.executor.executed.map((c) => c.id)).toEqual(others.map((c) => c.id));
  });

  it("coalesces an older update retried after a newer one was already executed", async () => {
    // Prepare: the older update was rate limited, so the newer one went out first
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign"]);
    const [older, newer] = await pending(id, "updateIncidentMessage");
    await dispatch(app.deps, newer!);

    // Act
    const outcome = await dispatch(app.deps, older!);

    // Assess: the older view would have overwritten the newer one
    expect(outcome).toEqual({ status: "coalesced", commandId: older!.id, by: newer!.id });
    expect(executedIds("updateIncidentMessage")).toEqual([newer!.id]);
  });

  it("executes an older update when the newer one failed, since its view was never shown", async () => {
    // Prepare
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign"]);
    const [older, newer] = await pending(id, "updateIncidentMessage");
    app.executor.failing.add("updateIncidentMessage");
    expect((await dispatch(app.deps, newer!)).status).toBe("failed");
    app.executor.failing.delete("updateIncidentMessage");

    // Act
    const outcome = await dispatch(app.deps, older!);

    // Assess
    expect(outcome).toEqual({ status: "succeeded", commandId: older!.id });
    expect(executedIds("updateIncidentMessage")).toEqual([newer!.id, older!.id]);
  });

  it("leaves an update pending when the newest one has to wait (rate limited): nothing is lost", async () => {
    // Prepare
    const id = await openIncident();
    await actions(id, ["acknowledge", "assign"]);
    const [older, newer] = await pending(id, "updateIncidentMessage");
    app.executor.retryLater.add("updateIncidentMessage");

    // Act
    const first = await dispatch(app.deps, older!);
    const second = await dispatch(app.deps, newer!);

    // Assess: the older one is settled, the newest still waits for its turn
    expect(first.status).toBe("coalesced");
    expect(second.status).toBe("retry-later");
    expect((await pending(id, "updateIncidentMessage")).map((c) => c.id)).toEqual([newer!.id]);
  });
});

describe("supersedingCommand", () => {
  const stored = (id: string, type: string, status: StoredCommand["status"] = "pending"): StoredCommand => ({
    id,
    incidentId: "IR-7",
    type,
    params: {},
    createdAt: T0,
    status,
  });
  const storeOf = (commands: StoredCommand[]) => ({ commandsOf: async () => commands });

  it("picks the newest by (version, n), not by position, and ignores other types and older commands", async () => {
    // Prepare
    const commands = [
      stored("IR-7:12:1", "updateIncidentMessage"),
      stored("IR-7:3:0", "updateIncidentMessage"),
      stored("IR-7:12:0", "updateIncidentMessage"),
      stored("IR-7:40:0", "postThreadReply"),
      stored("IR-7:9:0", "updateIncidentMessage", "failed"),
    ];

    // Act
    const forOld = await supersedingCommand(storeOf(commands), commands[1]!);
    const forNewest = await supersedingCommand(storeOf(commands), commands[0]!);

    // Assess
    expect(forOld).toBe("IR-7:12:1");
    expect(forNewest).toBeUndefined();
  });

  it("does not coalesce commands whose ids lack the <incidentId>:<version>:<n> shape", async () => {
    // Prepare
    const odd = stored("IR-7:x", "updateIncidentMessage");
    const commands = [odd, stored("IR-7:99:0", "updateIncidentMessage")];

    // Act / Assess
    expect(await supersedingCommand(storeOf(commands), odd)).toBeUndefined();
  });

  it("never consults the store for a type that is not coalescable", async () => {
    // Prepare
    let reads = 0;
    const store = {
      commandsOf: async () => {
        reads++;
        return [] as StoredCommand[];
      },
    };

    // Act
    const result = await supersedingCommand(store, stored("IR-7:1:0", "postThreadReply"));

    // Assess
    expect(result).toBeUndefined();
    expect(reads).toBe(0);
  });
});

describe("commandOrder / isNewer", () => {
  it("reads version and index from any incident id, colons included, and only for that incident", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.nat(1e6),
        fc.nat(1e3),
        (incidentId, version, n) => {
          expect(commandOrder(`${incidentId}:${version}:${n}`, incidentId)).toEqual([version, n]);
          expect(commandOrder(`${incidentId}x:${version}:${n}`, incidentId)).toBeUndefined();
        },
      ),
    );
  });

  it("orders by version first, then index, as a strict order", () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(50), fc.nat(5)), fc.tuple(fc.nat(50), fc.nat(5)), (a, b) => {
        const expected = a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
        expect(isNewer(a, b)).toBe(expected);
        expect(isNewer(a, b) && isNewer(b, a)).toBe(false);
      }),
    );
  });
});
