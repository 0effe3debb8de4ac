/**
 * Properties of step() over random event sequences and random policies: it never throws, versions grow
 * by one per change, clocks never leave a due deadline behind a check, severity never falls, a closed
 * incident stays closed, and every incident view shows the current phase's clock as its one open clock.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromGuardDutySeverity, severityRank } from "../../../core/findings/severity";
import {
  COMMAND_TYPES,
  type CommandParams,
  type CommandType,
  incidentViewSchema,
  MAX_VIEW_RESOURCES,
  OPEN_CLOCK_STATES,
} from "../../../core/incident/commands";
import { containmentPolicySchema } from "../../../core/incident/containment-policy";
import type { IncidentEvent } from "../../../core/incident/events";
import { isActivePhase } from "../../../core/incident/phases";
import { slaPolicySchema } from "../../../core/incident/sla-policy";
import { type StepDeps, type StoredIncident, step } from "../../../workflows/incident/step";
import {
  at,
  ev,
  makeAccessKeyFinding,
  makeFinding,
  makeSecurityGroupFinding,
} from "../../support/incident-events.factory";

const minutes = fc.integer({ min: 0, max: 6000 });
const actor = fc.constantFrom("U1", "U2", "U3");
const commandId = fc.constantFrom("c-1", "c-2", "c-3", "inc-p:1:3");

const findingArb = fc
  .record({
    base: fc.constantFrom(makeFinding, makeAccessKeyFinding, makeSecurityGroupFinding),
    identity: fc.constantFrom("a", "b", "c"),
    severity: fc.double({ min: 1, max: 10, noNaN: true }),
    count: fc.integer({ min: 1, max: 5 }),
    updatedMinutes: fc.integer({ min: -100, max: 6000 }),
    kind: fc.constantFrom("detection", "detection", "recovery"),
    protect: fc.boolean(),
  })
  .map(({ base, identity, severity, count, updatedMinutes, kind, protect }) => {
    const finding = base({
      identity: `prop:${identity}`,
      severity: fromGuardDutySeverity(severity),
      count,
      updatedAt: at(updatedMinutes),
      kind: kind as "detection" | "recovery",
    });
    const [primary, ...rest] = finding.resources;
    return protect
      ? { ...finding, resources: [{ ...primary!, tags: { "ir:protected": "yes" } }, ...rest] }
      : finding;
  });

const eventArb: fc.Arbitrary<IncidentEvent> = fc.oneof(
  fc.tuple(findingArb, minutes).map(([f, m]) => ev.received(f, m)),
  fc.tuple(findingArb, minutes).map(([f, m]) => ev.updated(f, m)),
  fc.tuple(findingArb, minutes).map(([f, m]) => ev.recovery(f, m)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.ack(m, a)),
  fc.tuple(minutes, actor, actor).map(([m, o, a]) => ev.owner(m, o, a)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.advance(m, a)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.requestContainment(m, a)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.approve(m, a)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.deny(m, "no", a)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.restore(m, a)),
  fc
    .tuple(
      minutes,
      fc.constantFrom(...COMMAND_TYPES),
      commandId,
      fc.option(fc.jsonValue(), { nil: undefined }),
    )
    .map(([m, type, id, result]) => ev.succeeded(m, type, id, result as never)),
  minutes.map((m) => ev.succeeded(m, "isolateInstance", "c-follow", { followUp: "completeIsolation" })),
  fc
    .tuple(minutes, fc.constantFrom(...COMMAND_TYPES), commandId)
    .map(([m, type, id]) => ev.failed(m, type, id)),
  minutes.map((m) => ev.clock(m)),
  minutes.map((m) => ev.clock(m)),
  fc.tuple(minutes, fc.string({ minLength: 1 })).map(([m, text]) => ev.note(m, text)),
  fc.tuple(minutes, actor).map(([m, a]) => ev.escalate(m, a)),
  fc.tuple(minutes, fc.string({ minLength: 1 })).map(([m, reason]) => ev.falsePositive(m, reason)),
  fc.tuple(minutes, fc.option(fc.webUrl(), { nil: undefined })).map(([m, url]) => ev.postmortem(m, url)),
);

const depsArb: fc.Arbitrary<StepDeps> = fc
  .record({
    mode: fc.constantFrom("cumulative", "per-phase") as fc.Arbitrary<"cumulative" | "per-phase">,
    containment: fc.constantFrom("off", "dry-run", "approval", "auto") as fc.Arbitrary<
      "off" | "dry-run" | "approval" | "auto"
    >,
    every: fc.integer({ min: 1, max: 60 }),
  })
  .map(({ mode, containment, every }) => ({
    incidentId: "inc-p",
    slaPolicy: slaPolicySchema.parse({ mode, escalation: { reescalateEveryMinutes: every } }),
    containmentPolicy: containmentPolicySchema.parse({
      mode: containment,
      rules: [{ findingTypes: ["*"], minSeverity: "MEDIUM" }],
    }),
  }));

/** The commands that carry an incident view. */
const VIEW_COMMANDS = [
  "postIncidentMessage",
  "updateIncidentMessage",
  "pageOnCall",
  "generatePostmortem",
] as const;
const carriesView = (type: CommandType): type is (typeof VIEW_COMMANDS)[number] =>
  (VIEW_COMMANDS as readonly string[]).includes(type);

