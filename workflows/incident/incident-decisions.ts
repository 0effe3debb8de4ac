/**
 * Decisions about the incident itself: opening, findings joining, phases and their clocks starting and
 * stopping, acknowledgement, ownership, notes, command results and closing.
 */
import type { Finding } from "../../core/findings/finding";
import { decideContainment } from "../../core/incident/containment-policy";
import { type ActivePhase, RUNBOOK_SECTION } from "../../core/incident/phases";
import { retimeClock, type SlaClock, startClock, stopClock } from "../../core/incident/sla-clocks";
import {
  higherSeverity,
  type IncidentContext,
  initialContainment,
  mergeOutcome,
  mergeSummaries,
  viewOf,
} from "./context";
import {
  actorOf,
  type Decide,
  Draft,
  findingOf,
  guardDutyFeedback,
  lifecycle,
  type Policies,
  reply,
  runbook,
  runningClock,
  securityHubStatus,
  updateMessage,
} from "./decision";

/** The clock a phase entered at `at` runs on; budgets count from T0 (the incident's opening) by default. */
const phaseClock = (context: IncidentContext, policies: Policies, phase: ActivePhase, at: string): SlaClock =>
  startClock(policies.sla, {
    phase,
    severity: context.severity.label,
    enteredAt: at,
    t0: context.openedAt ?? at,
  });

/**
 * The context as it is once `phase` has been entered. Opening runs as the transition's action, before the
 * machine enters detect and starts its clock; the first message must already show that clock.
 */
const entering = (
  context: IncidentContext,
  policies: Policies,
  phase: ActivePhase,
  at: string,
): IncidentContext => ({
  ...context,
  phase,
  clocks: [...context.clocks, phaseClock(context, policies, phase, at)],
});

export const openIncident: Decide = (context, event, policies) => {
  const finding = findingOf(event)!;
  const decision = decideContainment(policies.containment, finding);
  const draft = new Draft({
    ...context,
    openedAt: event.at,
    detectedAt: finding.firstSeenAt,
    updatedAt: event.at,
    title: finding.title,
    correlationKey: finding.correlationKey,
    category: finding.category,
    runbookId: finding.runbookId,
    accountId: finding.accountId,
    region: finding.region,
    severity: finding.severity,
    findings: mergeSummaries([], finding),
    containment: initialContainment(decision),
  });
  const actor = actorOf(event);
  draft
    .record(
      event.at,
      actor,
      "incident.opened",
      `Incident opened: ${finding.title} (${finding.severity.label})`,
      {
        identity: finding.identity,
        type: finding.type,
        detectedAt: finding.firstSeenAt,
      },
    )
    .record(event.at, "system", "containment.decided", decision.reason, {
      mode: decision.mode,
      action: decision.action,
    })
    .command({
      type: "postIncidentMessage",
      params: {
        incident: viewOf(entering(draft.context, policies, "detect", event.at)),
        runbook: runbook(draft.context, "detect"),
      },
    });
  securityHubStatus(draft, "NOTIFIED", `Incident ${context.incidentId} opened`);
  draft.command(lifecycle(draft.context, "Incident Opened", event.at, { findingType: finding.type }));
  return draft.done();
};

/** Joined findings announced one by one in the thread; after that, only at 10, 100, 1 000… */
export const JOIN_REPLIES_IN_FULL = 4;

const isPowerOfTen = (n: number): boolean => {
  let x = n;
  while (x >= 10 && x % 10 === 0) x /= 10;
  return x === 1 && n >= 10;
};

