/**
 * The PutEvents-compatible endpoint against the REAL EventBridge SDK client: a listening server
 * (@hono/node-server) with the sub-app and a fake intake, PutEventsCommand round trips (all accepted,
 * partial failure, per-entry refusals), request-level refusals the SDK surfaces as typed errors, and raw
 * HTTP for what the SDK would never send.
 */
import type { AddressInfo } from "node:net";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { type ServerType, serve } from "@hono/node-server";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "../../core/errors";
import { explain } from "../../core/explain";
import {
  AMZ_JSON_1_1,
  type PutEventsEntryResult,
  putEventsApp,
  putEventsEntrySize,
} from "../../server/http/put-events";
import { fixtureText, loadFixture } from "../support/fixtures";

type Entry = Record<string, unknown>;

/** The fake intake: records what it got; refuses entries whose Source is "refuse.me", throws on demand. */
const intake = {
  calls: [] as Entry[][],
  fail: false,
  async accept(entries: Entry[]): Promise<PutEventsEntryResult[]> {
    intake.calls.push(entries);
    if (intake.fail) throw new Error("disk full");
    return entries.map((entry, i) =>
      entry.Source === "refuse.me"
        ? { errorCode: "InvalidArgument", errorMessage: `not a security event: ${String(entry.DetailType)}` }
        : { eventId: `evt-${intake.calls.length}-${i}` },
    );
  },
};

let server: ServerType;
let url: string;
let client: EventBridgeClient;

beforeAll(async () => {
  const app = putEventsApp((entries) => intake.accept(entries));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new EventBridgeClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  intake.calls = [];
  intake.fail = false;
});

/** A GuardDuty finding fixture as an application would PutEvents it. */
const guardDutyEntry = (): PutEventsRequestEntry => ({
  Source: "aws.guardduty",
  DetailType: "GuardDuty Finding",
  Detail: fixtureText("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json"),
  Resources: ["arn:aws:ec2:eu-west-2:111111111111:instance/i-99999999"],
  Time: new Date("2024-05-01T12:00:00.000Z"),
  EventBusName: "security",
});

const raw = (body: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": AMZ_JSON_1_1, "x-amz-target": "AWSEvents.PutEvents", ...headers },
    body,
  });

