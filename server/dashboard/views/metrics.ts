/**
 * The response-metrics page (`GET /insights`): headline numbers (MTTA, mean time to contain, MTTR, open
 * incidents, breaches this week) and charts — time in each phase against the time the plan allowed it, SLA
 * compliance per phase and per severity, and SLA breaches per ISO week over the last 12 weeks.
 *
 * Invariants:
 * - Every number comes from core/metrics (`responseMetrics`, `readTimeline`) over the newest
 *   METRICS_WINDOW incidents, so the page, /metrics and postmortems can never disagree about a definition.
 * - A phase's budget is what the plan actually allowed each measured span (its final deadline − the moment
 *   the phase was entered), averaged over the same spans as the duration. That is the configured budget for
 *   the incident's severity, and in cumulative mode it includes whatever an earlier phase left unspent —
 *   the deadline the responders really had, not a table value that may not apply.
 * - A mean over nothing is "—", never 0 (which would read as "instant").
 * - Loading is bounded: one listIncidents of at most METRICS_WINDOW rows and one timeline read for each.
 */
import { createHash } from "node:crypto";
import { SEVERITY_LABELS } from "../../../core/findings/severity";
import { ACTIVE_PHASES, type ActivePhase, RUNBOOK_SECTION } from "../../../core/incident/phases";
import {
  type IncidentHistory,
  isoWeek,
  type Mean,
  type ResponseMetrics,
  responseMetrics,
  type SlaCompliance,
} from "../../../core/metrics/response-metrics";
import { readTimeline, secondsBetween } from "../../../core/metrics/timeline-facts";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { type BarRow, columnChart, horizontalBars, type Tone } from "../charts";
import { type Html, h, nothing, shortTime } from "./html";

/** How many of the newest incidents the page reads. */
export const METRICS_WINDOW = 500;
/** How many open incidents are counted before the page says "N+". */
export const OPEN_LIMIT = 500;
/** Weeks in the breaches chart, ending with the current one. */
export const WEEKS_SHOWN = 12;

const DAY_MS = 86_400_000;

export interface MetricsPage {
  now: string;
  /** Incidents the metrics are over (at most `window`). */
  incidents: number;
  window: number;
  metrics: ResponseMetrics;
  /** Per phase: the mean time the plan allowed, over the same spans as `metrics.phaseDurations`. */
  allowed: Record<ActivePhase, Mean>;
  open: number;
  /** True when `open` hit OPEN_LIMIT (there may be more). */
  openCapped: boolean;
  /** ISO week of `now`, and its first breaches. */
  thisWeek: { week: string; breaches: number };
  /** The last WEEKS_SHOWN ISO weeks, oldest first, with their first breaches (0 when none). */
  weeks: Array<{ week: string; breaches: number }>;
}

// ---- data ----

function mean(values: readonly number[]): Mean {
  if (values.length === 0) return { seconds: null, count: 0 };
  return { seconds: values.reduce((sum, v) => sum + v, 0) / values.length, count: values.length };
}

/** Per phase, the mean of (deadline − entered) over spans that ended; a deadline already past counts as 0. */
export function phaseAllowances(histories: readonly IncidentHistory[]): Record<ActivePhase, Mean> {
  const spans = histories.flatMap((h) => readTimeline(h.timeline).phases);
  const entries = ACTIVE_PHASES.map((phase) => {
    const allowed = spans
      .filter((span) => span.phase === phase && span.endedAt !== null)
      .map((span) => secondsBetween(span.enteredAt, span.deadline))
      .filter((seconds): seconds is number => seconds !== null)
      .map((seconds) => Math.max(0, seconds));
    return [phase, mean(allowed)] as const;
  });
  return Object.fromEntries(entries) as Record<ActivePhase, Mean>;
}

/** The `count` ISO weeks ending with the week of `now`, oldest first. */
export function lastWeeks(now: string, count: number): string[] {
  const ms = Date.parse(now);
  return Array.from({ length: count }, (_, i) =>
    isoWeek(new Date(ms - (count - 1 - i) * 7 * DAY_MS).toISOString()),
  );
}

