/**
 * The SVG chart renderers: bars and columns proportional to their values on a zero-based axis, values past
 * the axis clipped and marked, labels and tooltips escaped, and geometry that is always a finite number
 * whatever numbers come in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BarRow,
  columnChart,
  horizontalBars,
  integerTicks,
  niceCeiling,
  TONES,
} from "../../../server/dashboard/charts";

const widths = (svg: string, cls: string): number[] =>
  [...svg.matchAll(new RegExp(`<rect class="${cls}"[^>]*? width="([^"]+)"`, "g"))].map(([, w]) => Number(w));
const heights = (svg: string): number[] =>
  [...svg.matchAll(/<rect class="bar"[^>]*? height="([^"]+)"/g)].map(([, v]) => Number(v));

const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(1)>';

describe("horizontalBars", () => {
  it("draws each bar as value / max of the track", () => {
    // Prepare
    const rows: BarRow[] = [
      { label: "a", value: 25, valueText: "25", tone: "good" },
      { label: "b", value: 50, valueText: "50", tone: "warn" },
      { label: "c", value: 100, valueText: "100", tone: "bad" },
    ];

    // Act
    const svg = String(horizontalBars(rows, { max: 100, title: "t" }));

    // Assess
    const [track] = widths(svg, "track");
    expect(widths(svg, "bar")).toEqual([(track ?? 0) / 4, (track ?? 0) / 2, track]);
    expect(svg).toContain('fill="#3fb950"');
    expect(svg).toContain('fill="#f85149"');
  });

  it("clips a value past the axis to the edge and marks it; a null value draws only the track", () => {
    // Act
    const svg = String(
      horizontalBars(
        [
          { label: "over", value: 400, valueText: "400", tone: "bad" },
          { label: "none", value: null, valueText: "no data", tone: "muted" },
        ],
        { max: 200, title: "t", reference: { value: 100, label: "budget" } },
      ),
    );

    // Assess
    const tracks = widths(svg, "track");
    expect(widths(svg, "bar")).toEqual([tracks[0]]);
    expect(svg.match(/class="clipped"/g)).toHaveLength(1);
    expect(tracks).toHaveLength(2);
    expect(svg).toContain(">budget</text>");
  });

  it("escapes labels, value texts, tooltips and the title", () => {
    // Act
    const svg = String(
      horizontalBars([{ label: HOSTILE, value: 1, valueText: HOSTILE, tone: "info", title: HOSTILE }], {
        max: 1,
        title: HOSTILE,
        reference: { value: 1, label: HOSTILE },
      }),
    );

    // Assess
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<img");
    expect(svg.split("&lt;script&gt;").length - 1).toBe(6);
  });
});

describe("columnChart", () => {
  it("draws columns proportional to their values and nothing for zero", () => {
    // Act
    const svg = String(
      columnChart(
        [
          { label: "W01", value: 1 },
          { label: "W02", value: 0 },
          { label: "W03", value: 4, highlight: true },
        ],
        { title: "t" },
      ),
    );

    // Assess
    const [one = 0, four = 0] = heights(svg);
    expect(heights(svg)).toHaveLength(2);
    expect(four / one).toBeCloseTo(4, 5);
    expect(svg).toContain('font-weight="700">W03</text>');
  });

  it("escapes labels and tooltips", () => {
    // Act
    const svg = String(columnChart([{ label: HOSTILE, value: 2, title: HOSTILE }], { title: HOSTILE }));

    // Assess
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;");
  });
});

describe("geometry", () => {
  it("is a finite number for any input numbers", () => {
    // Prepare: any doubles, including NaN, ±Infinity, -0 and huge values
    const anyNumber = fc.double();
    const bar = fc.record({
      label: fc.string(),
      value: fc.option(anyNumber, { nil: null }),
      valueText: fc.string(),
      tone: fc.constantFrom(...TONES),
    });
    fc.assert(
      fc.property(
        fc.array(bar, { maxLength: 8 }),
        anyNumber,
        anyNumber,
        fc.array(fc.record({ label: fc.string(), value: anyNumber }), { maxLength: 14 }),
        (rows, max, reference, cols) => {
          // Act
          const svg = `${horizontalBars(rows, { max, reference: { value: reference, label: "r" }, title: "t" })}${columnChart(cols, { title: "t" })}`;

          // Assess
          const geometry = [...svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|width|height|data-value|d)="([^"]*)"/g)];
          for (const [, value] of geometry) expect(value).toMatch(/^(?:100%|[-\d.]+|M[-\d. lz]+)$/);
          expect(svg).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("axis helpers", () => {
  it.each([
    [0.3, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [130, 200],
  ])("niceCeiling(%s) = %s", (value, expected) => {
    // Act / Assess
    expect(niceCeiling(value)).toBe(expected);
  });

  it.each([
    [0, [0, 1]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [12, [0, 5, 10, 15]],
  ])("integerTicks(%s) = %j", (max, expected) => {
    // Act / Assess
    expect(integerTicks(max)).toEqual(expected);
  });
});
