/**
 * act: a responder's action (from Slack, the dashboard or the API) becomes an incident event. Callers
 * authenticate and authorize first; this only maps the action and applies it, so every channel behaves
 * the same. An action that changes nothing (acknowledging twice, acting on a closed incident) is
 * reported as unchanged, not as an error; a malformed action is an InputError.
 */
import * as z from "zod";
import { InputError } from "../core/errors";
import type { IncidentEvent } from "../core/incident/events";
import { type AdvanceOutcome, advance } from "./advance";
import type { AppDeps } from "./response-config";

export const RESPONDER_ACTIONS = [
  "acknowledge",
  "assign",
  "advance",
  "approve-containment",
  "deny-containment",
  "request-containment",
  "restore-containment",
  "false-positive",
  "note",
  "escalate",
  "publish-postmortem",
] as const;

export const responderActionSchema = z.object({
  type: z.enum(RESPONDER_ACTIONS),
  note: z.string().max(4000).optional(),
  /** For `assign`: who becomes owner (default: the actor). */
  owner: z.string().min(1).max(200).optional(),
  /** For `publish-postmortem`: where it was published. */
  url: z.url().max(2000).optional(),
});
export type ResponderAction = z.infer<typeof responderActionSchema>;

export function eventFor(action: ResponderAction, actor: string, at: string): IncidentEvent {
  const note = action.note?.trim() || undefined;
  switch (action.type) {
    case "acknowledge":
      return { type: "incident.acknowledged", at, actor };
    case "assign":
      return { type: "owner.assigned", at, actor, owner: action.owner ?? actor };
    case "advance":
      return { type: "phase.advanced", at, actor, ...(note ? { note } : {}) };
    case "approve-containment":
      return { type: "containment.approved", at, actor };
    case "deny-containment":
      return { type: "containment.denied", at, actor, ...(note ? { reason: note } : {}) };
    case "request-containment":
      return { type: "containment.requested", at, actor, ...(note ? { reason: note } : {}) };
    case "restore-containment":
      return { type: "restoration.requested", at, actor };
    case "false-positive":
      return { type: "false-positive.marked", at, actor, reason: note ?? "marked false positive" };
    case "note":
      if (!note) throw new InputError("missing_field", "a note needs text", "$.note");
      return { type: "note.added", at, actor, text: note };
    case "escalate":
      return { type: "escalation.requested", at, actor, ...(note ? { reason: note } : {}) };
    case "publish-postmortem":
      return { type: "postmortem.published", at, actor, ...(action.url ? { url: action.url } : {}) };
    default: {
      const unknown: never = action.type;
      throw new Error(`unknown action ${String(unknown)}`);
    }
  }
}

export function act(
  deps: AppDeps,
  incidentId: string,
  action: ResponderAction,
  actor: string,
): Promise<AdvanceOutcome> {
  return advance(deps, incidentId, eventFor(action, actor, deps.clock.now()));
}
