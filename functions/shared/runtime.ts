/**
 * What every function wires the same way: the wall clock, incident ids, the DynamoDB store and quarantine,
 * and a store that turns committed facts into metrics.
 *
 * Metrics are read from what is COMMITTED, not from what a use-case meant to do: a commit that lost a
 * version race and was re-applied counts once, and every path (ingest, responder action, sweep, command
 * result) is covered by the one place that sees them all.
 */
import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbIncidentStore } from "../../adapters/dynamodb/incident-store";
import { DynamoDbQuarantine } from "../../adapters/dynamodb/quarantine";
import { SERVICE_METRICS } from "../../core/contracts/service-metrics";
import { ACTIVE_PHASES } from "../../core/incident/phases";
import type { Clock } from "../../core/ports/clock";
import type { IdGenerator } from "../../core/ports/id-generator";
import type { Commit, IncidentStore, JsonValue } from "../../core/ports/incident-store";
import type { Telemetry } from "./observability";

export const wallClock: Clock = { now: () => new Date().toISOString() };

/** `IR-<yyyymmdd>-<8 hex>`: sortable by opening day; a collision is a version conflict and ingest retries. */
export const randomIncidentIds = (random: (bytes: number) => Buffer = randomBytes): IdGenerator => ({
  incidentId(at: string): string {
    const day = at.slice(0, 10).replaceAll("-", "");
    return `IR-${/^\d{8}$/.test(day) ? day : "00000000"}-${random(4).toString("hex")}`;
  },
});

export const dynamoStore = (client: DynamoDBClient, tableName: string) =>
  new DynamoDbIncidentStore({ client, tableName });

export const dynamoQuarantine = (client: DynamoDBClient, tableName: string, retentionDays?: number) =>
  new DynamoDbQuarantine({ client, tableName, ...(retentionDays ? { retentionDays } : {}) });

const secondsSince = (start: string, end: string): number | undefined => {
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
};

const dataField = (data: JsonValue | undefined, key: string): string | undefined => {
  const value = typeof data === "object" && data !== null && !Array.isArray(data) ? data[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

/**
 * The metrics one landed commit stands for (timeline kinds are written by workflows/incident; times are
 * measured from T0, the incident's opening, as the SLA clocks are). Dimensioned series are the
 * dashboard's (core/contracts/service-metrics.ts).
 */
export function recordCommitMetrics(commit: Commit, telemetry: Telemetry): void {
  const { incident } = commit;
  const severity = { [SERVICE_METRICS.incidentsOpened.dimension]: incident.severity };
  if (commit.expectedVersion === 0) telemetry.metric("IncidentsOpened", 1, severity);
  for (const entry of commit.timeline) {
    const sinceT0 = secondsSince(incident.openedAt, entry.at);
    switch (entry.kind) {
      case "sla.warning":
        telemetry.metric("SlaWarned");
        break;
      case "sla.breached":
        telemetry.metric("SlaBreached");
        telemetry.metric(SERVICE_METRICS.slaBreaches.name, 1, {
          [SERVICE_METRICS.slaBreaches.dimension]: dataField(entry.data, "clock") ?? "unknown",
        });
        break;
      case "containment.isolated":
        if (sinceT0 !== undefined) telemetry.metric("ContainmentSeconds", sinceT0);
        break;
      case "incident.acknowledged":
        if (sinceT0 !== undefined)
          telemetry.metric(SERVICE_METRICS.timeToAcknowledge.name, sinceT0, severity);
        break;
      case "phase.entered":
        if (sinceT0 !== undefined && dataField(entry.data, "phase") === "postmortem") {
          telemetry.metric(SERVICE_METRICS.timeToRecover.name, sinceT0, severity);
        }
        break;
    }
  }
}

/** Most open incidents counted for the OpenIncidents gauge (one listing of the open index per sweep). */
export const OPEN_INCIDENTS_LIMIT = 10_000;

/** The OpenIncidents gauge: open incidents per active phase, 0 included so graphs fall back to zero. */
export async function recordOpenIncidents(store: IncidentStore, telemetry: Telemetry): Promise<void> {
  const open = await store.listIncidents({ open: true, limit: OPEN_INCIDENTS_LIMIT });
  for (const phase of ACTIVE_PHASES) {
    const count = open.filter((incident) => incident.phase === phase).length;
    telemetry.metric(SERVICE_METRICS.openIncidents.name, count, {
      [SERVICE_METRICS.openIncidents.dimension]: phase,
    });
  }
}

/** `store` with every successful commit reported to `telemetry`; everything else passes through. */
export function observedStore(store: IncidentStore, telemetry: Telemetry): IncidentStore {
  const commit = async (value: Commit) => {
    await store.commit(value);
    recordCommitMetrics(value, telemetry);
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "commit") return commit;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
