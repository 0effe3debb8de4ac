/**
 * One incident: what happened (findings, resources, timeline), what the service did or plans to do
 * (commands with their results, the containment plan's exact API calls), what the chat would have said,
 * the runbook section for the current phase, and the responder's actions.
 *
 * The whole `#detail` block is also served alone, so a live update swaps it without a reload; the prompt
 * dialog lives outside it, so a refresh never eats what someone is typing.
 */
import type { Finding } from "../../../core/findings/finding";
import type { Resource } from "../../../core/findings/resource";
import { RUNBOOK_SECTION } from "../../../core/incident/phases";
import type {
  FindingRecord,
  JsonValue,
  StoredCommand,
  StoredTimelineEntry,
} from "../../../core/ports/incident-store";
import { runbookUrl } from "../../../core/runbooks/runbook-url";
import { resourcesOf } from "../../http/incident-view";
import {
  type ActionKind,
  availableActions,
  clockState,
  containmentPlan,
  type IncidentModel,
  nextPhaseOf,
  type PlannedCallView,
  plannedCalls,
} from "../incident-model";
import { countdown, phaseBadge, severityBadge } from "./common";
import { duration, type Html, h, nothing, prettyJson, shortTime, trusted } from "./html";
import type { SessionView } from "./layout";

export interface ChatMessageView {
  at: string;
  text: string;
}

export interface DetailData {
  model: IncidentModel;
  findings: FindingRecord[];
  timeline: StoredTimelineEntry[];
  commands: StoredCommand[];
  /** Undefined when the runtime has no dashboard chat (Slack is configured). */
  chat: ChatMessageView[] | undefined;
  /** Rendered runbook section (trusted server HTML), if the runtime renders runbooks. */
  runbookHtml: string | undefined;
  session: SessionView | null;
  now: string;
}

interface ActionSpec {
  label: string;
  key: string;
  tone: "primary" | "danger" | "plain";
  /** Asks for text first: which field it fills, and how the dialog reads. */
  prompt?: { field: "note" | "url"; title: string; help: string; required: boolean; ok: string };
}

const ACTIONS: Record<ActionKind, ActionSpec> = {
  acknowledge: { label: "Acknowledge", key: "a", tone: "primary" },
  assign: { label: "Take ownership", key: "t", tone: "plain" },
  "approve-containment": { label: "Approve containment", key: "y", tone: "primary" },
  "deny-containment": {
    label: "Deny containment",
    key: "x",
    tone: "danger",
    prompt: {
      field: "note",
      title: "Deny containment",
      help: "Why not? (optional; recorded on the timeline)",
      required: false,
      ok: "Deny",
    },
  },
  "request-containment": { label: "Request containment", key: "r", tone: "plain" },
  "restore-containment": { label: "Restore (undo containment)", key: "u", tone: "plain" },
  advance: {
    label: "Advance phase",
    key: "p",
    tone: "plain",
    prompt: {
      field: "note",
      title: "Advance phase",
      help: "What was done in this phase? (recorded on the timeline)",
      required: false,
      ok: "Advance",
    },
  },
  "publish-postmortem": {
    label: "Publish postmortem",
    key: "m",
    tone: "primary",
    prompt: {
      field: "url",
      title: "Publish postmortem",
      help: "Where is it published? (URL, optional)",
      required: false,
      ok: "Publish",
    },
  },
  "false-positive": {
    label: "Mark false positive",
    key: "f",
    tone: "danger",
    prompt: {
      field: "note",
      title: "Mark as false positive?",
      help: "This suppresses the incident and tells GuardDuty the finding was not useful. Reason (required):",
      required: true,
      ok: "Mark false positive",
    },
  },
  note: {
    label: "Add note",
    key: "n",
    tone: "plain",
    prompt: {
      field: "note",
      title: "Add a note",
      help: "Shown on the timeline.",
      required: true,
      ok: "Add note",
    },
  },
  escalate: {
    label: "Escalate now",
    key: "e",
    tone: "danger",
    prompt: {
      field: "note",
      title: "Escalate now?",
      help: "Pages the next level of the escalation chain. Reason (optional):",
      required: false,
      ok: "Escalate",
    },
  },
};

