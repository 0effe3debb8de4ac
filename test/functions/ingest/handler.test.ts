/**
 * The ingest function: real EventBridge events (test/fixtures/events) in, the exact SQS FIFO requests out
 * (aws-sdk-client-mock), bad input quarantined on dynalite with its reason, our own events and findings
 * ignored, and arbitrary input never failing the invocation (it is quarantined instead).
 */
import { createHash } from "node:crypto";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoDbQuarantine } from "../../../adapters/dynamodb/quarantine";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import { explain } from "../../../core/explain";
import { findingSchema } from "../../../core/findings/finding";
import { createIngestHandler } from "../../../functions/ingest/handler";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import { loadFixture } from "../../support/fixtures";
import { makeGuardDutyAsffFinding, makeSecurityHubEvent } from "../../support/securityhub.factory";
import { TestClock } from "../../support/test-clock";
import { makeContext, QUEUE_URL } from "../support/lambda-events.factory";
import { recordingTelemetry } from "../support/recording-telemetry";

const GUARDDUTY_EVENT =
  "guardduty/eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json";
const SIGNIN_EVENT = "cloudtrail/eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json";
const NOW = "2024-05-01T10:00:00.000Z";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sqsClient = new SQSClient({ region: "us-east-1" });
const sqs = mockClient(sqsClient);
const batchInputs = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);

let dynalite: Dynalite;
let quarantine: DynamoDbQuarantine;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  const tableName = await dynalite.createTable();
  quarantine = new DynamoDbQuarantine({
    client: dynalite.client,
    tableName,
    retentionDays: 1,
    now: () => new Date(NOW),
  });
});

function setup() {
  const recorded = recordingTelemetry();
  const clock = new TestClock(NOW);
  const handler = createIngestHandler({
    quarantine,
    sqs: sqsClient,
    queueUrl: QUEUE_URL,
    config: DEFAULT_RESPONSE_CONFIG,
    clock,
    telemetry: recorded.telemetry,
  });
  return { handler, recorded, clock };
}

/** What the finding messages must be, computed from the normalizer's own findings for the same text. */
function expectedEntries(fixture: string) {
  const event = loadFixture(fixture);
  const { results } = explain(JSON.stringify(event), { rawRef: event.id, ownSource: "incident-response" });
  return results
    .flatMap((r) => r.findings)
    .map((finding, i) => ({
      Id: `m${i}`,
      MessageBody: JSON.stringify({ kind: "finding", finding }),
      MessageGroupId: sha256(finding.correlationKey),
      MessageDeduplicationId: sha256(`${finding.identity}|${finding.updatedAt}|${finding.count}`),
    }));
}

