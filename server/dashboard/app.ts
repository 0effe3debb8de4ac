/**
 * The local dashboard: a self-contained Hono sub-app the runtime mounts at `/`. Server-rendered pages
 * (the incident list, one incident, the response metrics at `/insights`), HTML fragments of the same
 * views for live updates, a server-sent event stream of changes, and the responder actions.
 *
 * Invariants:
 * - Reading is open to the local machine; acting needs the session cookie from the operator link AND the
 *   page's CSRF token (401 without a session, 403 with a bad token or a cross-site origin).
 * - Every response carries a strict Content-Security-Policy (no inline script), nosniff, no framing and
 *   no referrer (the operator link carries the token once; it must not leak onwards).
 * - Only requests addressed to a loopback host name are served, so a page elsewhere cannot read
 *   incidents through DNS rebinding.
 * - Middleware is registered on the dashboard's own paths only, so mounting at `/` leaves the API, the
 *   event intake and the Slack endpoints untouched.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { type ResponderAction, responderActionSchema } from "../../app/act";
import { InputError } from "../../core/errors";
import { severityRank } from "../../core/findings/severity";
import { RUNBOOK_SECTION } from "../../core/incident/phases";
import type { Clock } from "../../core/ports/clock";
import type { IncidentRecord, IncidentStore } from "../../core/ports/incident-store";
import { ASSET_VERSION, DASHBOARD_CSS, DASHBOARD_JS } from "./assets";
import { type IncidentModel, incidentModel } from "./incident-model";
import { ChangeFeed, streamChanges } from "./live";
import { parseActorName, SESSION_COOKIE, type Session, SessionStore } from "./session";
import { detailView } from "./views/incident-detail";
import {
  type ListState,
  listView,
  matchesState,
  parseListState,
  rowsView,
  rowView,
} from "./views/incident-list";
import { messageBody, page, type SummaryCounts, summaryView } from "./views/layout";
import { loadMetricsPage, METRICS_CSS, METRICS_CSS_VERSION, metricsView } from "./views/metrics";

export interface DashboardDeps {
  store: IncidentStore;
  clock: Clock;
  act: (incidentId: string, action: ResponderAction, actor: string) => Promise<{ status: string }>;
  operatorToken: string;
  /** The runbook section as HTML the server rendered from the repository's runbooks (trusted). */
  runbookHtml?: (id: string, section: string) => string | undefined;
  /** The local chat (what Slack would have shown), when there is no Slack. */
  chatMessages?: (incidentId: string) => Promise<Array<{ at: string; text: string }>>;
  /** Service-time speed-up of a demo clock; defaults to the clock's own `scale`, else 1. */
  timeScale?: number;
  /** Host names the dashboard answers to (default: loopback names only). */
  allowedHosts?: readonly string[];
  /** Change-feed poll interval (default 500 ms). */
  pollMs?: number;
  /** Told about failures the dashboard recovers from (a failed poll). */
  onError?: (error: unknown) => void;
}

export interface Dashboard {
  app: Hono;
  feed: ChangeFeed;
  sessions: SessionStore;
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
const LIST_LIMIT = 200;
const SUMMARY_LIMIT = 500;
const MAX_ACTION_BYTES = 16 * 1024;
const DASHBOARD_PATHS = [
  "/",
  "/insights",
  "/incidents/*",
  "/fragments/*",
  "/events/stream",
  "/assets/*",
  "/session/*",
];

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};

type ErrorCode = "unauthorized" | "forbidden" | "bad_request" | "not_found" | "too_large";

const errorBody = (code: ErrorCode, message: string, path = "$") => ({ error: { code, message, path } });

const hostNameOf = (host: string): string => host.trim().toLowerCase().replace(/:\d+$/, "");

/** A same-server path to go back to after a form post; anything else (`//evil`, `https:`) goes home. */
const safeBack = (value: unknown): string =>
  typeof value === "string" && /^\/(?![/\\])[^\s\\]*$/.test(value) ? value : "/";

