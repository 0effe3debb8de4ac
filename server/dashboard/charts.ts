/**
 * Tiny server-side SVG charts for the dashboard: horizontal bars (a label, a bar, a value, optionally a
 * reference line such as a budget) and a column chart (one column per week). No chart library and no
 * script: the server draws the SVG once and the page only shows it.
 *
 * Invariants:
 * - Geometry is numbers only: every coordinate passes through `px`, which turns NaN / ±Infinity into 0 and
 *   rounds, so no input can smuggle text into an attribute. Labels, value texts and tooltips are text
 *   interpolated through `h`, which escapes them.
 * - Colours come from a closed palette keyed by tone and are presentation attributes (not inline
 *   styles), so the charts look the same wherever the SVG is shown and the page's CSP needs no
 *   'unsafe-inline'.
 * - Bars and columns are proportional to their values on a linear axis that starts at 0; a value past the
 *   axis is drawn to the edge and marked as clipped, never scaled down silently.
 */
import { type Html, h, nothing } from "./views/html";

export const TONES = ["good", "warn", "bad", "info", "muted"] as const;
export type Tone = (typeof TONES)[number];

/** The dashboard's dark palette (server/dashboard/assets.ts). */
const COLOR = {
  good: "#3fb950",
  warn: "#e3b341",
  bad: "#f85149",
  info: "#6cb6ff",
  muted: "#566173",
  track: "#161c27",
  grid: "#232b38",
  text: "#d4dae3",
  dim: "#7d8899",
  reference: "#d4dae3",
} as const;

const FONT = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace';

const PX_LIMIT = 1e9;

/** A finite number in plain decimal notation (no exponent), rounded to 0.1: what geometry may hold. */
export const px = (value: number): number =>
  Number.isFinite(value) ? Math.round(Math.min(Math.max(value, -PX_LIMIT), PX_LIMIT) * 10) / 10 || 0 : 0;

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least `floor`): a readable axis end. */
export function niceCeiling(value: number, floor = 1): number {
  const target = Number.isFinite(value) ? Math.max(value, floor) : floor;
  const magnitude = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= target - 1e-9) ?? 10;
  return step * magnitude;
}

/** Evenly spaced whole-number ticks from 0 up to the first tick at or above `max` (at most `most`-ish). */
export function integerTicks(max: number, most = 5): number[] {
  // Capped so the axis end stays finite (and the loop short) whatever count comes in.
  const wanted = Math.min(Math.max(1, Math.ceil(Number.isFinite(max) ? max : 1)), Number.MAX_SAFE_INTEGER);
  const step = niceCeiling(wanted / (most - 1));
  const top = Math.ceil(wanted / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick);
  return ticks;
}

// ---- horizontal bars ----

export interface BarRow {
  label: string;
  /** On the chart's axis (0…max); null draws an empty track ("no data"). */
  value: number | null;
  /** What the row says at its right end, e.g. `15m / 25m` or `50 %`. */
  valueText: string;
  tone: Tone;
  /** Tooltip. */
  title?: string;
}

export interface BarChartOptions {
  /** The axis end; values above it are clipped to the edge (and marked). */
  max: number;
  /** A vertical reference line across all rows (a budget, a target). */
  reference?: { value: number; label: string };
  /** Axis ticks, with how each is written. */
  ticks?: { values: readonly number[]; text: (value: number) => string };
  /** What the chart shows, for screen readers. */
  title: string;
  labelWidth?: number;
  valueWidth?: number;
}

const BAR = { width: 640, rowHeight: 28, barHeight: 14, top: 6, axis: 22 } as const;

