/**
 * step(): one event in, the next incident state and its effects out. Pure: no I/O, no clock.
 *
 * Invariants (DESIGN §3):
 * - Uses xstate's `initialTransition` and the machine's own `transition` (./pure-transition.ts, what
 *   xstate's `transition()` does minus a throwaway actor per call), which return the next snapshot and the
 *   actions without running them; named command stubs become commands, `recordTimeline` becomes timeline entries,
 *   and anything else is a bug (thrown, never dropped).
 * - Command ids are `<incidentId>:<version>:<n>` with `version` the new version and `n` from 0, so the
 *   same stored snapshot and event always give the same ids.
 * - An event that changes nothing (a duplicate, an ack on a closed incident, a stale finding) returns
 *   `changed: false` with no commands, and the caller commits nothing.
 */
import { initialTransition } from "xstate";
import type { Finding } from "../../core/findings/finding";
import type { SeverityLabel } from "../../core/findings/severity";
import { type Command, commandId, isCommandType } from "../../core/incident/commands";
import type { ContainmentPolicy } from "../../core/incident/containment-policy";
import type { IncidentEvent } from "../../core/incident/events";
import type { IncidentPhase } from "../../core/incident/phases";
import { nextDeadline } from "../../core/incident/sla-clocks";
import type { SlaPolicy } from "../../core/incident/sla-policy";
import type {
  IncidentRecord,
  JsonObject,
  OutboxCommand,
  TimelineEntry,
} from "../../core/ports/incident-store";
import { TIMELINE_ACTION } from "./actions";
import { acceptsFinding, type IncidentContext } from "./context";
import { type IncidentMachine, incidentMachine } from "./incident.machine";
import { pureTransition } from "./pure-transition";
import { persistSnapshot, resolveStoredSnapshot } from "./snapshot";

export interface StepDeps {
  incidentId: string;
  slaPolicy: SlaPolicy;
  containmentPolicy: ContainmentPolicy;
}

export interface StoredIncident {
  snapshot: JsonObject;
  version: number;
}

export type StepCommand = Command & OutboxCommand;

export interface StepChanged {
  changed: true;
  /** The new snapshot (JSON, carries its machine version). */
  snapshot: JsonObject;
  /** The new version: stored version + 1 (1 for a new incident). */
  version: number;
  commands: StepCommand[];
  timeline: TimelineEntry[];
  phase: IncidentPhase;
  severity: SeverityLabel;
  open: boolean;
  nextDeadline: string | null;
  title: string;
  correlationKey: string;
  openedAt: string;
  updatedAt: string;
  /** Findings this event merged into the incident (for the store's finding records). */
  findings: Finding[];
}

export interface StepUnchanged {
  changed: false;
  version: number;
  commands: [];
  timeline: [];
}

export type StepResult = StepChanged | StepUnchanged;

/**
 * The state before the first event. Computing it with initialTransition builds an actor scope each time
 * (the costliest part of opening an incident), and it differs between incidents only by id — so it is
 * computed once per machine and resolved with the id. (step() never ran its entry actions anyway.)
 */
const initialStates = new WeakMap<IncidentMachine, { value: unknown; context: IncidentContext }>();

function initialSnapshot(machine: IncidentMachine, incidentId: string) {
  let initial = initialStates.get(machine);
  if (!initial) {
    const [snapshot] = initialTransition(machine, { incidentId: "" });
    initial = { value: snapshot.value, context: snapshot.context as IncidentContext };
    initialStates.set(machine, initial);
  }
  return machine.resolveState({
    value: initial.value as never,
    context: structuredClone({ ...initial.context, incidentId }),
  });
}

/** Structural equality of JSON-like values (contexts are plain data; key order does not matter). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const findingIn = (event: IncidentEvent): Finding | null =>
  event.type === "finding.received" || event.type === "finding.updated" ? event.finding : null;

export function step(stored: StoredIncident | undefined, event: IncidentEvent, deps: StepDeps): StepResult {
  const machine = incidentMachine({ sla: deps.slaPolicy, containment: deps.containmentPolicy });
  const before = stored
    ? resolveStoredSnapshot(machine, stored.snapshot)
    : initialSnapshot(machine, deps.incidentId);
  const [after, actions] = pureTransition(machine, before, event);

  const previousVersion = stored?.version ?? 0;
  const version = previousVersion + 1;
  const context = after.context as IncidentContext;
  const createdAt = event.at;
  const commands: StepCommand[] = [];
  const timeline: TimelineEntry[] = [];
  for (const action of actions) {
    if (action.type === TIMELINE_ACTION) {
      timeline.push(action.params as TimelineEntry);
    } else if (isCommandType(action.type)) {
      commands.push({
        id: commandId(deps.incidentId, version, commands.length),
        incidentId: deps.incidentId,
        type: action.type,
        params: action.params,
        createdAt,
      } as StepCommand);
    } else {
      throw new Error(
        `incident machine emitted action ${action.type}, which is neither a command nor a timeline entry`,
      );
    }
  }

  // xstate hands back new objects only for what a transition touched; equal state value and context mean
  // nothing changed. (Compared structurally: cheaper than persisting both sides and comparing JSON.)
  const changed =
    commands.length > 0 ||
    timeline.length > 0 ||
    after.status !== before.status ||
    !sameJson(after.value, before.value) ||
    !sameJson(after.context, before.context);
  if (!changed) return { changed: false, version: previousVersion, commands: [], timeline: [] };
  const afterJson = persistSnapshot(machine, after);

  const finding = findingIn(event);
  const beforeFindings = (before.context as IncidentContext).findings;
  const merged =
    finding && finding.kind === "detection" && acceptsFinding(beforeFindings, finding) ? [finding] : [];
  const open = after.status === "active" && context.openedAt !== null;
  return {
    changed: true,
    snapshot: afterJson,
    version,
    commands,
    timeline,
    phase: context.phase ?? "detect",
    severity: context.severity.label,
    open,
    nextDeadline: open ? nextDeadline(context) : null,
    title: context.title,
    correlationKey: context.correlationKey,
    openedAt: context.openedAt ?? event.at,
    updatedAt: context.updatedAt ?? event.at,
    findings: merged,
  };
}

/** The incident row a changed step commits. */
export const incidentRecordOf = (
  incidentId: string,
  result: StepChanged,
  linkedTo?: string,
): IncidentRecord => ({
  id: incidentId,
  version: result.version,
  correlationKey: result.correlationKey,
  open: result.open,
  phase: result.phase,
  severity: result.severity,
  title: result.title,
  openedAt: result.openedAt,
  updatedAt: result.updatedAt,
  nextDeadline: result.nextDeadline,
  snapshot: result.snapshot,
  ...(linkedTo === undefined ? {} : { linkedTo }),
});
