/**
 * SLA clocks as data: start, warn, breach, re-escalate, stop, re-time, and the next deadline.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addMinutes,
  evaluateClock,
  evaluateClocks,
  nextDeadline,
  retimeClock,
  type SlaClock,
  startClock,
  stopClock,
} from "../../../core/incident/sla-clocks";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../../../core/incident/sla-policy";

const T0 = "2024-05-01T10:00:00.000Z";
const m = (minutes: number) => addMinutes(T0, minutes);
const detect = () =>
  startClock(DEFAULT_SLA_POLICY, { phase: "detect", severity: "HIGH", enteredAt: T0, t0: T0 });

describe("starting clocks", () => {
  it("counts cumulative clocks from T0 and per-phase clocks from entry", () => {
    // Prepare
    const perPhase = slaPolicySchema.parse({ mode: "per-phase" });

    // Act
    const cumulative = startClock(DEFAULT_SLA_POLICY, {
      phase: "contain",
      severity: "HIGH",
      enteredAt: m(20),
      t0: T0,
    });
    const own = startClock(perPhase, { phase: "contain", severity: "HIGH", enteredAt: m(20), t0: T0 });

    // Assess
    expect(cumulative).toMatchObject({ basis: T0, warnAt: m(48), deadline: m(60), startedAt: m(20) });
    expect(own).toMatchObject({ basis: m(20), warnAt: m(68), deadline: m(80) });
  });

  it("always counts the postmortem from recovery", () => {
    // Act
    const clock = startClock(DEFAULT_SLA_POLICY, {
      phase: "postmortem",
      severity: "HIGH",
      enteredAt: m(400),
      t0: T0,
    });

    // Assess
    expect(clock.deadline).toBe(m(400 + 48 * 60));
  });
});

describe("evaluating clocks", () => {
  it("warns, breaches at level 0, then escalates one level per interval and re-pages the top", () => {
    // Prepare
    let clock: SlaClock = detect();
    const effects: string[] = [];

    // Act
    for (const now of [11, 12, 13, 16, 20, 31, 46, 61]) {
      const result = evaluateClock(DEFAULT_SLA_POLICY, clock, m(now));
      clock = result.clock;
      if (result.effect) {
        effects.push(
          `${now}:${result.effect.kind}${"level" in result.effect ? `@${result.effect.level}` : ""}`,
        );
      }
    }

    // Assess
    expect(effects).toEqual([
      "12:warned",
      "16:breached@0",
      "31:escalated@1",
      "46:escalated@2",
      "61:escalated@2",
    ]);
    expect(clock).toMatchObject({
      warnedAt: m(12),
      breachedAt: m(16),
      escalationLevel: 2,
      nextEscalationAt: m(76),
    });
  });

  it("skips the warning when the first check finds the deadline already passed", () => {
    // Act
    const result = evaluateClock(DEFAULT_SLA_POLICY, detect(), m(40));

    // Assess
    expect(result.effect).toMatchObject({ kind: "breached", level: 0, target: "on-call" });
    expect(result.clock.warnedAt).toBe(m(40));
  });

  it("does nothing for a stopped clock, and keeps its breach on record", () => {
    // Prepare
    const breached = evaluateClock(DEFAULT_SLA_POLICY, detect(), m(16)).clock;

    // Act
    const { clock, outcome } = stopClock(breached, m(20));
    const later = evaluateClocks(DEFAULT_SLA_POLICY, [clock], m(100));

    // Assess
    expect(outcome).toBe("late");
    expect(later.effects).toEqual([]);
    expect(clock.breachedAt).toBe(m(16));
    expect(nextDeadline({ clocks: [clock] })).toBeNull();
  });

  it("counts a phase completed after its deadline as late even if no check saw the breach", () => {
    // Act
    const onTime = stopClock(detect(), m(14));
    const late = stopClock(detect(), m(15));

    // Assess
    expect(onTime.outcome).toBe("met");
    expect(late.outcome).toBe("late");
  });

  it("re-times a running, unbreached clock when severity changes", () => {
    // Prepare
    const policy = slaPolicySchema.parse({ budgets: { CRITICAL: { detect: 5 } } });
    const clock = startClock(policy, { phase: "detect", severity: "MEDIUM", enteredAt: T0, t0: T0 });

    // Act
    const critical = retimeClock(policy, clock, "CRITICAL");
    const breached = retimeClock(policy, evaluateClock(policy, clock, m(16)).clock, "CRITICAL");

    // Assess
    expect(critical).toMatchObject({ severity: "CRITICAL", warnAt: m(4), deadline: m(5) });
    expect(breached.deadline).toBe(m(15));
  });

  it("never leaves anything due at or before the time it evaluated", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 120 }),
        (checks, every) => {
          const policy = slaPolicySchema.parse({ escalation: { reescalateEveryMinutes: every } });
          let clocks = [startClock(policy, { phase: "assess", severity: "LOW", enteredAt: T0, t0: T0 })];
          for (const minutes of checks) {
            clocks = evaluateClocks(policy, clocks, m(minutes)).clocks;
            const next = nextDeadline({ clocks });
            expect(next === null || Date.parse(next) > Date.parse(m(minutes))).toBe(true);
          }
        },
      ),
    );
  });
});

describe("nextDeadline", () => {
  it("is the earliest pending warning, breach or re-escalation across clocks", () => {
    // Prepare
    const running = detect();
    const warned = evaluateClock(DEFAULT_SLA_POLICY, running, m(12)).clock;
    const breached = evaluateClock(DEFAULT_SLA_POLICY, warned, m(16)).clock;

    // Assess
    expect(nextDeadline({ clocks: [] })).toBeNull();
    expect(nextDeadline({ clocks: [running] })).toBe(m(12));
    expect(nextDeadline({ clocks: [warned] })).toBe(m(15));
    expect(nextDeadline({ clocks: [breached] })).toBe(m(31));
    expect(nextDeadline({ clocks: [breached, warned] })).toBe(m(15));
  });
});
