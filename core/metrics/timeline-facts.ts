/**
 * What an incident's timeline says about its response: when it opened, who acknowledged it when, each
 * phase's span against its deadline, and every SLA breach. Metrics and postmortems both read this, so
 * they can never disagree about a number.
 *
 * It reads the entries the workflow writes (workflows/incident/*-decisions.ts):
 * - `incident.opened` at T0;
 * - `incident.acknowledged` (actor, at) — also recorded when `advance` leaves detect;
 * - `phase.entered` { phase, deadline } when a phase starts;
 * - `sla.met` / `sla.late` { phase, deadline, breachedAt } when it ends (the deadline as finally timed:
 *   a severity rise re-times a running clock, and only this entry carries the new deadline);
 * - `sla.breached` / `sla.escalated` { clock, deadline, level } while a phase runs overdue;
 * - `incident.closed` / `incident.suppressed` at the end.
 *
 * Invariants:
 * - Pure and total: entries come from a store, so every `data` field is read defensively; an entry that
 *   lacks what it should have is skipped, never thrown on.
 * - Entries are taken in the order given (the store's `seq` order), which is the order they happened.
 */
import { ACTIVE_PHASES, type ActivePhase } from "../incident/phases";
import type { JsonValue, TimelineEntry } from "../ports/incident-store";

export type PhaseOutcome = "met" | "late";

export interface PhaseSpan {
  phase: ActivePhase;
  enteredAt: string;
  /** The phase's deadline as finally timed (null when the entry did not say). */
  deadline: string | null;
  /** When the phase ended; null while it runs. */
  endedAt: string | null;
  /** `met` = ended before its deadline; null while it runs. */
  outcome: PhaseOutcome | null;
  /** When its clock breached (first page); null if it never did. */
  breachedAt: string | null;
}

export interface BreachFact {
  phase: ActivePhase;
  at: string;
  deadline: string | null;
  /** Escalation level paged (0 = first level). */
  level: number;
  /** `breached` = the first page for the phase, `escalated` = each page after it. */
  kind: "breached" | "escalated";
}

export interface TimelineFacts {
  openedAt: string | null;
  acknowledged: { at: string; by: string } | null;
  phases: PhaseSpan[];
  breaches: BreachFact[];
  /** When the incident entered postmortem: the end of recovery. */
  recoveredAt: string | null;
  closedAt: string | null;
  suppressedAt: string | null;
}

const field = (data: JsonValue | undefined, key: string): JsonValue | undefined =>
  typeof data === "object" && data !== null && !Array.isArray(data) ? data[key] : undefined;

const stringField = (data: JsonValue | undefined, key: string): string | null => {
  const value = field(data, key);
  return typeof value === "string" ? value : null;
};

const phaseField = (data: JsonValue | undefined, key: string): ActivePhase | null => {
  const value = stringField(data, key);
  return value !== null && (ACTIVE_PHASES as readonly string[]).includes(value)
    ? (value as ActivePhase)
    : null;
};

/** The latest span of `phase` that is still running. */
const runningSpan = (spans: readonly PhaseSpan[], phase: ActivePhase): PhaseSpan | undefined =>
  spans.findLast((span) => span.phase === phase && span.endedAt === null);

export function readTimeline(entries: readonly TimelineEntry[]): TimelineFacts {
  const facts: TimelineFacts = {
    openedAt: null,
    acknowledged: null,
    phases: [],
    breaches: [],
    recoveredAt: null,
    closedAt: null,
    suppressedAt: null,
  };
  for (const entry of entries) {
    switch (entry.kind) {
      case "incident.opened":
        facts.openedAt ??= entry.at;
        break;
      case "incident.acknowledged":
        facts.acknowledged ??= { at: entry.at, by: entry.actor };
        break;
      case "phase.entered": {
        const phase = phaseField(entry.data, "phase");
        if (phase === null) break;
        facts.phases.push({
          phase,
          enteredAt: entry.at,
          deadline: stringField(entry.data, "deadline"),
          endedAt: null,
          outcome: null,
          breachedAt: null,
        });
        if (phase === "postmortem") facts.recoveredAt ??= entry.at;
        break;
      }
      case "sla.met":
      case "sla.late": {
        const phase = phaseField(entry.data, "phase");
        const span = phase === null ? undefined : runningSpan(facts.phases, phase);
        if (!span) break;
        span.endedAt = entry.at;
        span.outcome = entry.kind === "sla.met" ? "met" : "late";
        span.deadline = stringField(entry.data, "deadline") ?? span.deadline;
        span.breachedAt ??= stringField(entry.data, "breachedAt");
        break;
      }
      case "sla.breached":
      case "sla.escalated": {
        const phase = phaseField(entry.data, "clock");
        if (phase === null) break;
        const level = field(entry.data, "level");
        const deadline = stringField(entry.data, "deadline");
        facts.breaches.push({
          phase,
          at: entry.at,
          deadline,
          level: typeof level === "number" ? level : 0,
          kind: entry.kind === "sla.breached" ? "breached" : "escalated",
        });
        const span = runningSpan(facts.phases, phase);
        if (span && entry.kind === "sla.breached") {
          span.breachedAt ??= entry.at;
          span.deadline = deadline ?? span.deadline;
        }
        break;
      }
      case "incident.closed":
        facts.closedAt ??= entry.at;
        break;
      case "incident.suppressed":
        facts.suppressedAt ??= entry.at;
        break;
      default:
        break;
    }
  }
  return facts;
}

/** Seconds from `from` to `to`; null when either is missing or unreadable. */
export function secondsBetween(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/** When the incident left `phase` for the first time (null if it has not). */
export const phaseEndedAt = (facts: TimelineFacts, phase: ActivePhase): string | null =>
  facts.phases.find((span) => span.phase === phase && span.endedAt !== null)?.endedAt ?? null;