describe("PutEvents through the real EventBridge client", () => {
  it("round-trips an accepted entry with the fields the intake needs", async () => {
    // Prepare
    const entry = guardDutyEntry();

    // Act
    const response = await client.send(new PutEventsCommand({ Entries: [entry] }));

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries).toEqual([{ EventId: "evt-1-0" }]);
    expect(intake.calls).toEqual([
      [
        {
          Source: "aws.guardduty",
          DetailType: "GuardDuty Finding",
          Detail: entry.Detail,
          Resources: entry.Resources,
          Time: "2024-05-01T12:00:00.000Z",
          EventBusName: "security",
        },
      ],
    ]);
    // What the intake got reads as the finding it carries.
    const [finding] = explain(JSON.stringify(intake.calls[0]?.[0])).results[0]?.findings ?? [];
    expect(finding?.type).toBe("UnauthorizedAccess:EC2/TorRelay");
    expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reports a partial failure entry by entry, in order, and counts it", async () => {
    // Prepare
    const entries: PutEventsRequestEntry[] = [
      guardDutyEntry(),
      { Source: "refuse.me", DetailType: "Noise", Detail: "{}" },
      { Source: "my.app", DetailType: "Security Event", Detail: "not json" },
      { Source: "my.app", DetailType: "Security Event", Detail: '["an", "array"]' },
      { Source: "my.app", Detail: '{"a":1}' },
      { Source: "my.app", DetailType: "Security Event", Detail: '{"event_type":"failed_login"}' },
    ];

    // Act
    const response = await client.send(new PutEventsCommand({ Entries: entries }));

    // Assess
    expect(response.FailedEntryCount).toBe(4);
    expect(response.Entries).toEqual([
      { EventId: "evt-1-0" },
      { ErrorCode: "InvalidArgument", ErrorMessage: "not a security event: Noise" },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      { EventId: "evt-1-2" },
    ]);
    // Only well-formed entries reach the intake, in one call.
    expect(intake.calls.map((call) => call.map((e) => e.Source))).toEqual([
      ["aws.guardduty", "refuse.me", "my.app"],
    ]);
  });

  it("does not call the intake when every entry is unusable", async () => {
    // Act
    const response = await client.send(
      new PutEventsCommand({ Entries: [{ Source: "my.app", DetailType: "Security Event", Detail: "{" }] }),
    );

    // Assess
    expect(response).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "MalformedDetail" }] });
    expect(intake.calls).toEqual([]);
  });

  it("refuses more than 10 entries with a ValidationException the SDK understands", async () => {
    // Prepare
    const entries = Array.from({ length: 11 }, () => ({ Source: "my.app", DetailType: "X", Detail: "{}" }));

    // Act
    const sending = client.send(new PutEventsCommand({ Entries: entries }));

    // Assess
    await expect(sending).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("between 1 and 10 (got 11)"),
      $metadata: { httpStatusCode: 400 },
    });
    expect(intake.calls).toEqual([]);
  });

  it("refuses an entry over 256 KB (AWS's size rule) for the whole request", async () => {
    // Prepare
    const detail = JSON.stringify({ blob: "x".repeat(MAX_EVENT_BYTES) });
    const entries = [guardDutyEntry(), { Source: "my.app", DetailType: "Security Event", Detail: detail }];

    // Act
    const sending = client.send(new PutEventsCommand({ Entries: entries }));

    // Assess
    await expect(sending).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(
        /^Entries\[1\] is \d+ bytes: over the 262144-byte PutEvents entry limit$/,
      ),
    });
    expect(intake.calls).toEqual([]);
  });

  it("answers 500 InternalException when the intake fails, so nothing is reported accepted", async () => {
    // Prepare
    intake.fail = true;

    // Act
    const sending = client.send(new PutEventsCommand({ Entries: [guardDutyEntry()] }));

    // Assess
    await expect(sending).rejects.toMatchObject({
      name: "InternalException",
      message: "could not take the events: disk full",
      $metadata: { httpStatusCode: 500 },
    });
  });
});

