/**
 * The dashboard's stylesheet and script, kept as strings so there is no build step and nothing to
 * install. Served as same-origin files (not inline) so the Content-Security-Policy can forbid inline
 * script entirely. ASSET_VERSION (a hash of both) busts caches when they change.
 *
 * The script is plain ES2020 for current browsers: live countdowns against the server's time, live
 * updates over server-sent events (re-fetching only the changed row or section as an HTML fragment the
 * server escaped), actions through fetch with the CSRF token, a prompt dialog, and keyboard shortcuts.
 * It never builds markup from data itself: it only inserts fragments the server rendered and sets text.
 */
import { createHash } from "node:crypto";

export const DASHBOARD_CSS = `
:root {
  --bg: #0b0e14; --panel: #11161f; --panel-2: #161c27; --line: #232b38; --line-2: #2d3747;
  --text: #d4dae3; --muted: #7d8899; --dim: #566173; --accent: #6cb6ff; --accent-2: #3d7fd9;
  --good: #3fb950; --warn: #e3b341; --bad: #f85149; --crit: #ff5c8a; --info: #6cb6ff;
  --mono: ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", "Inter", "DejaVu Sans", sans-serif;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 13px/1.45 var(--sans); min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.mono, code, pre, kbd { font-family: var(--mono); }
.mono { font-size: 12px; }
.muted { color: var(--muted); }
.sub { color: var(--muted); font-size: 12px; margin-top: 1px; }
kbd { font-size: 10px; padding: 0 4px; border: 1px solid var(--line-2); border-bottom-width: 2px; border-radius: 3px; color: var(--muted); background: var(--panel-2); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }

.topbar { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: #0e131b; border-bottom: 1px solid var(--line); }
.brand { color: var(--text); font-weight: 600; letter-spacing: .02em; white-space: nowrap; }
.brand .logo { color: var(--crit); }
.summary { display: flex; gap: 12px; }
.stat { color: var(--muted); white-space: nowrap; }
.stat b { font-family: var(--mono); font-size: 13px; margin-right: 2px; }
.stat.info b { color: var(--info); } .stat.warn b { color: var(--warn); } .stat.bad b { color: var(--bad); } .stat.zero b { color: var(--dim); }
.spacer { flex: 1; }
.live { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); display: inline-flex; align-items: center; gap: 6px; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--dim); }
.live.on { color: var(--good); } .live.on::before { background: var(--good); box-shadow: 0 0 6px var(--good); }
.live.off::before { background: var(--bad); }
.now { color: var(--muted); }
.readonly { color: var(--warn); font-size: 12px; border: 1px dashed var(--warn); padding: 1px 8px; border-radius: 10px; }
.actor-form label { color: var(--muted); font-size: 12px; }
.actor-form input { background: var(--panel-2); border: 1px solid var(--line-2); color: var(--text); border-radius: 4px; padding: 2px 6px; font: 12px var(--mono); }

main { flex: 1; padding: 12px 16px 24px; }
.keys { display: flex; flex-wrap: wrap; gap: 14px; padding: 6px 16px; border-top: 1px solid var(--line); color: var(--muted); font-size: 11px; background: #0e131b; }

.toolbar { display: flex; align-items: center; gap: 12px; margin-bottom: 8px; }
.tabs { display: flex; border: 1px solid var(--line-2); border-radius: 6px; overflow: hidden; }
.tab { padding: 4px 12px; color: var(--muted); border-right: 1px solid var(--line-2); }
.tab:last-child { border-right: 0; }
.tab.active { background: var(--panel-2); color: var(--text); }
.tab:hover { text-decoration: none; color: var(--text); }
#filter { flex: 0 1 340px; background: var(--panel); border: 1px solid var(--line-2); border-radius: 6px; padding: 5px 10px; color: var(--text); font: 12px var(--sans); }

table { border-collapse: collapse; width: 100%; }
table.incidents { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.incidents th { text-align: left; font-weight: 500; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); padding: 6px 10px; border-bottom: 1px solid var(--line-2); background: var(--panel-2); }
.incidents td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
.incidents tr.row { cursor: pointer; border-left: 3px solid transparent; }
.incidents tr.row:hover, .incidents tr.row.selected { background: #172030; }
.incidents tr.row.selected { box-shadow: inset 3px 0 0 var(--accent); }
.incidents tr.is-closed { opacity: .62; }
.incidents tr.empty td { color: var(--muted); padding: 28px; text-align: center; }
.c-title .title { color: var(--text); font-weight: 500; }
.c-id a { color: var(--accent); }
.c-flags { white-space: nowrap; }
.c-deadline { white-space: nowrap; }
.c-updated { white-space: nowrap; }
tr.flash { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: #24405f; } to { background: transparent; } }

.sev { display: inline-block; min-width: 42px; text-align: center; font: 600 10px/16px var(--mono); letter-spacing: .04em; padding: 0 5px; border-radius: 3px; color: #0b0e14; }
.sev-CRITICAL { background: var(--crit); } .sev-HIGH { background: #ff7b4a; } .sev-MEDIUM { background: var(--warn); }
.sev-LOW { background: var(--info); } .sev-INFORMATIONAL { background: #4b5566; color: var(--text); }
.phase { display: inline-block; font: 11px/16px var(--mono); padding: 0 7px; border-radius: 9px; border: 1px solid var(--line-2); color: var(--text); background: var(--panel-2); }
.phase-detect { border-color: var(--bad); color: #ffa198; } .phase-assess { border-color: var(--warn); color: #f2cc60; }
.phase-contain { border-color: #ff7b4a; color: #ffab70; } .phase-eradicate { border-color: #bc8cff; color: #d2a8ff; }
.phase-recover { border-color: var(--info); color: #a5d6ff; } .phase-postmortem { border-color: #56d4dd; color: #9eeef3; }
.phase-closed, .phase-suppressed { color: var(--muted); }
.badge { display: inline-block; font: 600 10px/15px var(--mono); padding: 0 5px; margin-right: 4px; border-radius: 3px; border: 1px solid; }
.badge.unack { color: #ffa198; border-color: #8e3a36; background: #2a1416; }
.badge.approve { color: #f2cc60; border-color: #7a5d12; background: #2a2110; }
.badge.warn { color: #f2cc60; border-color: #7a5d12; background: #2a2110; }
.badge.bad { color: #fff; border-color: var(--bad); background: #8e1f1b; }
.badge.good { color: #7ee787; border-color: #2e6b37; background: #12261a; }
.badge.info { color: #a5d6ff; border-color: #2d5a8c; background: #102033; }
.when-warn, .when-breach { display: none; }
tr.is-warn .when-warn, tr.is-breach .when-breach { display: inline-block; }
.owner { color: var(--text); }

.countdown { font: 600 13px var(--mono); font-variant-numeric: tabular-nums; color: var(--good); }
.countdown.state-warn { color: var(--warn); }
.countdown.state-breach { color: var(--bad); }
.countdown.big { font-size: 28px; line-height: 1.1; display: block; }

.incident-head { display: flex; gap: 24px; align-items: flex-start; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.head-main { flex: 1; min-width: 0; }
.head-title { display: flex; align-items: center; gap: 10px; }
.head-title h1 { font-size: 17px; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.head-title .id { color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin-top: 10px; }
.fact { display: flex; flex-direction: column; }
.fact .k, .head-clock .k { font-size: 10px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim); }
.fact .v { font-size: 12px; }
.head-clock { text-align: right; min-width: 200px; }
.cstatus { font: 12px var(--mono); color: var(--text); }
.cs-awaitingApproval, .cs-planned { color: var(--warn); } .cs-isolated, .cs-restored { color: var(--good); }
.cs-failed, .cs-denied { color: var(--bad); } .cs-isolating, .cs-restoring { color: var(--info); }

.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0; }
.actions form { margin: 0; }
.btn { font: 500 12px var(--sans); color: var(--text); background: var(--panel-2); border: 1px solid var(--line-2); border-radius: 5px; padding: 5px 10px; cursor: pointer; }
.btn:hover:not([disabled]) { border-color: var(--accent); }
.btn.primary { background: #1a3a5e; border-color: var(--accent-2); }
.btn.danger { color: #ffa198; border-color: #6e2b28; }
.btn.danger:hover:not([disabled]) { border-color: var(--bad); }
.btn[disabled] { opacity: .45; cursor: not-allowed; }
.btn kbd { margin-left: 4px; }

.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
@media (max-width: 1100px) { .columns { grid-template-columns: 1fr; } }
.col { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.panel h2 { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); margin: 0 0 8px; }
.panel h3 { font-size: 12px; font-weight: 600; margin: 10px 0 6px; }
.count { color: var(--dim); font-family: var(--mono); margin-left: 4px; }
.grid th { text-align: left; font-weight: 500; font-size: 11px; color: var(--dim); padding: 3px 8px 5px 0; border-bottom: 1px solid var(--line); }
.grid td { padding: 5px 8px 5px 0; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
.grid tr:last-child td { border-bottom: 0; }
.num { text-align: right; font-family: var(--mono); }
.ftitle { margin-top: 2px; }
.resources { list-style: none; margin: 0; padding: 0; }
.resources li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.resources li:last-child { border-bottom: 0; }
.rtype { font: 600 10px var(--mono); text-transform: uppercase; color: #d2a8ff; }
.facts-inline { display: flex; flex-wrap: wrap; gap: 3px 12px; margin-top: 4px; font-size: 12px; }
.kv .k { color: var(--dim); }
.kv.bad { color: var(--bad); }
.tags { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 5px; }
.tag { font: 10px var(--mono); color: var(--muted); background: var(--panel-2); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; overflow-wrap: anywhere; }
.tag.protected { color: var(--good); border-color: #2e6b37; }
.calls { margin: 0; padding-left: 20px; }
.calls li { margin: 0 0 6px; }
.svc { font: 600 10px var(--mono); text-transform: uppercase; color: #ffab70; }
pre.json { margin: 3px 0 0; padding: 6px 8px; background: #0a0d12; border: 1px solid var(--line); border-radius: 4px; font-size: 11px; color: #b7c2d0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
details.result summary { color: var(--accent); }
.status { font: 600 10px/15px var(--mono); text-transform: uppercase; padding: 0 5px; border-radius: 3px; border: 1px solid var(--line-2); }
.st-succeeded { color: #7ee787; border-color: #2e6b37; } .st-failed { color: #ffa198; border-color: #8e3a36; } .st-pending { color: #f2cc60; border-color: #7a5d12; }
.clock-running, .clock-met { color: var(--good); } .clock-warned { color: var(--warn); } .clock-breached, .clock-late { color: var(--bad); font-weight: 600; }
.timeline, .chat { list-style: none; margin: 0; padding: 0; }
.timeline li { display: grid; grid-template-columns: 152px 1fr; gap: 8px; padding: 5px 0 5px 8px; border-left: 2px solid var(--line-2); margin-left: 2px; }
.timeline li.tl-bad { border-left-color: var(--bad); } .timeline li.tl-warn { border-left-color: var(--warn); } .timeline li.tl-good { border-left-color: var(--good); }
.timeline .when { color: var(--muted); white-space: nowrap; }
.timeline .kind { font: 600 11px var(--mono); color: var(--text); }
.timeline .what { overflow-wrap: anywhere; }
.chat li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.chat .msg { white-space: pre-wrap; overflow-wrap: anywhere; }
.runbook { font-size: 12px; max-height: 520px; overflow: auto; }
.runbook h4 { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 10px 0 4px; }
.runbook h4:first-child { margin-top: 0; }
.runbook ul { margin: 0; padding-left: 18px; }
.runbook ul.checklist { list-style: none; padding-left: 0; }
.runbook li { margin: 2px 0; }
.runbook .box { color: var(--muted); margin-right: 2px; }
.runbook code { font-size: 11px; color: #ffab70; background: #0a0d12; padding: 0 3px; border-radius: 3px; }
.runbook p { margin: 4px 0; }
.alert { margin: 6px 0; padding: 6px 10px; border: 1px solid #8e3a36; background: #2a1416; color: #ffa198; border-radius: 4px; overflow-wrap: anywhere; }
.note-box { margin: 8px 0; padding: 6px 10px; border: 1px solid var(--line-2); background: var(--panel-2); border-radius: 4px; }
.message { max-width: 640px; margin: 40px auto; }
.message h1 { font-size: 18px; }

.toast { position: fixed; right: 16px; bottom: 40px; z-index: 20; cursor: pointer; padding: 8px 14px; border-radius: 6px; background: var(--panel-2); border: 1px solid var(--line-2); box-shadow: 0 6px 24px #0008; }
.toast.good { border-color: var(--good); } .toast.bad { border-color: var(--bad); color: #ffa198; }
dialog { background: var(--panel); color: var(--text); border: 1px solid var(--line-2); border-radius: 8px; padding: 16px; width: min(520px, 92vw); }
dialog::backdrop { background: #000a; }
dialog h3 { margin: 0 0 6px; font-size: 15px; }
dialog textarea { width: 100%; background: var(--bg); color: var(--text); border: 1px solid var(--line-2); border-radius: 5px; padding: 8px; font: 13px var(--sans); resize: vertical; }
.dialog-buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 10px; }
`;