export function horizontalBars(rows: readonly BarRow[], options: BarChartOptions): Html {
  const labelWidth = options.labelWidth ?? 100;
  const valueWidth = options.valueWidth ?? 132;
  const trackX = labelWidth;
  const trackWidth = BAR.width - labelWidth - valueWidth - 10;
  const max = Number.isFinite(options.max) && options.max > 0 ? options.max : 1;
  const xOf = (value: number) => trackX + (Math.min(Math.max(value, 0), max) / max) * trackWidth;
  const rowsBottom = BAR.top + rows.length * BAR.rowHeight;
  const height = rowsBottom + (options.ticks || options.reference ? BAR.axis : 4);

  const grid = options.ticks
    ? options.ticks.values.map(
        (tick) =>
          h`<line x1="${px(xOf(tick))}" x2="${px(xOf(tick))}" y1="${BAR.top - 2}" y2="${px(rowsBottom)}" stroke="${COLOR.grid}" stroke-width="1"/><text x="${px(xOf(tick))}" y="${px(rowsBottom + 14)}" text-anchor="middle" fill="${COLOR.dim}" font-size="10">${options.ticks?.text(tick) ?? ""}</text>`,
      )
    : nothing;

  const bars = rows.map((row, i) => {
    const y = BAR.top + i * BAR.rowHeight;
    const barY = y + (BAR.rowHeight - BAR.barHeight) / 2;
    const mid = y + BAR.rowHeight / 2 + 4;
    const value = row.value !== null && Number.isFinite(row.value) ? Math.max(row.value, 0) : null;
    const width = value === null ? 0 : xOf(value) - trackX;
    const clipped = value !== null && value > max;
    const fill = COLOR[row.tone];
    return h`<g class="bar-row">${row.title ? h`<title>${row.title}</title>` : nothing}<text x="${px(trackX - 10)}" y="${px(mid)}" text-anchor="end" fill="${COLOR.text}" font-size="12">${row.label}</text><rect class="track" x="${px(trackX)}" y="${px(barY)}" width="${px(trackWidth)}" height="${BAR.barHeight}" rx="2" fill="${COLOR.track}"/>${
      value === null
        ? nothing
        : h`<rect class="bar" data-value="${px(value)}" x="${px(trackX)}" y="${px(barY)}" width="${px(width)}" height="${BAR.barHeight}" rx="2" fill="${fill}"/>`
    }${
      clipped
        ? h`<path class="clipped" d="M${px(trackX + trackWidth - 7)} ${px(barY)}l6 ${BAR.barHeight / 2}l-6 ${BAR.barHeight / 2}z" fill="${COLOR.text}"/>`
        : nothing
    }<text class="value" x="${px(trackX + trackWidth + 10)}" y="${px(mid)}" fill="${value === null ? COLOR.dim : COLOR.text}" font-size="12">${row.valueText}</text></g>`;
  });

  const reference = options.reference
    ? h`<line class="reference" data-value="${px(options.reference.value)}" x1="${px(xOf(options.reference.value))}" x2="${px(xOf(options.reference.value))}" y1="${BAR.top - 4}" y2="${px(rowsBottom + 2)}" stroke="${COLOR.reference}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${px(xOf(options.reference.value))}" y="${px(rowsBottom + 14)}" text-anchor="middle" fill="${COLOR.text}" font-size="10" font-weight="600">${options.reference.label}</text>`
    : nothing;

  return h`<svg class="chart-svg" viewBox="0 0 ${BAR.width} ${px(height)}" width="100%" role="img" aria-label="${options.title}" font-family="${FONT}" xmlns="http://www.w3.org/2000/svg"><title>${options.title}</title>${grid}${bars}${reference}</svg>`;
}

// ---- columns ----

export interface Column {
  /** Under the column, e.g. `W18`. */
  label: string;
  value: number;
  /** Tooltip. */
  title?: string;
  /** Drawn brighter (the current week). */
  highlight?: boolean;
}

export interface ColumnChartOptions {
  title: string;
  tone?: Tone;
}

const COL = { width: 640, height: 190, left: 34, right: 8, top: 18, bottom: 24 } as const;

export function columnChart(columns: readonly Column[], options: ColumnChartOptions): Html {
  const plotWidth = COL.width - COL.left - COL.right;
  const plotHeight = COL.height - COL.top - COL.bottom;
  const baseline = COL.top + plotHeight;
  const values = columns.map((c) => (Number.isFinite(c.value) ? Math.max(c.value, 0) : 0));
  const ticks = integerTicks(Math.max(1, ...values), 5);
  const max = ticks[ticks.length - 1] ?? 1;
  const yOf = (value: number) => baseline - (Math.min(value, max) / max) * plotHeight;
  const slot = plotWidth / Math.max(columns.length, 1);
  const barWidth = Math.min(slot * 0.62, 40);
  const fill = COLOR[options.tone ?? "bad"];

  const grid = ticks.map(
    (tick) =>
      h`<line x1="${COL.left}" x2="${COL.width - COL.right}" y1="${px(yOf(tick))}" y2="${px(yOf(tick))}" stroke="${COLOR.grid}" stroke-width="1"/><text x="${COL.left - 8}" y="${px(yOf(tick) + 4)}" text-anchor="end" fill="${COLOR.dim}" font-size="10">${tick}</text>`,
  );

  const bars = columns.map((column, i) => {
    const value = values[i] ?? 0;
    const center = COL.left + slot * i + slot / 2;
    const top = yOf(value);
    const labelColor = column.highlight ? COLOR.text : COLOR.dim;
    return h`<g class="column">${column.title ? h`<title>${column.title}</title>` : nothing}${
      value > 0
        ? h`<rect class="bar" data-value="${px(value)}" x="${px(center - barWidth / 2)}" y="${px(top)}" width="${px(barWidth)}" height="${px(baseline - top)}" rx="2" fill="${fill}" fill-opacity="${column.highlight ? 1 : 0.72}"/><text x="${px(center)}" y="${px(top - 5)}" text-anchor="middle" fill="${COLOR.text}" font-size="11">${px(value)}</text>`
        : nothing
    }<text x="${px(center)}" y="${px(baseline + 16)}" text-anchor="middle" fill="${labelColor}" font-size="10"${
      column.highlight ? h` font-weight="700"` : nothing
    }>${column.label}</text></g>`;
  });

  return h`<svg class="chart-svg" viewBox="0 0 ${COL.width} ${COL.height}" width="100%" role="img" aria-label="${options.title}" font-family="${FONT}" xmlns="http://www.w3.org/2000/svg"><title>${options.title}</title>${grid}<line x1="${COL.left}" x2="${COL.width - COL.right}" y1="${px(baseline)}" y2="${px(baseline)}" stroke="${COLOR.dim}" stroke-width="1"/>${bars}</svg>`;
}