describe("PutEvents over raw HTTP", () => {
  it.each([
    ["not JSON", "{", "the request body is not valid JSON"],
    ["no Entries", "{}", "Value null at 'entries'"],
    ["empty Entries", '{"Entries":[]}', "between 1 and 10 (got 0)"],
    ["an entry that is not an object", '{"Entries":[42]}', "Entries[0] must be an object"],
    [
      "a numeric Source",
      '{"Entries":[{"Source":1,"DetailType":"x","Detail":"{}"}]}',
      "Entries[0].Source must be a string",
    ],
    [
      "Resources not strings",
      '{"Entries":[{"Source":"a","DetailType":"x","Detail":"{}","Resources":[1]}]}',
      "Resources must be a list of strings",
    ],
    [
      "a Time that is no time",
      '{"Entries":[{"Source":"a","DetailType":"x","Detail":"{}","Time":"soon"}]}',
      "Entries[0].Time must be a timestamp",
    ],
  ])("refuses %s with 400 and AWS's JSON error shape", async (_, body, message) => {
    // Act
    const response = await raw(body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe(AMZ_JSON_1_1);
    expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
    const json = (await response.json()) as { __type: string; message: string };
    expect(json.__type).toBe("ValidationException");
    expect(json.message).toContain(message);
    expect(intake.calls).toEqual([]);
  });

  it("refuses another operation and a non-JSON content type", async () => {
    // Act
    const otherTarget = await raw('{"Name":"x"}', { "x-amz-target": "AWSEvents.ListRules" });
    const noTarget = await fetch(url, {
      method: "POST",
      headers: { "content-type": AMZ_JSON_1_1 },
      body: "{}",
    });
    const form = await raw("Entries=1", { "content-type": "application/x-www-form-urlencoded" });

    // Assess
    expect(otherTarget.status).toBe(400);
    expect(await otherTarget.json()).toEqual({
      __type: "UnknownOperationException",
      message: "only AWSEvents.PutEvents is served here (X-Amz-Target: AWSEvents.ListRules)",
    });
    expect(((await noTarget.json()) as { message: string }).message).toContain("X-Amz-Target: missing");
    expect(form.status).toBe(400);
    expect(await form.json()).toEqual({
      __type: "ValidationException",
      message: `Content-Type must be ${AMZ_JSON_1_1}`,
    });
  });

  it("ignores SigV4 headers and takes an ISO Time as well as epoch seconds", async () => {
    // Prepare
    const body = JSON.stringify({
      Entries: [
        { Source: "a", DetailType: "x", Detail: "{}", Time: "2024-05-01T12:00:00Z" },
        { Source: "a", DetailType: "x", Detail: "{}", Time: 1714564800.5 },
      ],
    });

    // Act
    const response = await raw(body, {
      authorization: "AWS4-HMAC-SHA256 Credential=nobody/20240501/us-east-1/events/aws4_request",
      "x-amz-date": "x",
    });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: "evt-1-0" }, { EventId: "evt-1-1" }],
    });
    expect(intake.calls[0]?.map((e) => e.Time)).toEqual([
      "2024-05-01T12:00:00.000Z",
      "2024-05-01T12:00:00.500Z",
    ]);
  });

  it("answers 500 when the intake miscounts its results", async () => {
    // Prepare
    const app = putEventsApp(async () => []);

    // Act
    const response = await app.request("/", {
      method: "POST",
      headers: { "content-type": AMZ_JSON_1_1, "x-amz-target": "AWSEvents.PutEvents" },
      body: JSON.stringify({ Entries: [{ Source: "a", DetailType: "x", Detail: "{}" }] }),
    });

    // Assess
    expect(response.status).toBe(500);
    expect(((await response.json()) as { __type: string }).__type).toBe("InternalException");
  });

  it("answers every arbitrary body with a 200 result per entry or a typed 400, never anything else", async () => {
    // Prepare
    const fixture = loadFixture("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json");
    const entry = fc.record(
      {
        Source: fc.oneof(fc.string(), fc.constant(undefined), fc.integer()),
        DetailType: fc.oneof(fc.string(), fc.constant("GuardDuty Finding")),
        Detail: fc.oneof(fc.string(), fc.constant(JSON.stringify(fixture)), fc.json()),
        Resources: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined)),
        Time: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 2_000_000_000 }), fc.string()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record({ Entries: fc.array(entry, { minLength: 0, maxLength: 12 }) }).map((b) => JSON.stringify(b)),
      fc.string(),
    );

    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        // Act
        const response = await raw(text);

        // Assess
        const json = (await response.json()) as {
          FailedEntryCount?: number;
          Entries?: unknown[];
          __type?: string;
        };
        if (response.status === 200) {
          const sent = (JSON.parse(text) as { Entries: unknown[] }).Entries;
          expect(json.Entries).toHaveLength(sent.length);
          expect(json.FailedEntryCount).toBe(
            json.Entries?.filter((e) => "ErrorCode" in (e as object)).length,
          );
        } else {
          expect(response.status).toBe(400);
          expect(json.__type).toBe("ValidationException");
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("putEventsEntrySize", () => {
  it("counts what AWS counts: 14 bytes for Time and UTF-8 bytes of the strings", () => {
    // Prepare
    const entry = { Time: 1, Source: "é", DetailType: "ab", Detail: '{"k":"€"}', Resources: ["r1", "ü"] };

    // Act
    const size = putEventsEntrySize(entry);

    // Assess
    expect(size).toBe(14 + 2 + 2 + Buffer.byteLength('{"k":"€"}') + 2 + 2);
  });
});
