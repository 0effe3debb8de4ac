/**
 * GET /metrics in the Prometheus text format (version 0.0.4): counters from this process (events
 * accepted / refused, requests refused, inbox batches, commands dispatched, sweeps) and gauges read from
 * the store at scrape time (incidents by phase and severity, SLA warnings and breaches, inbox and outbox
 * depth, mean time to acknowledge).
 *
 * MTTA is the mean, over acknowledged incidents, of acknowledgement time minus T0 (the time the first
 * finding was received) — the same instants the timeline records. Gauges scan at most SCAN_LIMIT
 * incidents: this is the single-machine runtime; past that, use the AWS one.
 */

import { SEVERITY_LABELS } from "../../core/findings/severity";
import { INCIDENT_PHASES } from "../../core/incident/phases";
import { restoreSnapshot } from "../../workflows/incident/snapshot";
import type { Runtime } from "../runtime/runtime";

export const SCAN_LIMIT = 10_000;
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

interface IncidentGauges {
  byPhase: Map<string, number>;
  bySeverity: Map<string, number>;
  open: number;
  warnings: number;
  breaches: number;
  runningBreached: number;
  acknowledged: number;
  mttaSeconds: number | null;
}

async function incidentGauges(rt: Runtime): Promise<IncidentGauges> {
  const incidents = await rt.deps.store.listIncidents({ limit: SCAN_LIMIT });
  const byPhase = new Map<string, number>(INCIDENT_PHASES.map((phase) => [phase, 0]));
  const bySeverity = new Map<string, number>(SEVERITY_LABELS.map((label) => [label, 0]));
  let open = 0;
  let warnings = 0;
  let breaches = 0;
  let runningBreached = 0;
  let acknowledged = 0;
  let ackSeconds = 0;
  for (const incident of incidents) {
    byPhase.set(incident.phase, (byPhase.get(incident.phase) ?? 0) + 1);
    if (incident.open) {
      open++;
      bySeverity.set(incident.severity, (bySeverity.get(incident.severity) ?? 0) + 1);
    }
    let context: ReturnType<typeof restoreSnapshot>["state"]["context"];
    try {
      context = restoreSnapshot(incident.snapshot).state.context;
    } catch {
      continue;
    }
    for (const clock of context.clocks) {
      if (clock.warnedAt !== null) warnings++;
      if (clock.breachedAt !== null) {
        breaches++;
        if (clock.stoppedAt === null) runningBreached++;
      }
    }
    if (context.acknowledged && context.openedAt) {
      const seconds = (Date.parse(context.acknowledged.at) - Date.parse(context.openedAt)) / 1000;
      if (Number.isFinite(seconds)) {
        acknowledged++;
        ackSeconds += Math.max(0, seconds);
      }
    }
  }
  return {
    byPhase,
    bySeverity,
    open,
    warnings,
    breaches,
    runningBreached,
    acknowledged,
    mttaSeconds: acknowledged > 0 ? ackSeconds / acknowledged : null,
  };
}

const entries = <K extends string | number>(map: Map<K, number>, label: string): Array<[Labels, number]> =>
  [...map.entries()].map(([key, value]) => [{ [label]: key }, value]);

export async function renderMetrics(rt: Runtime): Promise<string> {
  const c = rt.counters;
  const g = await incidentGauges(rt);
  const outbox = (await rt.deps.store.pendingCommands(OUTBOX_LIMIT)).length;
  const out = new Exposition()
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
    .metric("ir_incidents", "gauge", "Incidents by phase (open and closed).", entries(g.byPhase, "phase"))
    .metric("ir_incidents_open", "gauge", "Open incidents.", [[{}, g.open]])
    .metric(
      "ir_incidents_open_by_severity",
      "gauge",
      "Open incidents by severity.",
      entries(g.bySeverity, "severity"),
    )
    .metric(
      "ir_sla_warnings",
      "gauge",
      "SLA clocks that have warned (80 % of budget spent), all incidents.",
      [[{}, g.warnings]],
    )
    .metric("ir_sla_breaches", "gauge", "SLA clocks that have breached, all incidents.", [[{}, g.breaches]])
    .metric("ir_sla_breaches_running", "gauge", "Breached SLA clocks still running (escalating).", [
      [{}, g.runningBreached],
    ])
    .metric("ir_incidents_acknowledged", "gauge", "Incidents acknowledged (the MTTA sample size).", [
      [{}, g.acknowledged],
    ]);
  if (g.mttaSeconds !== null)
    out.metric("ir_mtta_seconds", "gauge", "Mean time to acknowledge, from first finding received.", [
      [{}, g.mttaSeconds],
    ]);
  return out.text();
}
