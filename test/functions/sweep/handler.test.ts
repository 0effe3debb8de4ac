/**
 * The sweep function on dynalite: scheduled events drive app/sweep batch after batch until nothing is
 * due, bounded by maxBatches and the invocation's time left; SLA warnings and breaches it commits are
 * counted as SlaWarned / SlaBreached.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DynamoDbIncidentStore } from "../../../adapters/dynamodb/incident-store";
import { act } from "../../../app/act";
import { ingestFinding } from "../../../app/ingest";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import { observedStore } from "../../../functions/shared/runtime";
import { createSweepHandler, MIN_TIME_LEFT_MS } from "../../../functions/sweep/handler";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import { sequentialIds, TestClock } from "../../support/test-clock";
import { makeContext, makeScheduledEvent } from "../support/lambda-events.factory";
import { findingsOf, firstFindingOf, freshTable, GUARDDUTY_EVENT, SIGNIN_EVENT } from "../support/pipeline";
import { recordingTelemetry } from "../support/recording-telemetry";

const T0 = "2024-05-01T10:00:00.000Z";
const K8S_EVENT =
  "guardduty/eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json";

let dynalite: Dynalite;
let store: DynamoDbIncidentStore;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});
beforeEach(async () => {
  ({ store } = await freshTable(dynalite, T0));
});

const ids = sequentialIds();

async function open(fixture: string): Promise<string> {
  const deps = {
    store,
    quarantine: { put: async () => {}, list: async () => [] },
    clock: new TestClock(T0),
    ids,
    config: DEFAULT_RESPONSE_CONFIG,
  };
  const outcome = await ingestFinding(deps, firstFindingOf(fixture));
  if (!("incidentId" in outcome)) throw new Error(`${fixture} opened no incident`);
  return outcome.incidentId;
}

function setup(
  now: string,
  options: { batchSize?: number; maxBatches?: number; emit?: (line: string) => void } = {},
) {
  const recorded = recordingTelemetry();
  const handler = createSweepHandler({
    ...(options.emit ? { emit: options.emit } : {}),
    app: {
      store: observedStore(store, recorded.telemetry),
      clock: new TestClock(now),
      config: DEFAULT_RESPONSE_CONFIG,
    },
    batchSize: options.batchSize ?? 100,
    maxBatches: options.maxBatches ?? 20,
    telemetry: recorded.telemetry,
  });
  return { handler, recorded };
}

async function deadlineOf(id: string): Promise<string> {
  const deadline = (await store.getIncident(id))?.nextDeadline;
  if (!deadline) throw new Error(`incident ${id} has no running clock`);
  return deadline;
}

describe("sweep handler", () => {
  it("warns, then breaches, an unacknowledged incident's clock, counting each", async () => {
    // Prepare
    const id = await open(GUARDDUTY_EVENT);
    const warnAt = await deadlineOf(id);
    const warning = setup(warnAt);

    // Act
    const first = await warning.handler(makeScheduledEvent(warnAt), makeContext());
    const breachAt = await deadlineOf(id);
    const breach = setup(breachAt);
    const second = await breach.handler(makeScheduledEvent(breachAt), makeContext());

    // Assess
    expect(first).toEqual({ batches: 1, checked: 1, changed: 1, more: false });
    expect(warning.recorded.metrics.filter((m) => m.name === "OpenIncidents" && m.value > 0)).toEqual([
      { name: "OpenIncidents", value: 1, dimensions: { phase: "detect" } },
    ]);
    expect(second).toMatchObject({ checked: 1, changed: 1 });
    expect(warning.recorded.total("SlaWarned")).toBe(1);
    expect(warning.recorded.total("SlaBreached")).toBe(0);
    expect(breach.recorded.total("SlaBreached")).toBe(1);
    const kinds = (await store.timeline(id)).map((t) => t.kind);
    expect(kinds).toContain("sla.warning");
    expect(kinds).toContain("sla.breached");
  });

  it("emits the response metrics as EMF at the top of the hour, and only then", async () => {
    // Prepare: one incident acknowledged 5 min after T0 (MTTA 300 s).
    const id = await open(GUARDDUTY_EVENT);
    await act(
      { store, clock: new TestClock("2024-05-01T10:05:00.000Z"), config: DEFAULT_RESPONSE_CONFIG },
      id,
      { type: "acknowledge" },
      "U_ALICE",
    );
    const lines: string[] = [];
    const emit = (line: string) => lines.push(line);
    // Act
    await setup("2024-05-01T10:59:00.000Z", { emit }).handler(
      makeScheduledEvent("2024-05-01T10:59:00.000Z"),
      makeContext(),
    );
    const before = lines.length;
    await setup("2024-05-01T11:00:00.000Z", { emit }).handler(
      makeScheduledEvent("2024-05-01T11:00:00.000Z"),
      makeContext(),
    );
    // Assess
    expect(before).toBe(0);
    const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mtta = docs.find((d) => "MTTA" in d);
    expect(mtta).toMatchObject({ MTTA: 300 });
    expect(JSON.stringify(mtta)).toContain('"Namespace":"IncidentResponse"');
  });

  it("does nothing before anything is due", async () => {
    // Prepare
    const id = await open(GUARDDUTY_EVENT);
    const { handler, recorded } = setup(T0);
    const before = await store.getIncident(id);

    // Act
    const summary = await handler(makeScheduledEvent(T0));

    // Assess
    expect(summary).toEqual({ batches: 1, checked: 0, changed: 0, more: false });
    expect(await store.getIncident(id)).toEqual(before);
    expect(recorded.metrics.filter((m) => m.name !== "OpenIncidents")).toEqual([]);
  });

  it("sweeps batch after batch until nothing due is left", async () => {
    // Prepare
    const opened = [await open(GUARDDUTY_EVENT), await open(SIGNIN_EVENT), await open(K8S_EVENT)];
    expect(findingsOf(K8S_EVENT)).toHaveLength(1);
    const latest = (await Promise.all(opened.map(deadlineOf))).sort().at(-1)!;
    const { handler } = setup(latest, { batchSize: 1 });

    // Act
    const summary = await handler(makeScheduledEvent(latest), makeContext());

    // Assess
    expect(summary).toEqual({ batches: 4, checked: 3, changed: 3, more: false });
    for (const id of opened) expect((await store.getIncident(id))?.version).toBeGreaterThan(1);
  });

  it("stops after maxBatches and leaves the rest for the next minute", async () => {
    // Prepare
    const opened = [await open(GUARDDUTY_EVENT), await open(SIGNIN_EVENT), await open(K8S_EVENT)];
    const latest = (await Promise.all(opened.map(deadlineOf))).sort().at(-1)!;
    const { handler } = setup(latest, { batchSize: 1, maxBatches: 2 });

    // Act
    const summary = await handler(makeScheduledEvent(latest));

    // Assess
    expect(summary).toEqual({ batches: 2, checked: 2, changed: 2, more: true });
    const untouched = await Promise.all(opened.map(async (id) => (await store.getIncident(id))?.version));
    expect(untouched.filter((v) => v === 1)).toHaveLength(1);
  });

  it("starts no batch when the invocation is about to time out", async () => {
    // Prepare
    const id = await open(GUARDDUTY_EVENT);
    const due = await deadlineOf(id);
    const { handler } = setup(due);

    // Act
    const summary = await handler(
      makeScheduledEvent(due),
      makeContext({ remainingMs: () => MIN_TIME_LEFT_MS - 1 }),
    );

    // Assess
    expect(summary).toEqual({ batches: 0, checked: 0, changed: 0, more: true });
    expect((await store.getIncident(id))?.version).toBe(1);
  });
});
