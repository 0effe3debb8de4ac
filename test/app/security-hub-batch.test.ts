/**
 * Security Hub updates batched in dispatch, on the real SQLite store: a real GuardDuty EC2 finding opens
 * the incident, more findings on the same instance join it (each join asks Security Hub to mark its
 * finding NOTIFIED), and dispatch runs them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatch } from "../../app/dispatch";
import { ingestText } from "../../app/ingest";
import {
  BATCHABLE,
  batchWithSiblings,
  MAX_FINDINGS_PER_CALL,
  siblingResult,
} from "../../app/security-hub-batch";
import type { Command, SecurityHubRef } from "../../core/incident/commands";
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

/** The fixture under another finding id: another GuardDuty finding on the same instance. */
function sameInstanceFinding(n: number): string {
  const finding = JSON.parse(fixtureText(GD_FILE));
  const id = `f${n.toString(16).padStart(31, "0")}`;
  finding.arn = finding.arn.replace(finding.id, id);
  finding.id = id;
  return JSON.stringify(finding);
}

/** Opens the incident and joins `joins` more findings to it. */
async function incidentWithJoins(joins: number): Promise<string> {
  const [opened] = await ingestText(app.deps, fixtureText(GD_FILE), { channel: "test", rawRef: "r0" });
  const first = opened?.findings[0];
  if (first?.decision !== "opened") throw new Error("the fixture did not open an incident");
  for (let n = 1; n <= joins; n++) {
    app.clock.advance(1);
    const [joined] = await ingestText(app.deps, sameInstanceFinding(n), { channel: "test", rawRef: `r${n}` });
    expect(joined?.findings[0]?.decision).toBe("joined");
  }
  return first.incidentId;
}

const pendingSecurityHub = async (incidentId: string) =>
  (await app.deps.store.commandsOf(incidentId)).filter(
    (c) => c.status === "pending" && c.type === "updateSecurityHubFindings",
  );

const joinNotes = (commands: StoredCommand[]) =>
  commands.filter((c) => (c.params as { note: string }).note.startsWith("Joined incident"));

const idsOf = (command: Command | StoredCommand) =>
  (command.params as { findings: SecurityHubRef[] }).findings.map((ref) => ref.id).sort();

describe("dispatch batches Security Hub updates that mean the same thing", () => {
  it("sends the pending joins of an incident in one call and records each of them once", async () => {
    // Prepare: three joins, each with its own NOTIFIED update
    const id = await incidentWithJoins(3);
    const joins = joinNotes(await pendingSecurityHub(id));
    expect(joins).toHaveLength(3);

    // Act
    const outcome = await dispatch(app.deps, joins[0]!);

    // Assess: one call naming all three findings
    expect(outcome).toEqual({ status: "succeeded", commandId: joins[0]!.id });
    const calls = app.executor.executed.filter((c) => c.type === "updateSecurityHubFindings");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.id).toBe(joins[0]!.id);
    expect(idsOf(calls[0]!)).toEqual(joins.flatMap(idsOf).sort());
    for (const sibling of joins.slice(1)) {
      expect(await app.deps.store.getCommand(sibling.id)).toMatchObject({
        status: "succeeded",
        result: { batchedInto: joins[0]!.id, unprocessed: [] },
      });
    }
    const timelineMentions = (await app.deps.store.timeline(id)).filter((entry) =>
      joins.some((j) => (entry.data as { commandId?: string } | undefined)?.commandId === j.id),
    );
    expect(timelineMentions).toHaveLength(3);
  });

  it("treats a later delivery of a batched command as already done, without calling Security Hub", async () => {
    // Prepare
    const id = await incidentWithJoins(2);
    const [first, second] = joinNotes(await pendingSecurityHub(id));
    await dispatch(app.deps, first!);

    // Act
    const again = await dispatch(app.deps, second!);

    // Assess
    expect(again).toEqual({ status: "already-done", commandId: second!.id });
    expect(app.executor.executed.filter((c) => c.type === "updateSecurityHubFindings")).toHaveLength(1);
  });

  it("does not merge an update with another status or note", async () => {
    // Prepare: the opening NOTIFIED ("Incident … opened") and one join ("Joined incident …")
    const id = await incidentWithJoins(1);
    const updates = await pendingSecurityHub(id);
    const opening = updates.find((c) => !joinNotes([c]).length)!;

    // Act
    await dispatch(app.deps, opening);

    // Assess
    const calls = app.executor.executed.filter((c) => c.type === "updateSecurityHubFindings");
    expect(calls.map(idsOf)).toEqual([idsOf(opening)]);
    expect(joinNotes(await pendingSecurityHub(id))).toHaveLength(1);
  });

  it("leaves the siblings pending when the call fails or has to wait: nothing is lost", async () => {
    // Prepare
    const id = await incidentWithJoins(3);
    const joins = joinNotes(await pendingSecurityHub(id));

    // Act
    app.executor.retryLater.add("updateSecurityHubFindings");
    const waiting = await dispatch(app.deps, joins[0]!);
    app.executor.retryLater.delete("updateSecurityHubFindings");
    app.executor.failing.add("updateSecurityHubFindings");
    const failed = await dispatch(app.deps, joins[0]!);

    // Assess
    expect([waiting.status, failed.status]).toEqual(["retry-later", "failed"]);
    expect(joinNotes(await pendingSecurityHub(id)).map((c) => c.id)).toEqual(joins.slice(1).map((c) => c.id));
  });
});

