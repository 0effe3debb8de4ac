/**
 * IncidentPublisher against a mocked EventBridgeClient: the exact PutEvents request for the workflow's real
 * lifecycle commands, links from configured base URLs, retries of failed entries (bounded, with injected
 * backoff), throttling → RetryLaterError, refusals with AWS's code, and the 256 KB limit measured in UTF-8
 * bytes with visible truncation.
 */
import {
  AccessDeniedException,
  EventBridgeClient,
  InternalException,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import {
  entryBytes,
  fitEntry,
  IncidentPublisher,
  type IncidentPublisherOptions,
  isOwnIncidentEvent,
} from "../../../adapters/eventbridge/incident-publisher";
import { createCommandExecutor } from "../../../app/execute-command";
import {
  type IncidentEventDetail,
  incidentEventDetailSchema,
  toIncidentEventDetail,
} from "../../../core/contracts/incident-event.schema";
import { MAX_EVENT_BYTES } from "../../../core/errors";
import { envelopeFromEntry } from "../../../core/normalize/put-events-entry";
import { RetryLaterError } from "../../../core/ports/command-executor";
import type { IncidentStore } from "../../../core/ports/incident-store";
import {
  makePublishCommand,
  publishCommandsOf,
  scenarioCommands,
} from "../../support/integration-commands.factory";

const BUS = "arn:aws:events:eu-west-2:222222222222:event-bus/security";
const client = new EventBridgeClient({ region: "eu-west-2" });
const eventBridge = mockClient(client);

let sleeps: number[] = [];
const publisherWith = (options: Partial<IncidentPublisherOptions> = {}) =>
  new IncidentPublisher({
    client,
    eventBusName: BUS,
    serviceName: "incident-response",
    incidentBaseUrl: "https://ir.example.com/incidents/",
    runbookBaseUrl: "https://git.example.com/ir",
    runbookIdOf: () => "ec2-compromise",
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });

const sentEntries = (): PutEventsRequestEntry[][] =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const detailOf = (entry: PutEventsRequestEntry | undefined): IncidentEventDetail =>
  incidentEventDetailSchema.parse(JSON.parse(entry?.Detail ?? "null"));

beforeEach(() => {
  eventBridge.reset();
  sleeps = [];
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "evt-1" }] });
});

