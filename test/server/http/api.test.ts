/**
 * The JSON API through the Hono app, on a real runtime: listing with filters, the incident detail
 * (deadlines, warnings, breaches, findings, resources, commands with results, containment, timeline,
 * chat), responder actions behind the operator token, and the errors' shape.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bodyOf,
  makeTestRuntime,
  postAction,
  postEvents,
  T0,
  type TestRuntime,
  TOKEN,
} from "../support/test-runtime";
import { makeTorRelayEvent, makeTorRelayFinding } from "../support/tor-relay.factory";

const get = (t: TestRuntime, path: string, headers: Record<string, string> = {}) =>
  t.app.request(path, { headers });

describe("JSON API", () => {
  let t: TestRuntime;
  beforeEach(async () => {
    t = makeTestRuntime();
    // Two incidents: a HIGH one (severity 8) and a MEDIUM one (severity 5).
    await postEvents(t, [
      makeTorRelayEvent(1),
      makeTorRelayEvent(2, { detail: { ...makeTorRelayFinding(2), severity: 5 } }),
    ]);
    await t.rt.scheduler.runUntilIdle();
  });
  afterEach(() => t.close());

  it("lists incidents, newest first, with their summary", async () => {
    // Act
    const response = await get(t, "/api/incidents");
    // Assess
    expect(response.status).toBe(200);
    const { incidents } = await bodyOf(response);
    expect(incidents.map((i: { id: string; severity: string }) => [i.id, i.severity])).toEqual([
      ["IR-0002", "MEDIUM"],
      ["IR-0001", "HIGH"],
    ]);
    expect(incidents[1]).toMatchObject({
      phase: "detect",
      open: true,
      acknowledged: null,
      findingCount: 1,
      currentDeadline: { phase: "detect", deadline: "2024-05-01T10:15:00.000Z", status: "running" },
    });
  });

  it("filters by severity, phase and open", async () => {
    // Prepare
    await postAction(t, "IR-0001", { type: "acknowledge" });
    // Act
    const high = await bodyOf(await get(t, "/api/incidents?severity=HIGH"));
    const assessing = await bodyOf(await get(t, "/api/incidents?phase=assess&open=true"));
    const closed = await bodyOf(await get(t, "/api/incidents?open=false"));
    // Assess
    expect(high.incidents.map((i: { id: string }) => i.id)).toEqual(["IR-0001"]);
    expect(assessing.incidents.map((i: { id: string }) => i.id)).toEqual(["IR-0001"]);
    expect(closed.incidents).toEqual([]);
  });

  it("refuses an unknown filter value with a 400 that names the parameter", async () => {
    // Act
    const response = await get(t, "/api/incidents?phase=lunch");
    // Assess
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error).toMatchObject({ code: "invalid_value", path: "$.query.phase" });
  });

  it("shows an incident in detail: deadlines, findings, resources, commands with results, containment, timeline, chat", async () => {
    // Act
    const response = await get(t, "/api/incidents/IR-0001");
    // Assess
    expect(response.status).toBe(200);
    const detail = await bodyOf(response);
    expect(detail.deadlines).toEqual([
      expect.objectContaining({
        phase: "detect",
        startedAt: T0,
        deadline: "2024-05-01T10:15:00.000Z",
        status: "running",
      }),
    ]);
    expect(detail.warnings).toEqual([]);
    expect(detail.breaches).toEqual([]);
    expect(detail.findings).toHaveLength(1);
    expect(detail.findings[0].finding.type).toBe("UnauthorizedAccess:EC2/TorRelay");
    expect(detail.resources.map((r: { type: string; id: string }) => [r.type, r.id])).toEqual([
      ["ec2-instance", "i-00000000000000001"],
    ]);
    const post = detail.commands.find((c: { type: string }) => c.type === "postIncidentMessage");
    expect(post).toMatchObject({
      status: "succeeded",
      result: { channel: "#security-incidents", ts: post.id },
    });
    expect(detail.containment).toMatchObject({ status: "awaitingApproval", action: "isolateInstance" });
    expect(detail.containment.plan).toMatchObject({ dryRun: true, action: "isolateInstance" });
    expect(detail.timeline[0]).toMatchObject({ kind: expect.any(String), at: T0 });
    expect(detail.chat[0]).toMatchObject({ kind: "message", incidentId: "IR-0001" });
  });

  it("answers 404 for an unknown incident", async () => {
    // Act
    const response = await get(t, "/api/incidents/IR-9999");
    // Assess
    expect(response.status).toBe(404);
    expect((await bodyOf(response)).error).toEqual({
      code: "not_found",
      message: "no incident IR-9999",
      path: "$.params.id",
    });
  });

  it("refuses actions without the operator token, or with a wrong one (401)", async () => {
    // Act
    const none = await postAction(t, "IR-0001", { type: "acknowledge" }, null);
    const wrong = await postAction(t, "IR-0001", { type: "acknowledge" }, `${TOKEN}x`);
    // Assess
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await bodyOf(wrong)).error.code).toBe("unauthorized");
    const incident = await t.rt.deps.store.getIncident("IR-0001");
    expect(incident?.phase).toBe("detect");
  });

  it("applies an action with the token, names the actor on the timeline, and dispatches its commands", async () => {
    // Act
    const response = await postAction(t, "IR-0001", { type: "acknowledge", actor: "alice" });
    await t.rt.scheduler.runUntilIdle();
    // Assess
    expect(response.status).toBe(200);
    const answer = await bodyOf(response);
    expect(answer).toMatchObject({
      status: "changed",
      incident: { id: "IR-0001", phase: "assess", acknowledged: { by: "alice", at: T0 } },
    });
    const detail = await bodyOf(await get(t, "/api/incidents/IR-0001"));
    expect(
      detail.timeline.some(
        (e: { actor: string; kind: string }) => e.actor === "alice" && e.kind === "incident.acknowledged",
      ),
    ).toBe(true);
    expect(detail.commands.filter((c: { status: string }) => c.status === "pending")).toEqual([]);
  });

  it("reports an action that changes nothing as unchanged", async () => {
    // Prepare
    await postAction(t, "IR-0001", { type: "assign", owner: "bob" });
    // Act
    const again = await postAction(t, "IR-0001", { type: "assign", owner: "bob" });
    // Assess
    expect(again.status).toBe(200);
    expect(await bodyOf(again)).toMatchObject({
      status: "unchanged",
      commands: 0,
      incident: { owner: "bob" },
    });
  });

  it.each([
    [{ type: "dance" }, "invalid_value", "$.type"],
    [{ type: "note" }, "missing_field", "$.note"],
    [{ type: "publish-postmortem", url: "not a url" }, "invalid_value", "$.url"],
  ])("refuses a malformed action %j with 400 and a path", async (action, code, path) => {
    // Act
    const response = await postAction(t, "IR-0001", action);
    // Assess
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error).toMatchObject({ code, path });
  });

  it("refuses an action that is not JSON", async () => {
    // Act
    const response = await t.app.request("/api/incidents/IR-0001/actions", {
      method: "POST",
      body: "acknowledge please",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    // Assess
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error.code).toBe("invalid_json");
  });

  it("answers 404 to an action on an unknown incident", async () => {
    // Act
    const response = await postAction(t, "IR-4040", { type: "acknowledge" });
    // Assess
    expect(response.status).toBe(404);
  });

  it("lists quarantine and the dashboard chat", async () => {
    // Prepare
    await postEvents(t, "{oops");
    await t.rt.scheduler.runUntilIdle();
    // Act
    const quarantine = await bodyOf(await get(t, "/api/quarantine?limit=5"));
    const chat = await bodyOf(await get(t, "/api/chat"));
    // Assess
    expect(
      quarantine.items.map((q: { id: string; error: { code: string } }) => [q.id, q.error.code]),
    ).toEqual([["inbox-2#$", "invalid_json"]]);
    expect(new Set(chat.messages.map((m: { incidentId: string }) => m.incidentId))).toEqual(
      new Set(["IR-0001", "IR-0002"]),
    );
  });
});

describe("JSON API with requireTokenForReads", () => {
  let t: TestRuntime;
  beforeEach(() => {
    t = makeTestRuntime({ config: { api: { requireTokenForReads: true } } });
  });
  afterEach(() => t.close());

  it("needs the token for reads too", async () => {
    // Act
    const without = await get(t, "/api/incidents");
    const withToken = await get(t, "/api/incidents", { authorization: `Bearer ${TOKEN}` });
    // Assess
    expect(without.status).toBe(401);
    expect(withToken.status).toBe(200);
  });
});
