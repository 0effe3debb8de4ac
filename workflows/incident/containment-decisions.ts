/**
 * Decisions about containment: adopting the policy's decision, requests, approval and denial, the
 * commands each containment state issues (plan, isolate / lock down / deactivate, the second isolation
 * step, restore) and what their results leave behind for undo.
 */
import type { Finding } from "../../core/findings/finding";
import { type CommandSpec, isolationResultSchema } from "../../core/incident/commands";
import { type ContainmentDecision, decideContainment } from "../../core/incident/containment-policy";
import { escalationTarget } from "../../core/incident/sla-policy";
import type { JsonValue } from "../../core/ports/incident-store";
import { type ContainmentStatus, higherSeverity, type IncidentContext, initialContainment } from "./context";
import {
  actorOf,
  type Decide,
  Draft,
  findingOf,
  lifecycle,
  type Policies,
  reply,
  updateMessage,
} from "./decision";

/** The containment decision for a finding, judged at the incident's (only rising) severity. */
export function containmentFor(
  context: IncidentContext,
  finding: Finding,
  policies: Policies,
): ContainmentDecision {
  return decideContainment(policies.containment, {
    ...finding,
    severity: higherSeverity(context.severity, finding.severity),
  });
}

/** A newer finding may make containment possible (e.g. severity rose into an auto rule). */
export const adoptContainmentDecision: Decide = (context, event, policies) => {
  const finding = findingOf(event)!;
  const decision = containmentFor(context, finding, policies);
  return new Draft(context)
    .set({
      containment: {
        ...context.containment,
        ...initialContainment(decision),
        status: context.containment.status,
      },
    })
    .record(event.at, "system", "containment.decided", decision.reason, {
      mode: decision.mode,
      action: decision.action,
    })
    .done();
};

export const requestContainment: Decide = (context, event) => {
  const actor = actorOf(event);
  const reason = event.type === "containment.requested" && event.reason ? `: ${event.reason}` : "";
  return new Draft(context)
    .set({
      containment: {
        ...context.containment,
        requestedBy: actor,
        approvedBy: null,
        deniedBy: null,
        lastError: null,
      },
      updatedAt: event.at,
    })
    .record(event.at, actor, "containment.requested", `${actor} requested containment${reason}`)
    .done();
};

export const refuseContainment: Decide = (context, event) => {
  const c = context.containment;
  const why = c.action === "none" ? c.reason : c.mode === "off" ? "containment is off by policy" : c.reason;
  const text =
    c.mode === "dry-run" && c.action !== "none" ? "containment runs as a dry-run plan only (policy)" : why;
  return new Draft(context)
    .set({ updatedAt: event.at })
    .record(event.at, actorOf(event), "containment.refused", `Containment not started: ${text}`)
    .command(reply(context, "containment.refused", `Containment not started: ${text}`))
    .done();
};

export const approveContainment: Decide = (context, event) => {
  const actor = actorOf(event);
  return new Draft(context)
    .set({ containment: { ...context.containment, approvedBy: actor }, updatedAt: event.at })
    .record(event.at, actor, "containment.approved", `${actor} approved ${context.containment.action}`)
    .done();
};

export const denyContainment: Decide = (context, event) => {
  const actor = actorOf(event);
  const reason = event.type === "containment.denied" && event.reason ? event.reason : null;
  return new Draft(context)
    .set({ containment: { ...context.containment, deniedBy: actor }, updatedAt: event.at })
    .record(
      event.at,
      actor,
      "containment.denied",
      `${actor} denied containment${reason ? `: ${reason}` : ""}`,
    )
    .done();
};

export const recordPlan: Decide = (context, event) => {
  const plan = event.type === "command.succeeded" ? (event.result ?? null) : null;
  return new Draft(context)
    .set({ containment: { ...context.containment, plan }, updatedAt: event.at })
    .record(
      event.at,
      "system",
      "containment.plan-ready",
      `Containment plan ready: ${context.containment.action}`,
      plan ?? undefined,
    )
    .done();
};

export const recordContainmentResult: Decide = (context, event) => {
  const result = event.type === "command.succeeded" ? (event.result ?? null) : null;
  const undo =
    context.containment.undo === null ? result : { first: context.containment.undo, second: result };
  return new Draft(context)
    .set({ containment: { ...context.containment, undo }, updatedAt: event.at })
    .done();
};

export const recordContainmentFailure: Decide = (context, event) => {
  const error = event.type === "command.failed" ? event.error : "unknown error";
  return new Draft(context)
    .set({ containment: { ...context.containment, lastError: error }, updatedAt: event.at })
    .done();
};