describe("IncidentPublisher.publish", () => {
  it("sends one entry per command: our source, the detail type and the versioned detail", async () => {
    // Prepare
    const [opened] = publishCommandsOf(scenarioCommands());

    // Act
    const result = await publisherWith().publish(opened!);

    // Assess
    const entries = sentEntries();
    expect(entries).toHaveLength(1);
    const [entry] = entries[0]!;
    expect(entry).toEqual({
      EventBusName: BUS,
      Source: "incident-response",
      DetailType: "Incident Opened",
      Resources: [],
      Detail: JSON.stringify(
        toIncidentEventDetail(opened!.id, opened!.params, {
          incident: "https://ir.example.com/incidents/IR-1",
          runbook: "https://git.example.com/ir/runbooks/ec2-compromise.md#detect",
        }),
      ),
    });
    expect(detailOf(entry)).toMatchObject({
      schemaVersion: "1.0",
      idempotencyKey: "IR-1:1:2",
      incidentId: "IR-1",
      facts: { findingType: "UnauthorizedAccess:EC2/TorRelay" },
    });
    expect(result).toEqual({
      eventId: "evt-1",
      detailType: "Incident Opened",
      bytes: entryBytes(entry!),
      truncated: false,
    });
    expect(sleeps).toEqual([]);
  });

  it("links the runbook section of the current phase, and leaves links null when not configured", async () => {
    // Prepare
    const closed = publishCommandsOf(scenarioCommands()).at(-1)!;
    const command = makePublishCommand({ phase: "contain", facts: { runbookId: "ec2-compromise" } });

    // Act
    await publisherWith({ runbookIdOf: undefined }).publish(command);
    await publisherWith({ incidentBaseUrl: undefined, runbookBaseUrl: undefined }).publish(closed);
    await publisherWith({ runbookIdOf: undefined }).publish(closed);

    // Assess
    const [withFact, unconfigured, noRunbookId] = sentEntries().map(([entry]) => detailOf(entry).links);
    expect(withFact).toEqual({
      incident: "https://ir.example.com/incidents/IR-1",
      runbook: "https://git.example.com/ir/runbooks/ec2-compromise.md#contain",
    });
    expect(unconfigured).toEqual({ incident: null, runbook: null });
    expect(noRunbookId).toEqual({ incident: "https://ir.example.com/incidents/IR-1", runbook: null });
  });

  it("encodes an incident id into its link", async () => {
    // Act
    await publisherWith().publish(makePublishCommand({ incidentId: "IR 1/2#x" }));

    // Assess
    expect(detailOf(sentEntries()[0]?.[0]).links.incident).toBe(
      "https://ir.example.com/incidents/IR%201%2F2%23x",
    );
  });

  it("re-sends an entry that failed with InternalFailure, after the injected backoff", async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "evt-2" }] });
    const command = makePublishCommand();

    // Act
    const result = await publisherWith().publish(command);

    // Assess
    expect(result.eventId).toBe("evt-2");
    const [first, second] = sentEntries();
    expect(second).toEqual(first);
    expect(sleeps).toEqual([200]);
  });

  it("asks to retry later when an entry is still throttled after the bounded attempts", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
    });

    // Act
    const publishing = publisherWith({ maxAttempts: 4 }).publish(makePublishCommand());

    // Assess
    await expect(publishing).rejects.toBeInstanceOf(RetryLaterError);
    await expect(publishing).rejects.toThrow(
      "EventBridge PutEvents: 1 entry still failing after 4 attempts: ThrottlingException: Rate exceeded",
    );
    await expect(publishing).rejects.toMatchObject({ retryAfterMs: 1000 });
    expect(sentEntries()).toHaveLength(4);
    expect(sleeps).toEqual([200, 400, 800]);
  });

  it("uses the injected backoff schedule", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "oops" }],
    });

    // Act
    const publishing = publisherWith({ maxAttempts: 3, backoffMs: (attempt) => attempt * 10 }).publish(
      makePublishCommand(),
    );

    // Assess
    await expect(publishing).rejects.toMatchObject({ name: "RetryLaterError", retryAfterMs: 2000 });
    expect(sleeps).toEqual([10, 20]);
  });

  it.each([
    ["AccessDeniedException", "User is not authorized to perform: events:PutEvents"],
    ["MalformedDetail", "Detail is malformed."],
    ["NotAuthorizedForSourceException", "Not authorized for the source."],
  ])("fails for good, with AWS's code and message, on entry error %s", async (code, message) => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: message }] });

    // Act
    const publishing = publisherWith().publish(makePublishCommand());

    // Assess
    await expect(publishing).rejects.toThrow(
      `EventBridge PutEvents refused "Incident SLA Breached" event: ${code}: ${message}`,
    );
    await expect(publishing).rejects.not.toBeInstanceOf(RetryLaterError);
    expect(sentEntries()).toHaveLength(1);
  });

  it("turns SDK throttling and server faults into RetryLaterError, other SDK errors into a named Error", async () => {
    // Prepare
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    const fault = new InternalException({ message: "internal", $metadata: { httpStatusCode: 500 } });
    const denied = new AccessDeniedException({
      message: "no events:PutEvents",
      $metadata: { httpStatusCode: 400 },
    });

    // Act
    eventBridge.on(PutEventsCommand).rejects(throttled);
    const whenThrottled = publisherWith().publish(makePublishCommand());
    await expect(whenThrottled).rejects.toBeInstanceOf(RetryLaterError);
    eventBridge.on(PutEventsCommand).rejects(fault);
    const whenFaulty = publisherWith().publish(makePublishCommand());
    await expect(whenFaulty).rejects.toBeInstanceOf(RetryLaterError);
    eventBridge.on(PutEventsCommand).rejects(denied);
    const whenDenied = publisherWith().publish(makePublishCommand());

    // Assess
    await expect(whenDenied).rejects.toThrow(
      "EventBridge PutEvents failed: AccessDeniedException: no events:PutEvents",
    );
    await expect(whenDenied).rejects.not.toBeInstanceOf(RetryLaterError);
    expect(sleeps).toEqual([]);
  });

  it("fails when EventBridge answers a different number of results", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });

    // Act
    const publishing = publisherWith().publish(makePublishCommand());

    // Assess
    await expect(publishing).rejects.toThrow("EventBridge PutEvents answered 0 result entries for 1 events");
  });

  it("publishes an event it would recognise as its own if it came back", async () => {
    // Act
    await publisherWith().publish(makePublishCommand());

    // Assess
    const [entry] = sentEntries()[0]!;
    expect(isOwnIncidentEvent(entry, "incident-response")).toBe(true);
    expect(isOwnIncidentEvent(envelopeFromEntry(entry as never, "$"), "incident-response")).toBe(true);
    expect(isOwnIncidentEvent(entry, "other-service")).toBe(false);
  });
});