describe("ingest handler", () => {
  it("sends a GuardDuty finding event's finding to the FIFO queue, grouped by its correlation key", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const event = loadFixture(GUARDDUTY_EVENT);

    // Act
    const summary = await handler(event, makeContext());

    // Assess
    expect(batchInputs()).toEqual([{ QueueUrl: QUEUE_URL, Entries: expectedEntries(GUARDDUTY_EVENT) }]);
    const body = JSON.parse(batchInputs()[0]!.Entries![0]!.MessageBody!);
    expect(findingSchema.safeParse(body.finding).success).toBe(true);
    expect(body.finding.correlationKey).toBe("845345345|ap-southeast-2|ec2-instance:i-blart");
    expect(summary).toEqual({ eventId: event.id, inputs: 1, queued: 1, quarantined: 0, ignored: 0 });
    expect(recorded.metrics).toEqual([]);
  });

  it("sends every finding of an event that yields several, in one batch", async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const summary = await handler(loadFixture(SIGNIN_EVENT));

    // Assess
    const entries = expectedEntries(SIGNIN_EVENT);
    expect(entries).toHaveLength(2);
    expect(batchInputs()).toEqual([{ QueueUrl: QUEUE_URL, Entries: entries }]);
    expect(summary.queued).toBe(2);
  });

  it("gives the same delivery the same deduplication id, so SQS drops EventBridge's duplicate", async () => {
    // Prepare
    const { handler } = setup();
    const event = loadFixture(GUARDDUTY_EVENT);

    // Act
    await handler(event);
    await handler(structuredClone(event));

    // Assess
    const [first, second] = batchInputs();
    expect(second!.Entries![0]!.MessageDeduplicationId).toBe(first!.Entries![0]!.MessageDeduplicationId);
  });

  it("quarantines an event it cannot read, with the reason and the raw text, and sends nothing", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const event = { ...loadFixture(GUARDDUTY_EVENT), "detail-type": "Something Else Entirely" };

    // Act
    const summary = await handler(event);

    // Assess
    expect(batchInputs()).toEqual([]);
    expect(summary).toMatchObject({ queued: 0, quarantined: 1 });
    const [kept] = await quarantine.list(10);
    expect(kept).toMatchObject({
      id: `${event.id}#$`,
      channel: "eventbridge",
      receivedAt: NOW,
      error: { code: "unknown_event" },
      raw: JSON.stringify(event),
    });
    expect(recorded.total("InputQuarantined")).toBe(1);
    expect(recorded.text()).toContain("input quarantined");
    expect(recorded.text()).not.toContain(event.detail.id);
  });

  it("ignores our own lifecycle events coming back on the bus", async () => {
    // Prepare
    const { handler } = setup();
    const event = {
      version: "0",
      id: "7bf73129-1428-4cd3-a780-95db273d1602",
      "detail-type": "Incident Opened",
      source: DEFAULT_RESPONSE_CONFIG.serviceName,
      account: "123456789012",
      time: NOW,
      region: "us-east-1",
      resources: [],
      detail: { incidentId: "IR-20240501-0a1b2c3d" },
    };

    // Act
    const summary = await handler(event);

    // Assess
    expect(summary).toEqual({ eventId: event.id, inputs: 1, queued: 0, quarantined: 0, ignored: 1 });
    expect(batchInputs()).toEqual([]);
    expect(await quarantine.list(10)).toEqual([]);
  });

  it("ignores our own incident finding re-imported by Security Hub (no self-loop)", async () => {
    // Prepare
    const { handler } = setup();
    const own = makeGuardDutyAsffFinding({ GeneratorId: DEFAULT_RESPONSE_CONFIG.serviceName });
    const other = makeGuardDutyAsffFinding();
    const event = makeSecurityHubEvent([own, other]);

    // Act
    const summary = await handler(event as never);

    // Assess
    expect(summary).toMatchObject({ queued: 1, ignored: 1, quarantined: 0 });
    const bodies = batchInputs()[0]!.Entries!.map((e) => JSON.parse(e.MessageBody!));
    expect(bodies.map((b) => b.finding.origin.securityHub?.generatorId)).toEqual([other.GeneratorId]);
  });

  it("fails the invocation when SQS refuses an entry, so Lambda retries the event", async () => {
    // Prepare
    const { handler } = setup();
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: "m0", Code: "InternalError", SenderFault: false }],
    });

    // Act
    const run = handler(loadFixture(GUARDDUTY_EVENT));

    // Assess
    await expect(run).rejects.toThrow(/SendMessageBatch failed 1 of 1: m0: InternalError/);
  });

  it("names the envelope as the finding's raw input, and an id-less event by a hash of its text", async () => {
    // Prepare
    const { handler } = setup();
    const event = loadFixture(GUARDDUTY_EVENT);
    const { id: _id, ...withoutId } = event;

    // Act
    await handler(event);
    const summary = await handler(withoutId);

    // Assess
    const [withId, hashed] = batchInputs().map(
      (input) => JSON.parse(input.Entries![0]!.MessageBody!).finding,
    );
    expect(withId.origin.rawRef).toBe(event.id);
    expect(summary.eventId).toBe(`sha256:${sha256(JSON.stringify(withoutId)).slice(0, 32)}`);
    expect(hashed.type).toBe(event.detail.type);
  });

  it("never fails on arbitrary JSON: whatever it cannot read is quarantined", async () => {
    // Prepare
    const { handler, clock } = setup();
    const base = loadFixture(GUARDDUTY_EVENT);
    const mutated = fc.record({
      key: fc.constantFrom("detail", "detail-type", "source", "id", "time", "account", "region"),
      value: fc.jsonValue(),
    });

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          mutated.map((m) => ({ ...base, [m.key]: m.value })),
        ),
        async (event) => {
          sqs.resetHistory();
          clock.advance(1); // each delivery is kept as its own item, even of the same event
          const before = (await quarantine.list(1000)).length;
          const summary = await handler(event as never);
          const sent = batchInputs().flatMap((input) => input.Entries ?? []);
          expect(sent).toHaveLength(summary.queued);
          for (const entry of sent) {
            expect(findingSchema.safeParse(JSON.parse(entry.MessageBody!).finding).success).toBe(true);
          }
          expect((await quarantine.list(1000)).length - before).toBe(summary.quarantined);
        },
      ),
      { numRuns: 50 },
    );
  });
});
