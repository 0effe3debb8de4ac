/**
 * GET /metrics: Prometheus text with counters from this process and gauges from the store — incidents by
 * phase, SLA breaches, inbox and outbox depth — plus the response metrics (MTTA, phase durations, SLA
 * compliance, breaches per week) from core/metrics over the newest incidents, kept current between scrapes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toPrometheus } from "../../../core/metrics/prometheus";
import { responseMetrics } from "../../../core/metrics/response-metrics";
import { createMetricsRenderer } from "../../../server/http/metrics";
import { makeTestRuntime, postAction, postEvents, type TestRuntime } from "../support/test-runtime";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

/** The value of one sample line, e.g. `ir_incidents{phase="detect"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const scrape = async (t: TestRuntime) => {
  const response = await t.app.request("/metrics");
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe("GET /metrics", () => {
  let t: TestRuntime;
  beforeEach(() => {
    t = makeTestRuntime();
  });
  afterEach(() => t.close());

  it("counts events accepted and refused, and shows queue depths before the worker runs", async () => {
    // Prepare
    await postEvents(t, [makeTorRelayEvent(1), makeTorRelayEvent(2), 7]);
    await postEvents(t, "nope");
    // Act
    const text = await scrape(t);
    // Assess
    expect(sample(text, "ir_events_accepted_total")).toBe(2);
    expect(sample(text, 'ir_events_rejected_total{reason="wrong_type"}')).toBe(1);
    expect(sample(text, 'ir_events_rejected_total{reason="invalid_json"}')).toBe(1);
    expect(sample(text, 'ir_requests_rejected_total{status="400"}')).toBe(1);
    expect(sample(text, "ir_inbox_depth")).toBe(2);
    expect(sample(text, "ir_outbox_pending")).toBe(0);
    expect(text).toContain("# TYPE ir_events_accepted_total counter");
  });

  it("shows incidents by phase, outbox depth after ingest, and nothing pending once dispatched", async () => {
    // Prepare
    await postEvents(t, [makeTorRelayEvent(1), makeTorRelayEvent(2)]);
    await t.rt.scheduler.runUntilIdle();
    // Act
    const text = await scrape(t);
    // Assess
    expect(sample(text, 'ir_incidents{phase="detect"}')).toBe(2);
    expect(sample(text, 'ir_incidents{phase="closed"}')).toBe(0);
    expect(sample(text, "ir_incidents_open")).toBe(2);
    expect(sample(text, 'ir_incidents_open_by_severity{severity="HIGH"}')).toBe(2);
    expect(sample(text, "ir_inbox_depth")).toBe(0);
    expect(sample(text, "ir_outbox_pending")).toBe(0);
    expect(sample(text, 'ir_commands_dispatched_total{outcome="succeeded"}')).toBeGreaterThan(0);
  });

  it("computes MTTA from acknowledgement times, and counts breached clocks", async () => {
    // Prepare: incident 1 acknowledged after 4 min, incident 2 after 10 min; incident 3 never, and breached.
    await postEvents(t, [makeTorRelayEvent(1), makeTorRelayEvent(2), makeTorRelayEvent(3)]);
    await t.rt.scheduler.runUntilIdle();
    t.clock.advance(4);
    await postAction(t, "IR-0001", { type: "acknowledge" });
    t.clock.advance(6);
    await postAction(t, "IR-0002", { type: "acknowledge" });
    t.clock.advance(10); // T0 + 20 min: incident 3's 15-minute detect clock has breached
    await t.rt.scheduler.runUntilIdle();
    // Act
    const text = await scrape(t);
    // Assess
    expect(sample(text, "ir_incidents_acknowledged")).toBe(2);
    expect(sample(text, "ir_mtta_seconds")).toBe(((4 + 10) * 60) / 2);
    expect(sample(text, "ir_sla_breaches")).toBe(1);
    expect(sample(text, "ir_sla_breaches_running")).toBe(1);
    expect(sample(text, 'ir_incidents{phase="assess"}')).toBe(2);
  });

  it("leaves MTTA out while nothing has been acknowledged", async () => {
    // Act
    const text = await scrape(t);
    // Assess
    expect(sample(text, "ir_mtta_seconds")).toBeUndefined();
    expect(sample(text, "ir_incidents_acknowledged")).toBe(0);
  });

  it("takes the response metrics from core/metrics, once each: phase durations, SLA compliance, weekly breaches", async () => {
    // Prepare: as above — two acknowledged after 4 and 10 minutes, the third breached in detect.
    await postEvents(t, [makeTorRelayEvent(1), makeTorRelayEvent(2), makeTorRelayEvent(3)]);
    await t.rt.scheduler.runUntilIdle();
    t.clock.advance(4);
    await postAction(t, "IR-0001", { type: "acknowledge" });
    t.clock.advance(6);
    await postAction(t, "IR-0002", { type: "acknowledge" });
    t.clock.advance(10);
    await t.rt.scheduler.runUntilIdle();
    const incidents = await t.rt.deps.store.listIncidents({});
    const histories = await Promise.all(
      incidents.map(async (incident) => ({
        incident,
        timeline: await t.rt.deps.store.timeline(incident.id),
      })),
    );
    // Act
    const text = await scrape(t);
    // Assess
    expect(sample(text, 'ir_phase_duration_seconds{phase="detect"}')).toBe(((4 + 10) * 60) / 2);
    expect(sample(text, 'ir_sla_compliance_ratio{phase="detect",severity="HIGH"}')).toBeCloseTo(2 / 3);
    expect(sample(text, 'ir_breaches_total{week="2024-W18"}')).toBe(1);
    expect(sample(text, "ir_response_metrics_incidents")).toBe(3);
    expect(text.endsWith(toPrometheus(responseMetrics(histories)))).toBe(true);
    expect(text.match(/^# TYPE ir_mtta_seconds /gm)).toHaveLength(1);
  });

  it("stays current between scrapes: a change to an incident shows on the next scrape", async () => {
    // Prepare
    await postEvents(t, [makeTorRelayEvent(1)]);
    await t.rt.scheduler.runUntilIdle();
    const before = await scrape(t);
    t.clock.advance(3);
    await postAction(t, "IR-0001", { type: "acknowledge" });
    // Act
    const after = await scrape(t);
    // Assess
    expect(sample(before, "ir_mtta_seconds")).toBeUndefined();
    expect(sample(after, "ir_mtta_seconds")).toBe(180);
    expect(sample(after, 'ir_incidents{phase="assess"}')).toBe(1);
  });

  it("computes the response metrics over the newest incidents only, while counting all by phase", async () => {
    // Prepare: IR-0001 acknowledged after 2 min; IR-0002, newer, never.
    await postEvents(t, [makeTorRelayEvent(1)]);
    await t.rt.scheduler.runUntilIdle();
    t.clock.advance(1);
    await postEvents(t, [makeTorRelayEvent(2)]);
    await t.rt.scheduler.runUntilIdle();
    t.clock.advance(1);
    await postAction(t, "IR-0001", { type: "acknowledge" });
    const render = createMetricsRenderer(t.rt, { responseWindow: 1 });
    // Act
    const text = await render();
    // Assess
    expect(sample(text, "ir_incidents_open")).toBe(2);
    expect(sample(text, "ir_response_metrics_incidents")).toBe(1);
    expect(sample(text, "ir_incidents_acknowledged")).toBe(0);
    expect(sample(text, "ir_mtta_seconds")).toBeUndefined();
  });
});