describe("as the executor's publishIncidentEvent capability", () => {
  it("carries out the workflow's lifecycle commands through the command executor", async () => {
    // Prepare
    const publisher = publisherWith();
    const executor = createCommandExecutor({} as IncidentStore, { publishIncidentEvent: publisher.publish });
    const commands = publishCommandsOf(scenarioCommands());

    // Act
    const results = [];
    for (const command of commands) results.push(await executor.execute(command));

    // Assess
    expect(sentEntries().map(([entry]) => entry?.DetailType)).toEqual(
      commands.map((c) => c.params.detailType),
    );
    expect(sentEntries().map(([entry]) => detailOf(entry).idempotencyKey)).toEqual(commands.map((c) => c.id));
    expect(results.every((r) => (r as { eventId?: string }).eventId === "evt-1")).toBe(true);
  });
});

describe("the 256 KB entry limit", () => {
  it("leaves out the largest facts first, measured in UTF-8 bytes, and says so", async () => {
    // Prepare: 100,000 "€" are 100,000 UTF-16 units but 300,000 UTF-8 bytes.
    const command = makePublishCommand({
      facts: { clock: "detect", deadline: "2024-05-01T10:15:00.000Z", note: "€".repeat(100_000), level: 1 },
    });

    // Act
    const result = await publisherWith().publish(command);

    // Assess
    const [entry] = sentEntries()[0]!;
    const detail = detailOf(entry);
    expect(entryBytes(entry!)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(result).toMatchObject({ truncated: true, bytes: entryBytes(entry!) });
    expect(detail.facts).toEqual({ clock: "detect", deadline: "2024-05-01T10:15:00.000Z", level: 1 });
    expect(detail.truncated).toEqual({
      reason: expect.stringContaining("over EventBridge's 262144-byte entry limit"),
      originalBytes: expect.any(Number),
      omittedFacts: ["note"],
      titleTrimmed: false,
    });
    expect(detail.truncated?.originalBytes).toBeGreaterThan(300_000);
    expect(detail.deadlines).toEqual({ detect: "2024-05-01T10:15:00.000Z" });
  });

  it("cuts a title too large on its own, visibly, keeping as much as fits", async () => {
    // Prepare
    const command = makePublishCommand({ title: `Tor ${"🚨".repeat(80_000)}`, facts: { level: 1 } });

    // Act
    await publisherWith().publish(command);

    // Assess
    const [entry] = sentEntries()[0]!;
    const detail = detailOf(entry);
    const bytes = entryBytes(entry!);
    expect(bytes).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(bytes).toBeGreaterThan(MAX_EVENT_BYTES - 16);
    expect(detail.title.startsWith("Tor 🚨")).toBe(true);
    expect(detail.title.endsWith("…")).toBe(true);
    expect(detail.title).not.toMatch(/[\ud800-\udbff]…$/);
    expect(detail.truncated).toMatchObject({ omittedFacts: ["level"], titleTrimmed: true });
  });

  it("fails for good, without calling EventBridge, when even the bare event cannot fit", async () => {
    // Prepare
    const command = makePublishCommand({
      correlationKey: `111111111111|eu-west-2|s3-bucket:${"b".repeat(300_000)}`,
    });

    // Act
    const publishing = publisherWith().publish(command);

    // Assess
    await expect(publishing).rejects.toThrow("lifecycle event for incident IR-1 cannot fit in 262144 bytes");
    await expect(publishing).rejects.not.toBeInstanceOf(RetryLaterError);
    expect(sentEntries()).toEqual([]);
  });

  it("always fits the limit, keeps the detail valid and lists exactly what it left out", () => {
    const base = {
      EventBusName: "default",
      Source: "incident-response",
      DetailType: "Incident Closed",
      Resources: [],
    };
    const limit = 3_000;
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 1_500 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 8,
        }),
        (title, facts) => {
          // Prepare
          const command = makePublishCommand({ title, facts: facts as never });
          const detail = toIncidentEventDetail(command.id, command.params, { incident: null, runbook: null });

          // Act
          const fitted = fitEntry(base, detail, limit);

          // Assess
          const sent = JSON.parse(fitted.entry.Detail ?? "null") as IncidentEventDetail;
          expect(incidentEventDetailSchema.safeParse(sent).success).toBe(true);
          expect(fitted.bytes).toBe(entryBytes(fitted.entry));
          expect(fitted.bytes).toBeLessThanOrEqual(limit);
          expect(fitted.truncated).toBe(sent.truncated !== undefined);
          const kept = Object.keys(sent.facts);
          expect([...kept, ...(sent.truncated?.omittedFacts ?? [])].sort()).toEqual(
            Object.keys(facts).sort(),
          );
          expect(sent.title === title).toBe(!sent.truncated?.titleTrimmed);
        },
      ),
      { numRuns: 150 },
    );
  });
});
