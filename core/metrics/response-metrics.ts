/**
 * Response metrics from incidents and their timelines: how fast we acknowledge, contain and recover,
 * how long each phase takes, how often we keep the plan's deadlines, and how many deadlines we miss.
 *
 * Definitions (all measured from T0, the moment the first finding was received, as the SLA clocks are):
 * - MTTA: mean T0 → acknowledgement (`incident.acknowledged`).
 * - MTTC: mean T0 → the end of the contain phase (the responder declares it contained by advancing).
 *   Automatic isolation of one resource is not "contained": the machine leaves that judgement to a person.
 * - MTTR: mean T0 → recovery (entry into postmortem, the moment the context records `recoveredAt`).
 * - Phase duration: mean of (phase ended − phase entered), over phases that ended.
 * - SLA compliance per phase and severity: met / decided, where a phase is decided once it ended (met or
 *   late) or breached while still running (already late, whatever happens next). Running phases that are
 *   not yet overdue are not counted either way. Severity is the incident's (it only rises).
 * - Breaches per ISO week: first breaches (`sla.breached`) per phase clock, by the ISO-8601 week (UTC) in
 *   which they happened; re-escalations of the same breach are not new breaches.
 *
 * Invariants: pure; each mean says how many incidents it is over, and a mean over none is null (never 0,
 * which would read as "instant").
 */
import { SEVERITY_LABELS, type SeverityLabel } from "../findings/severity";
import { ACTIVE_PHASES, type ActivePhase } from "../incident/phases";
import type { IncidentRecord, TimelineEntry } from "../ports/incident-store";
import { phaseEndedAt, readTimeline, secondsBetween, type TimelineFacts } from "./timeline-facts";

export interface IncidentHistory {
  incident: Pick<IncidentRecord, "id" | "severity">;
  timeline: readonly TimelineEntry[];
}

export interface Mean {
  /** The mean in seconds; null when `count` is 0. */
  seconds: number | null;
  count: number;
}

export interface SlaCompliance {
  phase: ActivePhase;
  severity: SeverityLabel;
  met: number;
  decided: number;
  /** met / decided, in [0, 1]. */
  ratio: number;
}

export interface WeeklyBreaches {
  /** ISO-8601 week, e.g. `2024-W18`. */
  week: string;
  breaches: number;
}

export interface ResponseMetrics {
  incidents: number;
  mtta: Mean;
  mttc: Mean;
  mttr: Mean;
  phaseDurations: Record<ActivePhase, Mean>;
  /** Only phase × severity pairs with at least one decided phase; in phase, then severity order. */
  slaCompliance: SlaCompliance[];
  /** Weeks with at least one breach, oldest first. */
  breachesPerWeek: WeeklyBreaches[];
}

const DAY_MS = 86_400_000;

/** ISO-8601 week of an instant, in UTC: the week (Monday–Sunday) belongs to the year of its Thursday. */
export function isoWeek(iso: string): string {
  const ms = Date.parse(iso);
  const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = new Date(midnight).getUTCDay() || 7; // Monday = 1 … Sunday = 7
  const thursday = midnight + (4 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function mean(values: readonly number[]): Mean {
  if (values.length === 0) return { seconds: null, count: 0 };
  return { seconds: values.reduce((sum, v) => sum + v, 0) / values.length, count: values.length };
}

const present = (value: number | null): value is number => value !== null;

export function responseMetrics(histories: readonly IncidentHistory[]): ResponseMetrics {
  const read = histories.map((h) => ({ severity: h.incident.severity, facts: readTimeline(h.timeline) }));
  const fromT0 = (to: (facts: TimelineFacts) => string | null) =>
    mean(read.map(({ facts }) => secondsBetween(facts.openedAt, to(facts))).filter(present));

  const phaseDurations = Object.fromEntries(
    ACTIVE_PHASES.map((phase) => [
      phase,
      mean(
        read.flatMap(({ facts }) =>
          facts.phases
            .filter((span) => span.phase === phase)
            .map((span) => secondsBetween(span.enteredAt, span.endedAt))
            .filter(present),
        ),
      ),
    ]),
  ) as Record<ActivePhase, Mean>;

  const tally = new Map<string, { met: number; decided: number }>();
  for (const { severity, facts } of read) {
    for (const span of facts.phases) {
      const late = span.outcome === "late" || (span.outcome === null && span.breachedAt !== null);
      if (span.outcome === null && !late) continue;
      const key = `${span.phase}|${severity}`;
      const counts = tally.get(key) ?? { met: 0, decided: 0 };
      counts.decided++;
      if (!late) counts.met++;
      tally.set(key, counts);
    }
  }
  const slaCompliance = ACTIVE_PHASES.flatMap((phase) =>
    SEVERITY_LABELS.flatMap((severity) => {
      const counts = tally.get(`${phase}|${severity}`);
      return counts ? [{ phase, severity, ...counts, ratio: counts.met / counts.decided }] : [];
    }),
  );

  const weeks = new Map<string, number>();
  for (const { facts } of read)
    for (const breach of facts.breaches)
      if (breach.kind === "breached" && Number.isFinite(Date.parse(breach.at))) {
        const week = isoWeek(breach.at);
        weeks.set(week, (weeks.get(week) ?? 0) + 1);
      }
  const breachesPerWeek = [...weeks]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([week, breaches]) => ({ week, breaches }));

  return {
    incidents: histories.length,
    mtta: fromT0((facts) => facts.acknowledged?.at ?? null),
    mttc: fromT0((facts) => phaseEndedAt(facts, "contain")),
    mttr: fromT0((facts) => facts.recoveredAt),
    phaseDurations,
    slaCompliance,
    breachesPerWeek,
  };
}
