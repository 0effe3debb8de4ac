/**
 * GET /metrics in the Prometheus text format (version 0.0.4), in two parts:
 * - the runtime's own: counters from this process (events accepted / refused, requests refused, inbox
 *   batches, commands dispatched, sweeps) and gauges read from the store at scrape time (incidents by
 *   phase and severity, SLA clocks warned / breached, inbox and outbox depth);
 * - the response metrics (MTTA, MTTC, MTTR, phase durations, SLA compliance, breaches per week), which
 *   are core/metrics `responseMetrics` + `toPrometheus` over the newest RESPONSE_WINDOW incidents — the
 *   same definitions the AWS runtime and postmortems use, never recomputed here.
 *
 * Bounded work: one listIncidents of at most SCAN_LIMIT rows per scrape (this is the single-machine
 * runtime; past that, use the AWS one). What is derived per incident (its snapshot's clocks, its
 * timeline) is remembered by incident version — every timeline entry lands in a commit that bumps the
 * version — so a scrape re-reads only the incidents that changed since the last one. The memory holds
 * only incidents of the latest scan.
 */

import { SEVERITY_LABELS } from "../../core/findings/severity";
import { INCIDENT_PHASES } from "../../core/incident/phases";
import { toPrometheus } from "../../core/metrics/prometheus";
import { type IncidentHistory, responseMetrics } from "../../core/metrics/response-metrics";
import type { IncidentRecord } from "../../core/ports/incident-store";
import { restoreSnapshot } from "../../workflows/incident/snapshot";
import type { Runtime } from "../runtime/runtime";

export const SCAN_LIMIT = 10_000;
/** The newest incidents whose timelines feed the response metrics. */
export const RESPONSE_WINDOW = 1_000;
const OUTBOX_LIMIT = 100_000;

type Labels = Record<string, string | number>;