const opening = fc.tuple(findingArb, minutes).map(([f, m]) => ev.received({ ...f, kind: "detection" }, m));

describe("step() properties", () => {
  it("holds its invariants over random event sequences", () => {
    fc.assert(
      fc.property(depsArb, opening, fc.array(eventArb, { maxLength: 40 }), (deps, first, rest) => {
        let stored: StoredIncident | undefined;
        let nextDeadline: string | null = null;
        let severity = -1;
        let closed = false;
        const ids = new Set<string>();
        for (const event of [first, ...rest]) {
          const result = step(stored, event, deps);
          const previousVersion = stored?.version ?? 0;
          if (!result.changed) {
            expect(result.version).toBe(previousVersion);
            expect(result.commands).toEqual([]);
            if (event.type === "clock.checked" && stored) {
              // A check that had nothing to do leaves nothing due at or before its `now`.
              expect(nextDeadline === null || Date.parse(nextDeadline) > Date.parse(event.now)).toBe(true);
            }
            continue;
          }
          expect(closed).toBe(false);
          expect(result.version).toBe(previousVersion + 1);
          expect(severityRank(result.severity)).toBeGreaterThanOrEqual(severity);
          if (event.type === "clock.checked" && result.nextDeadline !== null) {
            expect(Date.parse(result.nextDeadline)).toBeGreaterThan(Date.parse(event.now));
          }
          for (const [n, command] of result.commands.entries()) {
            expect(command.id).toBe(`inc-p:${result.version}:${n}`);
            expect(ids.has(command.id)).toBe(false);
            ids.add(command.id);
          }
          severity = severityRank(result.severity);
          nextDeadline = result.nextDeadline;
          closed = !result.open;
          stored = { snapshot: result.snapshot, version: result.version };
        }
        expect(stored?.version).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  it("shows in every view exactly the current phase's clock as open, and none once the incident ended", () => {
    fc.assert(
      fc.property(depsArb, opening, fc.array(eventArb, { maxLength: 40 }), (deps, first, rest) => {
        let stored: StoredIncident | undefined;
        for (const event of [first, ...rest]) {
          const result = step(stored, event, deps);
          if (!result.changed) continue;
          for (const command of result.commands) {
            if (!carriesView(command.type)) continue;
            const view = (command.params as CommandParams<(typeof VIEW_COMMANDS)[number]>).incident;
            const open = view.clocks.filter((c) => OPEN_CLOCK_STATES.includes(c.state));
            if (isActivePhase(view.phase)) expect(open.map((c) => c.phase)).toEqual([view.phase]);
            else expect(open).toEqual([]);
            expect(view.breaches.length).toBeLessThanOrEqual(view.clocks.length);
            expect(view.resources.length).toBeLessThanOrEqual(
              Math.min(MAX_VIEW_RESOURCES, view.resourceCount),
            );
            expect(incidentViewSchema.parse(view)).toEqual(view);
          }
          stored = { snapshot: result.snapshot, version: result.version };
        }
      }),
      { numRuns: 100 },
    );
  });

  it("changes nothing before a detection finding opens the incident", () => {
    fc.assert(
      fc.property(depsArb, eventArb, (deps, event) => {
        const result = step(undefined, event, deps);
        const opens = event.type === "finding.received" && event.finding.kind === "detection";
        expect(result.changed).toBe(opens);
        if (result.changed) expect(result.version).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});
