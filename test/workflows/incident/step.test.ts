/**
 * step(): given an incident history, when one event arrives, then the new state, commands and timeline.
 */
import { describe, expect, it } from "vitest";
import { fromGuardDutySeverity } from "../../../core/findings/severity";
import { COMMAND_TYPES, type CommandParams, parseCommand } from "../../../core/incident/commands";
import type { IncidentEvent } from "../../../core/incident/events";
import { stubs } from "../../../workflows/incident/actions";
import { incidentRecordOf, type StepDeps, step } from "../../../workflows/incident/step";
import {
  at,
  changed,
  contextOf,
  deps,
  ev,
  findingFromGuardDutyFixture,
  makeFinding,
  replay,
  TORRELAY_FIXTURE,
} from "../../support/incident-events.factory";

const finding = () => findingFromGuardDutyFixture(TORRELAY_FIXTURE);

/** Given these events happened, when `event` arrives: the result and the incident it applied to. */
function givenWhen(given: IncidentEvent[], event: IncidentEvent, d: StepDeps = deps()) {
  const history = replay(given, d);
  return { result: step(history.stored, event, d), before: history.stored };
}

const ofType = <T extends (typeof COMMAND_TYPES)[number]>(
  result: ReturnType<typeof changed>,
  type: T,
): CommandParams<T>[] =>
  result.commands
    .filter((command) => command.type === type)
    .map((command) => command.params as CommandParams<T>);

describe("opening an incident", () => {
  it("opens from a real GuardDuty finding, timing T0 from receipt", () => {
    // Prepare
    const gd = finding();

    // Act
    const result = changed(step(undefined, ev.received(gd, 0), deps()));

    // Assess
    expect(result.version).toBe(1);
    expect(result).toMatchObject({
      phase: "detect",
      open: true,
      severity: "HIGH",
      title: gd.title,
      correlationKey: gd.correlationKey,
      openedAt: at(0),
      nextDeadline: at(12),
      findings: [gd],
    });
    expect(result.commands.map((c) => [c.id, c.type])).toEqual([
      ["inc-1:1:0", "postIncidentMessage"],
      ["inc-1:1:1", "updateSecurityHubFindings"],
      ["inc-1:1:2", "publishIncidentEvent"],
      ["inc-1:1:3", "planContainment"],
    ]);
    expect(ofType(result, "updateSecurityHubFindings")[0]).toMatchObject({
      status: "NOTIFIED",
      findings: [
        {
          id: "arn:aws:guardduty:eu-west-2:111111111111:detector/4b85f358-65e7-49b6-b9ae-b3816303fb12/finding/00f996e6c7804e4c8b4b61e60f5fc423",
          productArn: "arn:aws:securityhub:eu-west-2::product/aws/guardduty",
        },
      ],
    });
    expect(ofType(result, "publishIncidentEvent")[0]?.detailType).toBe("Incident Opened");
    expect(result.timeline[0]).toMatchObject({ kind: "incident.opened", actor: "guardduty", at: at(0) });
    expect(contextOf(result).detectedAt).toBe(gd.firstSeenAt);
  });

  it("fills the incident record the store commits", () => {
    // Prepare
    const gd = finding();
    const result = changed(step(undefined, ev.received(gd, 0), deps()));

    // Act
    const record = incidentRecordOf("inc-1", result, "inc-0");

    // Assess
    expect(record).toEqual({
      id: "inc-1",
      version: 1,
      correlationKey: gd.correlationKey,
      open: true,
      phase: "detect",
      severity: "HIGH",
      title: gd.title,
      openedAt: at(0),
      updatedAt: at(0),
      nextDeadline: at(12),
      snapshot: result.snapshot,
      linkedTo: "inc-0",
    });
  });

  it("does not open on anything but a detection finding", () => {
    // Prepare
    const recovery = makeFinding({ kind: "recovery" });

    // Act
    const fromAck = step(undefined, ev.ack(1), deps());
    const fromRecovery = step(undefined, ev.received(recovery, 1), deps());

    // Assess
    expect(fromAck).toEqual({ changed: false, version: 0, commands: [], timeline: [] });
    expect(fromRecovery.changed).toBe(false);
  });
});