describe("batchWithSiblings", () => {
  const ref = (n: number): SecurityHubRef => ({
    id: `finding-${n}`,
    productArn: "arn:aws:securityhub:::product/x",
  });
  const update = (n: number, refs: SecurityHubRef[], note = "Joined incident IR-7"): StoredCommand => ({
    id: `IR-7:${n}:0`,
    incidentId: "IR-7",
    type: "updateSecurityHubFindings",
    params: { findings: refs as never, status: "NOTIFIED", note },
    createdAt: T0,
    status: "pending",
  });
  const asCommand = (stored: StoredCommand) =>
    ({ id: stored.id, incidentId: stored.incidentId, type: stored.type, params: stored.params }) as Command;
  const storeOf = (commands: StoredCommand[]) => ({ commandsOf: async () => commands });

  it("stops at one call's worth of distinct findings, and counts a finding named twice once", async () => {
    // Prepare: 150 pending joins, the second naming the first's finding again
    const commands = Array.from({ length: 150 }, (_, i) => update(i + 1, [ref(i === 1 ? 0 : i)]));

    // Act
    const batch = await batchWithSiblings(storeOf(commands), asCommand(commands[0]!));

    // Assess
    expect(idsOf(batch.command)).toHaveLength(MAX_FINDINGS_PER_CALL);
    expect(batch.siblings).toHaveLength(MAX_FINDINGS_PER_CALL);
    expect(batch.siblings.map((c) => c.id)).toEqual(commands.slice(1, 101).map((c) => c.id));
  });

  it("leaves other types, settled commands and other notes alone", async () => {
    // Prepare
    const mine = update(1, [ref(1)]);
    const commands = [
      mine,
      update(2, [ref(2)], "Incident IR-7 opened"),
      { ...update(3, [ref(3)]), status: "succeeded" as const },
      { ...update(4, [ref(4)]), type: "addSecurityHubNote" },
      update(5, [ref(5)]),
    ];

    // Act
    const batch = await batchWithSiblings(storeOf(commands), asCommand(mine));

    // Assess
    expect(batch.siblings.map((c) => c.id)).toEqual(["IR-7:5:0"]);
    expect(idsOf(batch.command)).toEqual(["finding-1", "finding-5"]);
  });

  it("never batches other command types", async () => {
    // Prepare
    const reply = {
      id: "IR-7:1:0",
      incidentId: "IR-7",
      type: "postThreadReply",
      params: { topic: "t", text: "x" },
    } as unknown as Command;

    // Act
    const batch = await batchWithSiblings(storeOf([]), reply);

    // Assess
    expect(batch).toEqual({ command: reply, siblings: [] });
    expect(BATCHABLE.has("postThreadReply")).toBe(false);
  });

  it("gives a sibling only Security Hub's refusals of its own findings", () => {
    // Prepare
    const sibling = update(2, [ref(2), ref(3)]);
    const callResult = {
      processed: 2,
      unprocessed: [
        {
          id: "finding-3",
          productArn: ref(3).productArn,
          errorCode: "FindingNotFound",
          errorMessage: "gone",
        },
        {
          id: "finding-9",
          productArn: ref(9).productArn,
          errorCode: "FindingNotFound",
          errorMessage: "gone",
        },
      ],
    };

    // Act
    const result = siblingResult("IR-7:1:0", sibling, callResult);

    // Assess
    expect(result).toEqual({
      batchedInto: "IR-7:1:0",
      unprocessed: [callResult.unprocessed[0]],
    });
  });
});
