/**
 * The dashboard over HTTP on a real SQLite store filled from real fixtures: pages, fragments, the
 * operator-link login, and the guarded action endpoint (cookie AND CSRF token, same origin).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixtureText } from "../../support/fixtures";
import { TestClock } from "../../support/test-clock";
import {
  type DashboardHarness,
  type LoggedIn,
  makeDashboardHarness,
  OPERATOR_TOKEN,
  PORT_PROBE,
  T0,
  TOR_RELAY,
} from "./harness";

let t: DashboardHarness;
beforeEach(() => {
  t = makeDashboardHarness();
});
afterEach(() => t.close());

interface JsonAnswer {
  status?: string;
  error?: { code: string; message: string; path: string };
}
const body = async (res: Response): Promise<JsonAnswer> => (await res.json()) as JsonAnswer;

const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });

function postAction(
  session: Partial<LoggedIn>,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  incidentId = "IR-0001",
) {
  return t.app.request(`/incidents/${incidentId}/actions`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      ...(session.cookie ? { cookie: session.cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams({ ...(session.csrf ? { csrf: session.csrf } : {}), ...fields }).toString(),
  });
}

describe("GET /", () => {
  it("lists the incident opened by a real GuardDuty finding, with its running deadline", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);

    // Act
    const res = await get("/");
    const body = await res.text();

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(body).toContain('data-server-now="2024-05-01T10:00:00.000Z"');
    expect(body).toContain('data-id="IR-0001"');
    expect(body).toContain("EC2 instance i-99999999 is communicating with a Tor Exit node.");
    expect(body).toContain('data-deadline="2024-05-01T10:15:00.000Z"');
    expect(body).toContain("ec2-compromise · 111111111111 / eu-west-2 · 1 finding");
    expect(body).toMatch(/<span class="stat info"><b>1<\/b> open<\/span>/);
    expect(body).toContain("read-only");
  });

  it("filters open and closed incidents", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);
    const { cookie, csrf } = await t.login();
    await postAction({ cookie, csrf }, { type: "false-positive", note: "pentest" });

    // Act
    const open = await (await get("/?state=open")).text();
    const closed = await (await get("/?state=closed")).text();
    const all = await (await get("/?state=all")).text();

    // Assess
    expect(open).not.toContain('data-id="IR-0001"');
    expect(open).toContain("No open incidents");
    expect(closed).toContain('data-id="IR-0001"');
    expect(closed).toContain('<span class="phase phase-suppressed">suppressed</span>');
    expect(all).toContain('data-id="IR-0001"');
  });

  it("orders open incidents by severity, highest first", async () => {
    // Prepare: a LOW port probe elsewhere, then the HIGH Tor relay
    const probe = JSON.parse(fixtureText(PORT_PROBE));
    probe.resource.instanceDetails.instanceId = "i-0000000000000low";
    probe.severity = 2;
    await t.ingest(JSON.stringify(probe), "low");
    await t.ingestFixture(TOR_RELAY);

    // Act
    const body = await (await get("/")).text();

    // Assess
    const ids = [...body.matchAll(/<tr class="row[^"]*" data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["IR-0002", "IR-0001"]);
    expect(body).toMatch(/data-id="IR-0002"[\s\S]*sev-HIGH[\s\S]*data-id="IR-0001"[\s\S]*sev-LOW/);
  });

  it("puts the soonest deadline first among equally severe incidents", async () => {
    // Prepare: a HIGH incident opened 10 minutes earlier is due 10 minutes sooner
    const ssh = "securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json";
    t.local.clock.at(T0, -10);
    await t.ingestFixture(ssh);
    t.local.clock.at(T0, 0);
    await t.ingestFixture(TOR_RELAY);

    // Act
    const body = await (await get("/")).text();

    // Assess
    const ids = [...body.matchAll(/<tr class="row[^"]*" data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["IR-0001", "IR-0002"]);
    expect(body).toContain('data-deadline="2024-05-01T10:05:00.000Z"');
  });
});

describe("GET /incidents/:id", () => {
  it("shows findings, resources, timeline newest first, commands with results, chat and the runbook link", async () => {
    // Prepare: the Tor relay finding, joined by a port probe on the same instance; commands dispatched
    await t.ingestFixture(TOR_RELAY);
    await t.ingestFixture(PORT_PROBE);
    await t.dispatchPending();

    // Act
    const res = await get("/incidents/IR-0001");
    const body = await res.text();

    // Assess
    expect(res.status).toBe(200);
    expect(body).toContain('data-incident="IR-0001"');
    expect(body).toContain("UnauthorizedAccess:EC2/TorRelay");
    expect(body).toContain("Recon:EC2/PortProbeUnprotectedPort");
    expect(body).toMatch(/<h2>Findings <span class="count">2<\/span><\/h2>/);
    expect(body).toContain("arn:aws:ec2:eu-west-2:111111111111:instance/i-99999999");
    expect(body).toContain("eni-bfcffe88 10.0.0.1 / 198.51.100.0 [GeneratedFindingSecurityId]");
    const timeline = await t.local.deps.store.timeline("IR-0001");
    const kinds = [...body.matchAll(/<span class="kind">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(kinds).toEqual(timeline.map((entry) => entry.kind).reverse());
    expect(kinds.at(-1)).toBe("incident.opened");
    expect(body).toContain('<b class="mono">planContainment</b>');
    expect(body).toContain("result · 5 API calls");
    expect(body).toMatch(/<span class="status st-succeeded">succeeded<\/span>/);
    expect(body).toContain("Chat (local: what Slack would show)");
    expect(body).toContain("Approve isolateInstance on i-99999999?");
    expect(body).toContain('<a href="/runbooks/ec2-compromise.md#detect" class="mono">');
    expect(body).toContain('<span class="cstatus cs-awaitingApproval">awaitingApproval</span>');
  });

  it("embeds the rendered runbook section for the current phase when the runtime gives one", async () => {
    // Prepare
    t.close();
    const asked: string[] = [];
    t = makeDashboardHarness({
      runbookHtml: (id, section) => {
        asked.push(`${id}#${section}`);
        return '<ul class="checklist"><li>Acknowledge within 15 minutes</li></ul>';
      },
    });
    await t.ingestFixture(TOR_RELAY);

    // Act
    const body = await (await get("/incidents/IR-0001")).text();

    // Assess
    expect(asked).toEqual(["ec2-compromise#Detect"]);
    expect(body).toContain(
      '<div class="runbook"><ul class="checklist"><li>Acknowledge within 15 minutes</li></ul></div>',
    );
  });

  it("answers 404 with a page for an unknown incident", async () => {
    // Act
    const res = await get("/incidents/IR-9999");

    // Assess
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("There is no incident IR-9999.");
  });
});

describe("fragments", () => {
  it("serves one row, and 204 when the incident does not belong in the list asked for", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);

    // Act
    const row = await get("/fragments/incidents/IR-0001/row?state=open");
    const filtered = await get("/fragments/incidents/IR-0001/row?state=closed");
    const missing = await get("/fragments/incidents/IR-0404/row?state=all");

    // Assess
    expect(row.status).toBe(200);
    expect(await row.text()).toMatch(/^<tr class="row is-open" data-id="IR-0001"/);
    expect(filtered.status).toBe(204);
    expect(missing.status).toBe(204);
  });

  it("serves the detail block with the incident's current version, and the summary counts", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);
    const record = await t.local.deps.store.getIncident("IR-0001");

    // Act
    const detail = await (await get("/fragments/incidents/IR-0001/detail")).text();
    const summary = await (await get("/fragments/summary")).text();
    const list = await (await get("/fragments/list?state=closed")).text();

    // Assess
    expect(detail).toMatch(
      new RegExp(`^<div id="detail" data-id="IR-0001" data-version="${record?.version}"`),
    );
    expect(detail).not.toContain("<html");
    expect(summary).toContain('<span class="stat info"><b>1</b> open</span>');
    expect(summary).toContain('<span class="stat warn"><b>1</b> unacked</span>');
    expect(list).toContain("No closed incidents yet.");
  });
});

describe("operator login", () => {
  it("sets an HttpOnly SameSite=Strict session cookie and redirects to the page without the token", async () => {
    // Act
    const res = await get(`/incidents/IR-0001?token=${OPERATOR_TOKEN}&x=1`);

    // Assess
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/incidents/IR-0001?x=1");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^ir_dashboard=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain(OPERATOR_TOKEN);
  });

  it("refuses a wrong token with 401 and no cookie, without echoing it", async () => {
    // Act
    const res = await get("/?token=not-the-token");
    const body = await res.text();

    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(body).toContain("This link&#39;s token is not valid");
    expect(body).not.toContain("not-the-token");
  });

  it("puts the session's CSRF token and acting name in the page once logged in", async () => {
    // Act
    const { cookie, csrf } = await t.login();
    const body = await (await get("/", { cookie })).text();

    // Assess
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).toContain(`<input type="hidden" name="csrf" value="${csrf}">`);
    expect(body).toContain('name="actor" value="dashboard"');
    expect(body).not.toContain("read-only");
  });
});

describe("POST /incidents/:id/actions", () => {
  beforeEach(async () => {
    await t.ingestFixture(TOR_RELAY);
  });

  it("answers 401 without a session cookie, and does not act", async () => {
    // Act
    const res = await postAction({}, { type: "acknowledge" });

    // Assess
    expect(res.status).toBe(401);
    expect((await body(res)).error?.code).toBe("unauthorized");
    expect(t.acted).toEqual([]);
  });

  it("answers 403 with a missing or wrong CSRF token, and does not act", async () => {
    // Prepare
    const { cookie, csrf } = await t.login();

    // Act
    const missing = await postAction({ cookie }, { type: "acknowledge" });
    const wrong = await postAction({ cookie, csrf: `${csrf.slice(0, -1)}x` }, { type: "acknowledge" });
    const otherSession = await postAction({ cookie, csrf: (await t.login()).csrf }, { type: "acknowledge" });

    // Assess
    expect([missing.status, wrong.status, otherSession.status]).toEqual([403, 403, 403]);
    expect(t.acted).toEqual([]);
  });

  it("answers 403 to a cross-site request even with the right token", async () => {
    // Prepare
    const session = await t.login();

    // Act
    const foreign = await postAction(session, { type: "acknowledge" }, { origin: "https://evil.example" });
    const opaque = await postAction(session, { type: "acknowledge" }, { origin: "null" });
    const crossSite = await postAction(session, { type: "acknowledge" }, { "sec-fetch-site": "cross-site" });

    // Assess
    expect([foreign.status, opaque.status, crossSite.status]).toEqual([403, 403, 403]);
    expect(t.acted).toEqual([]);
  });

  it("acts with the cookie and the CSRF token: acknowledge moves the incident to assess", async () => {
    // Prepare
    const session = await t.login();

    // Act
    const res = await postAction(session, { type: "acknowledge" }, { origin: "http://localhost" });

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "changed",
      incidentId: "IR-0001",
      action: "acknowledge",
      actor: "dashboard",
    });
    const record = await t.local.deps.store.getIncident("IR-0001");
    expect(record?.phase).toBe("assess");
    const timeline = await t.local.deps.store.timeline("IR-0001");
    expect(timeline.some((e) => e.kind === "incident.acknowledged" && e.actor === "dashboard")).toBe(true);
  });

  it("takes the CSRF token from the X-CSRF-Token header too, and reports a repeated action as unchanged", async () => {
    // Prepare
    const { cookie, csrf } = await t.login();
    const headers = { "x-csrf-token": csrf };

    // Act
    const first = await postAction({ cookie }, { type: "acknowledge" }, headers);
    const second = await postAction({ cookie }, { type: "acknowledge" }, headers);

    // Assess
    expect((await body(first)).status).toBe("changed");
    expect((await body(second)).status).toBe("unchanged");
  });

  it("redirects a plain form post back to the incident page", async () => {
    // Prepare
    const session = await t.login();

    // Act
    const res = await postAction(
      session,
      { type: "note", note: "looked at flow logs" },
      { accept: "text/html" },
    );

    // Assess
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/incidents/IR-0001");
    const timeline = await t.local.deps.store.timeline("IR-0001");
    expect(timeline.at(-1)?.text).toContain("looked at flow logs");
  });

  it("records actions under the name the operator sets", async () => {
    // Prepare
    const session = await t.login();
    const renamed = await t.app.request("/session/actor", {
      method: "POST",
      headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        csrf: session.csrf,
        actor: "alice",
        back: "/incidents/IR-0001",
      }).toString(),
    });

    // Act
    await postAction(session, { type: "assign" });

    // Assess
    expect(renamed.status).toBe(303);
    expect(renamed.headers.get("location")).toBe("/incidents/IR-0001");
    expect(t.acted).toEqual([{ incidentId: "IR-0001", type: "assign", actor: "alice" }]);
    const body = await (await get("/incidents/IR-0001", { cookie: session.cookie })).text();
    expect(body).toMatch(/<span class="k">owner<\/span><span class="v">alice<\/span>/);
  });

  it("refuses a bad acting name and an off-site return path", async () => {
    // Prepare
    const session = await t.login();
    const rename = (actor: string, back: string) =>
      t.app.request("/session/actor", {
        method: "POST",
        headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf: session.csrf, actor, back }).toString(),
      });

    // Act
    const bad = await rename("<b>mallory</b>", "/");
    const offsite = await rename("bob", "//evil.example/");

    // Assess
    expect(bad.status).toBe(400);
    expect(offsite.status).toBe(303);
    expect(offsite.headers.get("location")).toBe("/");
  });

  it("answers 400 for an unknown action type and for a note without text", async () => {
    // Prepare
    const session = await t.login();

    // Act
    const unknown = await postAction(session, { type: "delete-everything" });
    const emptyNote = await postAction(session, { type: "note", note: "   " });

    // Assess
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).error?.path).toBe("$.type");
    expect(emptyNote.status).toBe(400);
    expect((await body(emptyNote)).error).toMatchObject({ code: "missing_field", path: "$.note" });
  });

  it("answers 404 for an unknown incident and 413 for an oversized body", async () => {
    // Prepare
    const session = await t.login();

    // Act
    const missing = await postAction(session, { type: "acknowledge" }, {}, "IR-0404");
    const huge = await postAction(session, { type: "note", note: "x".repeat(20_000) });

    // Assess
    expect(missing.status).toBe(404);
    expect(huge.status).toBe(413);
  });
});

describe("hardening", () => {
  it("answers only to loopback host names", async () => {
    // Act
    const rebound = await get("/", { host: "attacker.example" });
    const local = await get("/", { host: "127.0.0.1:8787" });

    // Assess
    expect(rebound.status).toBe(403);
    expect(local.status).toBe(200);
  });

  it("sends a CSP without inline script, no-referrer, nosniff, no framing and no caching", async () => {
    // Act
    const res = await get("/");

    // Assess
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("serves its script and stylesheet, cacheable only under their current version", async () => {
    // Prepare
    const page = await (await get("/")).text();
    const script = /<script src="([^"]+)"/.exec(page)?.[1] ?? "";

    // Act
    const versioned = await get(script);
    const unversioned = await get("/assets/dashboard.css");

    // Assess
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get("content-type")).toContain("text/javascript");
    expect(versioned.headers.get("cache-control")).toContain("immutable");
    expect(await versioned.text()).toContain('new EventSource("/events/stream")');
    expect(unversioned.headers.get("content-type")).toContain("text/css");
    expect(unversioned.headers.get("cache-control")).toBe("no-cache");
  });

  it("leaves other routes of the app it is mounted in alone", async () => {
    // Prepare: mounted at / next to an API route, as the runtime does
    const { Hono } = await import("hono");
    const parent = new Hono();
    parent.get("/api/ping", (c) => c.json({ ok: true }));
    parent.route("/", t.app);

    // Act
    const api = await parent.request("/api/ping", { headers: { host: "tunnel.example" } });
    const dashboard = await parent.request("/", { headers: { host: "tunnel.example" } });

    // Assess: the dashboard's host check and headers apply to its own paths only
    expect(api.status).toBe(200);
    expect(api.headers.get("content-security-policy")).toBeNull();
    expect(dashboard.status).toBe(403);
  });

  it("uses the time scale of a demo clock for the countdown", async () => {
    // Prepare: the runtime's ScaledClock exposes `scale`
    t.close();
    t = makeDashboardHarness({ clock: Object.assign(new TestClock(T0), { scale: 60 }) });

    // Act
    const body = await (await get("/")).text();

    // Assess
    expect(body).toContain('data-time-scale="60"');
    expect(body).toContain(`data-server-now="${T0}"`);
  });
});
