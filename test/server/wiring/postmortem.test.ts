/**
 * The postmortem on the local server: when an incident enters the postmortem phase, the draft written by
 * app/postmortem.ts is stored as the command's result, copied to `<data-dir>/postmortems/<id>.md`, and
 * downloadable from GET /api/incidents/:id/postmortem — behind the same guards as the rest of /api.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredCommand } from "../../../core/ports/incident-store";
import { downloadName, latestDraft } from "../../../server/wiring/postmortem";
import { bodyOf, TOKEN } from "../support/test-runtime";
import { makeTestServer, type TestServer } from "../support/test-server";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

const post = (t: TestServer, path: string, body: unknown) =>
  t.app.request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
  });

/** Opens IR-0001 and walks it, as a responder would, to the postmortem phase; dispatches what it causes. */
async function walkToPostmortem(t: TestServer): Promise<void> {
  await post(t, "/events", makeTorRelayEvent(1));
  await t.rt.scheduler.runUntilIdle();
  await post(t, "/api/incidents/IR-0001/actions", { type: "acknowledge" });
  for (let i = 0; i < 8; i++) {
    const incident = await t.rt.deps.store.getIncident("IR-0001");
    if (incident?.phase === "postmortem") break;
    t.clock.advance(5);
    await post(t, "/api/incidents/IR-0001/actions", { type: "advance", note: `step ${i}` });
    await t.rt.scheduler.runUntilIdle();
  }
  await t.rt.scheduler.runUntilIdle();
}

const draftCommand = (id: string, markdown: string, status: StoredCommand["status"] = "succeeded") =>
  ({
    id,
    incidentId: "IR-0001",
    type: "generatePostmortem",
    params: {},
    createdAt: "2024-05-01T10:00:00.000Z",
    status,
    result: { markdown, generatedAt: "2024-05-01T10:00:00.000Z" },
  }) satisfies StoredCommand;

describe("GET /api/incidents/:id/postmortem", () => {
  let t: TestServer;
  afterEach(() => t.close());

  it("downloads the stored draft, the same text as the copy in the data directory", async () => {
    // Prepare
    t = await makeTestServer();
    await walkToPostmortem(t);
    const commands = await t.rt.deps.store.commandsOf("IR-0001");
    const stored = commands.find((c) => c.type === "generatePostmortem");
    // Act
    const response = await t.app.request("/api/incidents/IR-0001/postmortem");
    const text = await response.text();
    // Assess
    expect((await t.rt.deps.store.getIncident("IR-0001"))?.phase).toBe("postmortem");
    expect(stored?.status).toBe("succeeded");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="IR-0001-postmortem.md"');
    expect(text).toBe((stored?.result as { markdown?: string } | undefined)?.markdown);
    expect(text).toMatch(/^# Postmortem: IR-0001 — EC2 instance i-00000000000000001/);
    expect(readFileSync(join(t.dataDir, "postmortems", "IR-0001.md"), "utf8")).toBe(text);
  });

  it("answers 404 for an incident without a draft yet, and for an unknown incident", async () => {
    // Prepare
    t = await makeTestServer();
    await post(t, "/events", makeTorRelayEvent(1));
    await t.rt.scheduler.runUntilIdle();
    // Act
    const early = await t.app.request("/api/incidents/IR-0001/postmortem");
    const unknown = await t.app.request("/api/incidents/IR-0999/postmortem");
    // Assess
    expect(early.status).toBe(404);
    expect((await bodyOf(early)).error.message).toContain("no postmortem draft yet");
    expect(unknown.status).toBe(404);
    expect((await bodyOf(unknown)).error).toMatchObject({
      code: "not_found",
      message: "no incident IR-0999",
    });
  });

  it("is guarded like the rest of /api: operator token when reads need it, loopback host only", async () => {
    // Prepare
    t = await makeTestServer({ config: { api: { requireTokenForReads: true } } });
    await walkToPostmortem(t);
    // Act
    const anonymous = await t.app.request("/api/incidents/IR-0001/postmortem");
    const withToken = await t.app.request("/api/incidents/IR-0001/postmortem", {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const rebound = await t.app.request("/api/incidents/IR-0001/postmortem", {
      headers: { authorization: `Bearer ${TOKEN}`, host: "evil.example" },
    });
    // Assess
    expect([anonymous.status, withToken.status, rebound.status]).toEqual([401, 200, 403]);
  });
});

describe("latestDraft and downloadName", () => {
  it("picks the newest succeeded draft by command version, ignoring failed and other commands", () => {
    // Prepare
    const commands: StoredCommand[] = [
      draftCommand("IR-0001:12:0", "newest"),
      draftCommand("IR-0001:9:1", "older"),
      draftCommand("IR-0001:14:0", "failed one", "failed"),
      { ...draftCommand("IR-0001:15:0", "not a draft"), type: "postThreadReply" },
    ];
    // Act
    const picked = latestDraft(commands);
    const none = latestDraft(commands.slice(2));
    // Assess
    expect(picked).toBe("newest");
    expect(none).toBeUndefined();
  });

  it("makes a safe file name from any incident id", () => {
    expect(downloadName("IR-0001")).toBe("IR-0001-postmortem.md");
    expect(downloadName('a"b/../c\r\n')).toBe("a_b_.._c__-postmortem.md");
  });
});