export const refuseRestoration: Decide = (context, event) =>
  new Draft(context)
    .set({ updatedAt: event.at })
    .record(
      event.at,
      actorOf(event),
      "containment.restore-refused",
      "Restore is only allowed in the recover phase",
    )
    .command(reply(context, "containment.restore-refused", "Restore is only allowed in the recover phase"))
    .done();

const commandForTarget = (context: IncidentContext): CommandSpec | null => {
  const { action, target } = context.containment;
  if (target === null) return null;
  switch (action) {
    case "isolateInstance":
      return { type: "isolateInstance", params: { target } };
    case "lockDownSecurityGroup":
      return { type: "lockDownSecurityGroup", params: { target } };
    case "deactivateAccessKey":
      return { type: "deactivateAccessKey", params: { target } };
    case "none":
      return null;
    default:
      return ((unexpected: never) => unexpected)(action);
  }
};

/** True when an isolation result asks for the second step of the two-step swap. */
export const asksForFollowUp = (result: JsonValue | undefined): boolean =>
  isolationResultSchema.safeParse(result).data?.followUp === "completeIsolation";

const CONTAINMENT_TEXT: Record<ContainmentStatus, string> = {
  none: "No containment",
  planned: "Containment planned (dry run)",
  awaitingApproval: "Containment plan awaits approval",
  isolating: "Containment started",
  isolated: "Containment completed",
  restoring: "Restoring contained resources",
  restored: "Containment undone",
  failed: "Containment failed: contain manually",
  denied: "Containment denied",
};

/** Entry into a containment state: mirror the status, record it and issue what that state asks for. */
export const enterContainment: Decide<{ status: ContainmentStatus }> = (
  context,
  event,
  policies,
  { status },
) => {
  const c = context.containment;
  const draft = new Draft({ ...context, containment: { ...c, status }, updatedAt: event.at });
  const subject = c.target ? `${c.action} on ${targetId(c.target)}` : c.action;
  draft.record(event.at, actorOf(event), `containment.${status}`, `${CONTAINMENT_TEXT[status]}: ${subject}`, {
    status,
    ...(status === "failed" && c.lastError ? { error: c.lastError } : {}),
  });
  const action = c.action;
  switch (status) {
    case "none":
    case "isolating":
      break;
    case "planned":
      if (c.target && action !== "none") {
        draft.command({ type: "planContainment", params: { action, mode: c.mode, target: c.target } });
      }
      break;
    case "awaitingApproval":
      draft.command(reply(draft.context, "containment.awaiting-approval", `Approve ${subject}?`));
      break;
    case "isolated":
      draft.set({ containment: { ...draft.context.containment, completedAt: event.at } });
      draft
        .command(lifecycle(draft.context, "Containment Completed", event.at, { action, target: c.target }))
        .command(updateMessage(draft.context))
        .command(
          reply(
            draft.context,
            "containment.completed",
            context.phase === "contain"
              ? `${subject} done. Advance to Eradicate when the incident is fully contained.`
              : `${subject} done.`,
          ),
        );
      break;
    case "restoring":
      if (c.target && action !== "none") {
        draft.command({ type: "restoreContainment", params: { action, target: c.target, undo: c.undo } });
      }
      break;
    case "restored":
      draft
        .command(updateMessage(draft.context))
        .command(reply(draft.context, "containment.restored", `${subject} undone`));
      break;
    case "failed": {
      const { target } = escalationTarget(policies.sla, 0);
      const text = `${subject} failed${c.lastError ? `: ${c.lastError}` : ""}. Contain manually.`;
      draft
        .command(reply(draft.context, "containment.failed", text))
        .command({ type: "mentionInChat", params: { target, text } });
      break;
    }
    case "denied":
      draft.command(
        reply(draft.context, "containment.denied", `${subject} denied by ${c.deniedBy ?? "a responder"}`),
      );
      break;
    default:
      ((unexpected: never) => unexpected)(status);
  }
  return draft.done();
};

export const startContainment: Decide = (context, event) => {
  const command = commandForTarget(context);
  const draft = new Draft({ ...context, updatedAt: event.at });
  if (command) draft.command(command);
  return draft.done();
};

export const requestIsolationFollowUp: Decide = (context, event) => {
  const target = context.containment.target;
  const draft = new Draft({ ...context, updatedAt: event.at });
  if (target) {
    draft
      .command({ type: "completeIsolation", params: { target, firstStep: context.containment.undo } })
      .record(
        event.at,
        "system",
        "containment.completing",
        "First isolation step done; completing isolation",
      );
  }
  return draft.done();
};

function targetId(target: NonNullable<IncidentContext["containment"]["target"]>): string {
  switch (target.resourceType) {
    case "ec2-instance":
      return target.instanceId;
    case "security-group":
      return target.groupId;
    case "access-key":
      return target.accessKeyId;
    default:
      return ((unexpected: never) => unexpected)(target);
  }
}
