/**
 * The incident view the workflow puts in chat, page and postmortem commands: given an incident history,
 * when an event arrives, then the view it emits shows each clock's deadline and state, the breaches on
 * record and the affected resources.
 */
import { describe, expect, it } from "vitest";
import type { CommandParams, IncidentView } from "../../../core/incident/commands";
import { startClock, stopClock } from "../../../core/incident/sla-clocks";
import { slaPolicySchema } from "../../../core/incident/sla-policy";
import {
  clockViewState,
  distinctResources,
  type FindingSummary,
  summarize,
  viewOf,
} from "../../../workflows/incident/context";
import type { StepResult } from "../../../workflows/incident/step";
import {
  at,
  changed,
  contextOf,
  deps,
  ev,
  findingFromGuardDutyFixture,
  makeFinding,
  makeInstance,
  replay,
  T0,
  TORRELAY_FIXTURE,
} from "../../support/incident-events.factory";

const finding = () => findingFromGuardDutyFixture(TORRELAY_FIXTURE);

type ViewCommand = "postIncidentMessage" | "updateIncidentMessage" | "pageOnCall" | "generatePostmortem";

/** The views the step put in commands of `type`. */
const viewsIn = (result: StepResult | undefined, type: ViewCommand): IncidentView[] =>
  changed(result)
    .commands.filter((command) => command.type === type)
    .map((command) => (command.params as CommandParams<ViewCommand>).incident);

const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

describe("the incident view the machine emits", () => {
  it("after opening: the first message shows the detect clock running, due T0+15 min", () => {
    // Prepare
    const gd = finding();

    // Act
    const run = replay([ev.received(gd, 0)], deps());

    // Assess
    const view = only(viewsIn(run.results[0], "postIncidentMessage"));
    expect(view.phase).toBe("detect");
    expect(view.clocks).toEqual([{ phase: "detect", warnAt: at(12), deadline: at(15), state: "running" }]);
    expect(view.clocks[0]?.deadline).toBe(contextOf(run.stored).clocks[0]?.deadline);
    expect(view.breaches).toEqual([]);
    expect(view.resources).toEqual([{ type: gd.resources[0]!.type, id: gd.resources[0]!.id }]);
    expect(view.resourceCount).toBe(1);
  });

  it("after a warning: the message is updated with the clock warned", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.clock(12)], deps());

    // Assess
    const view = only(viewsIn(run.results[1], "updateIncidentMessage"));
    expect(view.clocks).toEqual([{ phase: "detect", warnAt: at(12), deadline: at(15), state: "warned" }]);
    expect(view.breaches).toEqual([]);
  });

  it("after a breach: the clock is breached and the breach is listed, in the message and the page", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.clock(12), ev.clock(16)], deps());

    // Assess
    const message = only(viewsIn(run.results[2], "updateIncidentMessage"));
    const page = only(viewsIn(run.results[2], "pageOnCall"));
    for (const view of [message, page]) {
      expect(view.clocks).toEqual([{ phase: "detect", warnAt: at(12), deadline: at(15), state: "breached" }]);
      expect(view.breaches).toEqual([{ phase: "detect", deadline: at(15), at: at(16), level: 0 }]);
    }
  });

  it("after a re-escalation: the breach shows the level paged last", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.clock(16), ev.clock(31)], deps());

    // Assess
    const view = only(viewsIn(run.results[2], "updateIncidentMessage"));
    expect(view.breaches).toEqual([{ phase: "detect", deadline: at(15), at: at(16), level: 1 }]);
  });

  it("after acknowledgement: detect met, assess running until T0+30 min", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.ack(5, "U0ALICE")], deps());

    // Assess
    const view = only(viewsIn(run.results[1], "updateIncidentMessage"));
    expect(view).toMatchObject({ phase: "assess", acknowledgedBy: "U0ALICE" });
    expect(view.clocks).toEqual([
      { phase: "detect", warnAt: at(12), deadline: at(15), state: "met" },
      { phase: "assess", warnAt: at(24), deadline: at(30), state: "running" },
    ]);
    expect(view.breaches).toEqual([]);
  });

  it("after a late acknowledgement: detect late, its breach still on record, assess running", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.clock(16), ev.ack(20)], deps());

    // Assess
    const view = only(viewsIn(run.results[2], "updateIncidentMessage"));
    expect(view.clocks.map((c) => [c.phase, c.state])).toEqual([
      ["detect", "late"],
      ["assess", "running"],
    ]);
    expect(view.breaches).toEqual([{ phase: "detect", deadline: at(15), at: at(16), level: 0 }]);
  });

  it("after closing: no clock is open any more", () => {
    // Act
    const run = replay(
      [
        ev.received(finding(), 0),
        ev.ack(5),
        ev.advance(20),
        ev.advance(50),
        ev.advance(200),
        ev.advance(400),
        ev.postmortem(1000),
      ],
      deps(),
    );

    // Assess
    const postmortem = only(viewsIn(run.results[5], "generatePostmortem"));
    expect(postmortem.clocks.at(-1)).toMatchObject({ phase: "postmortem", state: "running" });
    const closed = only(viewsIn(run.results[6], "updateIncidentMessage"));
    expect(closed.phase).toBe("closed");
    expect(closed.clocks.map((c) => c.state)).toEqual(["met", "met", "met", "met", "met", "met"]);
  });
});

describe("clockViewState", () => {
  const policy = slaPolicySchema.parse({});
  const clock = startClock(policy, { phase: "detect", severity: "HIGH", enteredAt: T0, t0: T0 });

  it.each([
    ["running", clock],
    ["warned", { ...clock, warnedAt: at(12) }],
    ["breached", { ...clock, warnedAt: at(16), breachedAt: at(16), escalationLevel: 0 }],
    ["met", stopClock(clock, at(14)).clock],
    // Stopped after its deadline before any check saw the breach: still late, as stopClock says.
    ["late", stopClock(clock, at(15)).clock],
    ["late", stopClock({ ...clock, breachedAt: at(16) }, at(20)).clock],
  ])("is %s", (state, given) => {
    expect(clockViewState(given)).toBe(state);
  });
});

describe("resources in the view", () => {
  const on = (id: string, identity: string): FindingSummary =>
    summarize(makeFinding({ identity, resources: [makeInstance({ id })] }));

  it("lists distinct resources in the order their findings joined, the primary first", () => {
    // Prepare
    const findings = [on("i-primary", "a"), on("i-2", "b"), on("i-primary", "c"), on("i-3", "d")];

    // Act
    const resources = distinctResources(findings);

    // Assess
    expect(resources.map((r) => r.id)).toEqual(["i-primary", "i-2", "i-3"]);
    expect(resources[0]).toEqual({ type: "ec2-instance", id: "i-primary" });
  });

  it("caps the list and counts every resource", () => {
    // Prepare
    const history = replay([ev.received(finding(), 0)], deps());
    const context = contextOf(history.stored);
    const findings = Array.from({ length: 14 }, (_, i) => on(`i-${i}`, `f${i}`));

    // Act
    const view = viewOf({ ...context, findings });

    // Assess
    expect(view.resources.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `i-${i}`));
    expect(view.resourceCount).toBe(14);
    expect(view.findingCount).toBe(14);
  });
});
