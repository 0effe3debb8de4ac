/**
 * Guards: pure predicates on (context, event). They decide which transition an event takes, and they are
 * what makes duplicates and stale events no-ops (DESIGN §5: at-least-once everywhere).
 */
import type { Finding } from "../../core/findings/finding";
import type { CommandType } from "../../core/incident/commands";
import { canContain, decideContainment } from "../../core/incident/containment-policy";
import type { IncidentEvent } from "../../core/incident/events";
import { anyClockDue } from "../../core/incident/sla-clocks";
import { asksForFollowUp, containmentFor } from "./containment-decisions";
import { acceptsFinding, type IncidentContext } from "./context";
import type { Policies } from "./decision";
import { recoveryKey } from "./incident-decisions";

type Guard = (context: IncidentContext, event: IncidentEvent, policies: Policies) => boolean;

const findingEvent = (event: IncidentEvent): Finding | null =>
  event.type === "finding.received" || event.type === "finding.updated" ? event.finding : null;

const detection = (event: IncidentEvent): Finding | null => {
  const finding = findingEvent(event);
  return finding?.kind === "detection" ? finding : null;
};

/** Only a detection opens an incident; a recovery signal on its own has nothing to recover from. */
export const opensIncident: Guard = (_c, event) =>
  event.type === "finding.received" && detection(event) !== null;

export const opensWithAutoContainment: Guard = (context, event, policies) => {
  const finding = opensIncident(context, event, policies) ? detection(event) : null;
  if (!finding) return false;
  const decision = decideContainment(policies.containment, finding);
  return canContain(decision) && decision.mode === "auto";
};

export const opensWithPlannedContainment: Guard = (context, event, policies) => {
  const finding = opensIncident(context, event, policies) ? detection(event) : null;
  if (!finding) return false;
  const decision = decideContainment(policies.containment, finding);
  return canContain(decision) && decision.mode !== "auto";
};

/** A newer detection (new identity, later `updatedAt` or higher count); older or identical ones are no-ops. */
export const findingAccepted: Guard = (context, event) => {
  const finding = detection(event);
  return finding !== null && acceptsFinding(context.findings, finding);
};

const becomes =
  (auto: boolean): Guard =>
  (context, event, policies) => {
    if (!findingAccepted(context, event, policies)) return false;
    const decision = containmentFor(context, detection(event)!, policies);
    return canContain(decision) && (decision.mode === "auto") === auto;
  };
export const containmentBecomesAuto = becomes(true);
export const containmentBecomesPlanned = becomes(false);

/** A recovery signal (its own event, or a finding of kind `recovery`) not seen before. */
export const newRecoveryHint: Guard = (context, event) => {
  const finding =
    event.type === "recovery.hinted"
      ? event.finding
      : findingEvent(event)?.kind === "recovery"
        ? findingEvent(event)
        : null;
  return finding !== null && !context.recoveryHints.includes(recoveryKey(finding));
};

export const ownerChanges: Guard = (context, event) =>
  event.type === "owner.assigned" && event.owner !== context.owner;

export const clocksDue: Guard = (context, event) =>
  event.type === "clock.checked" && anyClockDue(context.clocks, event.now);

const newResult = (context: IncidentContext, event: IncidentEvent): boolean =>
  (event.type === "command.succeeded" || event.type === "command.failed") &&
  !context.handledCommandIds.includes(event.commandId);

export const newCommandResult: Guard = (context, event) => newResult(context, event);

const resultOf =
  (
    outcome: "command.succeeded" | "command.failed",
    types: (context: IncidentContext) => readonly CommandType[],
  ): Guard =>
  (context, event) =>
    event.type === outcome && newResult(context, event) && types(context).includes(event.commandType);

const containmentActionTypes = (context: IncidentContext): CommandType[] =>
  context.containment.action === "none" ? [] : [context.containment.action];

export const planSucceeded = resultOf("command.succeeded", () => ["planContainment"]);
export const planSucceededNeedsApproval: Guard = (context, event, policies) =>
  planSucceeded(context, event, policies) && context.containment.mode === "approval";
export const planFailed = resultOf("command.failed", () => ["planContainment"]);

export const containmentSucceeded = resultOf("command.succeeded", containmentActionTypes);
export const containmentSucceededWithFollowUp: Guard = (context, event, policies) =>
  containmentSucceeded(context, event, policies) &&
  event.type === "command.succeeded" &&
  asksForFollowUp(event.result);
export const completionSucceeded = resultOf("command.succeeded", () => ["completeIsolation"]);
export const containmentFailed = resultOf("command.failed", (context) => [
  ...containmentActionTypes(context),
  "completeIsolation",
]);
export const restoreSucceeded = resultOf("command.succeeded", () => ["restoreContainment"]);
export const restoreFailed = resultOf("command.failed", () => ["restoreContainment"]);

/** A responder's retry goes straight to isolation when the policy allowed auto for this finding. */
export const requestStartsAuto: Guard = (context) =>
  canContain(context.containment) && context.containment.mode === "auto";

export const dryRunOnly: Guard = (context) => context.containment.mode === "dry-run";

export const inRecoverPhase: Guard = (context) => context.phase === "recover";
