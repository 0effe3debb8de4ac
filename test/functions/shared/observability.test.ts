/**
 * Observability: the metric vocabulary as CloudWatch EMF (Powertools Metrics), the incident id as the
 * correlation id of the lines written while working on it (and only those), metrics derived from what a
 * commit actually holds, and incident ids of the documented shape.
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it, vi } from "vitest";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { createTelemetry, METRIC_UNITS } from "../../../functions/shared/observability";
import {
  OPEN_INCIDENTS_LIMIT,
  randomIncidentIds,
  recordCommitMetrics,
  recordOpenIncidents,
} from "../../../functions/shared/runtime";
import { makeCommit, makeIncidentRecord, makeTimelineEntry } from "../../support/incident-record.factory";
import { recordingTelemetry } from "../support/recording-telemetry";

function captured() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, console: new Console({ stdout: sink, stderr: sink }) };
}

describe("telemetry", () => {
  it("emits the invocation's metrics as one EMF document with the documented names and units", () => {
    // Prepare
    const out = captured();
    const metrics = new Metrics({ namespace: "IncidentResponse", serviceName: "advance" });
    (metrics as unknown as { console: Console }).console = out.console;
    const telemetry = createTelemetry({
      serviceName: "advance",
      metrics,
      logger: new Logger({ logLevel: "SILENT" }),
    });

    // Act
    telemetry.metric("IncidentsOpened");
    telemetry.metric("IncidentsOpened");
    telemetry.metric("ContainmentSeconds", 125);
    telemetry.flush();
    telemetry.flush();

    // Assess
    expect(out.lines).toHaveLength(1);
    const emf = JSON.parse(out.lines[0]!);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "IncidentResponse",
      Metrics: expect.arrayContaining([
        { Name: "IncidentsOpened", Unit: "Count" },
        { Name: "ContainmentSeconds", Unit: "Seconds" },
      ]),
    });
    expect(emf.IncidentsOpened).toEqual([1, 1]);
    expect(emf.ContainmentSeconds).toBe(125);
    expect(Object.keys(METRIC_UNITS).sort()).toEqual(
      [
        "ContainmentSeconds",
        "DuplicateSuppressed",
        "IncidentsOpened",
        "InputQuarantined",
        "OpenIncidents",
        "SlaBreached",
        "SlaBreaches",
        "SlaWarned",
        "SlackRateLimited",
        "TimeToAcknowledge",
        "TimeToRecover",
      ].sort(),
    );
  });

  it("writes a dimensioned metric as its own EMF document at once, leaving the invocation's document alone", () => {
    // Prepare
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: "incident-response", serviceName: "advance" });
    const telemetry = createTelemetry({
      serviceName: "advance",
      metrics,
      logger: new Logger({ logLevel: "SILENT" }),
    });

    // Act
    telemetry.metric("IncidentsOpened", 1, { severity: "CRITICAL" });
    write.mockRestore();

    // Assess
    const emf = JSON.parse(written.join("").trim());
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "incident-response",
      Dimensions: [expect.arrayContaining(["service", "severity"])],
      Metrics: [{ Name: "IncidentsOpened", Unit: "Count" }],
    });
    expect(emf).toMatchObject({ severity: "CRITICAL", IncidentsOpened: 1 });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it("tags lines with the incident id only while working on that incident", async () => {
    // Prepare
    const { telemetry, lines } = recordingTelemetry();

    // Act
    telemetry.logger.info("before");
    await telemetry.withIncident("IR-0001", async () => {
      telemetry.logger.info("inside");
      await telemetry.withIncident("IR-0002", async () => telemetry.logger.info("nested"));
      telemetry.logger.info("back");
    });
    await telemetry
      .withIncident("IR-0003", async () => {
        throw new Error("boom");
      })
      .catch(() => undefined);
    telemetry.logger.info("after");

    // Assess
    expect(lines().map((l) => [l.message, l.correlation_id])).toEqual([
      ["before", undefined],
      ["inside", "IR-0001"],
      ["nested", "IR-0002"],
      ["back", "IR-0001"],
      ["after", undefined],
    ]);
  });
});

describe("metrics from commits", () => {
  it("counts an opened incident, SLA warnings and breaches, and times from T0 to containment, ack and recovery", () => {
    // Prepare
    const recorded = recordingTelemetry();
    const incident = makeIncidentRecord({ openedAt: "2024-05-01T12:00:00.000Z", severity: "HIGH" });
    const commit = {
      ...makeCommit(incident.id),
      incident,
      expectedVersion: 0,
      timeline: [
        makeTimelineEntry({ kind: "sla.warning" }),
        makeTimelineEntry({ kind: "sla.breached", data: { clock: "detect", level: 0 } }),
        makeTimelineEntry({ kind: "incident.acknowledged", at: "2024-05-01T12:20:00.000Z" }),
        makeTimelineEntry({ kind: "containment.isolated", at: "2024-05-01T12:42:30.000Z" }),
        makeTimelineEntry({
          kind: "phase.entered",
          at: "2024-05-01T13:00:00.000Z",
          data: { phase: "eradicate" },
        }),
        makeTimelineEntry({
          kind: "phase.entered",
          at: "2024-05-01T15:00:00.000Z",
          data: { phase: "postmortem" },
        }),
        makeTimelineEntry({ kind: "note.added" }),
      ],
    };

    // Act
    recordCommitMetrics(commit, recorded.telemetry);
    recordCommitMetrics({ ...commit, expectedVersion: 3, timeline: [] }, recorded.telemetry);

    // Assess
    expect(recorded.metrics).toEqual([
      { name: "IncidentsOpened", value: 1, dimensions: { severity: "HIGH" } },
      { name: "SlaWarned", value: 1 },
      { name: "SlaBreached", value: 1 },
      { name: "SlaBreaches", value: 1, dimensions: { phase: "detect" } },
      { name: "TimeToAcknowledge", value: 1200, dimensions: { severity: "HIGH" } },
      { name: "ContainmentSeconds", value: 2550 },
      { name: "TimeToRecover", value: 10800, dimensions: { severity: "HIGH" } },
    ]);
  });

  it("counts open incidents per phase for the dashboard's gauge, zeros included", async () => {
    // Prepare
    const recorded = recordingTelemetry();
    const open = [
      makeIncidentRecord({ id: "IR-1", phase: "detect" }),
      makeIncidentRecord({ id: "IR-2", phase: "detect" }),
      makeIncidentRecord({ id: "IR-3", phase: "contain" }),
    ];
    const asked: unknown[] = [];
    const store = {
      listIncidents: async (filter: unknown) => {
        asked.push(filter);
        return open;
      },
    } as unknown as IncidentStore;

    // Act
    await recordOpenIncidents(store, recorded.telemetry);

    // Assess
    expect(asked).toEqual([{ open: true, limit: OPEN_INCIDENTS_LIMIT }]);
    expect(recorded.metrics.map((m) => [m.name, m.dimensions?.phase, m.value])).toEqual([
      ["OpenIncidents", "detect", 2],
      ["OpenIncidents", "assess", 0],
      ["OpenIncidents", "contain", 1],
      ["OpenIncidents", "eradicate", 0],
      ["OpenIncidents", "recover", 0],
      ["OpenIncidents", "postmortem", 0],
    ]);
  });
});

describe("incident ids", () => {
  it("are IR-<opening day>-<8 hex> from the random source", () => {
    // Prepare
    const ids = randomIncidentIds((n) => Buffer.alloc(n, 0xab));

    // Act / Assess
    expect(ids.incidentId("2024-05-01T12:00:00.000Z")).toBe("IR-20240501-abababab");
    expect(ids.incidentId("garbage")).toBe("IR-00000000-abababab");
  });
});
