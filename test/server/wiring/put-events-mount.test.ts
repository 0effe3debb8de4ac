/**
 * PutEvents on the local server, with the REAL `@aws-sdk/client-eventbridge` client against the real
 * listening server (createLocalServer on a temp dir, @hono/node-server on 127.0.0.1:0): entries go through
 * the same durable intake as POST /events, so a GuardDuty finding sent with PutEventsCommand opens an
 * incident; entries POST /events would refuse fail alone with the reason; our own lifecycle events are
 * accepted and ignored. Without X-Amz-Target, `POST /` is not PutEvents.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InputErrorInfo } from "../../../core/errors";
import type { EventResult } from "../../../server/http/events";
import { entryResults } from "../../../server/wiring/put-events-mount";
import { eventually, makeTestServer, type TestServer } from "../support/test-server";
import { makeTorRelayFinding } from "../support/tor-relay.factory";

const guardDutyEntry = (n: number, overrides: Record<string, unknown> = {}) => ({
  Source: "aws.guardduty",
  DetailType: "GuardDuty Finding",
  Detail: JSON.stringify(makeTorRelayFinding(n, overrides)),
  Resources: [],
  Time: new Date("2024-05-01T10:00:00.000Z"),
});

describe("PutEvents on the listening local server", () => {
  let t: TestServer;
  let client: EventBridgeClient;
  let url: string;

  beforeAll(async () => {
    t = await makeTestServer({ config: { serviceName: "acme-ir" } });
    url = await t.listen();
    client = new EventBridgeClient({
      endpoint: url,
      region: "eu-west-2",
      credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await t.close();
  });

  it("opens an incident from a finding sent with PutEventsCommand", async () => {
    // Act
    const answer = await client.send(new PutEventsCommand({ Entries: [guardDutyEntry(1)] }));
    const incidents = await eventually(
      () => t.rt.deps.store.listIncidents({}),
      (list) => list.length > 0,
    );
    // Assess
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.[0]?.EventId).toMatch(/#\$\.Entries\[0\]$/);
    expect(incidents.map((i) => i.title)).toEqual([
      "EC2 instance i-00000000000000001 is communicating with a Tor Exit node.",
    ]);
    expect(t.rt.inbox.depth()).toBe(0);
  });

  it("fails alone an entry no rule matches, keeps it in quarantine, and accepts our own lifecycle event", async () => {
    // Prepare: severity 1 is below the GuardDuty rule's threshold.
    const own = {
      Source: "acme-ir",
      DetailType: "Incident Opened",
      Detail: JSON.stringify({ incidentId: "IR-0001", phase: "detect" }),
    };
    // Act
    const answer = await client.send(
      new PutEventsCommand({ Entries: [guardDutyEntry(2), guardDutyEntry(3, { severity: 1 }), own] }),
    );
    const quarantined = await eventually(
      () => t.rt.deps.quarantine.list(10),
      (items) => items.length > 0,
    );
    await eventually(
      () => t.rt.deps.store.listIncidents({}),
      (list) => list.length === 2,
    );
    // Assess
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? "ok")).toEqual(["ok", "unmatched", "ok"]);
    expect(answer.Entries?.[1]?.ErrorMessage).toContain("matched none of the service's EventBridge rules");
    expect(quarantined.map((q) => [q.id, q.error.code])).toEqual([
      [expect.stringMatching(/#\$\.Entries\[1\]$/), "unmatched"],
    ]);
    expect((await t.rt.deps.store.listIncidents({})).length).toBe(2);
  });

  it("leaves POST / without X-Amz-Target alone (404), and answers other targets as EventBridge would", async () => {
    // Act
    const plain = await fetch(`${url}/`, { method: "POST", body: "{}" });
    const other = await fetch(`${url}/`, {
      method: "POST",
      body: "{}",
      headers: { "x-amz-target": "AWSEvents.ListRules", "content-type": "application/x-amz-json-1.1" },
    });
    // Assess
    expect(plain.status).toBe(404);
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ __type: "UnknownOperationException" });
  });
});

describe("entryResults", () => {
  const ok = (id: string): EventResult => ({ accepted: true, id, findings: 1 });
  const refused = (id: string, code: InputErrorInfo["code"]): EventResult => ({
    accepted: false,
    id,
    error: { code, message: `${code}!`, path: "$" },
  });

  it("answers each entry from its own result, in order", () => {
    // Act
    const results = entryResults([ok("in-1#$.Entries[0]"), refused("in-1#$.Entries[1]", "unmatched")], 2);
    // Assess
    expect(results).toEqual([
      { eventId: "in-1#$.Entries[0]" },
      { errorCode: "unmatched", errorMessage: "unmatched!" },
    ]);
  });

  it("fails every entry with the body's error when the body as a whole was refused", () => {
    // Act
    const results = entryResults([refused("in-2#$", "invalid_shape")], 3);
    // Assess
    expect(results).toEqual(Array(3).fill({ errorCode: "invalid_shape", errorMessage: "invalid_shape!" }));
  });
});