export function metricsPage(
  histories: readonly IncidentHistory[],
  options: { now: string; open: number; openCapped?: boolean; window?: number },
): MetricsPage {
  const metrics = responseMetrics(histories);
  const byWeek = new Map(metrics.breachesPerWeek.map((w) => [w.week, w.breaches]));
  const weeks = lastWeeks(options.now, WEEKS_SHOWN).map((week) => ({
    week,
    breaches: byWeek.get(week) ?? 0,
  }));
  const week = isoWeek(options.now);
  return {
    now: options.now,
    incidents: histories.length,
    window: options.window ?? METRICS_WINDOW,
    metrics,
    allowed: phaseAllowances(histories),
    open: options.open,
    openCapped: options.openCapped ?? false,
    thisWeek: { week, breaches: byWeek.get(week) ?? 0 },
    weeks,
  };
}

/** Reads the newest `window` incidents and their timelines from the store (bounded, see the invariants). */
export async function loadMetricsPage(
  store: Pick<IncidentStore, "listIncidents" | "timeline">,
  now: string,
  window = METRICS_WINDOW,
): Promise<MetricsPage> {
  const [recent, open] = await Promise.all([
    store.listIncidents({ limit: window }),
    store.listIncidents({ open: true, limit: OPEN_LIMIT }),
  ]);
  const histories = await Promise.all(
    recent.map(async (incident) => ({ incident, timeline: await store.timeline(incident.id) })),
  );
  return metricsPage(histories, { now, open: open.length, openCapped: open.length >= OPEN_LIMIT, window });
}

// ---- formatting ----

/** Seconds as a responder reads a duration: `45s`, `7m 30s`, `3h 30m`, `2d 4h`; null → `—`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m ${s % 60}s`;
  const minutes = Math.round(s / 60);
  if (minutes < 48 * 60) {
    const rest = minutes % 60;
    return rest === 0 ? `${minutes / 60}h` : `${Math.floor(minutes / 60)}h ${rest}m`;
  }
  const hours = Math.round(minutes / 60);
  return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How a share of the budget used reads: within 80 % is fine, up to 100 % is close, past it is late. */
const usageTone = (ratio: number): Tone => (ratio <= 0.8 ? "good" : ratio <= 1 ? "warn" : "bad");
/** How a compliance rate reads. */
const complianceTone = (ratio: number): Tone => (ratio >= 0.95 ? "good" : ratio >= 0.8 ? "warn" : "bad");

// ---- view ----

interface Kpi {
  key: string;
  label: string;
  value: string;
  sub: string;
  tone: "bad" | "info" | "none" | "plain";
  href?: string;
}

function kpiView(kpi: Kpi): Html {
  const inner = h`<span class="k">${kpi.label}</span><span class="v">${kpi.value}</span><span class="sub">${kpi.sub}</span>`;
  return kpi.href
    ? h`<a class="kpi tone-${kpi.tone}" id="kpi-${kpi.key}" href="${kpi.href}">${inner}</a>`
    : h`<div class="kpi tone-${kpi.tone}" id="kpi-${kpi.key}">${inner}</div>`;
}

function meanKpi(key: string, label: string, what: string, value: Mean, none: string): Kpi {
  return {
    key,
    label,
    value: formatSeconds(value.seconds),
    sub: value.count > 0 ? `${what} · ${plural(value.count, "incident")}` : none,
    tone: value.count > 0 ? "plain" : "none",
  };
}

function kpis(data: MetricsPage): Html {
  const { metrics } = data;
  const cards: Kpi[] = [
    meanKpi("mtta", "MTTA", "mean time to acknowledge", metrics.mtta, "none acknowledged yet"),
    meanKpi("mttc", "Mean time to contain", "detection → contained", metrics.mttc, "none contained yet"),
    meanKpi("mttr", "MTTR", "detection → recovered", metrics.mttr, "none recovered yet"),
    {
      key: "open",
      label: "Open incidents",
      value: `${data.open}${data.openCapped ? "+" : ""}`,
      sub: "being worked now",
      tone: data.open > 0 ? "info" : "none",
      href: "/?state=open",
    },
    {
      key: "breaches",
      label: "Breaches this week",
      value: String(data.thisWeek.breaches),
      sub: `SLA clocks missed in ${data.thisWeek.week}`,
      tone: data.thisWeek.breaches > 0 ? "bad" : "none",
    },
  ];
  return h`<div class="kpis">${cards.map(kpiView)}</div>`;
}

function chartPanel(id: string, heading: string, caption: string, chart: Html, legend: Html = nothing): Html {
  return h`<section class="panel chart" id="${id}"><h2>${heading}</h2><p class="caption">${caption}</p>${chart}${legend}</section>`;
}

const legend = (items: Array<[string, string]>): Html =>
  h`<div class="legend">${items.map(([swatch, text]) => h`<span><i class="sw sw-${swatch}"></i>${text}</span>`)}</div>`;

