/**
 * Model-based tests (xstate/graph): the machine is explored with a representative set of events, and the
 * paths found must visit every state node and take every transition defined in the machine. Each path is
 * then replayed through step() (the production entry point), checked against the raw machine, and ends
 * with a persist → JSON → restore round trip.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { type AnyMachineSnapshot, type AnyStateNode, type AnyTransitionDefinition, transition } from "xstate";
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, getStateNodes } from "xstate/graph";
import type { Finding } from "../../../core/findings/finding";
import { fromGuardDutySeverity } from "../../../core/findings/severity";
import { containmentPolicySchema } from "../../../core/incident/containment-policy";
import type { IncidentEvent } from "../../../core/incident/events";
import { slaPolicySchema } from "../../../core/incident/sla-policy";
import type { JsonObject } from "../../../core/ports/incident-store";
import type { IncidentContext } from "../../../workflows/incident/context";
import { incidentMachine } from "../../../workflows/incident/incident.machine";
import { persistSnapshot, resolveStoredSnapshot } from "../../../workflows/incident/snapshot";
import { type StepDeps, type StoredIncident, step } from "../../../workflows/incident/step";
import {
  changed,
  ev,
  makeAccessKeyFinding,
  makeFinding,
  makeInstance,
} from "../../support/incident-events.factory";

const slaPolicy = slaPolicySchema.parse({});
/** Rules chosen so each opening finding lands in a different containment path. */
const containmentPolicy = containmentPolicySchema.parse({
  mode: "auto",
  rules: [
    { findingTypes: ["UnauthorizedAccess:EC2/*"], minSeverity: "HIGH" },
    { findingTypes: ["Recon:*"], minSeverity: "INFORMATIONAL", mode: "dry-run" },
    { findingTypes: ["Backdoor:*"], minSeverity: "HIGH" },
    { findingTypes: ["Backdoor:*"], minSeverity: "INFORMATIONAL", mode: "off" },
    { findingTypes: ["Trojan:*"], minSeverity: "HIGH", mode: "approval" },
    { findingTypes: ["Trojan:*"], minSeverity: "INFORMATIONAL", mode: "off" },
  ],
});
const machine = incidentMachine({ sla: slaPolicy, containment: containmentPolicy });
const DEPS: StepDeps = { incidentId: "inc-model", slaPolicy, containmentPolicy };
const INPUT = { incidentId: DEPS.incidentId };

const instanceFinding = (
  name: string,
  type: string,
  severity: number,
  tags?: Record<string, string>,
): Finding =>
  makeFinding({
    identity: `guardduty:111111111111:eu-west-2:${name}`,
    type,
    title: `${type} on i-${name}`,
    severity: fromGuardDutySeverity(severity),
    resources: [makeInstance({ id: `i-${name}`, ...(tags ? { tags } : {}) })],
  });

/** Opening findings: auto, approval, dry-run, off-then-auto, off-then-approval, protected. */
const OPENERS: Finding[] = [
  instanceFinding("auto", "UnauthorizedAccess:EC2/TorRelay", 8),
  makeAccessKeyFinding(),
  instanceFinding("dryrun", "Recon:EC2/PortProbeUnprotectedPort", 5),
  instanceFinding("backdoor", "Backdoor:EC2/C&CActivity.B", 5),
  instanceFinding("trojan", "Trojan:EC2/BlackholeTraffic", 5),
  instanceFinding("protected", "UnauthorizedAccess:EC2/TorRelay", 8, { "ir:protected": "true" }),
];

const recoveryFinding = makeFinding({
  kind: "recovery",
  identity: "cloudwatch:alarm-ok",
  title: "Alarm back to OK",
});
const recoveryKindFinding = makeFinding({
  kind: "recovery",
  identity: "securityhub:resolved",
  title: "Resolved",
});

/** The same finding re-published: later, counted twice, and CRITICAL. */
const republished = (finding: Finding): Finding => ({
  ...finding,
  severity: fromGuardDutySeverity(9.5),
  count: finding.count + 1,
  updatedAt: "2024-05-01T10:04:00.000Z",
});

const joiner = (finding: Finding): Finding => ({
  ...finding,
  identity: `${finding.identity}-joined`,
  title: "joined",
});

