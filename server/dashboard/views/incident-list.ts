/**
 * The incident list: the page a responder keeps open. One dense row per incident with severity, phase,
 * owner, the running phase clock counting down, and warning / breach / approval flags. Rows are also
 * served alone (`rowView`) so live updates replace exactly the row that changed.
 */
import type { IncidentModel } from "../incident-model";
import { countdown, deadlineState, incidentHref, phaseBadge, severityBadge } from "./common";
import { type Html, h, nothing, shortTime } from "./html";

export const LIST_STATES = ["open", "closed", "all"] as const;
export type ListState = (typeof LIST_STATES)[number];

export const parseListState = (value: string | undefined): ListState =>
  (LIST_STATES as readonly string[]).includes(value ?? "") ? (value as ListState) : "open";

export const matchesState = (open: boolean, state: ListState): boolean =>
  state === "all" || (state === "open") === open;

function flags(model: IncidentModel): Html {
  const { record, context } = model;
  const out: Html[] = [];
  if (record.open && context && context.acknowledged === null)
    out.push(h`<span class="badge unack" title="Nobody has acknowledged this incident">UNACK</span>`);
  if (model.containmentStatus === "awaitingApproval")
    out.push(h`<span class="badge approve" title="A containment plan waits for approval">APPROVE?</span>`);
  if (model.containmentStatus === "isolated") out.push(h`<span class="badge good">CONTAINED</span>`);
  if (model.containmentStatus === "failed")
    out.push(h`<span class="badge bad" title="Automatic containment failed">CONTAIN FAILED</span>`);
  // Both are always present; the row's is-warn / is-breach class (set here, then live) decides which shows.
  out.push(h`<span class="badge warn when-warn" title="80 % of the phase budget used">WARN</span>`);
  out.push(
    h`<span class="badge bad when-breach" title="SLA breached">BREACH${model.breaches > 1 ? ` ×${model.breaches}` : ""}</span>`,
  );
  if (model.snapshotError)
    out.push(h`<span class="badge bad" title="${model.snapshotError}">SNAPSHOT?</span>`);
  return h`${out}`;
}

export function rowView(model: IncidentModel, now: string): Html {
  const { record, context, deadline } = model;
  const state = deadline ? deadlineState(deadline) : "ok";
  const classes = [
    "row",
    record.open ? "is-open" : "is-closed",
    state === "warn" ? "is-warn" : "",
    state === "breach" || model.breaches > 0 ? "is-breach" : "",
  ]
    .filter(Boolean)
    .join(" ");
  const href = incidentHref(record.id);
  const findings = context?.findings.length ?? 0;
  return h`<tr class="${classes}" data-id="${record.id}" data-version="${String(record.version)}" data-open="${record.open ? "1" : "0"}" data-href="${href}" tabindex="-1">
<td class="c-sev">${severityBadge(record.severity, context?.severity.score)}</td>
<td class="c-id mono"><a href="${href}">${record.id}</a></td>
<td class="c-title"><a href="${href}" class="title">${record.title}</a><div class="sub">${context?.category ?? "—"} · ${context?.accountId || "?"} / ${context?.region || "?"} · ${findings} finding${findings === 1 ? "" : "s"}${
    record.linkedTo ? h` · follows <span class="mono">${record.linkedTo}</span>` : nothing
  }</div></td>
<td class="c-phase">${phaseBadge(record.phase)}</td>
<td class="c-owner">${model.owner ? h`<span class="owner">${model.owner}</span>` : h`<span class="muted">unowned</span>`}</td>
<td class="c-deadline">${
    deadline
      ? h`${countdown(deadline, now)}<div class="sub">${deadline.phase} due ${shortTime(deadline.deadline).slice(11)}</div>`
      : h`<span class="muted">—</span>`
  }</td>
<td class="c-flags">${flags(model)}</td>
<td class="c-updated mono muted" title="${record.updatedAt}">${shortTime(record.updatedAt).slice(5)}</td>
</tr>`;
}

const EMPTY_TEXT: Record<ListState, string> = {
  open: "No open incidents. All quiet — new ones appear here as their findings arrive.",
  closed: "No closed incidents yet.",
  all: "No incidents yet. POST an EventBridge event to /events and it appears here.",
};

export function rowsView(models: readonly IncidentModel[], state: ListState, now: string): Html {
  if (models.length === 0) return h`<tr class="empty"><td colspan="8">${EMPTY_TEXT[state]}</td></tr>`;
  return h`${models.map((model) => rowView(model, now))}`;
}

export function listView(models: readonly IncidentModel[], state: ListState, now: string): Html {
  const tab = (value: ListState, label: string, key: string) =>
    h`<a href="/?state=${value}" class="tab ${value === state ? "active" : ""}" data-key="${key}"${
      value === state ? h` aria-current="page"` : nothing
    }>${label} <kbd>${key}</kbd></a>`;
  return h`<section class="list" data-state="${state}">
<div class="toolbar">
  <div class="tabs" role="navigation" aria-label="Filter">${tab("open", "Open", "1")}${tab("closed", "Closed", "2")}${tab("all", "All", "3")}</div>
  <input type="search" id="filter" placeholder="Filter title, id, owner…  ( / )" autocomplete="off" spellcheck="false" aria-label="Filter incidents">
</div>
<table class="incidents">
<thead><tr><th>Sev</th><th>Incident</th><th>Title</th><th>Phase</th><th>Owner</th><th>Next deadline</th><th>Flags</th><th>Updated</th></tr></thead>
<tbody id="rows">${rowsView(models, state, now)}</tbody>
</table>
</section>`;
}