export const DASHBOARD_JS = `
(() => {
  "use strict";
  const body = document.body;
  const page = body.dataset.page;
  const incidentId = body.dataset.incident || null;
  const serverNow = Date.parse(body.dataset.serverNow || "") || Date.now();
  const scale = Number(body.dataset.timeScale) > 0 ? Number(body.dataset.timeScale) : 1;
  const loadedAt = performance.now();
  // Service time, from the server's "now" sent once with the page (the client's own clock may be off).
  const serviceNow = () => serverNow + (performance.now() - loadedAt) * scale;
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // ---- countdowns ----
  const pad = (n) => String(n).padStart(2, "0");
  function remaining(ms) {
    const abs = Math.abs(ms);
    const s = Math.floor(abs / 1000) % 60, m = Math.floor(abs / 60000) % 60, h = Math.floor(abs / 3600000);
    const text = h > 0 ? h + "h " + pad(m) + "m" : m + "m " + pad(s) + "s";
    return ms < 0 ? "\\u2212" + text + " overdue" : text;
  }
  const serverClock = $("#server-clock");
  function tick() {
    const now = serviceNow();
    for (const el of $$(".countdown[data-deadline]")) {
      const deadline = Date.parse(el.dataset.deadline);
      const warn = Date.parse(el.dataset.warn || el.dataset.deadline);
      const state = now >= deadline ? "breach" : now >= warn ? "warn" : "ok";
      el.textContent = remaining(deadline - now);
      el.classList.remove("state-ok", "state-warn", "state-breach");
      el.classList.add("state-" + state);
      const row = el.closest("tr.row");
      if (row) {
        row.classList.toggle("is-warn", state === "warn");
        if (state === "breach") row.classList.add("is-breach");
      }
    }
    if (serverClock) serverClock.textContent = new Date(now).toISOString().slice(0, 19).replace("T", " ") + "Z";
  }
  tick();
  setInterval(tick, 1000);

  // ---- fragments ----
  const fragment = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  };
  async function get(url) {
    const res = await fetch(url, { headers: { Accept: "text/html" }, cache: "no-store" });
    return res;
  }
  let summaryTimer = null;
  function refreshSummary() {
    clearTimeout(summaryTimer);
    summaryTimer = setTimeout(async () => {
      const res = await get("/fragments/summary").catch(() => null);
      const nav = $("#summary");
      if (res && res.ok && nav) nav.replaceChildren(fragment(await res.text()));
    }, 250);
  }

  // ---- list page ----
  const list = $(".list");
  const rows = $("#rows");
  const listState = list ? list.dataset.state : "open";
  const matches = (open) => listState === "all" || (listState === "open") === Boolean(open);
  const rowOf = (id) => (rows ? rows.querySelector('tr.row[data-id="' + CSS.escape(id) + '"]') : null);
  let selected = null;
  function select(row, focus) {
    if (selected) selected.classList.remove("selected");
    selected = row;
    if (!row) return;
    row.classList.add("selected");
    if (focus) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
  }
  async function refreshList() {
    if (!rows) return;
    const res = await get("/fragments/list?state=" + encodeURIComponent(listState)).catch(() => null);
    if (!res || !res.ok) return;
    const selectedId = selected ? selected.dataset.id : null;
    rows.replaceChildren(fragment(await res.text()));
    select(selectedId ? rowOf(selectedId) : null, false);
    applyFilter();
    tick();
  }
  async function refreshRow(id) {
    if (!rows) return;
    const res = await get("/fragments/incidents/" + encodeURIComponent(id) + "/row?state=" + encodeURIComponent(listState)).catch(() => null);
    if (!res) return;
    const existing = rowOf(id);
    if (res.status === 204 || res.status === 404) {
      if (existing) {
        if (existing === selected) select(null);
        existing.remove();
        if (!rows.querySelector("tr.row")) refreshList();
      }
      return;
    }
    if (!res.ok) return;
    const row = fragment(await res.text()).querySelector("tr.row");
    if (!row) return;
    const current = rowOf(id);
    if (current && Number(current.dataset.version) > Number(row.dataset.version)) return;
    row.classList.add("flash");
    if (current) {
      const wasSelected = current === selected;
      current.replaceWith(row);
      if (wasSelected) select(row, false);
    } else {
      const empty = rows.querySelector("tr.empty");
      if (empty) empty.remove();
      rows.prepend(row);
    }
    applyFilter();
    tick();
  }
  const filter = $("#filter");
  function applyFilter() {
    if (!filter || !rows) return;
    const q = filter.value.trim().toLowerCase();
    for (const row of $$("tr.row", rows)) row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
  }
  if (filter) filter.addEventListener("input", applyFilter);
  if (rows) {
    rows.addEventListener("click", (ev) => {
      const row = ev.target.closest("tr.row");
      if (!row || ev.target.closest("a, button, input")) return;
      location.href = row.dataset.href;
    });
  }
  const visibleRows = () => (rows ? $$("tr.row", rows).filter((r) => !r.hidden) : []);
  function move(delta) {
    const all = visibleRows();
    if (all.length === 0) return;
    const at = selected ? all.indexOf(selected) : -1;
    const next = all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + delta))];
    select(next, true);
  }

  // ---- detail page ----
  async function refreshDetail() {
    const current = $("#detail");
    if (!current || !incidentId) return;
    const res = await get("/fragments/incidents/" + encodeURIComponent(incidentId) + "/detail").catch(() => null);
    if (!res || !res.ok) return;
    const next = fragment(await res.text()).querySelector("#detail");
    const now = $("#detail");
    if (!next || !now) return;
    if (Number(next.dataset.version) < Number(now.dataset.version)) return;
    const open = new Set($$("details[open][data-k]", now).map((d) => d.dataset.k));
    for (const d of $$("details[data-k]", next)) if (open.has(d.dataset.k)) d.open = true;
    now.replaceWith(next);
    tick();
  }

  // ---- live updates ----
  const live = $("#live");
  function setLive(state) {
    if (!live) return;
    live.className = "live " + state;
    live.textContent = state === "on" ? "live" : state === "off" ? "offline" : "connecting";
  }
  function onChange(change) {
    if (page === "list" && (rowOf(change.id) || matches(change.open))) refreshRow(change.id);
    if (page === "detail" && change.id === incidentId) refreshDetail();
    refreshSummary();
  }
  function reconcile(incidents) {
    if (page === "list" && rows) {
      const stale = [];
      for (const [id, version, open] of incidents) {
        const row = rowOf(id);
        if (row ? Number(row.dataset.version) !== version : matches(open)) stale.push(id);
      }
      if (stale.length > 20) refreshList();
      else for (const id of stale) refreshRow(id);
    }
    if (page === "detail") {
      const detail = $("#detail");
      const mine = incidents.find((entry) => entry[0] === incidentId);
      if (detail && mine && Number(detail.dataset.version) !== mine[1]) refreshDetail();
    }
    refreshSummary();
  }
  if (window.EventSource && page !== "message") {
    setLive("connecting");
    const source = new EventSource("/events/stream");
    source.addEventListener("hello", (ev) => {
      setLive("on");
      reconcile(JSON.parse(ev.data).incidents || []);
    });
    source.addEventListener("incident", (ev) => onChange(JSON.parse(ev.data)));
    source.addEventListener("reset", () => {
      if (page === "list") refreshList();
      if (page === "detail") refreshDetail();
      refreshSummary();
    });
    source.addEventListener("error", () => setLive(source.readyState === EventSource.CLOSED ? "off" : "connecting"));
  }

  // ---- actions ----
  const toastEl = $("#toast");
  let toastTimer = null;
  function toast(text, tone) {
    if (!toastEl) return;
    toastEl.textContent = text;
    toastEl.className = "toast " + (tone || "");
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toastEl.hidden = true; }, 3500);
  }
  if (toastEl) toastEl.addEventListener("click", () => { toastEl.hidden = true; });
  const dialog = $("#prompt");
  function ask(spec) {
    return new Promise((resolve) => {
      if (!dialog || typeof dialog.showModal !== "function") {
        const answer = window.prompt(spec.promptTitle + "\\n" + (spec.promptHelp || ""), "");
        resolve(answer === null ? null : answer.trim());
        return;
      }
      $("#prompt-title").textContent = spec.promptTitle || "";
      $("#prompt-help").textContent = spec.promptHelp || "";
      $("#prompt-ok-label").textContent = spec.promptOk || "OK";
      const text = $("#prompt-text");
      text.value = "";
      text.required = spec.promptRequired === "1";
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? text.value.trim() : null), { once: true });
      dialog.showModal();
      text.focus();
    });
  }
  if (dialog) {
    $("#prompt-text").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $("#prompt-form").requestSubmit($("#prompt-ok")); }
    });
  }
  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("act")) return;
    ev.preventDefault();
    const data = new FormData(form);
    const field = form.dataset.promptField;
    if (field) {
      const answer = await ask(form.dataset);
      if (answer === null) return;
      data.set(field, answer);
    }
    const button = form.querySelector("button");
    const label = button ? button.dataset.action : "action";
    if (button) button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
      });
      const result = await res.json().catch(() => ({}));
      if (res.ok) toast(label + ": " + (result.status || "done"), result.status === "changed" ? "good" : "");
      else toast(label + " failed: " + ((result.error && result.error.message) || res.status), "bad");
    } catch (error) {
      toast(label + " failed: " + error, "bad");
    } finally {
      if (button) button.disabled = false;
      await refreshDetail();
    }
  });

  // ---- keyboard ----
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog")) {
      if (ev.key === "Escape" && target === filter) { filter.value = ""; applyFilter(); filter.blur(); }
      return;
    }
    if (ev.key === "/" && filter) { ev.preventDefault(); filter.focus(); return; }
    if (ev.key === "g" || (ev.key === "Escape" && page === "detail")) { location.href = "/"; return; }
    if (page === "list") {
      if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); move(1); return; }
      if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); move(-1); return; }
      if (ev.key === "Enter" && selected) { location.href = selected.dataset.href; return; }
    }
    const target2 = document.querySelector('[data-key="' + CSS.escape(ev.key) + '"]');
    if (target2 && !target2.disabled) { ev.preventDefault(); target2.click(); }
  });
})();
`;

export const ASSET_VERSION = createHash("sha256")
  .update(DASHBOARD_CSS)
  .update(DASHBOARD_JS)
  .digest("hex")
  .slice(0, 12);