const OPEN_EVENTS = (own: Finding): IncidentEvent[] => [
  ev.updated(republished(own), 4),
  ev.received(republished(own), 4),
  ev.updated(recoveryKindFinding, 5),
  ev.received(joiner(own), 4),
  ev.received(recoveryKindFinding, 5),
  ev.recovery(recoveryFinding, 5),
  ev.ack(5),
  ev.owner(6, "U0ALICE"),
  ev.advance(7),
  ev.note(7, "a note"),
  ev.escalate(8),
  ev.falsePositive(8, "benign scanner"),
  ev.postmortem(9, "https://wiki.example.com/pm"),
  ev.requestContainment(9),
  ev.approve(10),
  ev.deny(10, "production host"),
  ev.restore(11),
  ev.clock(12),
  ev.clock(16),
  ev.clock(31),
  ev.succeeded(2, "postIncidentMessage", "c-post", { channel: "C1", ts: "1.2" }),
  ev.succeeded(3, "planContainment", "c-plan", { changes: 1 }),
  ev.failed(3, "planContainment", "c-plan-x"),
  ev.succeeded(3, "isolateInstance", "c-iso-2step", { followUp: "completeIsolation" }),
  ev.succeeded(3, "isolateInstance", "c-iso", { original: {} }),
  ev.failed(3, "isolateInstance", "c-iso-x"),
  ev.succeeded(4, "completeIsolation", "c-complete", {}),
  ev.failed(4, "completeIsolation", "c-complete-x"),
  ev.succeeded(4, "deactivateAccessKey", "c-key", {}),
  ev.succeeded(12, "restoreContainment", "c-restore", {}),
  ev.failed(12, "restoreContainment", "c-restore-x"),
];

const eventsFor = (snapshot: AnyMachineSnapshot): IncidentEvent[] => {
  const context = snapshot.context as IncidentContext;
  const own = OPENERS.find((f) => f.identity === context.findings[0]?.identity);
  return own ? OPEN_EVENTS(own) : OPENERS.map((f) => ev.received(f, 0));
};

/** What makes states behave differently: the state value, the opener (containment path) and its mode. */
const serializeState = (snapshot: AnyMachineSnapshot): string => {
  const context = snapshot.context as IncidentContext;
  return JSON.stringify([snapshot.value, context.findings[0]?.identity ?? null, context.containment.mode]);
};

const traversal = { input: INPUT, events: eventsFor, serializeState } as const;

const transitionKey = (t: AnyTransitionDefinition): string => {
  const list = t.source.transitions.get(t.eventType) ?? [];
  return `${t.source.id} --${t.eventType}[${list.indexOf(t)}]`;
};

const allNodes = (): AnyStateNode[] => [machine.root, ...getStateNodes(machine.root)];
const definedTransitions = (): Set<string> =>
  new Set(allNodes().flatMap((node) => [...node.transitions.values()].flat().map(transitionKey)));

interface Replayed {
  events: IncidentEvent[];
  snapshots: AnyMachineSnapshot[];
  transitions: string[];
}

/** Replays events through the raw machine, recording each snapshot and the transitions each event took. */
function replayMachine(events: IncidentEvent[]): Replayed {
  let snapshot = machine.resolveState({ value: "awaitingFinding", context: snapshotContext() });
  const snapshots: AnyMachineSnapshot[] = [snapshot];
  const transitions: string[] = [];
  for (const event of events) {
    transitions.push(...machine.getTransitionData(snapshot, event).map(transitionKey));
    [snapshot] = transition(machine, snapshot, event);
    snapshots.push(snapshot);
  }
  return { events, snapshots, transitions };
}
const snapshotContext = () => machine.getInitialSnapshot({} as never, INPUT).context;

const pathEvents = (steps: { event: { type: string } }[]): IncidentEvent[] =>
  steps.map((s) => s.event).filter((e): e is IncidentEvent => e.type !== "xstate.init");

let shortest: IncidentEvent[][];
let edgePaths: IncidentEvent[][];