export const mergeFinding: Decide = (context, event, policies) => {
  const finding = findingOf(event)!;
  const outcome = mergeOutcome(context.findings, finding);
  const severity = higherSeverity(context.severity, finding.severity);
  const raised = severity.label !== context.severity.label;
  const draft = new Draft({
    ...context,
    updatedAt: event.at,
    findings: mergeSummaries(context.findings, finding),
    severity,
    clocks: raised
      ? context.clocks.map((clock) => retimeClock(policies.sla, clock, severity.label))
      : context.clocks,
  });
  const actor = actorOf(event);
  if (outcome === "added") {
    draft.record(event.at, actor, "finding.joined", `Finding joined: ${finding.title}`, {
      identity: finding.identity,
      type: finding.type,
      severity: finding.severity.label,
    });
    const ref = draft.context.findings.find((summary) => summary.identity === finding.identity)?.securityHub;
    if (ref) securityHubStatus(draft, "NOTIFIED", `Joined incident ${context.incidentId}`, ref.id);
    // The thread hears about the first few joins one by one, then as a digest at 10, 100, 1 000…: a storm of
    // findings must not become a storm of chat messages (the incident message shows the count anyway).
    const joined = draft.context.findings.length;
    if (joined <= JOIN_REPLIES_IN_FULL)
      draft.command(reply(draft.context, "finding.joined", `New finding joined: ${finding.title}`));
    else if (isPowerOfTen(joined))
      draft.command(
        reply(
          draft.context,
          "finding.joined",
          `${joined} findings have joined this incident (latest: ${finding.title})`,
        ),
      );
  } else {
    draft.record(
      event.at,
      actor,
      "finding.updated",
      `Finding updated: ${finding.title} (count ${finding.count})`,
      {
        identity: finding.identity,
        count: finding.count,
        updatedAt: finding.updatedAt,
      },
    );
  }
  if (raised) {
    draft
      .record(
        event.at,
        actor,
        "severity.raised",
        `Severity raised ${context.severity.label} → ${severity.label}`,
      )
      .command(updateMessage(draft.context))
      .command(reply(draft.context, "severity.raised", `Severity raised to ${severity.label}`));
  }
  return draft.done();
};

export const recordRecoveryHint: Decide = (context, event) => {
  const finding = findingOf(event)!;
  return new Draft(context)
    .set({ updatedAt: event.at, recoveryHints: [...context.recoveryHints, recoveryKey(finding)] })
    .record(event.at, actorOf(event), "recovery.hinted", `Recovery signal: ${finding.title}`, {
      identity: finding.identity,
      type: finding.type,
    })
    .command(reply(context, "recovery.hinted", `Recovery signal received: ${finding.title}`))
    .done();
};

export const recoveryKey = (finding: Finding): string => `${finding.identity}@${finding.updatedAt}`;

export const enterPhase: Decide<{ phase: ActivePhase }> = (context, event, policies, { phase }) => {
  const previous = context.phase;
  const at = event.at;
  const clock = phaseClock(context, policies, phase, at);
  const draft = new Draft({
    ...context,
    phase,
    updatedAt: at,
    clocks: [...context.clocks, clock],
    ...(phase === "postmortem" ? { recoveredAt: at } : {}),
  });
  const note = event.type === "phase.advanced" && event.note ? event.note : null;
  draft.record(
    at,
    actorOf(event),
    "phase.entered",
    `Phase ${RUNBOOK_SECTION[phase]}: due by ${clock.deadline}${note ? ` (${note})` : ""}`,
    { phase, deadline: clock.deadline, note },
  );
  if (previous !== null) {
    draft
      .command(lifecycle(draft.context, "Incident Phase Changed", at, { previousPhase: previous }))
      .command(updateMessage(draft.context))
      .command(
        reply(draft.context, "phase.advanced", `Phase ${RUNBOOK_SECTION[phase]} (due by ${clock.deadline})`),
      );
  }
  if (phase === "postmortem") {
    draft.command({
      type: "generatePostmortem",
      params: { incident: viewOf(draft.context), recoveredAt: at },
    });
  }
  return draft.done();
};

export const leavePhase: Decide<{ phase: ActivePhase }> = (context, event, _policies, { phase }) => {
  const running = runningClock(context);
  const draft = new Draft({ ...context, updatedAt: event.at });
  if (!running) return draft.done();
  const { clock, outcome } = stopClock(running, event.at);
  draft.set({ clocks: context.clocks.map((c) => (c === running ? clock : c)) });
  draft.record(
    event.at,
    actorOf(event),
    outcome === "met" ? "sla.met" : "sla.late",
    `${RUNBOOK_SECTION[phase]} ${outcome === "met" ? "completed in time" : "completed late"} (deadline ${clock.deadline})`,
    { phase, deadline: clock.deadline, breachedAt: clock.breachedAt },
  );
  return draft.done();
};

