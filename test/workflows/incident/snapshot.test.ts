/**
 * Stored snapshots: the JSON shape, the v0 → v1 migration and the typed refusal of unknown versions.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../core/ports/incident-store";
import { MACHINE_VERSION, restoreSnapshot, SnapshotError } from "../../../workflows/incident/snapshot";
import { step } from "../../../workflows/incident/step";
import {
  changed,
  deps,
  ev,
  findingFromGuardDutyFixture,
  replay,
  TORRELAY_FIXTURE,
} from "../../support/incident-events.factory";

const d = deps();
const opened = () =>
  replay([ev.received(findingFromGuardDutyFixture(TORRELAY_FIXTURE), 0), ev.ack(3), ev.clock(25)], d);

/** The shape the v0 prototype stored: bare xstate snapshot, label-only severity, findings keyed by identity. */
function downgradeToV0(v1: JsonObject): JsonObject {
  const state = structuredClone(v1.state) as JsonObject;
  const context = state.context as JsonObject;
  const severity = context.severity as JsonObject;
  const findings = context.findings as JsonObject[];
  context.severity = severity.label!;
  context.findings = Object.fromEntries(findings.map((f) => [f.identity as string, f]));
  delete context.recoveryHints;
  delete context.handledCommandIds;
  return state;
}

const errorOf = (fn: () => unknown): SnapshotError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SnapshotError) return error;
    throw error;
  }
  throw new Error("expected a SnapshotError");
};

describe("stored snapshots", () => {
  it("are plain JSON tagged with the machine version", () => {
    // Act
    const { stored } = opened();

    // Assess
    const snapshot = stored!.snapshot;
    expect(snapshot.machineVersion).toBe(MACHINE_VERSION);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.state).toMatchObject({
      status: "active",
      value: { open: { phase: "assess", containment: "planned" } },
    });
  });

  it("migrates a v0 snapshot, which then steps exactly like the v1 one", () => {
    // Prepare
    const { stored } = opened();
    const v0 = downgradeToV0(stored!.snapshot);

    // Act
    const migrated = restoreSnapshot(v0);
    const fromV0 = step({ snapshot: v0, version: stored!.version }, ev.clock(31), d);
    const fromV1 = step(stored, ev.clock(31), d);

    // Assess
    expect(migrated).toEqual(restoreSnapshot(stored!.snapshot));
    expect(changed(fromV0)).toEqual(changed(fromV1));
    expect(fromV0.commands.map((c) => c.type)).toContain("pageOnCall");
  });

  it("also migrates a v0 snapshot written inside a version-0 wrapper", () => {
    // Prepare
    const { stored } = opened();
    const wrapped = { machineVersion: 0, state: downgradeToV0(stored!.snapshot) };

    // Act
    const migrated = restoreSnapshot(wrapped);

    // Assess
    expect(migrated).toEqual(restoreSnapshot(stored!.snapshot));
  });

  it("refuses a newer machine version with a typed error, in restore and in step", () => {
    // Prepare
    const { stored } = opened();
    const future = { ...stored!.snapshot, machineVersion: MACHINE_VERSION + 1 };

    // Act
    const error = errorOf(() => restoreSnapshot(future));
    const fromStep = errorOf(() => step({ snapshot: future, version: 3 }, ev.ack(40), d));

    // Assess
    expect(error).toMatchObject({
      name: "SnapshotError",
      code: "unsupported_version",
      found: MACHINE_VERSION + 1,
    });
    expect(error.message).toContain("newer than this code");
    expect(fromStep.code).toBe("unsupported_version");
  });

  it.each([
    ["a non-object", []],
    ["an object without state", { machineVersion: 1 }],
    ["a non-numeric version", { machineVersion: "one", state: {} }],
    ["a state without context", { machineVersion: 1, state: { status: "active", value: "open" } }],
    ["a v0 without context", { value: "open" }],
    ["neither version nor value", { foo: 1 }],
  ])("rejects %s as malformed", (_name, json) => {
    // Act
    const error = errorOf(() => restoreSnapshot(json as JsonObject));

    // Assess
    expect(error.code).toBe("malformed");
  });
});
