/**
 * The advance function on dynalite: SQS FIFO batches of finding messages (built from real fixtures the way
 * ingest sends them), responder actions and incident events change incidents through the app use-cases;
 * partial batch failures keep FIFO order per group; a poison message is quarantined and fails nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DynamoDbQuarantine } from "../../../adapters/dynamodb/quarantine";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import type { Finding } from "../../../core/findings/finding";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { createAdvanceHandler } from "../../../functions/advance/handler";
import { findingMessage, incidentMessage } from "../../../functions/shared/advance-message";
import { observedStore } from "../../../functions/shared/runtime";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import { sequentialIds, TestClock } from "../../support/test-clock";
import { makeContext, makeSqsEvent, makeSqsRecord } from "../support/lambda-events.factory";
import { firstFindingOf, freshTable, GUARDDUTY_EVENT, SIGNIN_EVENT } from "../support/pipeline";
import { recordingTelemetry } from "../support/recording-telemetry";

const NOW = "2024-05-01T10:00:00.000Z";
const CLICKED_AT = "2024-05-01T10:04:30.000Z";

let dynalite: Dynalite;
let store: IncidentStore;
let quarantine: DynamoDbQuarantine;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});
beforeEach(async () => {
  ({ store, quarantine } = await freshTable(dynalite, NOW));
});

function setup(options: { store?: IncidentStore } = {}) {
  const recorded = recordingTelemetry();
  const clock = new TestClock(NOW);
  const handler = createAdvanceHandler({
    store: observedStore(options.store ?? store, recorded.telemetry),
    quarantine,
    ids: sequentialIds(),
    clock,
    config: DEFAULT_RESPONSE_CONFIG,
    telemetry: recorded.telemetry,
  });
  return { handler, recorded, clock };
}

const recordFor = (finding: Finding, messageId?: string) => {
  const message = findingMessage(finding);
  return makeSqsRecord({
    body: message.body,
    groupId: message.groupId,
    deduplicationId: message.deduplicationId,
    ...(messageId ? { messageId } : {}),
  });
};

describe("advance handler: findings", () => {
  it("opens an incident for a queued finding and counts it", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const finding = firstFindingOf(GUARDDUTY_EVENT);

    // Act
    const response = await handler(makeSqsEvent([recordFor(finding)]), makeContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const incident = await store.findOpenIncident(finding.correlationKey);
    expect(incident).toMatchObject({
      id: "IR-0001",
      version: 1,
      open: true,
      correlationKey: finding.correlationKey,
    });
    expect((await store.findingsOf("IR-0001")).map((f) => f.identity)).toEqual([finding.identity]);
    expect((await store.commandsOf("IR-0001")).length).toBeGreaterThan(0);
    expect(recorded.total("IncidentsOpened")).toBe(1);
  });

  it("suppresses a re-delivered finding: no new incident, no new version, counted as a duplicate", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const finding = firstFindingOf(GUARDDUTY_EVENT);
    await handler(makeSqsEvent([recordFor(finding)]));

    // Act
    const response = await handler(makeSqsEvent([recordFor(finding)]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((await store.getIncident("IR-0001"))?.version).toBe(1);
    expect(await store.getIncident("IR-0002")).toBeUndefined();
    expect(recorded.total("IncidentsOpened")).toBe(1);
    expect(recorded.total("DuplicateSuppressed")).toBe(1);
  });

  it("quarantines a poison message with its reason and lets the rest of the batch through", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const finding = firstFindingOf(GUARDDUTY_EVENT);
    const poison = makeSqsRecord({ body: "{not json", messageId: "poison-1", groupId: "g-poison" });
    const wrongShape = makeSqsRecord({ body: JSON.stringify({ kind: "finding", finding: { id: 1 } }) });

    // Act
    const response = await handler(makeSqsEvent([poison, wrongShape, recordFor(finding)]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const kept = await quarantine.list(10);
    expect(kept.map((k) => [k.id, k.channel, k.error.code]).sort()).toEqual(
      [
        ["sqs:poison-1", "sqs", "invalid_json"],
        [`sqs:${wrongShape.messageId}`, "sqs", "invalid_shape"],
      ].sort(),
    );
    expect(kept.find((k) => k.id === "sqs:poison-1")?.raw).toBe("{not json");
    expect(await store.findOpenIncident(finding.correlationKey)).toBeDefined();
    expect(recorded.total("InputQuarantined")).toBe(2);
  });

  it("fails a record that errors and the later records of its group, and only those", async () => {
    // Prepare
    const failing = firstFindingOf(GUARDDUTY_EVENT);
    const healthy = firstFindingOf(SIGNIN_EVENT);
    const flaky: IncidentStore = new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== "getFinding") return typeof value === "function" ? value.bind(target) : value;
        return async (identity: string) => {
          if (identity === failing.identity) throw new Error("ProvisionedThroughputExceededException");
          return target.getFinding(identity);
        };
      },
    });
    const { handler, recorded } = setup({ store: flaky });
    const a1 = recordFor(failing, "a1");
    const b1 = recordFor(healthy, "b1");
    const a2 = recordFor({ ...failing, count: failing.count + 1 }, "a2");

    // Act
    const response = await handler(makeSqsEvent([a1, b1, a2]));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "a1" }, { itemIdentifier: "a2" }]);
    expect(await store.findOpenIncident(healthy.correlationKey)).toBeDefined();
    expect(await store.findOpenIncident(failing.correlationKey)).toBeUndefined();
    expect(await quarantine.list(10)).toEqual([]);
    const errors = recorded.lines().filter((l) => l.level === "ERROR");
    expect(errors.map((l) => [l.messageId, l.errorMessage])).toEqual([
      ["a1", "ProvisionedThroughputExceededException"],
    ]);
  });
});

describe("advance handler: responder actions and incident events", () => {
  async function openIncident() {
    const { handler } = setup();
    await handler(makeSqsEvent([recordFor(firstFindingOf(GUARDDUTY_EVENT))]));
    return "IR-0001";
  }

  const actionRecord = (incidentId: string, action: object, messageId?: string) => {
    const message = incidentMessage({
      kind: "responder-action",
      incidentId,
      action: action as never,
      actor: "U_ALICE",
      at: CLICKED_AT,
    });
    return makeSqsRecord({
      body: message.body,
      groupId: message.groupId,
      ...(messageId ? { messageId } : {}),
    });
  };

  it("applies a queued acknowledgement at the time the person clicked, as that person", async () => {
    // Prepare
    const incidentId = await openIncident();
    const { handler, recorded } = setup();

    // Act
    const response = await handler(makeSqsEvent([actionRecord(incidentId, { type: "acknowledge" })]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const acked = (await store.timeline(incidentId)).filter((t) => t.kind === "incident.acknowledged");
    expect(acked).toMatchObject([{ actor: "U_ALICE", at: CLICKED_AT }]);
    expect((await store.getIncident(incidentId))?.version).toBe(2);
    const line = recorded.lines().find((l) => l.message === "responder action applied");
    expect(line).toMatchObject({ correlation_id: incidentId, action: "acknowledge", status: "changed" });
  });

  it("acknowledges an action on an unknown incident without failing or retrying it", async () => {
    // Prepare
    const { handler, recorded } = setup();

    // Act
    const response = await handler(makeSqsEvent([actionRecord("IR-9999", { type: "acknowledge" })]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(recorded.lines().find((l) => l.message === "responder action applied")).toMatchObject({
      status: "not-found",
    });
  });

  it("quarantines an action the workflow cannot take as asked (a note without text)", async () => {
    // Prepare
    const incidentId = await openIncident();
    const { handler } = setup();
    const record = actionRecord(incidentId, { type: "note", note: "   " }, "note-1");

    // Act
    const response = await handler(makeSqsEvent([record]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await quarantine.list(10)).toMatchObject([
      { id: "sqs:note-1", error: { code: "missing_field", path: "$.note" } },
    ]);
    expect((await store.getIncident(incidentId))?.version).toBe(1);
  });

  it("applies an incident event sent by another system", async () => {
    // Prepare
    const incidentId = await openIncident();
    const { handler } = setup();
    const message = incidentMessage({
      kind: "incident-event",
      incidentId,
      event: { type: "note.added", at: CLICKED_AT, actor: "soar-playbook", text: "ticket SEC-42 opened" },
    });

    // Act
    const response = await handler(
      makeSqsEvent([makeSqsRecord({ body: message.body, groupId: message.groupId })]),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const notes = (await store.timeline(incidentId)).filter((t) => t.kind === "note.added");
    expect(notes).toMatchObject([{ actor: "soar-playbook", text: "ticket SEC-42 opened" }]);
  });
});
