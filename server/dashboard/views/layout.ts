/**
 * The page shell every dashboard page shares: top bar (summary counts, live indicator, who acts), the
 * server's time sent once (the client counts down from it), the CSRF token for this session, and the
 * keyboard help. Scripts and styles are same-origin files, so the Content-Security-Policy can forbid
 * every inline script: even a rendering bug could not run injected code.
 */
import { ASSET_VERSION } from "../assets";
import { type Html, h, nothing } from "./html";

export interface SessionView {
  actor: string;
  csrf: string;
}

export interface PageOptions {
  title: string;
  page: "list" | "detail" | "message" | "metrics";
  serverNow: string;
  /** Service-time speed-up (a demo clock running N× faster), so countdowns tick at the right pace. */
  timeScale: number;
  session: SessionView | null;
  /** Where the actor form returns to (a path on this server). */
  path: string;
  incidentId?: string;
  summary: Html;
  body: Html;
}

export interface SummaryCounts {
  open: number;
  breached: number;
  unacknowledged: number;
  awaitingApproval: number;
}

export function summaryView(counts: SummaryCounts): Html {
  const item = (n: number, label: string, tone: string) =>
    h`<span class="stat ${n > 0 ? tone : "zero"}"><b>${n}</b> ${label}</span>`;
  return h`${item(counts.open, "open", "info")}${item(counts.unacknowledged, "unacked", "warn")}${item(
    counts.awaitingApproval,
    "awaiting approval",
    "warn",
  )}${item(counts.breached, "breached", "bad")}`;
}

function actorView(session: SessionView | null, path: string): Html {
  if (!session)
    return h`<span class="readonly" title="Open the URL the server printed at startup (/?token=…) to act from this browser">read-only</span>`;
  return h`<form method="post" action="/session/actor" class="actor-form" title="The name your actions are recorded under">
    <input type="hidden" name="csrf" value="${session.csrf}">
    <input type="hidden" name="back" value="${path}">
    <label>acting as <input name="actor" value="${session.actor}" maxlength="64" size="12" autocomplete="off" spellcheck="false"></label>
  </form>`;
}

const HELP: Array<[string, string]> = [
  ["j / k", "next / previous incident"],
  ["enter", "open incident"],
  ["/", "filter"],
  ["g", "back to the list"],
  ["a t p n e f", "acknowledge · take · advance · note · escalate · false positive"],
  ["y / x", "approve / deny containment"],
];

export function page(options: PageOptions): Html {
  const { session } = options;
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<link rel="icon" href="data:,">
${session ? h`<meta name="csrf-token" content="${session.csrf}">` : nothing}
<title>${options.title}</title>
<link rel="stylesheet" href="/assets/dashboard.css?v=${ASSET_VERSION}">
<script src="/assets/dashboard.js?v=${ASSET_VERSION}" defer></script>
</head>
<body data-page="${options.page}" data-server-now="${options.serverNow}" data-time-scale="${String(options.timeScale)}"${
    options.incidentId ? h` data-incident="${options.incidentId}"` : nothing
  }>
<header class="topbar">
  <a class="brand" href="/" title="Incidents (g)"><span class="logo">◆</span> incident response</a>
  <a href="/insights" title="Response metrics: MTTA, MTTR, SLA compliance, breaches"${
    options.page === "metrics" ? h` aria-current="page"` : nothing
  }>metrics</a>
  <nav id="summary" class="summary" aria-live="polite">${options.summary}</nav>
  <span class="spacer"></span>
  <span id="live" class="live off" title="Live updates (server-sent events)">offline</span>
  <span class="now mono" id="server-clock" title="Service time (UTC)"></span>
  ${actorView(session, options.path)}
</header>
<main id="main">${options.body}</main>
<footer class="keys">${HELP.map(([keys, what]) => h`<span><kbd>${keys}</kbd> ${what}</span>`)}</footer>
<div id="toast" class="toast" role="status" aria-live="polite" hidden></div>
<dialog id="prompt" aria-labelledby="prompt-title">
  <form method="dialog" id="prompt-form">
    <h3 id="prompt-title"></h3>
    <p id="prompt-help" class="muted"></p>
    <textarea id="prompt-text" rows="4" maxlength="4000"></textarea>
    <div class="dialog-buttons">
      <button value="cancel" class="btn" formnovalidate>Cancel <kbd>esc</kbd></button>
      <button value="ok" id="prompt-ok" class="btn primary"><span id="prompt-ok-label">OK</span> <kbd>ctrl+enter</kbd></button>
    </div>
  </form>
</dialog>
</body>
</html>`;
}

/** A page with a single message (not found, bad login link). */
export function messageBody(heading: string, text: string): Html {
  return h`<section class="panel message"><h1>${heading}</h1><p>${text}</p><p><a href="/">← incidents</a></p></section>`;
}
