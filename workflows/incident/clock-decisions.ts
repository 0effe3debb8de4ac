/**
 * Decisions about time: evaluating the SLA clocks on `clock.checked` (warn, breach, re-escalate) and
 * "Escalate now". A breach pages level 0, mentions the level in chat, notes it on the Security Hub
 * findings and publishes "Incident SLA Breached"; each re-escalation pages one level higher. Any clock change
 * also updates the incident message, which shows every clock and breach.
 */
import { RUNBOOK_SECTION } from "../../core/incident/phases";
import { type ClockEffect, evaluateClocks } from "../../core/incident/sla-clocks";
import { escalationTarget } from "../../core/incident/sla-policy";
import { viewOf } from "./context";
import {
  type Decide,
  Draft,
  lifecycle,
  reply,
  runningClock,
  securityHubNote,
  updateMessage,
} from "./decision";

function pageCommands(
  draft: Draft,
  effect: { level: number; target: string; phase: string; deadline: string | null },
  reason: "sla-breached" | "re-escalation" | "manual",
  text: string,
): void {
  draft
    .command({
      type: "pageOnCall",
      params: {
        level: effect.level,
        target: effect.target,
        reason,
        phase: effect.phase,
        deadline: effect.deadline,
        incident: viewOf(draft.context),
      },
    })
    .command({ type: "mentionInChat", params: { target: effect.target, text } });
}

function applyClockEffect(draft: Draft, effect: ClockEffect): void {
  const section = RUNBOOK_SECTION[effect.phase];
  const facts = { clock: effect.phase, deadline: effect.deadline };
  switch (effect.kind) {
    case "warned":
      draft
        .record(effect.at, "clock", "sla.warning", `${section} is due by ${effect.deadline}`, facts)
        .command(reply(draft.context, "sla.warning", `${section} is due by ${effect.deadline}`))
        .command(lifecycle(draft.context, "Incident SLA Warning", effect.at, facts));
      return;
    case "breached": {
      const text = `${section} missed its deadline (${effect.deadline}): paging ${effect.target}`;
      draft.set({ escalationLevel: Math.max(draft.context.escalationLevel, effect.level) });
      draft.record(effect.at, "clock", "sla.breached", text, { ...facts, level: effect.level });
      pageCommands(draft, effect, "sla-breached", text);
      securityHubNote(draft, `Incident ${draft.context.incidentId}: ${text}`);
      draft.command(
        lifecycle(draft.context, "Incident SLA Breached", effect.at, { ...facts, level: effect.level }),
      );
      return;
    }
    case "escalated": {
      const text = `${section} still overdue (deadline ${effect.deadline}): escalating to ${effect.target}`;
      draft.set({ escalationLevel: Math.max(draft.context.escalationLevel, effect.level) });
      draft.record(effect.at, "clock", "sla.escalated", text, { ...facts, level: effect.level });
      pageCommands(draft, effect, "re-escalation", text);
      draft.command(
        lifecycle(draft.context, "Incident Escalated", effect.at, { ...facts, level: effect.level }),
      );
      return;
    }
    default:
      ((unexpected: never) => unexpected)(effect);
  }
}

export const checkClocks: Decide = (context, event, policies) => {
  if (event.type !== "clock.checked") return new Draft(context).done();
  const { clocks, effects } = evaluateClocks(policies.sla, context.clocks, event.now);
  const draft = new Draft({ ...context, clocks, updatedAt: event.at });
  for (const effect of effects) applyClockEffect(draft, effect);
  // The incident message shows every clock's state and the breaches: keep it current.
  if (effects.length > 0) draft.command(updateMessage(draft.context));
  return draft.done();
};

export const escalateNow: Decide = (context, event, policies) => {
  if (event.type !== "escalation.requested") return new Draft(context).done();
  const { level, target } = escalationTarget(policies.sla, context.escalationLevel + 1);
  const phase = context.phase ?? "detect";
  const deadline = runningClock(context)?.deadline ?? null;
  const draft = new Draft({
    ...context,
    escalationLevel: Math.max(context.escalationLevel, level),
    updatedAt: event.at,
  });
  const text = `${event.actor} escalated to ${target}${event.reason ? `: ${event.reason}` : ""}`;
  draft.record(event.at, event.actor, "incident.escalated", text, { level, target });
  pageCommands(draft, { level, target, phase, deadline }, "manual", text);
  draft.command(lifecycle(draft.context, "Incident Escalated", event.at, { level, target, manual: true }));
  return draft.done();
};