function actionButton(incidentId: string, kind: ActionKind, spec: ActionSpec, data: DetailData): Html {
  const { session } = data;
  const label =
    kind === "advance" ? `Advance → ${nextPhaseOf(data.model.record.phase) ?? "next"}` : spec.label;
  const prompt = spec.prompt;
  return h`<form method="post" action="/incidents/${encodeURIComponent(incidentId)}/actions" class="act"${
    prompt
      ? h` data-prompt-field="${prompt.field}" data-prompt-title="${prompt.title}" data-prompt-help="${prompt.help}" data-prompt-ok="${prompt.ok}" data-prompt-required="${prompt.required ? "1" : "0"}"`
      : nothing
  }>
<input type="hidden" name="type" value="${kind}">
${session ? h`<input type="hidden" name="csrf" value="${session.csrf}">` : nothing}
<button type="submit" class="btn ${spec.tone}" data-key="${spec.key}" data-action="${kind}"${
    session ? nothing : h` disabled title="Read-only: open the operator link the server printed to act"`
  }>${label} <kbd>${spec.key}</kbd></button>
</form>`;
}

function actionsView(data: DetailData): Html {
  const actions = availableActions(data.model, data.session?.actor ?? null);
  if (actions.length === 0)
    return h`<div class="actions muted">No actions: this incident is ${data.model.record.phase}.</div>`;
  return h`<div class="actions">${actions.map((kind) =>
    actionButton(data.model.record.id, kind, ACTIONS[kind], data),
  )}</div>`;
}