export const acknowledge: Decide = (context, event) => {
  const actor = actorOf(event);
  return new Draft(context)
    .set({ acknowledged: { by: actor, at: event.at }, updatedAt: event.at })
    .record(event.at, actor, "incident.acknowledged", `Acknowledged by ${actor}`)
    .done();
};

export const assignOwner: Decide = (context, event) => {
  if (event.type !== "owner.assigned") return new Draft(context).done();
  const draft = new Draft({ ...context, owner: event.owner, updatedAt: event.at });
  return draft
    .record(event.at, event.actor, "owner.assigned", `Owner: ${event.owner}`, { owner: event.owner })
    .command(updateMessage(draft.context))
    .command(reply(draft.context, "owner.assigned", `${event.owner} owns this incident`))
    .done();
};

export const addNote: Decide = (context, event) => {
  if (event.type !== "note.added") return new Draft(context).done();
  return new Draft(context)
    .set({ notes: context.notes + 1, updatedAt: event.at })
    .record(event.at, event.actor, "note.added", event.text)
    .done();
};

export const recordPostmortem: Decide = (context, event) => {
  if (event.type !== "postmortem.published") return new Draft(context).done();
  return new Draft(context)
    .set({ postmortemUrl: event.url ?? null, updatedAt: event.at })
    .record(
      event.at,
      event.actor,
      "postmortem.published",
      `Postmortem published${event.url ? `: ${event.url}` : ""}`,
    )
    .done();
};

export const closeResolved: Decide = (context, event) => {
  const actor = actorOf(event);
  const draft = new Draft({
    ...context,
    phase: "closed",
    updatedAt: event.at,
    closure: { kind: "resolved", reason: "postmortem published", by: actor, at: event.at },
  });
  draft.record(event.at, actor, "incident.closed", "Incident closed");
  securityHubStatus(draft, "RESOLVED", `Incident ${context.incidentId} closed after postmortem`);
  guardDutyFeedback(draft, "USEFUL", `Incident ${context.incidentId} confirmed and resolved`);
  draft
    .command(lifecycle(draft.context, "Incident Closed", event.at, { reason: "resolved" }))
    .command(updateMessage(draft.context));
  return draft.done();
};

export const closeSuppressed: Decide = (context, event) => {
  const actor = actorOf(event);
  const reason = event.type === "false-positive.marked" ? event.reason : "suppressed";
  const draft = new Draft({
    ...context,
    phase: "suppressed",
    updatedAt: event.at,
    closure: { kind: "false-positive", reason, by: actor, at: event.at },
  });
  draft.record(event.at, actor, "incident.suppressed", `Marked false positive: ${reason}`, { reason });
  securityHubStatus(draft, "SUPPRESSED", `False positive (${actor}): ${reason}`);
  guardDutyFeedback(draft, "NOT_USEFUL", `False positive: ${reason}`);
  draft
    .command(
      lifecycle(draft.context, "Incident Closed", event.at, { reason: "false-positive", note: reason }),
    )
    .command(updateMessage(draft.context));
  return draft.done();
};

export const recordCommandResult: Decide = (context, event) => {
  if (event.type !== "command.succeeded" && event.type !== "command.failed") return new Draft(context).done();
  const draft = new Draft({
    ...context,
    updatedAt: event.at,
    handledCommandIds: [...context.handledCommandIds, event.commandId],
  });
  if (event.type === "command.succeeded") {
    if (event.commandType === "postIncidentMessage" && event.result !== undefined)
      draft.set({ chat: event.result });
    draft.record(event.at, "system", "command.succeeded", `${event.commandType} done`, {
      commandId: event.commandId,
    });
    // The draft goes to the incident's thread so responders can review it; publishing it closes the incident.
    if (event.commandType === "generatePostmortem")
      draft.command(
        reply(
          draft.context,
          "postmortem.drafted",
          `Postmortem draft ready (download: /api/incidents/${context.incidentId}/postmortem). Review it, then publish to close the incident.`,
        ),
      );
  } else {
    draft.record(event.at, "system", "command.failed", `${event.commandType} failed: ${event.error}`, {
      commandId: event.commandId,
    });
  }
  return draft.done();
};
