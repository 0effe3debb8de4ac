/**
 * The dashboard on the local server: mounted at `/` after everything else, reading the runtime's store,
 * acting through the scheduler with the operator session, showing the local chat, and leaving the API,
 * the event intake and the other routes as they were.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loginUrlOf } from "../../../server/wiring/dashboard-mount";
import { bodyOf, TOKEN } from "../support/test-runtime";
import { makeTestServer, type TestServer } from "../support/test-server";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

const escapeHtml = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** Opens the operator link as a browser would, and reads the page's CSRF token. */
async function login(t: TestServer): Promise<{ cookie: string; csrf: string }> {
  const link = new URL(loginUrlOf("http://127.0.0.1:8787", TOKEN));
  const opened = await t.app.request(`${link.pathname}${link.search}`);
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await (await t.app.request("/", { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? "" };
}

describe("dashboard on the local server", () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await makeTestServer();
    await t.app.request("/events", { method: "POST", body: JSON.stringify(makeTorRelayEvent(1)) });
    await t.rt.scheduler.runUntilIdle();
  });
  afterEach(() => t.close());

  it("lists the runtime's incidents at / with the dashboard's security headers", async () => {
    // Act
    const response = await t.app.request("/");
    const html = await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(html).toContain("EC2 instance i-00000000000000001 is communicating with a Tor Exit node.");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("logs in with the printed link and acts through the scheduler, waking the dispatcher", async () => {
    // Prepare
    const { cookie, csrf } = await login(t);
    const wake = vi.spyOn(t.rt.scheduler, "wake");
    // Act
    const response = await t.app.request("/incidents/IR-0001/actions", {
      method: "POST",
      body: JSON.stringify({ type: "acknowledge" }),
      headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    });
    const pending = (await t.rt.deps.store.pendingCommands(100)).length;
    const dispatched = await t.rt.scheduler.runUntilIdle();
    // Assess
    expect(cookie).not.toBe("");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "changed", incidentId: "IR-0001" });
    expect((await t.rt.deps.store.getIncident("IR-0001"))?.phase).toBe("assess");
    expect(wake).toHaveBeenCalledWith("dispatcher");
    expect(pending).toBeGreaterThan(0);
    expect(dispatched).toBeGreaterThan(0);
    expect(await t.rt.deps.store.pendingCommands(100)).toEqual([]);
  });

  it("shows the local chat on the incident page", async () => {
    // Prepare
    const messages = t.rt.chatOf("IR-0001");
    // Act
    const html = await (await t.app.request("/incidents/IR-0001")).text();
    // Assess
    expect(messages.length).toBeGreaterThan(0);
    expect(html).toContain("Chat (local: what Slack would show)");
    expect(html).toContain(escapeHtml(messages[0]!.text));
  });

  it("leaves the other routes as they were: the API, health and unknown paths", async () => {
    // Act
    const api = await t.app.request("/api/incidents");
    const health = await t.app.request("/healthz");
    const unknown = await t.app.request("/nope/at/all");
    // Assess
    expect((await bodyOf(api)).incidents.map((i: { id: string }) => i.id)).toEqual(["IR-0001"]);
    expect(health.status).toBe(200);
    expect(unknown.status).toBe(404);
    expect((await bodyOf(unknown)).error.code).toBe("not_found");
  });

  it("builds the login link from the base URL and the token, URL-encoded", () => {
    expect(loginUrlOf("http://127.0.0.1:8787/", "a+b/c=")).toBe("http://127.0.0.1:8787/?token=a%2Bb%2Fc%3D");
  });
});
