/**
 * The app behind a real listening socket on 127.0.0.1 (as main.ts serves it with @hono/node-server):
 * an event posted over HTTP becomes an incident the API shows, with the scheduler loop running for real.
 */
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOSTNAME } from "../../../server/config";
import { bodyOf, makeTestRuntime, type TestRuntime } from "../support/test-runtime";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

describe("listening server", () => {
  let t: TestRuntime;
  let server: ServerType;
  let base: string;

  beforeEach(async () => {
    t = makeTestRuntime();
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: t.app.fetch, port: 0, hostname: HOSTNAME }, (info: AddressInfo) =>
        resolve(info.port),
      );
    });
    base = `http://${HOSTNAME}:${port}`;
    t.rt.start();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  it("ingests a posted event in the background and serves it from the API", async () => {
    // Act
    const posted = await fetch(`${base}/events`, {
      method: "POST",
      body: JSON.stringify(makeTorRelayEvent(7)),
    });
    let incidents: Array<{ id: string; title: string }> = [];
    for (let i = 0; i < 100 && incidents.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      incidents = (await bodyOf(await fetch(`${base}/api/incidents`))).incidents;
    }
    const health = await bodyOf(await fetch(`${base}/healthz`));
    // Assess
    expect(posted.status).toBe(202);
    expect(incidents.map((i) => i.title)).toEqual([
      "EC2 instance i-00000000000000007 is communicating with a Tor Exit node.",
    ]);
    expect(health).toMatchObject({ status: "ok", inbox: 0, scheduler: "running" });
  });

  it("refuses an oversize upload over the wire with 413", async () => {
    // Act
    const response = await fetch(`${base}/events`, { method: "POST", body: "x".repeat(300 * 1024) });
    // Assess
    expect(response.status).toBe(413);
    expect((await bodyOf(response)).error.code).toBe("too_large");
  });
});