describe("SLA clocks", () => {
  it("records no breach when acknowledged at +5 min", () => {
    // Act
    const { result } = givenWhen([ev.received(finding(), 0), ev.ack(5)], ev.clock(16));
    const history = replay([ev.received(finding(), 0), ev.ack(5)], deps());

    // Assess
    expect(result.changed).toBe(false);
    const detect = contextOf(history.stored).clocks.find((c) => c.phase === "detect");
    expect(detect).toMatchObject({ stoppedAt: at(5), breachedAt: null });
    const ack = changed(history.results[1]);
    expect(ack.timeline.map((t) => t.kind)).toEqual(["sla.met", "incident.acknowledged", "phase.entered"]);
    expect(ack.phase).toBe("assess");
  });

  it("warns at 80 % of the budget (+12 min) without paging", () => {
    // Act
    const { result: early } = givenWhen([ev.received(finding(), 0)], ev.clock(11));
    const { result: warned } = givenWhen([ev.received(finding(), 0)], ev.clock(12));

    // Assess
    expect(early.changed).toBe(false);
    const result = changed(warned);
    expect(result.timeline.map((t) => t.kind)).toEqual(["sla.warning"]);
    expect(result.commands.map((c) => c.type)).toEqual([
      "postThreadReply",
      "publishIncidentEvent",
      "updateIncidentMessage",
    ]);
    expect(ofType(result, "publishIncidentEvent")[0]?.detailType).toBe("Incident SLA Warning");
    expect(result.nextDeadline).toBe(at(15));
  });

  it("breaches once at +16 min with one level-0 page, then re-escalates at +31 min", () => {
    // Prepare
    const d = deps();
    const history = replay([ev.received(finding(), 0), ev.clock(12)], d);

    // Act
    const run = replay(
      [ev.clock(16), ev.clock(20), ev.clock(31), ev.clock(46), ev.clock(61)],
      d,
      history.stored,
    );

    // Assess
    const [breach, quiet, second, third, fourth] = run.results;
    const pages = (r: typeof breach) =>
      ofType(changed(r), "pageOnCall").map((p) => [p.level, p.target, p.reason]);
    expect(pages(breach)).toEqual([[0, "on-call", "sla-breached"]]);
    expect(changed(breach).commands.map((c) => c.type)).toEqual([
      "pageOnCall",
      "mentionInChat",
      "addSecurityHubNote",
      "publishIncidentEvent",
      "updateIncidentMessage",
    ]);
    expect(ofType(changed(breach), "publishIncidentEvent")[0]?.detailType).toBe("Incident SLA Breached");
    expect(changed(breach).nextDeadline).toBe(at(31));
    expect(quiet?.changed).toBe(false);
    expect(pages(second)).toEqual([[1, "security-lead", "re-escalation"]]);
    expect(pages(third)).toEqual([[2, "head-of-security", "re-escalation"]]);
    expect(pages(fourth)).toEqual([[2, "head-of-security", "re-escalation"]]);
  });

  it("stops a phase's clock when the phase completes, keeping a late completion on record", () => {
    // Prepare
    const d = deps();
    const history = replay([ev.received(finding(), 0), ev.clock(16)], d);

    // Act
    const run = replay([ev.ack(20), ev.clock(31)], d, history.stored);

    // Assess
    const ack = changed(run.results[0]);
    expect(ack.timeline[0]).toMatchObject({
      kind: "sla.late",
      data: { phase: "detect", breachedAt: at(16) },
    });
    const check = changed(run.results[1]);
    expect(ofType(check, "pageOnCall").map((p) => [p.phase, p.level, p.reason])).toEqual([
      ["assess", 0, "sla-breached"],
    ]);
    const detect = contextOf(run.stored).clocks.find((c) => c.phase === "detect");
    expect(detect).toMatchObject({ stoppedAt: at(20), breachedAt: at(16) });
  });

  it("times clocks by severity: a LOW incident gets an hour to be acknowledged", () => {
    // Prepare
    const low = makeFinding({ severity: fromGuardDutySeverity(2) });

    // Act
    const result = changed(step(undefined, ev.received(low, 0), deps()));

    // Assess
    expect(result.severity).toBe("LOW");
    expect(result.nextDeadline).toBe(at(48));
    expect(contextOf(result).clocks[0]?.deadline).toBe(at(60));
  });

  it("re-times the running clock when severity rises", () => {
    // Prepare
    const d = deps({ sla: { budgets: { CRITICAL: { detect: 5 } } } });
    const medium = makeFinding();
    const critical = makeFinding({
      severity: fromGuardDutySeverity(9.5),
      count: 3,
      updatedAt: "2024-05-01T10:01:00.000Z",
    });

    // Act
    const { result } = givenWhen([ev.received(medium, 0)], ev.updated(critical, 1), d);

    // Assess
    const updated = changed(result);
    expect(updated.severity).toBe("CRITICAL");
    expect(updated.nextDeadline).toBe(at(4));
    expect(updated.timeline.map((t) => t.kind)).toEqual(["finding.updated", "severity.raised"]);
  });

  it("counts each phase from its own entry in per-phase mode", () => {
    // Prepare
    const perPhase = deps({ sla: { mode: "per-phase" } });
    const cumulative = deps();
    const events = [ev.received(finding(), 0), ev.ack(10)];

    // Act
    const p = replay(events, perPhase);
    const c = replay(events, cumulative);

    // Assess
    expect(contextOf(p.stored).clocks[1]).toMatchObject({ phase: "assess", deadline: at(40) });
    expect(contextOf(c.stored).clocks[1]).toMatchObject({ phase: "assess", deadline: at(30) });
  });

  it("escalates on request, one level further each time", () => {
    // Act
    const run = replay([ev.received(finding(), 0), ev.escalate(2), ev.escalate(3)], deps());

    // Assess
    const levels = run.results
      .slice(1)
      .map((r) => ofType(changed(r), "pageOnCall").map((p) => [p.level, p.reason]));
    expect(levels).toEqual([[[0, "manual"]], [[1, "manual"]]]);
    expect(ofType(changed(run.results[1]), "publishIncidentEvent")[0]?.detailType).toBe("Incident Escalated");
  });
});

