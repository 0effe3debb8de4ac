/**
 * Local routing, the stand-in for EventBridge rules: matched envelopes and bare documents are ingested,
 * envelopes no rule matches are refused as unmatched, the rest is an error — and no input makes it throw.
 * Our own lifecycle events coming back (source = the service name) are accepted and ignored, end to end.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findingSchema } from "../../../core/findings/finding";
import { LIFECYCLE_DETAIL_TYPES } from "../../../core/incident/commands";
import { DEFAULT_NORMALIZE_OPTIONS } from "../../../core/normalize";
import { routeInput } from "../../../server/runtime/route-events";
import { bodyOf, makeTestRuntime, postEvents } from "../support/test-runtime";
import { makePutEvents, makeTorRelayEvent, makeTorRelayFinding } from "../support/tor-relay.factory";

/** A lifecycle event as our incident publisher puts it on the bus (source = the service name). */
const makeLifecycleEvent = (overrides: Record<string, unknown> = {}) => ({
  version: "0",
  id: "5f3c1d8e-0000-4000-8000-000000000001",
  "detail-type": "Incident Opened",
  source: "incident-response",
  account: "111111111111",
  time: "2024-05-01T10:00:05Z",
  region: "eu-west-2",
  resources: [],
  detail: {
    incidentId: "IR-0001",
    title: "t",
    severity: "HIGH",
    phase: "detect",
    at: "2024-05-01T10:00:05Z",
  },
  ...overrides,
});

const route = (body: unknown) =>
  routeInput(typeof body === "string" ? body : JSON.stringify(body), {
    rawRef: "inbox-1",
    normalize: DEFAULT_NORMALIZE_OPTIONS,
  });

describe("routeInput", () => {
  it("gives each event its verdict and the rules it matched", () => {
    // Prepare
    const low = makeTorRelayEvent(2, { detail: { ...makeTorRelayFinding(2), severity: 1 } });
    // Act
    const routed = route([makeTorRelayEvent(1), low, makeTorRelayFinding(3), "x"]);
    // Assess
    expect(routed.map((r) => [r.input, r.verdict, r.rules])).toEqual([
      ["$[0]", "ingest", ["guardduty-findings"]],
      ["$[1]", "unmatched", []],
      ["$[2]", "ingest", []],
      ["$[3]", "error", []],
    ]);
    expect(routed[1]?.error).toMatchObject({ code: "unmatched", path: "$[1]" });
  });

  it("routes PutEvents entries by the envelope EventBridge would build", () => {
    // Act
    const routed = route(makePutEvents([makeTorRelayFinding(1), { ...makeTorRelayFinding(2), severity: 2 }]));
    // Assess
    expect(routed.map((r) => r.verdict)).toEqual(["ingest", "unmatched"]);
  });

  it("accepts and ignores our own lifecycle events, of every detail-type, only when they carry our source", () => {
    // Prepare
    const ours = LIFECYCLE_DETAIL_TYPES.map((type) => makeLifecycleEvent({ "detail-type": type }));
    const body = JSON.stringify([...ours, makeLifecycleEvent({ source: "someone-else" })]);
    // Act
    const routed = routeInput(body, {
      rawRef: "inbox-1",
      normalize: DEFAULT_NORMALIZE_OPTIONS,
      ownSource: "incident-response",
    });
    const withoutOwnSource = route(ours[0]);
    // Assess
    expect(routed.slice(0, -1).every((r) => r.verdict === "ingest" && r.findings.length === 0)).toBe(true);
    expect(routed.slice(0, -1).every((r) => r.ignored === "our own lifecycle event")).toBe(true);
    expect(routed.at(-1)).toMatchObject({ verdict: "error", error: { code: "unknown_event" } });
    expect(withoutOwnSource[0]).toMatchObject({ verdict: "error", error: { code: "unknown_event" } });
  });

  it("answers our own lifecycle event posted to the runtime as accepted, and neither quarantines it nor opens an incident", async () => {
    // Prepare
    const t = makeTestRuntime({ config: { serviceName: "acme-ir" } });
    try {
      // Act
      const response = await postEvents(t, makeLifecycleEvent({ source: "acme-ir" }));
      await t.rt.scheduler.runUntilIdle();
      // Assess
      expect(response.status).toBe(202);
      expect((await bodyOf(response)).results).toEqual([
        { accepted: true, id: expect.stringMatching(/#\$$/), findings: 0 },
      ]);
      expect(await t.rt.deps.quarantine.list(10)).toEqual([]);
      expect(await t.rt.deps.store.listIncidents({})).toEqual([]);
      expect(t.rt.counters.eventsAccepted).toBe(1);
    } finally {
      await t.close();
    }
  });

  it("never throws; errors and unmatched carry an error, ingested events valid findings", () => {
    const arbitraryEvent = fc.record({
      "detail-type": fc.oneof(fc.constant("GuardDuty Finding"), fc.string()),
      source: fc.oneof(fc.constant("aws.guardduty"), fc.string()),
      detail: fc.oneof(fc.constant(makeTorRelayFinding(1)), fc.jsonValue()),
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.jsonValue(), arbitraryEvent, fc.array(arbitraryEvent)),
        (input) => {
          // Act
          const routed = route(input);
          // Assess
          for (const r of routed) {
            expect(r.verdict === "ingest").toBe(r.error === null);
            if (r.verdict !== "ingest") expect(r.findings).toEqual([]);
            for (const finding of r.findings) expect(findingSchema.safeParse(finding).success).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