function durationChart(data: MetricsPage): Html {
  const rows: BarRow[] = ACTIVE_PHASES.map((phase) => {
    const spent = data.metrics.phaseDurations[phase];
    const allowed = data.allowed[phase];
    const label = RUNBOOK_SECTION[phase];
    if (spent.seconds === null) return { label, value: null, valueText: "no data", tone: "muted" };
    if (allowed.seconds === null)
      return { label, value: null, valueText: `${formatSeconds(spent.seconds)} · no budget`, tone: "muted" };
    // A span entered after its deadline had nothing left: it used "infinitely" much of it.
    const ratio = allowed.seconds > 0 ? spent.seconds / allowed.seconds : Number.MAX_VALUE;
    return {
      label,
      value: Math.min(ratio * 100, 1e6),
      valueText: `${formatSeconds(spent.seconds)} / ${formatSeconds(allowed.seconds)}`,
      tone: usageTone(ratio),
      title: `${label}: ${formatSeconds(spent.seconds)} in phase on average (${plural(spent.count, "incident")}), ${formatSeconds(allowed.seconds)} allowed${
        allowed.seconds > 0 ? ` — ${percent(ratio)} of the budget` : ""
      }`,
    };
  });
  const highest = Math.max(0, ...rows.map((row) => row.value ?? 0));
  const max = Math.min(300, Math.max(150, Math.ceil(highest / 50) * 50));
  const step = max <= 200 ? 50 : 100;
  const ticks = Array.from({ length: max / step + 1 }, (_, i) => i * step).filter((tick) => tick !== 100);
  return chartPanel(
    "chart-phase-durations",
    "Time in phase vs budget",
    "Mean time spent in each phase, as a share of the time the plan allowed it (its deadline − when the phase began, averaged over the same incidents).",
    horizontalBars(rows, {
      max,
      reference: { value: 100, label: "budget" },
      ticks: { values: ticks, text: (tick) => `${tick}%` },
      title: "Mean time in each phase as a share of its SLA budget",
    }),
    legend([
      ["good", "within 80 %"],
      ["warn", "80–100 %"],
      ["bad", "over budget"],
      ["ref", "budget"],
    ]),
  );
}

const COMPLIANCE_TICKS = { values: [0, 25, 50, 75, 100], text: (tick: number) => `${tick}%` };

function complianceRow(label: string, rows: readonly SlaCompliance[]): BarRow {
  const met = rows.reduce((sum, row) => sum + row.met, 0);
  const decided = rows.reduce((sum, row) => sum + row.decided, 0);
  if (decided === 0) return { label, value: null, valueText: "no data", tone: "muted" };
  const ratio = met / decided;
  return {
    label,
    value: ratio * 100,
    valueText: `${percent(ratio)} · ${met}/${decided}`,
    tone: complianceTone(ratio),
    title: `${label}: ${met} of ${decided} deadlines met`,
  };
}

function complianceCharts(data: MetricsPage): Html {
  const compliance = data.metrics.slaCompliance;
  const byPhase = ACTIVE_PHASES.map((phase) =>
    complianceRow(
      RUNBOOK_SECTION[phase],
      compliance.filter((row) => row.phase === phase),
    ),
  );
  // Most severe first, as the incident list sorts.
  const bySeverity = [...SEVERITY_LABELS]
    .reverse()
    .map((severity) =>
      complianceRow(
        severity,
        compliance.filter((row) => row.severity === severity),
      ),
    )
    .filter((row) => row.value !== null);
  const caption =
    "Deadlines met out of those decided: a phase counts once it ended, or once it breached while still running.";
  const complianceLegend = legend([
    ["good", "≥ 95 %"],
    ["warn", "80–95 %"],
    ["bad", "below 80 %"],
  ]);
  return h`${chartPanel(
    "chart-compliance-phase",
    "SLA compliance by phase",
    caption,
    horizontalBars(byPhase, {
      max: 100,
      ticks: COMPLIANCE_TICKS,
      title: "SLA compliance per phase, 0 to 100 percent",
    }),
    complianceLegend,
  )}${chartPanel(
    "chart-compliance-severity",
    "SLA compliance by severity",
    caption,
    bySeverity.length > 0
      ? horizontalBars(bySeverity, {
          max: 100,
          ticks: COMPLIANCE_TICKS,
          title: "SLA compliance per severity, 0 to 100 percent",
          labelWidth: 124,
        })
      : h`<p class="empty">No deadline has been decided yet.</p>`,
    complianceLegend,
  )}`;
}

