/**
 * The shape of a decision and the builders every decision uses: given the context, the event and the
 * policies, a decision says what the next context is, which commands the world must carry out and what
 * the timeline records. Nothing here knows about xstate; the machine wires decisions to transitions.
 *
 * Invariants:
 * - A decision never reads a clock: times come from the event (`at`, `now`).
 * - Every decision that changes something records who and when on the timeline.
 * - Commands are only described here (type + JSON params); the machine turns them into named actions.
 */

import type { Finding } from "../../core/findings/finding";
import type { CommandSpec, LifecycleDetailType } from "../../core/incident/commands";
import type { ContainmentPolicy } from "../../core/incident/containment-policy";
import type { IncidentEvent } from "../../core/incident/events";
import { type IncidentPhase, RUNBOOK_SECTION } from "../../core/incident/phases";
import type { SlaClock } from "../../core/incident/sla-clocks";
import type { SlaPolicy } from "../../core/incident/sla-policy";
import type { JsonValue, TimelineEntry } from "../../core/ports/incident-store";
import { runbookUrl } from "../../core/runbooks/runbook-url";
import { guardDutyGroups, type IncidentContext, securityHubRefs, viewOf } from "./context";

export interface Policies {
  sla: SlaPolicy;
  containment: ContainmentPolicy;
}

export interface Decision {
  context: IncidentContext;
  commands: CommandSpec[];
  timeline: TimelineEntry[];
}

export type Decide<P = undefined> = (
  context: IncidentContext,
  event: IncidentEvent,
  policies: Policies,
  params: P,
) => Decision;

/** A small builder so each decision reads as: change the context, say what to do, say what happened. */
export class Draft {
  readonly commands: CommandSpec[] = [];
  readonly timeline: TimelineEntry[] = [];
  constructor(public context: IncidentContext) {}

  set(patch: Partial<IncidentContext>): this {
    this.context = { ...this.context, ...patch };
    return this;
  }
  command(command: CommandSpec): this {
    this.commands.push(command);
    return this;
  }
  record(at: string, actor: string, kind: string, text: string, data?: JsonValue): this {
    this.timeline.push(data === undefined ? { at, actor, kind, text } : { at, actor, kind, text, data });
    return this;
  }
  done(): Decision {
    return { context: this.context, commands: this.commands, timeline: this.timeline };
  }
}

/** Who caused an event, for the timeline: the responder, the finding's source, the clock or the system. */
export function actorOf(event: IncidentEvent): string {
  switch (event.type) {
    case "finding.received":
    case "finding.updated":
      return event.actor ?? event.finding.source;
    case "recovery.hinted":
      return event.finding.source;
    case "clock.checked":
      return "clock";
    case "command.succeeded":
    case "command.failed":
      return "system";
    case "incident.acknowledged":
    case "owner.assigned":
    case "phase.advanced":
    case "containment.requested":
    case "containment.approved":
    case "containment.denied":
    case "restoration.requested":
    case "note.added":
    case "escalation.requested":
    case "false-positive.marked":
    case "postmortem.published":
      return event.actor;
    default:
      return ((unexpected: never): string => unexpected)(event);
  }
}

export const findingOf = (event: IncidentEvent): Finding | null =>
  event.type === "finding.received" || event.type === "finding.updated" || event.type === "recovery.hinted"
    ? event.finding
    : null;

export const runbook = (context: IncidentContext, phase?: IncidentPhase) => ({
  id: context.runbookId,
  section: RUNBOOK_SECTION[phase ?? context.phase ?? "detect"],
});

export const reply = (context: IncidentContext, topic: string, text: string): CommandSpec => ({
  type: "postThreadReply",
  params: { topic, text, runbook: runbook(context) },
});

export const updateMessage = (context: IncidentContext): CommandSpec => ({
  type: "updateIncidentMessage",
  params: { incident: viewOf(context), runbook: runbook(context) },
});

export const lifecycle = (
  context: IncidentContext,
  detailType: LifecycleDetailType,
  at: string,
  facts: Record<string, JsonValue> = {},
): CommandSpec => ({
  type: "publishIncidentEvent",
  params: {
    detailType,
    detail: {
      incidentId: context.incidentId,
      title: context.title,
      severity: context.severity.label,
      phase: context.phase ?? "detect",
      correlationKey: context.correlationKey,
      at,
      facts,
    },
  },
});

export const runningClock = (context: IncidentContext): SlaClock | undefined =>
  context.clocks.find((clock) => clock.stoppedAt === null);

/**
 * Every Security Hub note ends with the runbook section for the incident's phase, so an analyst who finds
 * the incident from the Security Hub console lands in the same runbook as Slack and the dashboard. The
 * link is relative to where `runbooks/` is served (core/runbooks/runbook-url.ts).
 */
function withRunbook(context: IncidentContext, note: string): string {
  const phase = context.phase ?? "detect";
  return `${note} Runbook: ${runbookUrl("", context.runbookId, RUNBOOK_SECTION[phase])}`;
}

/** Security Hub commands go out only when at least one finding has a Security Hub copy. */
export function securityHubStatus(
  draft: Draft,
  status: "NOTIFIED" | "RESOLVED" | "SUPPRESSED",
  note: string,
  only?: string,
): void {
  const refs = securityHubRefs(draft.context).filter((ref) => only === undefined || ref.id === only);
  if (refs.length > 0)
    draft.command({
      type: "updateSecurityHubFindings",
      params: { findings: refs, status, note: withRunbook(draft.context, note) },
    });
}

export function securityHubNote(draft: Draft, note: string): void {
  const refs = securityHubRefs(draft.context);
  if (refs.length > 0)
    draft.command({
      type: "addSecurityHubNote",
      params: { findings: refs, note: withRunbook(draft.context, note) },
    });
}

export function guardDutyFeedback(draft: Draft, feedback: "USEFUL" | "NOT_USEFUL", comments: string): void {
  for (const group of guardDutyGroups(draft.context)) {
    draft.command({ type: "sendGuardDutyFeedback", params: { ...group, feedback, comments } });
  }
}