const escapeLabel = (value: string | number) =>
  String(value).replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: "counter" | "gauge", help: string, samples: Array<[Labels, number]>): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const entries = Object.entries(labels);
      const rendered = entries.length
        ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`
        : "";
      this.lines.push(`${name}${rendered} ${Number.isFinite(value) ? value : "NaN"}`);
    }
    return this;
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

interface ClockCounts {
  warnings: number;
  breaches: number;
  runningBreached: number;
}

/** What one incident version contributes; `history` is read only for incidents in the response window. */
interface Remembered {
  version: number;
  clocks: ClockCounts;
  history?: IncidentHistory;
}

function clockCounts(incident: IncidentRecord): ClockCounts {
  const counts = { warnings: 0, breaches: 0, runningBreached: 0 };
  let clocks: ReturnType<typeof restoreSnapshot>["state"]["context"]["clocks"];
  try {
    clocks = restoreSnapshot(incident.snapshot).state.context.clocks;
  } catch {
    return counts; // an unreadable snapshot counts no clocks; the incident still counts by phase
  }
  for (const clock of clocks) {
    if (clock.warnedAt !== null) counts.warnings++;
    if (clock.breachedAt !== null) {
      counts.breaches++;
      if (clock.stoppedAt === null) counts.runningBreached++;
    }
  }
  return counts;
}

const entries = <K extends string | number>(map: Map<K, number>, label: string): Array<[Labels, number]> =>
  [...map.entries()].map(([key, value]) => [{ [label]: key }, value]);

export interface MetricsOptions {
  scanLimit?: number;
  responseWindow?: number;
}

/** A /metrics renderer for one runtime; it remembers per-incident work between scrapes. */
export function createMetricsRenderer(rt: Runtime, options: MetricsOptions = {}): () => Promise<string> {
  const scanLimit = options.scanLimit ?? SCAN_LIMIT;
  const responseWindow = options.responseWindow ?? RESPONSE_WINDOW;
  let memory = new Map<string, Remembered>();

  async function remember(incident: IncidentRecord, inWindow: boolean): Promise<Remembered> {
    const known = memory.get(incident.id);
    const fresh = known?.version === incident.version ? known : undefined;
    const clocks = fresh?.clocks ?? clockCounts(incident);
    if (!inWindow) return { version: incident.version, clocks };
    const history = fresh?.history ?? {
      incident: { id: incident.id, severity: incident.severity },
      timeline: await rt.deps.store.timeline(incident.id),
    };
    return { version: incident.version, clocks, history };
  }

  return async () => {
    const c = rt.counters;
    // Newest first (the store's order), so the window is the most recent incidents.
    const incidents = await rt.deps.store.listIncidents({ limit: scanLimit });
    const next = new Map<string, Remembered>();
    const byPhase = new Map<string, number>(INCIDENT_PHASES.map((phase) => [phase, 0]));
    const bySeverity = new Map<string, number>(SEVERITY_LABELS.map((label) => [label, 0]));
    const histories: IncidentHistory[] = [];
    let open = 0;
    const clocks: ClockCounts = { warnings: 0, breaches: 0, runningBreached: 0 };
    for (const [i, incident] of incidents.entries()) {
      const remembered = await remember(incident, i < responseWindow);
      next.set(incident.id, remembered);
      byPhase.set(incident.phase, (byPhase.get(incident.phase) ?? 0) + 1);
      if (incident.open) {
        open++;
        bySeverity.set(incident.severity, (bySeverity.get(incident.severity) ?? 0) + 1);
      }
      clocks.warnings += remembered.clocks.warnings;
      clocks.breaches += remembered.clocks.breaches;
      clocks.runningBreached += remembered.clocks.runningBreached;
      if (remembered.history) histories.push(remembered.history);
    }
    memory = next;
    const response = responseMetrics(histories);
    const outbox = (await rt.deps.store.pendingCommands(OUTBOX_LIMIT)).length;

    const runtime = new Exposition()
      .metric("ir_events_accepted_total", "counter", "Events accepted by POST /events for ingest.", [
        [{}, c.eventsAccepted],
      ])
      .metric(
        "ir_events_rejected_total",
        "counter",
        "Events refused by POST /events (and quarantined), by reason: input error code or unmatched.",
        entries(c.eventsRejected, "reason"),
      )
      .metric(
        "ir_requests_rejected_total",
        "counter",
        "Whole POST /events requests refused, by HTTP status.",
        entries(c.requestsRejected, "status"),
      )
      .metric("ir_inbox_batches_total", "counter", "Inbox batches ingested as one group commit.", [
        [{}, c.inboxBatches],
      ])
      .metric(
        "ir_inbox_batch_failures_total",
        "counter",
        "Inbox batches that failed and were retried body by body.",
        [[{}, c.inboxBatchFailures]],
      )
      .metric("ir_inbox_items_ingested_total", "counter", "Inbox bodies ingested.", [
        [{}, c.inboxItemsIngested],
      ])
      .metric(
        "ir_inbox_items_given_up_total",
        "counter",
        "Inbox bodies moved to quarantine after repeated failures.",
        [[{}, c.inboxItemsGivenUp]],
      )
      .metric(
        "ir_commands_dispatched_total",
        "counter",
        "Outbox command dispatches, by outcome.",
        entries(c.commands, "outcome"),
      )
      .metric("ir_sweeps_total", "counter", "SLA sweeps run.", [[{}, c.sweeps]])
      .metric("ir_inbox_depth", "gauge", "POST /events bodies stored and not yet ingested.", [
        [{}, rt.inbox.depth()],
      ])
      .metric("ir_outbox_pending", "gauge", "Outbox commands waiting to be dispatched.", [[{}, outbox]])
      .metric("ir_incidents", "gauge", "Incidents by phase (open and closed).", entries(byPhase, "phase"))
      .metric("ir_incidents_open", "gauge", "Open incidents.", [[{}, open]])
      .metric(
        "ir_incidents_open_by_severity",
        "gauge",
        "Open incidents by severity.",
        entries(bySeverity, "severity"),
      )
      .metric(
        "ir_sla_warnings",
        "gauge",
        "SLA clocks that have warned (80 % of budget spent), all incidents.",
        [[{}, clocks.warnings]],
      )
      .metric("ir_sla_breaches", "gauge", "SLA clocks that have breached, all incidents.", [
        [{}, clocks.breaches],
      ])
      .metric("ir_sla_breaches_running", "gauge", "Breached SLA clocks still running (escalating).", [
        [{}, clocks.runningBreached],
      ])
      .metric(
        "ir_response_metrics_incidents",
        "gauge",
        "Incidents the response metrics (MTTA, MTTC, MTTR…) are computed over: the newest ones.",
        [[{}, response.incidents]],
      )
      .metric("ir_incidents_acknowledged", "gauge", "Incidents acknowledged (the MTTA sample size).", [
        [{}, response.mtta.count],
      ]);
    return runtime.text() + toPrometheus(response);
  };
}