function breachesChart(data: MetricsPage): Html {
  const total = data.weeks.reduce((sum, w) => sum + w.breaches, 0);
  const columns = data.weeks.map(({ week, breaches }) => ({
    label: week.slice(week.indexOf("-") + 1),
    value: breaches,
    title: `${week}: ${plural(breaches, "breach", "breaches")}`,
    highlight: week === data.thisWeek.week,
  }));
  return chartPanel(
    "chart-breaches-weekly",
    "SLA breaches per week",
    `First breach of each phase clock, by ISO week (UTC), last ${WEEKS_SHOWN} weeks: ${plural(total, "breach", "breaches")}. Re-escalations of the same breach are not counted again.`,
    columnChart(columns, { title: `SLA breaches per ISO week, last ${WEEKS_SHOWN} weeks`, tone: "bad" }),
  );
}

export function metricsView(data: MetricsPage): Html {
  const head = h`<div class="metrics-head"><h1>Response metrics</h1><span class="muted">${
    data.incidents >= data.window ? `newest ${data.window} incidents` : plural(data.incidents, "incident")
  } · as of <span class="mono">${shortTime(data.now)}</span></span></div>`;
  const stylesheet = h`<link rel="stylesheet" href="/assets/metrics.css?v=${METRICS_CSS_VERSION}">`;
  if (data.incidents === 0)
    return h`${stylesheet}<section class="metrics" id="metrics" data-empty="true">${head}${kpis(data)}<div class="panel metrics-empty" id="metrics-empty"><h2>No incidents yet</h2><p>Metrics appear once incidents open and responders work them: acknowledging, advancing phases, meeting or missing deadlines. Send findings to <code>POST /events</code> (or run <code>npm run demo</code>) to see them here.</p></div></section>`;
  return h`${stylesheet}<section class="metrics" id="metrics">${head}${kpis(data)}<div class="charts">${durationChart(
    data,
  )}${breachesChart(data)}${complianceCharts(data)}</div></section>`;
}

// ---- stylesheet (served as /assets/metrics.css: the CSP allows no inline style) ----

export const METRICS_CSS = `
.metrics { display: flex; flex-direction: column; gap: 12px; }
.metrics-head { display: flex; align-items: baseline; gap: 14px; }
.metrics-head h1 { font-size: 17px; font-weight: 600; margin: 0; }
.kpis { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; }
@media (max-width: 1000px) { .kpis { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
.kpi { display: flex; flex-direction: column; gap: 2px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px 12px; color: var(--text); min-width: 0; }
a.kpi:hover { text-decoration: none; border-color: var(--accent-2); }
.kpi .k { font-size: 10px; font-weight: 600; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); }
.kpi .v { font: 600 28px/1.15 var(--mono); font-variant-numeric: tabular-nums; white-space: nowrap; }
.kpi .sub { font-size: 11px; color: var(--dim); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.kpi.tone-bad { border-color: #5c2a29; } .kpi.tone-bad .v { color: var(--bad); }
.kpi.tone-info .v { color: var(--info); } .kpi.tone-none .v { color: var(--dim); }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }
@media (max-width: 1100px) { .charts { grid-template-columns: 1fr; } }
.chart { display: flex; flex-direction: column; }
.chart .caption { color: var(--muted); font-size: 12px; margin: -2px 0 10px; max-width: 70ch; }
.chart .chart-svg { display: block; width: 100%; max-width: 760px; height: auto; }
.chart .empty { color: var(--muted); padding: 24px 0; text-align: center; margin: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: auto; padding-top: 8px; font-size: 11px; color: var(--muted); }
.legend .sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.sw-good { background: var(--good); } .sw-warn { background: var(--warn); } .sw-bad { background: var(--bad); }
.legend .sw-ref { width: 0; height: 12px; border-radius: 0; border-left: 2px dashed var(--text); vertical-align: -2px; }
.topbar a[aria-current="page"] { color: var(--text); font-weight: 600; }
.metrics-empty { padding: 28px; text-align: center; }
.metrics-empty h2 { margin-bottom: 10px; }
.metrics-empty p { color: var(--muted); max-width: 62ch; margin: 0 auto; }
.metrics-empty code { color: #ffab70; }
`;

export const METRICS_CSS_VERSION = createHash("sha256").update(METRICS_CSS).digest("hex").slice(0, 12);
