/**
 * The app around the routes: /healthz, JSON 404s, 500s that do not leak, the loopback-host guard on the
 * API and metrics, and the mount hook others use for the Slack endpoints and the dashboard.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpApp, hostNameOf } from "../../../server/http/app";
import { bodyOf, makeTestRuntime, T0, type TestRuntime } from "../support/test-runtime";

describe("HTTP app", () => {
  let t: TestRuntime;
  beforeEach(() => {
    t = makeTestRuntime();
  });
  afterEach(() => t.close());

  it("reports health with the service clock and inbox depth", async () => {
    // Prepare
    t.rt.inbox.enqueue("{}", "http", T0);
    // Act
    const response = await t.app.request("/healthz");
    // Assess
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toMatchObject({ status: "ok", now: T0, inbox: 1, scheduler: "stopped" });
  });

  it("answers unknown routes with a JSON 404", async () => {
    // Act
    const response = await t.app.request("/nope", { method: "DELETE" });
    // Assess
    expect(response.status).toBe(404);
    expect(await bodyOf(response)).toEqual({
      error: { code: "not_found", message: "no route DELETE /nope", path: "$" },
    });
  });

  it("refuses API and metrics requests addressed to a non-loopback host (DNS rebinding)", async () => {
    // Act
    const api = await t.app.request("/api/incidents", { headers: { host: "evil.example:8787" } });
    const metrics = await t.app.request("/metrics", { headers: { host: "evil.example" } });
    const local = await t.app.request("/api/incidents", { headers: { host: "127.0.0.1:8787" } });
    // Assess
    expect([api.status, metrics.status, local.status]).toEqual([403, 403, 200]);
    expect((await bodyOf(api)).error.code).toBe("forbidden_host");
  });

  it("mounts extra routes, and turns their unexpected throws into a 500 that hides the message", async () => {
    // Prepare
    const app = createHttpApp(t.rt, {
      mount: (a) => {
        a.post("/slack/commands", (c) => c.text("ok"));
        a.get("/boom", () => {
          throw new Error("secret internals");
        });
      },
    });
    // Act
    const slack = await app.request("/slack/commands", { method: "POST" });
    const boom = await app.request("/boom");
    // Assess
    expect(await slack.text()).toBe("ok");
    expect(boom.status).toBe(500);
    const body = await boom.text();
    expect(body).not.toContain("secret internals");
    expect(t.log.lines.find((l) => l.msg === "request failed")).toMatchObject({ path: "/boom" });
  });

  it.each([
    ["127.0.0.1:8787", "127.0.0.1"],
    ["LOCALHOST", "localhost"],
    ["[::1]:80", "[::1]"],
    ["evil.example", "evil.example"],
  ])("reads the host name of %s as %s", (host, name) => {
    expect(hostNameOf(host)).toBe(name);
  });
});