beforeAll(() => {
  const paths = getShortestPaths(machine, traversal);
  shortest = paths.map((p) => pathEvents(p.steps));
  const bySerial = new Map(paths.map((p) => [serializeState(p.state), pathEvents(p.steps)]));
  const edges = adjacencyMapToArray(getAdjacencyMap(machine, traversal));
  // One path per edge: the shortest way to the edge's source, then the edge's event.
  edgePaths = edges
    .filter((edge) => machine.getTransitionData(edge.state, edge.event).length > 0)
    .map((edge) => [...(bySerial.get(serializeState(edge.state)) ?? []), edge.event as IncidentEvent]);
});

describe("incident machine model", () => {
  it("reaches every state node of the machine", () => {
    // Act
    const visited = new Set(
      shortest.flatMap((events) =>
        replayMachine(events).snapshots.flatMap((s) => s._nodes.map((n: AnyStateNode) => n.id)),
      ),
    );

    // Assess
    const defined = allNodes().map((node) => node.id);
    expect(defined.length).toBeGreaterThan(20);
    expect([...defined].filter((id) => !visited.has(id))).toEqual([]);
  });

  it("takes every transition the machine defines", () => {
    // Act
    const taken = new Set(edgePaths.flatMap((events) => replayMachine(events).transitions));

    // Assess
    const defined = definedTransitions();
    expect(defined.size).toBeGreaterThan(40);
    expect([...defined].filter((key) => !taken.has(key))).toEqual([]);
  });

  it("has a runbook description on every state", () => {
    // Assess
    const missing = getStateNodes(machine.root).filter((node) => !node.description?.includes("Runbook"));
    expect(missing.map((node) => node.id)).toEqual([]);
  });

  it("agrees with step() on every covering path, and each path survives persist → JSON → restore", () => {
    // Prepare: one path per transition (first that takes it), plus the shortest path to every state.
    const chosen: IncidentEvent[][] = [...shortest];
    const covered = new Set<string>();
    for (const events of edgePaths) {
      const last = replayMachine(events).transitions;
      if (last.some((key) => !covered.has(key))) {
        chosen.push(events);
        for (const key of last) covered.add(key);
      }
    }

    for (const events of chosen) {
      // Act
      const model = replayMachine(events);
      let stored: StoredIncident | undefined;
      events.forEach((event, i) => {
        const result = step(stored, event, DEPS);
        const expected = persistSnapshot(machine, model.snapshots[i + 1]!);
        if (result.changed) {
          stored = { snapshot: result.snapshot, version: result.version };
          // Assess: step() and the raw machine agree, and the context mirrors the state value.
          expect(result.snapshot).toEqual(expected);
          expectMirrors(model.snapshots[i + 1]!);
        } else {
          expect(persistSnapshot(machine, model.snapshots[i]!)).toEqual(expected);
        }
      });
      if (!stored) continue;

      // Act: round trip
      const json = JSON.parse(JSON.stringify(stored.snapshot)) as JsonObject;
      const restored = persistSnapshot(machine, resolveStoredSnapshot(machine, json));

      // Assess
      expect(restored).toEqual(stored.snapshot);
      const next =
        eventsFor(model.snapshots.at(-1)!).find((e) => e.type !== "finding.received") ?? ev.clock(16);
      expect(step({ snapshot: json, version: stored.version }, next, DEPS)).toEqual(step(stored, next, DEPS));
    }
    expect(chosen.length).toBeGreaterThan(100);
  });
});

function expectMirrors(snapshot: AnyMachineSnapshot): void {
  const context = snapshot.context as IncidentContext;
  const value = snapshot.value as
    | string
    | { open: { phase: string; containment: string | Record<string, string> } };
  if (typeof value === "string") {
    if (value !== "awaitingFinding") expect(context.phase).toBe(value);
    return;
  }
  expect(context.phase).toBe(value.open.phase);
  const containment =
    typeof value.open.containment === "string"
      ? value.open.containment
      : Object.keys(value.open.containment)[0];
  expect(context.containment.status).toBe(containment);
}

describe("model events", () => {
  it("open every containment path from awaitingFinding", () => {
    // Act
    const results = OPENERS.map((f) => changed(step(undefined, ev.received(f, 0), DEPS)));

    // Assess
    const statuses = results.map(
      (r) => (r.snapshot.state as { value: { open: { containment: unknown } } }).value.open.containment,
    );
    expect(statuses).toEqual([{ isolating: "applying" }, "planned", "planned", "none", "none", "none"]);
  });
});