describe("closing", () => {
  it.each([
    ["detect", [] as IncidentEvent[]],
    ["assess", [ev.ack(3)]],
  ])("closes a false positive from %s with its reason, SUPPRESSED and NOT_USEFUL", (_phase, extra) => {
    // Act
    const { result } = givenWhen(
      [ev.received(finding(), 0), ...extra],
      ev.falsePositive(8, "pen test by red team"),
    );

    // Assess
    const closed = changed(result);
    expect(closed).toMatchObject({ phase: "suppressed", open: false, nextDeadline: null });
    expect(ofType(closed, "updateSecurityHubFindings")[0]).toMatchObject({ status: "SUPPRESSED" });
    expect(ofType(closed, "updateSecurityHubFindings")[0]?.note).toContain("pen test by red team");
    expect(ofType(closed, "sendGuardDutyFeedback")).toEqual([
      {
        accountId: "111111111111",
        region: "eu-west-2",
        detectorId: "4b85f358-65e7-49b6-b9ae-b3816303fb12",
        findingIds: ["00f996e6c7804e4c8b4b61e60f5fc423"],
        feedback: "NOT_USEFUL",
        comments: "False positive: pen test by red team",
      },
    ]);
    expect(contextOf(closed).closure).toMatchObject({
      kind: "false-positive",
      reason: "pen test by red team",
    });
  });

  it("refuses a false positive once containment has begun (contain phase)", () => {
    // Act
    const { result } = givenWhen(
      [ev.received(finding(), 0), ev.ack(3), ev.advance(10)],
      ev.falsePositive(12, "x"),
    );

    // Assess
    expect(result.changed).toBe(false);
  });

  it("walks the happy path to closed, with every clock met", () => {
    // Prepare
    const events = [
      ev.received(finding(), 0),
      ev.owner(2, "U0ALICE"),
      ev.ack(5),
      ev.advance(20),
      ev.advance(50),
      ev.advance(200),
      ev.advance(400),
      ev.postmortem(1000, "https://wiki.example.com/pm/1"),
    ];

    // Act
    const run = replay(events, deps());

    // Assess
    const phases = run.results.map((r) => changed(r).phase);
    expect(phases).toEqual([
      "detect",
      "detect",
      "assess",
      "contain",
      "eradicate",
      "recover",
      "postmortem",
      "closed",
    ]);
    expect(run.results.map((r) => changed(r).version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const postmortem = changed(run.results[6]);
    expect(ofType(postmortem, "generatePostmortem")[0]?.recoveredAt).toBe(at(400));
    expect(postmortem.nextDeadline).toBe(at(400 + 0.8 * 2880));
    const closed = changed(run.results[7]);
    expect(closed).toMatchObject({ open: false, nextDeadline: null });
    expect(ofType(closed, "updateSecurityHubFindings")[0]?.status).toBe("RESOLVED");
    expect(ofType(closed, "sendGuardDutyFeedback")[0]?.feedback).toBe("USEFUL");
    expect(ofType(closed, "publishIncidentEvent").map((p) => p.detailType)).toEqual(["Incident Closed"]);
    const context = contextOf(run.stored);
    expect(context.clocks.map((c) => [c.phase, c.breachedAt, c.stoppedAt !== null])).toEqual([
      ["detect", null, true],
      ["assess", null, true],
      ["contain", null, true],
      ["eradicate", null, true],
      ["recover", null, true],
      ["postmortem", null, true],
    ]);
    expect(context.postmortemUrl).toBe("https://wiki.example.com/pm/1");
    expect(context.owner).toBe("U0ALICE");
    const phaseEvents = run.results.flatMap((r) => ofType(changed(r), "publishIncidentEvent"));
    expect(phaseEvents.filter((p) => p.detailType === "Incident Phase Changed")).toHaveLength(5);
  });

  it("keeps the responder's note on a phase change", () => {
    // Act
    const { result } = givenWhen([ev.received(finding(), 0), ev.ack(2)], {
      ...ev.advance(9),
      note: "scope: one host",
    });

    // Assess
    expect(changed(result).timeline.at(-1)).toMatchObject({
      kind: "phase.entered",
      actor: "U0RESPONDER",
      data: { phase: "contain", note: "scope: one host" },
    });
  });

  it("ignores events on a closed incident", () => {
    // Act
    const { result } = givenWhen([ev.received(finding(), 0), ev.falsePositive(1, "noise")], ev.ack(2));
    const { result: clock } = givenWhen(
      [ev.received(finding(), 0), ev.falsePositive(1, "noise")],
      ev.clock(500),
    );

    // Assess
    expect(result).toEqual({ changed: false, version: 2, commands: [], timeline: [] });
    expect(clock.changed).toBe(false);
  });
});

describe("at-least-once delivery", () => {
  it("treats a duplicate or older finding as a no-op and merges a newer one", () => {
    // Prepare
    const first = finding();
    const older = { ...first, updatedAt: "2023-03-20T15:00:00.000Z" };
    const newer = { ...first, updatedAt: "2024-05-01T10:30:00.000Z", count: 4 };

    // Act
    const duplicate = givenWhen([ev.received(first, 0)], ev.received(first, 1)).result;
    const stale = givenWhen([ev.received(first, 0)], ev.updated(older, 1)).result;
    const fresh = givenWhen([ev.received(first, 0)], ev.updated(newer, 1)).result;

    // Assess
    expect(duplicate.changed).toBe(false);
    expect(stale.changed).toBe(false);
    const merged = changed(fresh);
    expect(merged.findings).toEqual([newer]);
    expect(merged.commands).toEqual([]);
    expect(contextOf(merged).findings).toMatchObject([{ identity: first.identity, count: 4 }]);
  });

  it("joins a new finding identity and tells Security Hub about that finding only", () => {
    // Prepare
    const joiner = makeFinding({
      identity: "guardduty:111111111111:eu-west-2:second",
      type: "Backdoor:EC2/C&CActivity.B",
      title: "C&C activity",
      origin: {
        product: "GuardDuty",
        sourceId: "second",
        guardDuty: { detectorId: "det-1", findingId: "second" },
        rawRef: "r",
        rawPath: "$",
      },
    });

    // Act
    const result = changed(givenWhen([ev.received(finding(), 0)], ev.received(joiner, 3)).result);

    // Assess
    expect(result.timeline[0]).toMatchObject({ kind: "finding.joined" });
    const notified = ofType(result, "updateSecurityHubFindings");
    expect(notified).toHaveLength(1);
    expect(notified[0]?.findings.map((f) => f.id)).toEqual([
      "arn:aws:guardduty:eu-west-2:111111111111:detector/det-1/finding/second",
    ]);
    expect(contextOf(result).findings).toHaveLength(2);
  });

  it("records a command result once", () => {
    // Prepare
    const result = { channel: "C1", ts: "1714557600.000100" };

    // Act
    const run = replay(
      [
        ev.received(finding(), 0),
        ev.succeeded(1, "postIncidentMessage", "inc-1:1:0", result),
        ev.succeeded(2, "postIncidentMessage", "inc-1:1:0", result),
      ],
      deps(),
    );

    // Assess
    expect(changed(run.results[1]).timeline.map((t) => t.kind)).toEqual(["command.succeeded"]);
    expect(run.results[2]?.changed).toBe(false);
    expect(contextOf(run.stored).chat).toEqual(result);
  });

  it("records an owner, a note and a recovery hint once each", () => {
    // Prepare
    const recovery = makeFinding({
      kind: "recovery",
      identity: "cloudwatch:alarm-1",
      title: "Alarm back to OK",
    });

    // Act
    const run = replay(
      [
        ev.received(finding(), 0),
        ev.owner(1, "U0ALICE"),
        ev.owner(2, "U0ALICE"),
        ev.note(3, "looks like a crypto miner"),
        ev.recovery(recovery, 4),
        ev.recovery(recovery, 5),
        ev.received(recovery, 6),
      ],
      deps(),
    );

    // Assess
    expect(run.results.map((r) => r.changed)).toEqual([true, true, false, true, true, false, false]);
    expect(changed(run.results[3]).timeline[0]).toMatchObject({
      kind: "note.added",
      text: "looks like a crypto miner",
    });
    expect(changed(run.results[4]).timeline[0]).toMatchObject({
      kind: "recovery.hinted",
      actor: "guardduty",
    });
    expect(ofType(changed(run.results[1]), "updateIncidentMessage")[0]?.incident.owner).toBe("U0ALICE");
  });
});

describe("commands", () => {
  const fullRun = [
    ev.received(finding(), 0),
    ev.clock(12),
    ev.clock(16),
    ev.ack(20),
    ev.escalate(21),
    ev.advance(25),
    ev.advance(50),
    ev.advance(200),
    ev.advance(400),
    ev.postmortem(1000),
  ];

  it("gives deterministic ids: two runs of the same events are identical", () => {
    // Act
    const first = replay(fullRun, deps());
    const second = replay(fullRun, deps());

    // Assess
    expect(second).toEqual(first);
    const ids = first.results.flatMap((r) => r.commands.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of first.results.filter((x) => x.changed)) {
      r.commands.forEach((c, n) => {
        expect(c.id).toBe(`inc-1:${r.version}:${n}`);
      });
    }
  });

  it("emits only the named command vocabulary, with schema-valid JSON params", () => {
    // Act
    const run = replay(fullRun, deps());

    // Assess
    const commands = run.results.flatMap((r, i) =>
      r.commands.map((command) => ({ command, event: fullRun[i]! })),
    );
    expect(commands.length).toBeGreaterThan(20);
    for (const { command, event } of commands) {
      expect(COMMAND_TYPES).toContain(command.type);
      expect(parseCommand(command)).toMatchObject({ id: command.id, type: command.type });
      expect(JSON.parse(JSON.stringify(command.params))).toEqual(command.params);
      expect(command.createdAt).toBe(event.at);
    }
    for (const type of COMMAND_TYPES) {
      expect(stubs[type]({}, {} as never)).toBeUndefined();
    }
  });
});