function headerView(data: DetailData): Html {
  const { record, context, deadline } = data.model;
  const c = context;
  const containment = c?.containment;
  const fact = (label: string, value: Html | string) =>
    h`<div class="fact"><span class="k">${label}</span><span class="v">${value}</span></div>`;
  return h`<div class="incident-head">
<div class="head-main">
  <div class="head-title">${severityBadge(record.severity, c?.severity.score)}<span class="mono id">${record.id}</span><h1>${record.title}</h1></div>
  <div class="facts">
    ${fact("phase", phaseBadge(record.phase))}
    ${fact("owner", data.model.owner ?? h`<span class="muted">unowned</span>`)}
    ${fact("acknowledged", c?.acknowledged ? `${c.acknowledged.by} · ${shortTime(c.acknowledged.at)}` : h`<span class="badge unack">not yet</span>`)}
    ${fact("containment", containment ? h`<span class="cstatus cs-${containment.status}">${containment.status}</span> <span class="muted">${containment.mode} · ${containment.action}</span>` : "—")}
    ${fact("account / region", `${c?.accountId || "?"} / ${c?.region || "?"}`)}
    ${fact("category", c?.category ?? "—")}
    ${fact("opened", shortTime(record.openedAt))}
    ${fact("detected", shortTime(c?.detectedAt))}
    ${fact("version", String(record.version))}
    ${record.linkedTo ? fact("follows", h`<a class="mono" href="/incidents/${encodeURIComponent(record.linkedTo)}">${record.linkedTo}</a>`) : nothing}
  </div>
</div>
<div class="head-clock">${
    deadline
      ? h`<div class="k">${deadline.phase} due</div>${countdown(deadline, data.now, true)}<div class="muted mono">${shortTime(deadline.deadline)}</div>`
      : h`<div class="k">no clock running</div>`
  }</div>
</div>
${data.model.snapshotError ? h`<div class="alert">This incident's snapshot could not be read (${data.model.snapshotError}); only its summary is shown.</div>` : nothing}
${c?.closure ? h`<div class="note-box">Closed as <b>${c.closure.kind}</b> by ${c.closure.by} at ${shortTime(c.closure.at)}: ${c.closure.reason}</div>` : nothing}`;
}

const panel = (id: string, title: string, count: number | null, body: Html) =>
  h`<section class="panel" id="${id}"><h2>${title}${count === null ? nothing : h` <span class="count">${String(count)}</span>`}</h2>${body}</section>`;

/** Who or what acted, as far as the finding says: principal, address, where from, with what. */
function actorLine(actor: Finding["actor"]): Html {
  if (!actor) return nothing;
  const parts = [
    actor.principal?.name ?? actor.principal?.arn,
    actor.ip,
    [actor.location?.country, actor.location?.org].filter(Boolean).join(", "),
    actor.domain,
    actor.userAgent,
  ].filter((part): part is string => Boolean(part));
  if (parts.length === 0) return nothing;
  return h`<div class="sub">actor ${parts.map((part, i) => h`${i > 0 ? " · " : ""}<span class="mono">${part}</span>`)}</div>`;
}

function findingsView(data: DetailData): Html {
  const records = data.findings;
  if (records.length === 0) {
    const summaries = data.model.context?.findings ?? [];
    return panel(
      "findings",
      "Findings",
      summaries.length,
      summaries.length === 0
        ? h`<p class="muted">No findings recorded.</p>`
        : h`<table class="grid"><thead><tr><th>Sev</th><th>Type</th><th>Source</th><th>Count</th><th>Resource</th><th>Last seen</th></tr></thead><tbody>${summaries.map(
            (f) =>
              h`<tr><td>${severityBadge(f.severity.label, f.severity.score)}</td><td><div class="mono">${f.type}</div><div class="sub">${f.title}</div></td><td>${f.source}</td><td class="num">${String(f.count)}</td><td class="mono">${f.resource.type}:${f.resource.id}</td><td class="mono muted">${shortTime(f.lastSeenAt)}</td></tr>`,
          )}</tbody></table>`,
    );
  }
  return panel(
    "findings",
    "Findings",
    records.length,
    h`<table class="grid"><thead><tr><th>Sev</th><th>Type / title</th><th>Source</th><th>Count</th><th>Resources</th><th>First / last seen</th></tr></thead><tbody>${records.map(
      ({ finding: f }) => h`<tr>
<td>${severityBadge(f.severity.label, f.severity.score)}</td>
<td><div class="mono">${f.type}</div><div class="ftitle">${f.title}</div>${f.description ? h`<div class="sub">${f.description}</div>` : nothing}${actorLine(f.actor)}</td>
<td>${f.source}<div class="sub">${f.origin.product}</div></td>
<td class="num">${String(f.count)}</td>
<td class="mono">${f.resources.map((r) => h`<div>${r.type}:${r.id}</div>`)}</td>
<td class="mono muted">${shortTime(f.firstSeenAt)}<br>${shortTime(f.lastSeenAt)}</td>
</tr>`,
    )}</tbody></table>`,
  );
}

const RESOURCE_SKIP = new Set([
  "type",
  "id",
  "arn",
  "tags",
  "networkInterfaces",
  "securityGroups",
  "ingress",
]);

function resourceFacts(resource: Resource): Html[] {
  const facts: Html[] = [];
  for (const [key, value] of Object.entries(resource)) {
    if (RESOURCE_SKIP.has(key) || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    facts.push(h`<span class="kv"><span class="k">${key}</span> ${text}</span>`);
  }
  if ("networkInterfaces" in resource)
    for (const eni of resource.networkInterfaces)
      facts.push(
        h`<span class="kv"><span class="k">eni</span> ${eni.id} ${eni.privateIp ?? ""}${eni.publicIp ? ` / ${eni.publicIp}` : ""} [${eni.securityGroups.map((g) => g.id).join(", ")}]</span>`,
      );
  if ("securityGroups" in resource && resource.securityGroups.length > 0)
    facts.push(
      h`<span class="kv"><span class="k">groups</span> ${resource.securityGroups.map((g) => (g.name ? `${g.id} (${g.name})` : g.id)).join(", ")}</span>`,
    );
  if ("ingress" in resource && resource.ingress)
    for (const rule of resource.ingress)
      facts.push(
        h`<span class="kv ${rule.worldOpen ? "bad" : ""}"><span class="k">ingress</span> ${rule.protocol} ${rule.fromPort ?? "*"}-${rule.toPort ?? "*"} from ${rule.cidr}${rule.worldOpen ? " (world)" : ""}</span>`,
      );
  return facts;
}

const MAX_TAGS = 12;

function tagsView(tags: Record<string, string> | undefined): Html {
  if (!tags) return nothing;
  const entries = Object.entries(tags);
  if (entries.length === 0) return nothing;
  const shown = entries.slice(0, MAX_TAGS);
  return h`<div class="tags">${shown.map(([k, v]) => h`<span class="tag ${k === "ir:protected" ? "protected" : ""}">${k}=${v}</span>`)}${
    entries.length > MAX_TAGS
      ? h`<span class="muted">+${String(entries.length - MAX_TAGS)} more</span>`
      : nothing
  }</div>`;
}

function resourcesView(data: DetailData): Html {
  const resources = resourcesOf(data.findings);
  return panel(
    "resources",
    "Resources",
    resources.length,
    resources.length === 0
      ? h`<p class="muted">No resources recorded.</p>`
      : h`<ul class="resources">${resources.map(
          (r) =>
            h`<li><div><span class="rtype">${r.type}</span> <span class="mono">${r.id}</span></div>${
              r.arn ? h`<div class="mono sub">${r.arn}</div>` : nothing
            }<div class="facts-inline">${resourceFacts(r)}</div>${tagsView(r.tags)}</li>`,
        )}</ul>`,
  );
}

function callsTable(calls: readonly PlannedCallView[]): Html {
  return h`<ol class="calls">${calls.map(
    (call) =>
      h`<li><div><span class="svc">${call.service}</span> <b class="mono">${call.action}</b> <span class="muted">— ${call.purpose}</span></div><pre class="json">${JSON.stringify(call.input)}</pre></li>`,
  )}</ol>`;
}

function containmentView(data: DetailData): Html {
  const containment = data.model.context?.containment;
  if (!containment) return nothing;
  const plan = containmentPlan(data.model.context, data.commands);
  const calls = plannedCalls(plan);
  const skipped =
    plan && typeof plan === "object" && !Array.isArray(plan) && typeof plan.skipped === "string"
      ? plan.skipped
      : null;
  const who = [
    containment.requestedBy ? `requested by ${containment.requestedBy}` : "",
    containment.approvedBy ? `approved by ${containment.approvedBy}` : "",
    containment.deniedBy ? `denied by ${containment.deniedBy}` : "",
  ].filter(Boolean);
  return panel(
    "containment",
    "Containment",
    null,
    h`<div class="facts-inline">
<span class="kv"><span class="k">status</span> <span class="cstatus cs-${containment.status}">${containment.status}</span></span>
<span class="kv"><span class="k">mode</span> ${containment.mode}</span>
<span class="kv"><span class="k">action</span> ${containment.action}</span>
${containment.target ? h`<span class="kv"><span class="k">target</span> ${containment.target.resourceType}</span>` : nothing}
${who.map((w) => h`<span class="kv">${w}</span>`)}
${containment.completedAt ? h`<span class="kv"><span class="k">completed</span> ${shortTime(containment.completedAt)}</span>` : nothing}
</div>
<p class="sub">${containment.reason}</p>
${containment.lastError ? h`<div class="alert">${containment.lastError}</div>` : nothing}
${
  calls
    ? h`<h3>Planned API calls <span class="count">${String(calls.length)}</span>${
        plan && typeof plan === "object" && !Array.isArray(plan) && plan.dryRun === true
          ? h` <span class="badge info">dry run</span>`
          : nothing
      }</h3>${calls.length > 0 ? callsTable(calls) : nothing}`
    : plan
      ? h`<details data-k="plan"><summary>Plan</summary><pre class="json">${prettyJson(plan)}</pre></details>`
      : h`<p class="muted">No plan yet${containment.status === "planned" ? " (the dry run is being prepared)" : ""}.</p>`
}
${skipped ? h`<div class="note-box">Nothing to do: ${skipped}</div>` : nothing}
${containment.undo ? h`<details data-k="undo"><summary>Undo data</summary><pre class="json">${prettyJson(containment.undo)}</pre></details>` : nothing}`,
  );
}

function resultView(commandId: string, value: JsonValue | undefined): Html {
  if (value === undefined) return nothing;
  const calls = plannedCalls(value);
  return h`<details class="result" data-k="result-${commandId}"><summary>result${calls ? ` · ${calls.length} API call${calls.length === 1 ? "" : "s"}` : ""}</summary>${
    calls ? callsTable(calls) : nothing
  }<pre class="json">${prettyJson(value)}</pre></details>`;
}

function commandsView(data: DetailData): Html {
  const commands = data.commands;
  return panel(
    "commands",
    "Commands",
    commands.length,
    commands.length === 0
      ? h`<p class="muted">No commands.</p>`
      : h`<table class="grid commands"><thead><tr><th>Command</th><th>Status</th><th>Created / done</th></tr></thead><tbody>${commands.map(
          (cmd) => h`<tr class="cmd-${cmd.status}">
<td><b class="mono">${cmd.type}</b><div class="sub mono">${cmd.id}</div>
<details data-k="params-${cmd.id}"><summary>params</summary><pre class="json">${prettyJson(cmd.params)}</pre></details>${resultView(cmd.id, cmd.result)}${
            cmd.error ? h`<div class="alert">${cmd.error}</div>` : nothing
          }</td>
<td><span class="status st-${cmd.status}">${cmd.status}</span></td>
<td class="mono muted">${shortTime(cmd.createdAt)}<br>${cmd.completedAt ? shortTime(cmd.completedAt) : "—"}</td>
</tr>`,
        )}</tbody></table>`,
  );
}

function clocksView(data: DetailData): Html {
  const clocks = data.model.context?.clocks ?? [];
  return panel(
    "clocks",
    "SLA clocks",
    null,
    clocks.length === 0
      ? h`<p class="muted">No clock has started.</p>`
      : h`<table class="grid"><thead><tr><th>Phase</th><th>Budget</th><th>Deadline</th><th>State</th></tr></thead><tbody>${clocks.map(
          (clock) => {
            const state = clockState(clock, data.now);
            return h`<tr><td>${clock.phase}</td><td class="mono">${duration(clock.budgetMinutes)}</td><td class="mono">${shortTime(clock.deadline)}</td><td><span class="clock-${state}">${state}</span>${
              clock.breachedAt
                ? h`<div class="sub">breached ${shortTime(clock.breachedAt)}${clock.escalationLevel !== null ? ` · level ${clock.escalationLevel}` : ""}</div>`
                : nothing
            }${clock.stoppedAt ? h`<div class="sub">stopped ${shortTime(clock.stoppedAt)}</div>` : nothing}</td></tr>`;
          },
        )}</tbody></table>`,
  );
}

function runbookView(data: DetailData): Html {
  const { record, context } = data.model;
  const id = context?.runbookId ?? "generic";
  const section = RUNBOOK_SECTION[record.phase as keyof typeof RUNBOOK_SECTION] ?? "Detect";
  const href = `/${runbookUrl("", id, section)}`;
  return panel(
    "runbook",
    `Runbook · ${section}`,
    null,
    h`${data.runbookHtml ? h`<div class="runbook">${trusted(data.runbookHtml)}</div>` : nothing}<p><a href="${href}" class="mono">${href}</a></p>`,
  );
}

function chatView(data: DetailData): Html {
  if (data.chat === undefined) return nothing;
  return panel(
    "chat",
    "Chat (local: what Slack would show)",
    data.chat.length,
    data.chat.length === 0
      ? h`<p class="muted">No messages yet.</p>`
      : h`<ol class="chat">${data.chat.map(
          (m) => h`<li><div class="mono muted">${shortTime(m.at)}</div><div class="msg">${m.text}</div></li>`,
        )}</ol>`,
  );
}

function timelineTone(kind: string): string {
  if (/breach|fail|escalat|denied/.test(kind)) return "bad";
  if (/warn|refus/.test(kind)) return "warn";
  if (/acknowledg|contained|isolated|closed|succeeded|approved|published/.test(kind)) return "good";
  return "plain";
}

function timelineView(data: DetailData): Html {
  const entries = [...data.timeline].sort((a, b) => (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0));
  return panel(
    "timeline",
    "Timeline",
    entries.length,
    h`<ol class="timeline">${entries.map(
      (e) =>
        h`<li class="tl-${timelineTone(e.kind)}"><div class="when mono">${shortTime(e.at)}</div><div><span class="kind">${e.kind}</span> <span class="muted">by ${e.actor}</span><div class="what">${e.text}</div></div></li>`,
    )}</ol>`,
  );
}

/** The block live updates replace: everything about the incident, nothing the user is typing into. */
export function detailView(data: DetailData): Html {
  const { record } = data.model;
  return h`<div id="detail" data-id="${record.id}" data-version="${String(record.version)}" data-open="${record.open ? "1" : "0"}">
${headerView(data)}
${actionsView(data)}
<div class="columns">
  <div class="col">${findingsView(data)}${resourcesView(data)}${containmentView(data)}${commandsView(data)}</div>
  <div class="col">${clocksView(data)}${runbookView(data)}${chatView(data)}${timelineView(data)}</div>
</div>
</div>`;
}
