/**
 * The dashboard's reading of an incident: the deadline shown is the running phase clock's (not the sweep
 * index's earlier warning time), flags follow time, actions follow the workflow's state, and a snapshot
 * this code cannot read degrades to the record's columns.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  availableActions,
  clockState,
  incidentModel,
  plannedCalls,
} from "../../../server/dashboard/incident-model";
import { type DashboardHarness, makeDashboardHarness, T0, TOR_RELAY } from "./harness";

let t: DashboardHarness;
beforeEach(async () => {
  t = makeDashboardHarness();
  await t.ingestFixture(TOR_RELAY);
});
afterEach(() => t.close());

const load = async () => (await t.local.deps.store.getIncident("IR-0001"))!;

describe("incidentModel", () => {
  it("shows the running clock's deadline, not the earlier sweep time", async () => {
    // Prepare
    const record = await load();

    // Act
    const model = incidentModel(record, T0);

    // Assess
    expect(record.nextDeadline).toBe("2024-05-01T10:12:00.000Z");
    expect(model.deadline).toEqual({
      phase: "detect",
      warnAt: "2024-05-01T10:12:00.000Z",
      deadline: "2024-05-01T10:15:00.000Z",
      warned: false,
      breached: false,
    });
    expect(model.breaches).toBe(0);
  });

  it.each([
    ["2024-05-01T10:11:59.000Z", false, false],
    ["2024-05-01T10:12:00.000Z", true, false],
    ["2024-05-01T10:15:00.000Z", true, true],
  ])("at %s: warned %s, breached %s", async (now, warned, breached) => {
    // Act
    const model = incidentModel(await load(), now);

    // Assess
    expect(model.deadline?.warned).toBe(warned);
    expect(model.deadline?.breached).toBe(breached);
  });

  it("has no deadline once the incident is closed", async () => {
    // Prepare
    await t.local.deps.store.listIncidents();
    const { act } = await import("../../../app/act");
    await act(t.local.deps, "IR-0001", { type: "false-positive", note: "lab traffic" }, "alice");

    // Act
    const model = incidentModel(await load(), T0);

    // Assess
    expect(model.record.open).toBe(false);
    expect(model.deadline).toBeNull();
    expect(availableActions(model, "alice")).toEqual([]);
  });

  it("reads an unreadable snapshot as the record's columns with the reason", async () => {
    // Prepare
    const record = { ...(await load()), snapshot: { machineVersion: 99, state: {} } };

    // Act
    const model = incidentModel(record, T0);

    // Assess
    expect(model.context).toBeNull();
    expect(model.snapshotError).toContain("newer than this code");
    expect(model.deadline).toBeNull();
    expect(availableActions(model, null)).toEqual([]);
  });
});

describe("availableActions", () => {
  it("offers acknowledge and false positive in detect, approval only once a plan awaits it", async () => {
    // Act
    const before = availableActions(incidentModel(await load(), T0), "dashboard");
    await t.dispatchPending();
    const after = availableActions(incidentModel(await load(), T0), "dashboard");

    // Assess
    expect(before).toEqual(["acknowledge", "assign", "advance", "false-positive", "note", "escalate"]);
    expect(after).toEqual([
      "acknowledge",
      "assign",
      "approve-containment",
      "deny-containment",
      "advance",
      "false-positive",
      "note",
      "escalate",
    ]);
  });

  it("drops acknowledge once acknowledged and take-ownership for the owner", async () => {
    // Prepare
    const { act } = await import("../../../app/act");
    await act(t.local.deps, "IR-0001", { type: "acknowledge" }, "alice");
    await act(t.local.deps, "IR-0001", { type: "assign" }, "alice");

    // Act
    const model = incidentModel(await load(), T0);

    // Assess
    expect(availableActions(model, "alice")).not.toContain("acknowledge");
    expect(availableActions(model, "alice")).not.toContain("assign");
    expect(availableActions(model, "bob")).toContain("assign");
  });
});

describe("clockState", () => {
  it("follows a clock from running through warned and breached to late", async () => {
    // Prepare
    const clock = incidentModel(await load(), T0).context!.clocks[0]!;

    // Act / Assess
    expect(clockState(clock, T0)).toBe("running");
    expect(clockState(clock, "2024-05-01T10:13:00.000Z")).toBe("warned");
    expect(clockState(clock, "2024-05-01T10:16:00.000Z")).toBe("breached");
    expect(clockState({ ...clock, stoppedAt: "2024-05-01T10:05:00.000Z" }, T0)).toBe("met");
    expect(clockState({ ...clock, stoppedAt: "2024-05-01T10:20:00.000Z" }, T0)).toBe("late");
  });
});

describe("plannedCalls", () => {
  it("reads the dry-run plan's calls and refuses other shapes", async () => {
    // Prepare
    await t.dispatchPending();
    const plan = (await t.local.deps.store.commandsOf("IR-0001")).find((c) => c.type === "planContainment");

    // Act
    const calls = plannedCalls(plan?.result);

    // Assess
    expect(calls?.map((c) => `${c.service}:${c.action}`)).toEqual([
      "ec2:ModifyInstanceAttribute",
      "ec2:CreateSnapshots",
      "ec2:CreateTags",
      "ec2:ModifyNetworkInterfaceAttribute",
      "ec2:ModifyNetworkInterfaceAttribute",
    ]);
    expect(plannedCalls({ calls: [{ service: 1, action: "x" }] })).toBeNull();
    expect(plannedCalls({ calls: "nope" })).toBeNull();
    expect(plannedCalls(null)).toBeNull();
    expect(plannedCalls([1, 2])).toBeNull();
  });
});
