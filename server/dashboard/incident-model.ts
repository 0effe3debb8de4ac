/**
 * What the dashboard shows of an incident, read from its record and its statechart snapshot's context
 * (workflows/incident/context.ts, read only). Pure: time comes in as `now`.
 *
 * Invariants:
 * - A snapshot this code cannot read (a newer machine version) never breaks a page: the record's own
 *   columns are shown and `snapshotError` says why the rest is missing.
 * - The deadline shown is the RUNNING clock's deadline (the phase's budget), not the sweep index's next
 *   due time (which is the earlier warning point); warn/breach flags come from the clock, and the page
 *   flips them live as the countdown crosses `warnAt` and `deadline`.
 */
import { type ActivePhase, isActivePhase, NEXT_PHASE } from "../../core/incident/phases";
import type { SlaClock } from "../../core/incident/sla-clocks";
import type { IncidentRecord, JsonValue, StoredCommand } from "../../core/ports/incident-store";
import type { IncidentContext } from "../../workflows/incident/context";
import { restoreSnapshot } from "../../workflows/incident/snapshot";

export interface DeadlineView {
  phase: ActivePhase;
  warnAt: string;
  deadline: string;
  warned: boolean;
  breached: boolean;
}

export interface IncidentModel {
  record: IncidentRecord;
  context: IncidentContext | null;
  snapshotError: string | null;
  deadline: DeadlineView | null;
  /** Clocks that breached (running or stopped late): a late phase stays late. */
  breaches: number;
  owner: string | null;
  acknowledgedBy: string | null;
  containmentStatus: string | null;
}

const atOrAfter = (now: string, time: string): boolean => Date.parse(now) >= Date.parse(time);

export function incidentModel(record: IncidentRecord, now: string): IncidentModel {
  let context: IncidentContext | null = null;
  let snapshotError: string | null = null;
  try {
    context = restoreSnapshot(record.snapshot).state.context;
  } catch (error) {
    snapshotError = error instanceof Error ? error.message : String(error);
  }
  const running = record.open ? (context?.clocks.find((clock) => clock.stoppedAt === null) ?? null) : null;
  return {
    record,
    context,
    snapshotError,
    deadline: running ? deadlineOf(running, now) : null,
    breaches: context?.clocks.filter((clock) => clock.breachedAt !== null).length ?? 0,
    owner: context?.owner ?? null,
    acknowledgedBy: context?.acknowledged?.by ?? null,
    containmentStatus: context?.containment.status ?? null,
  };
}

function deadlineOf(clock: SlaClock, now: string): DeadlineView {
  return {
    phase: clock.phase,
    warnAt: clock.warnAt,
    deadline: clock.deadline,
    warned: clock.warnedAt !== null || atOrAfter(now, clock.warnAt),
    breached: clock.breachedAt !== null || atOrAfter(now, clock.deadline),
  };
}

export type ClockState = "running" | "warned" | "breached" | "met" | "late";

export function clockState(clock: SlaClock, now: string): ClockState {
  if (clock.stoppedAt !== null)
    return clock.breachedAt !== null || atOrAfter(clock.stoppedAt, clock.deadline) ? "late" : "met";
  if (clock.breachedAt !== null || atOrAfter(now, clock.deadline)) return "breached";
  if (clock.warnedAt !== null || atOrAfter(now, clock.warnAt)) return "warned";
  return "running";
}

/** The responder actions that make sense now; the workflow still decides (a stale page acts harmlessly). */
export type ActionKind =
  | "acknowledge"
  | "assign"
  | "approve-containment"
  | "deny-containment"
  | "request-containment"
  | "restore-containment"
  | "advance"
  | "publish-postmortem"
  | "false-positive"
  | "note"
  | "escalate";

export function availableActions(model: IncidentModel, actor: string | null): ActionKind[] {
  const { record, context } = model;
  if (!record.open || !context) return [];
  const phase = record.phase;
  const containment = context.containment.status;
  const wanted: Array<[ActionKind, boolean]> = [
    ["acknowledge", context.acknowledged === null],
    ["assign", context.owner === null || context.owner !== actor],
    ["approve-containment", containment === "awaitingApproval"],
    ["deny-containment", containment === "awaitingApproval"],
    ["request-containment", containment === "failed" || containment === "denied"],
    ["restore-containment", containment === "isolated" && phase === "recover"],
    ["advance", isActivePhase(phase) && phase !== "postmortem"],
    ["publish-postmortem", phase === "postmortem"],
    ["false-positive", phase === "detect" || phase === "assess"],
    ["note", true],
    ["escalate", true],
  ];
  return wanted.filter(([, shown]) => shown).map(([kind]) => kind);
}

export const nextPhaseOf = (phase: string): string | null =>
  isActivePhase(phase) ? NEXT_PHASE[phase] : null;

export interface PlannedCallView {
  service: string;
  action: string;
  input: JsonValue;
  purpose: string;
}

const isRecord = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The exact API calls a containment plan or dry-run result lists, when it has them in the known shape. */
export function plannedCalls(value: JsonValue | null | undefined): PlannedCallView[] | null {
  if (!isRecord(value) || !Array.isArray(value.calls)) return null;
  const calls: PlannedCallView[] = [];
  for (const call of value.calls) {
    if (!isRecord(call) || typeof call.service !== "string" || typeof call.action !== "string") return null;
    calls.push({
      service: call.service,
      action: call.action,
      input: call.input ?? null,
      purpose: typeof call.purpose === "string" ? call.purpose : "",
    });
  }
  return calls;
}

/** The containment plan: the one the workflow recorded, else the latest planContainment result. */
export function containmentPlan(
  context: IncidentContext | null,
  commands: readonly StoredCommand[],
): JsonValue | null {
  if (context?.containment.plan) return context.containment.plan;
  const planned = commands.filter((c) => c.type === "planContainment" && c.status === "succeeded").at(-1);
  return planned?.result ?? null;
}
