/**
 * SLA clocks as data (DESIGN §3): each clock holds absolute times, so nothing waits in memory and a
 * restart loses no timer. Time only enters through arguments (`now`, `at`).
 *
 * Invariants:
 * - One clock per phase entry; only the current phase's clock runs (`stoppedAt === null`).
 * - A clock warns once at `warnAt`, breaches once at `deadline` (a breach found late skips the warning),
 *   then re-escalates one level every `reescalateEveryMinutes` after each page, until it is stopped.
 * - After `evaluateClock(…, now)` nothing is due at or before `now`, so `nextDeadline` is always later
 *   than the last check: a sweeper can never spin on the same incident.
 * - Stopping a clock keeps its breach on record (`breachedAt` stays), so a late phase stays late.
 */
import type { SeverityLabel } from "../findings/severity";
import type { ActivePhase } from "./phases";
import { budgetMinutes, escalationTarget, type SlaPolicy } from "./sla-policy";

export interface SlaClock {
  phase: ActivePhase;
  /** The severity whose budgets timed this clock. */
  severity: SeverityLabel;
  /** When the phase was entered. */
  startedAt: string;
  /** The instant the budget counts from: T0 (cumulative), the phase entry (per-phase) or recovery (postmortem). */
  basis: string;
  budgetMinutes: number;
  warnAt: string;
  deadline: string;
  warnedAt: string | null;
  breachedAt: string | null;
  /** The last escalation level paged for this clock (0 = first level), null before a breach. */
  escalationLevel: number | null;
  nextEscalationAt: string | null;
  stoppedAt: string | null;
}

export type ClockEffect =
  | { kind: "warned"; phase: ActivePhase; at: string; deadline: string }
  | { kind: "breached"; phase: ActivePhase; at: string; deadline: string; level: number; target: string }
  | { kind: "escalated"; phase: ActivePhase; at: string; deadline: string; level: number; target: string };

const MINUTE_MS = 60_000;

export const toMillis = (iso: string): number => Date.parse(iso);
export const toIso = (ms: number): string => new Date(ms).toISOString();
export const addMinutes = (iso: string, minutes: number): string =>
  toIso(toMillis(iso) + minutes * MINUTE_MS);
/** Minutes from `from` to `to` (negative when `to` is earlier). */
export const minutesBetween = (from: string, to: string): number =>
  (toMillis(to) - toMillis(from)) / MINUTE_MS;
const atOrAfter = (now: string, time: string): boolean => toMillis(now) >= toMillis(time);

export interface ClockStart {
  phase: ActivePhase;
  severity: SeverityLabel;
  /** When the phase was entered. */
  enteredAt: string;
  /** Detection time of the incident. */
  t0: string;
}

function timing(policy: SlaPolicy, phase: ActivePhase, severity: SeverityLabel, basis: string) {
  const budget = budgetMinutes(policy, severity, phase);
  return {
    budgetMinutes: budget,
    warnAt: addMinutes(basis, (budget * policy.warnAtPercent) / 100),
    deadline: addMinutes(basis, budget),
  };
}

export function startClock(policy: SlaPolicy, start: ClockStart): SlaClock {
  const basis = start.phase === "postmortem" || policy.mode === "per-phase" ? start.enteredAt : start.t0;
  return {
    phase: start.phase,
    severity: start.severity,
    startedAt: start.enteredAt,
    basis,
    ...timing(policy, start.phase, start.severity, basis),
    warnedAt: null,
    breachedAt: null,
    escalationLevel: null,
    nextEscalationAt: null,
    stoppedAt: null,
  };
}

export type ClockOutcome = "met" | "late";

export function stopClock(clock: SlaClock, at: string): { clock: SlaClock; outcome: ClockOutcome } {
  if (clock.stoppedAt !== null) return { clock, outcome: clock.breachedAt ? "late" : "met" };
  const late = clock.breachedAt !== null || atOrAfter(at, clock.deadline);
  return { clock: { ...clock, stoppedAt: at }, outcome: late ? "late" : "met" };
}

/**
 * A severity change re-times a running clock that has not breached yet (a higher severity has tighter
 * budgets). A breached clock keeps its deadline: the breach already happened and is on record.
 */
export function retimeClock(policy: SlaPolicy, clock: SlaClock, severity: SeverityLabel): SlaClock {
  if (clock.stoppedAt !== null || clock.breachedAt !== null || clock.severity === severity) return clock;
  const next = timing(policy, clock.phase, severity, clock.basis);
  return { ...clock, severity, ...next, warnedAt: clock.warnedAt };
}

/** The earliest time at which evaluating this clock would do something, or null when it never will. */
export function clockDueAt(clock: SlaClock): string | null {
  if (clock.stoppedAt !== null) return null;
  if (clock.breachedAt !== null) return clock.nextEscalationAt;
  return clock.warnedAt === null ? clock.warnAt : clock.deadline;
}

export function isClockDue(clock: SlaClock, now: string): boolean {
  const due = clockDueAt(clock);
  return due !== null && atOrAfter(now, due);
}

export function evaluateClock(
  policy: SlaPolicy,
  clock: SlaClock,
  now: string,
): { clock: SlaClock; effect: ClockEffect | null } {
  if (!isClockDue(clock, now)) return { clock, effect: null };
  const reescalateAt = addMinutes(now, policy.escalation.reescalateEveryMinutes);
  if (clock.breachedAt === null && atOrAfter(now, clock.deadline)) {
    const { level, target } = escalationTarget(policy, 0);
    return {
      clock: {
        ...clock,
        warnedAt: clock.warnedAt ?? now,
        breachedAt: now,
        escalationLevel: level,
        nextEscalationAt: reescalateAt,
      },
      effect: { kind: "breached", phase: clock.phase, at: now, deadline: clock.deadline, level, target },
    };
  }
  if (clock.breachedAt === null) {
    return {
      clock: { ...clock, warnedAt: now },
      effect: { kind: "warned", phase: clock.phase, at: now, deadline: clock.deadline },
    };
  }
  const { level, target } = escalationTarget(policy, (clock.escalationLevel ?? 0) + 1);
  return {
    clock: { ...clock, escalationLevel: level, nextEscalationAt: reescalateAt },
    effect: { kind: "escalated", phase: clock.phase, at: now, deadline: clock.deadline, level, target },
  };
}

export function evaluateClocks(
  policy: SlaPolicy,
  clocks: readonly SlaClock[],
  now: string,
): { clocks: SlaClock[]; effects: ClockEffect[] } {
  const effects: ClockEffect[] = [];
  const next = clocks.map((clock) => {
    const evaluated = evaluateClock(policy, clock, now);
    if (evaluated.effect) effects.push(evaluated.effect);
    return evaluated.clock;
  });
  return { clocks: next, effects };
}

export const anyClockDue = (clocks: readonly SlaClock[], now: string): boolean =>
  clocks.some((clock) => isClockDue(clock, now));

/**
 * The earliest time a `clock.checked` would do something (next warning, breach or re-escalation), for the
 * store's sweep index; null when no clock runs.
 */
export function nextDeadline(context: { clocks: readonly SlaClock[] }): string | null {
  let earliest: number | null = null;
  for (const clock of context.clocks) {
    const due = clockDueAt(clock);
    if (due === null) continue;
    const ms = toMillis(due);
    if (earliest === null || ms < earliest) earliest = ms;
  }
  return earliest === null ? null : toIso(earliest);
}