/** Triage order: open first, then the most severe, then the soonest (or most overdue) deadline, then newest. */
function byUrgency(a: IncidentModel, b: IncidentModel): number {
  if (a.record.open !== b.record.open) return a.record.open ? -1 : 1;
  const bySeverity = severityRank(b.record.severity) - severityRank(a.record.severity);
  if (bySeverity !== 0) return bySeverity;
  const dueA = a.deadline ? Date.parse(a.deadline.deadline) : Number.POSITIVE_INFINITY;
  const dueB = b.deadline ? Date.parse(b.deadline.deadline) : Number.POSITIVE_INFINITY;
  if (dueA !== dueB) return dueA < dueB ? -1 : 1;
  return a.record.openedAt < b.record.openedAt ? 1 : a.record.openedAt > b.record.openedAt ? -1 : 0;
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const app = new Hono();
  const sessions = new SessionStore({ operatorToken: deps.operatorToken });
  const feed = new ChangeFeed(deps.store, {
    pollMs: deps.pollMs ?? 500,
    limit: LIST_LIMIT,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const allowedHosts = new Set((deps.allowedHosts ?? LOOPBACK_HOSTS).map((host) => host.toLowerCase()));
  const clockScale = (deps.clock as { scale?: unknown }).scale;
  const timeScale = deps.timeScale ?? (typeof clockScale === "number" && clockScale > 0 ? clockScale : 1);

  const sessionOf = (c: Context): Session | undefined => sessions.get(getCookie(c, SESSION_COOKIE));

  const guard: MiddlewareHandler = async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!allowedHosts.has(hostNameOf(host)))
      return c.text(`The dashboard answers only to ${[...allowedHosts].join(", ")}.`, 403);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  };

  // The operator link: `?token=` on any page opens a session and redirects to the same page without it.
  const tokenLogin: MiddlewareHandler = async (c, next) => {
    const token = c.req.query("token");
    if (token === undefined || (c.req.method !== "GET" && c.req.method !== "HEAD")) return next();
    if (!sessions.tokenMatches(token)) {
      c.status(401);
      return c.html(
        page({
          ...(await chrome(c, null)),
          title: "Invalid link",
          page: "message",
          body: messageBody(
            "This link's token is not valid",
            "Open the URL the server printed at startup. Pages stay readable without it; acting needs it.",
          ),
        }),
      );
    }
    const { id } = sessions.create();
    setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: "Strict", path: "/" });
    const url = new URL(c.req.url);
    url.searchParams.delete("token");
    return c.redirect(`${url.pathname}${url.search}`, 303);
  };

  for (const path of DASHBOARD_PATHS) {
    app.use(path, guard);
    app.use(path, tokenLogin);
  }

  async function summary(): Promise<SummaryCounts> {
    const now = deps.clock.now();
    const open = (await deps.store.listIncidents({ open: true, limit: SUMMARY_LIMIT })).map((record) =>
      incidentModel(record, now),
    );
    return {
      open: open.length,
      breached: open.filter((m) => m.deadline?.breached).length,
      unacknowledged: open.filter((m) => m.context && m.context.acknowledged === null).length,
      awaitingApproval: open.filter((m) => m.containmentStatus === "awaitingApproval").length,
    };
  }

  async function chrome(c: Context, session: Session | null) {
    return {
      serverNow: deps.clock.now(),
      timeScale,
      session: session ? { actor: session.actor, csrf: session.csrf } : null,
      path: new URL(c.req.url).pathname,
      summary: summaryView(await summary()),
    };
  }

  async function listModels(state: ListState, now: string): Promise<IncidentModel[]> {
    const filter = state === "all" ? { limit: LIST_LIMIT } : { open: state === "open", limit: LIST_LIMIT };
    return (await deps.store.listIncidents(filter))
      .map((record) => incidentModel(record, now))
      .sort(byUrgency);
  }

  async function detailData(record: IncidentRecord, session: Session | null) {
    const now = deps.clock.now();
    const model = incidentModel(record, now);
    const [findings, timeline, commands, chat] = await Promise.all([
      deps.store.findingsOf(record.id),
      deps.store.timeline(record.id),
      deps.store.commandsOf(record.id),
      deps.chatMessages ? deps.chatMessages(record.id) : Promise.resolve(undefined),
    ]);
    const section = RUNBOOK_SECTION[record.phase as keyof typeof RUNBOOK_SECTION] ?? RUNBOOK_SECTION.detect;
    const runbookHtml = deps.runbookHtml?.(model.context?.runbookId ?? "generic", section);
    return {
      model,
      findings,
      timeline,
      commands,
      chat,
      runbookHtml,
      session: session ? { actor: session.actor, csrf: session.csrf } : null,
      now,
    };
  }

  // ---- pages ----
  app.get("/", async (c) => {
    const state = parseListState(c.req.query("state"));
    const now = deps.clock.now();
    const models = await listModels(state, now);
    const base = await chrome(c, sessionOf(c) ?? null);
    return c.html(
      page({ ...base, serverNow: now, title: "Incidents", page: "list", body: listView(models, state, now) }),
    );
  });

  app.get("/incidents/:id", async (c) => {
    const id = c.req.param("id");
    const session = sessionOf(c) ?? null;
    const record = await deps.store.getIncident(id);
    const base = await chrome(c, session);
    if (!record) {
      c.status(404);
      return c.html(
        page({
          ...base,
          title: "Not found",
          page: "message",
          body: messageBody("No such incident", `There is no incident ${id}.`),
        }),
      );
    }
    const data = await detailData(record, session);
    return c.html(
      page({
        ...base,
        serverNow: data.now,
        title: `${record.id} · ${record.title}`,
        page: "detail",
        incidentId: record.id,
        body: detailView(data),
      }),
    );
  });

  app.get("/insights", async (c) => {
    const now = deps.clock.now();
    const data = await loadMetricsPage(deps.store, now);
    const base = await chrome(c, sessionOf(c) ?? null);
    return c.html(
      page({ ...base, serverNow: now, title: "Response metrics", page: "metrics", body: metricsView(data) }),
    );
  });

  // ---- fragments (the same views, for live updates) ----
  app.get("/fragments/summary", async (c) => c.html(summaryView(await summary())));

  app.get("/fragments/list", async (c) => {
    const state = parseListState(c.req.query("state"));
    const now = deps.clock.now();
    return c.html(rowsView(await listModels(state, now), state, now));
  });

  app.get("/fragments/incidents/:id/row", async (c) => {
    const record = await deps.store.getIncident(c.req.param("id"));
    const state = parseListState(c.req.query("state"));
    // 204: nothing to show in this list (gone, or filtered out now that it closed or reopened).
    if (!record || !matchesState(record.open, state)) return c.body(null, 204);
    const now = deps.clock.now();
    return c.html(rowView(incidentModel(record, now), now));
  });

  app.get("/fragments/incidents/:id/detail", async (c) => {
    const record = await deps.store.getIncident(c.req.param("id"));
    if (!record) return c.json(errorBody("not_found", "no such incident"), 404);
    return c.html(detailView(await detailData(record, sessionOf(c) ?? null)));
  });

  // ---- live ----
  app.get("/events/stream", (c) => streamSSE(c, (stream) => streamChanges(stream, feed)));

  // ---- assets ----
  const asset =
    (body: string, type: string, version = ASSET_VERSION) =>
    (c: Context) => {
      c.header("Content-Type", type);
      c.header(
        "Cache-Control",
        c.req.query("v") === version ? "public, max-age=86400, immutable" : "no-cache",
      );
      return c.body(body);
    };
  app.get("/assets/dashboard.css", asset(DASHBOARD_CSS, "text/css; charset=utf-8"));
  app.get("/assets/dashboard.js", asset(DASHBOARD_JS, "text/javascript; charset=utf-8"));
  app.get("/assets/metrics.css", asset(METRICS_CSS, "text/css; charset=utf-8", METRICS_CSS_VERSION));

  // ---- acting ----
  const limit = bodyLimit({
    maxSize: MAX_ACTION_BYTES,
    onError: (c) =>
      c.json(errorBody("too_large", `request bodies are limited to ${MAX_ACTION_BYTES} bytes`), 413),
  });

  /** The session allowed to act, or the error response: 401 without a session, 403 for cross-site/CSRF. */
  function authorize(c: Context, fields: Record<string, unknown>): Session | Response {
    const session = sessionOf(c);
    if (!session)
      return c.json(
        errorBody("unauthorized", "open the operator link the server printed (/?token=…) to act", "$.cookie"),
        401,
      );
    const origin = c.req.header("origin");
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    const sameOrigin = origin === undefined || safeHost(origin) === host.toLowerCase();
    if (!sameOrigin || c.req.header("sec-fetch-site") === "cross-site")
      return c.json(errorBody("forbidden", "cross-site requests cannot act", "$.headers.origin"), 403);
    const given = c.req.header("x-csrf-token") ?? (typeof fields.csrf === "string" ? fields.csrf : undefined);
    if (!sessions.csrfMatches(session, given))
      return c.json(errorBody("forbidden", "missing or wrong CSRF token (reload the page)", "$.csrf"), 403);
    return session;
  }

  const wantsJson = (c: Context): boolean =>
    (c.req.header("accept") ?? "").includes("application/json") || c.req.header("x-csrf-token") !== undefined;

  app.post("/incidents/:id/actions", limit, async (c) => {
    const id = c.req.param("id");
    const fields = await readFields(c);
    if (fields instanceof Response) return fields;
    const session = authorize(c, fields);
    if (session instanceof Response) return session;
    const parsed = responderActionSchema.safeParse(actionFields(fields));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(
        errorBody(
          "bad_request",
          issue?.message ?? "invalid action",
          `$${issue?.path.map((p) => `.${String(p)}`).join("") ?? ""}`,
        ),
        400,
      );
    }
    let outcome: { status: string };
    try {
      outcome = await deps.act(id, parsed.data, session.actor);
    } catch (error) {
      if (error instanceof InputError) return c.json({ error: error.toJSON() }, 400);
      throw error;
    }
    if (outcome.status === "not-found") return c.json(errorBody("not_found", `no incident ${id}`), 404);
    if (!wantsJson(c)) return c.redirect(`/incidents/${encodeURIComponent(id)}`, 303);
    return c.json({ status: outcome.status, incidentId: id, action: parsed.data.type, actor: session.actor });
  });

  app.post("/session/actor", limit, async (c) => {
    const fields = await readFields(c);
    if (fields instanceof Response) return fields;
    const session = authorize(c, fields);
    if (session instanceof Response) return session;
    const actor = parseActorName(fields.actor);
    if (!actor)
      return c.json(
        errorBody("bad_request", "a name is 1–64 letters, digits, spaces or . _ @ -", "$.actor"),
        400,
      );
    session.actor = actor;
    if (wantsJson(c)) return c.json({ actor });
    return c.redirect(safeBack(fields.back), 303);
  });

  return { app, feed, sessions };
}

/** The dashboard as a Hono app to mount at `/`. */
export const dashboardApp = (deps: DashboardDeps): Hono => createDashboard(deps).app;

/** `http://127.0.0.1:8787` → `127.0.0.1:8787`; anything unparsable (`null`) → "" (never equal to a host). */
function safeHost(origin: string): string {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return "";
  }
}

async function readFields(c: Context): Promise<Record<string, unknown> | Response> {
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.includes("application/json")) {
      const body: unknown = await c.req.json();
      if (typeof body !== "object" || body === null || Array.isArray(body))
        return c.json(errorBody("bad_request", "expected a JSON object"), 400);
      return body as Record<string, unknown>;
    }
    const form = await c.req.parseBody();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(form)) if (typeof value === "string") fields[key] = value;
    return fields;
  } catch {
    return c.json(errorBody("bad_request", "the request body could not be read"), 400);
  }
}

/** The action's own fields; empty form fields mean "not given". */
function actionFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["type", "note", "owner", "url"]) {
    const value = fields[key];
    if (value === undefined || value === "") continue;
    out[key] = value;
  }
  return out;
}
