/**
 * The response-metrics page over HTTP on a real SQLite store, filled through ingest + act + sweep on a
 * TestClock so every number is hand-computable:
 *
 *   C  (SSH open to the world, HIGH)  opened T0−14 d, swept at +20 min → detect breached (week 2024-W16), never acked
 *   A  (Tor relay, HIGH)  opened T0; ack +5; advance +20; sweep +70 (contain breached); advance +90, +150, +210
 *   B  (root sign-in, HIGH)  opened T0; sweep +20 (detect breached); ack +25; sweep +70 (assess breached)
 *
 * Expected: MTTA (5 + 25) / 2 = 15 min; mean time to contain 90 min; MTTR 210 min; 3 open; breaches in
 * 2024-W18: B detect, A contain, B assess = 3. Per phase (spent / allowed): detect (5+25)/2 = 15 / 15,
 * assess 15 / 25, contain 70 / 40, eradicate 60 / 150, recover 60 / 330.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act } from "../../../app/act";
import { sweep } from "../../../app/sweep";
import type { IncidentHistory } from "../../../core/metrics/response-metrics";
import type { TimelineEntry } from "../../../core/ports/incident-store";
import {
  formatSeconds,
  lastWeeks,
  METRICS_CSS_VERSION,
  metricsPage,
  metricsView,
} from "../../../server/dashboard/views/metrics";
import { type DashboardHarness, makeDashboardHarness, T0, TOR_RELAY } from "./harness";

const ROOT_SIGN_IN = "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json";
const SSH_OPEN = "securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json";
const DAY_MINUTES = 24 * 60;

// ---- reading the rendered page ----

function section(html: string, id: string): string {
  return new RegExp(`<section class="panel chart" id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? "";
}

const num = (pattern: RegExp, text: string): number | null => {
  const found = pattern.exec(text)?.[1];
  return found === undefined ? null : Number(found);
};

interface BarRowSeen {
  label: string;
  trackX: number;
  trackWidth: number;
  barWidth: number | null;
  valueText: string;
}

function barRows(html: string, id: string): BarRowSeen[] {
  return [...section(html, id).matchAll(/<g class="bar-row">([\s\S]*?)<\/g>/g)].map(([, g = ""]) => ({
    label: /text-anchor="end"[^>]*>([^<]*)<\/text>/.exec(g)?.[1] ?? "",
    trackX: num(/<rect class="track" x="([\d.]+)"/, g) ?? Number.NaN,
    trackWidth: num(/<rect class="track"[^>]*? width="([\d.]+)"/, g) ?? Number.NaN,
    barWidth: num(/<rect class="bar"[^>]*? width="([\d.]+)"/, g),
    valueText: /<text class="value"[^>]*>([^<]*)<\/text>/.exec(g)?.[1] ?? "",
  }));
}

function row(rows: BarRowSeen[], label: string): BarRowSeen {
  const found = rows.find((r) => r.label === label);
  if (!found) throw new Error(`no row ${label} in ${rows.map((r) => r.label).join(", ")}`);
  return found;
}

/** Bar width as a share of its track (0…1). */
const share = (r: BarRowSeen): number => (r.barWidth ?? 0) / r.trackWidth;

const kpi = (html: string, key: string): string =>
  new RegExp(`id="kpi-${key}"[^>]*><span class="k">[^<]*</span><span class="v">([^<]*)</span>`).exec(
    html,
  )?.[1] ?? "";

function columns(html: string): Array<{ label: string; height: number | null }> {
  return [...section(html, "chart-breaches-weekly").matchAll(/<g class="column">([\s\S]*?)<\/g>/g)].map(
    ([, g = ""]) => ({
      label: />(W\d\d)<\/text>/.exec(g)?.[1] ?? "",
      height: num(/<rect class="bar"[^>]*? height="([\d.]+)"/, g),
    }),
  );
}

// ---- the story ----

describe("GET /insights on a store filled through ingest, act and sweep", () => {
  let t: DashboardHarness;
  let html = "";
  let res: Response;

  beforeAll(async () => {
    // Prepare
    t = makeDashboardHarness();
    const { clock, deps } = t.local;
    clock.at(T0, -14 * DAY_MINUTES);
    await t.ingestFixture(SSH_OPEN); // C = IR-0001
    clock.at(T0, -14 * DAY_MINUTES + 20);
    await sweep(deps);
    clock.at(T0, 0);
    await t.ingestFixture(TOR_RELAY); // A = IR-0002
    await t.ingestFixture(ROOT_SIGN_IN); // B = IR-0003
    const at = async (minutes: number, step: () => Promise<unknown>) => {
      clock.at(T0, minutes);
      await step();
    };
    await at(5, () => act(deps, "IR-0002", { type: "acknowledge" }, "alice"));
    await at(20, () => sweep(deps));
    await at(20, () => act(deps, "IR-0002", { type: "advance" }, "alice"));
    await at(25, () => act(deps, "IR-0003", { type: "acknowledge" }, "bob"));
    await at(70, () => sweep(deps));
    await at(90, () => act(deps, "IR-0002", { type: "advance" }, "alice"));
    await at(150, () => act(deps, "IR-0002", { type: "advance" }, "alice"));
    await at(210, () => act(deps, "IR-0002", { type: "advance" }, "alice"));

    // Act
    res = await t.app.request("/insights");
    html = await res.text();
  });
  afterAll(() => t.close());

  it("serves the page with the dashboard's security headers and its own stylesheet", async () => {
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(html).toContain('data-page="metrics"');
    expect(html).toContain(`href="/assets/metrics.css?v=${METRICS_CSS_VERSION}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle="/); // no inline style (the CSP would refuse it)
    const css = await t.app.request(`/assets/metrics.css?v=${METRICS_CSS_VERSION}`);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(css.headers.get("cache-control")).toContain("immutable");
    await expect(css.text()).resolves.toContain(".kpis");
  });

  it("shows the headline numbers computed from the timelines", () => {
    // Assess
    expect(kpi(html, "mtta")).toBe("15m");
    expect(kpi(html, "mttc")).toBe("1h 30m");
    expect(kpi(html, "mttr")).toBe("3h 30m");
    expect(kpi(html, "open")).toBe("3");
    expect(kpi(html, "breaches")).toBe("3");
    expect(html).toContain("SLA clocks missed in 2024-W18");
    expect(html).toContain("mean time to acknowledge · 2 incidents");
    expect(html).toContain("3 incidents · as of");
  });

  it("draws time in phase against its budget, bars proportional to spent / allowed", () => {
    // Prepare: spent / allowed in minutes, and the axis (200 %: contain used 175 %)
    const expected: Record<string, [number, number, string]> = {
      Detect: [15, 15, "15m / 15m"],
      Assess: [15, 25, "15m / 25m"],
      Contain: [70, 40, "1h 10m / 40m"],
      Eradicate: [60, 150, "1h / 2h 30m"],
      Recover: [60, 330, "1h / 5h 30m"],
    };
    const axis = 2;

    // Act
    const rows = barRows(html, "chart-phase-durations");

    // Assess
    expect(rows.map((r) => r.label)).toEqual([
      "Detect",
      "Assess",
      "Contain",
      "Eradicate",
      "Recover",
      "Postmortem",
    ]);
    for (const [label, [spent, allowed, text]] of Object.entries(expected)) {
      const seen = row(rows, label);
      expect(share(seen), label).toBeCloseTo(spent / allowed / axis, 2);
      expect(seen.valueText).toBe(text);
    }
    expect(row(rows, "Postmortem")).toMatchObject({ barWidth: null, valueText: "no data" });
    // The budget line sits at 100 % of the same axis.
    const chart = section(html, "chart-phase-durations");
    const referenceX = num(/<line class="reference" data-value="100" x1="([\d.]+)"/, chart);
    const detect = row(rows, "Detect");
    expect(referenceX).toBeCloseTo(detect.trackX + detect.trackWidth / axis, 0);
    // Detect used exactly its budget: its bar ends on the line.
    expect(detect.trackX + (detect.barWidth ?? 0)).toBeCloseTo(referenceX ?? 0, 0);
    expect(chart).toMatch(/<rect class="bar"[^>]*fill="#f85149"/); // contain is over budget
  });

  it("draws SLA compliance per phase and per severity as 0–100 % bars", () => {
    // Act
    const byPhase = barRows(html, "chart-compliance-phase");
    const bySeverity = barRows(html, "chart-compliance-severity");

    // Assess: detect 1 of 3 (A met; B late; C breached while running), assess 1 of 2 (B breached running)
    expect(share(row(byPhase, "Detect"))).toBeCloseTo(1 / 3, 2);
    expect(row(byPhase, "Detect").valueText).toBe("33 % · 1/3");
    expect(share(row(byPhase, "Assess"))).toBeCloseTo(1 / 2, 2);
    expect(share(row(byPhase, "Contain"))).toBe(0);
    expect(row(byPhase, "Contain").valueText).toBe("0 % · 0/1");
    expect(share(row(byPhase, "Eradicate"))).toBeCloseTo(1, 2);
    expect(share(row(byPhase, "Recover"))).toBeCloseTo(1, 2);
    expect(row(byPhase, "Postmortem")).toMatchObject({ barWidth: null, valueText: "no data" });
    // All three are HIGH: 4 met of 8 decided.
    expect(bySeverity.map((r) => r.label)).toEqual(["HIGH"]);
    expect(share(row(bySeverity, "HIGH"))).toBeCloseTo(0.5, 2);
    expect(row(bySeverity, "HIGH").valueText).toBe("50 % · 4/8");
  });

  it("draws first breaches per ISO week over the last 12 weeks, columns proportional", () => {
    // Act
    const cols = columns(html);

    // Assess
    expect(cols.map((c) => c.label)).toEqual(
      ["07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18"].map((w) => `W${w}`),
    );
    const heights = Object.fromEntries(cols.map((c) => [c.label, c.height]));
    expect(heights.W16).toBeGreaterThan(0);
    expect((heights.W18 ?? 0) / (heights.W16 ?? 1)).toBeCloseTo(3, 2);
    expect(cols.filter((c) => c.height !== null)).toHaveLength(2);
    expect(section(html, "chart-breaches-weekly")).toContain("2024-W18: 3 breaches");
  });

  it("is linked from the top bar of every dashboard page and answers only to loopback hosts", async () => {
    // Act
    const list = await (await t.app.request("/")).text();
    const foreign = await t.app.request("http://evil.example/insights", {
      headers: { host: "evil.example" },
    });

    // Assess
    expect(list).toMatch(/<a href="\/insights"[^>]*>metrics<\/a>/);
    expect(html).toMatch(/<a href="\/insights"[^>]*aria-current="page"[^>]*>metrics<\/a>/);
    expect(foreign.status).toBe(403);
  });
});

describe("GET /insights with no incidents", () => {
  it("shows the empty state and no charts", async () => {
    // Prepare
    const t = makeDashboardHarness();

    // Act
    const res = await t.app.request("/insights");
    const html = await res.text();
    t.close();

    // Assess
    expect(res.status).toBe(200);
    expect(html).toContain('id="metrics-empty"');
    expect(html).toContain("No incidents yet");
    expect(html).not.toContain("<svg");
    expect(kpi(html, "mtta")).toBe("—");
    expect(kpi(html, "mttr")).toBe("—");
    expect(kpi(html, "open")).toBe("0");
    expect(kpi(html, "breaches")).toBe("0");
  });
});

describe("metricsView", () => {
  const opened = (at: string): TimelineEntry => ({
    at,
    actor: "guardduty",
    kind: "incident.opened",
    text: "",
  });

  it("escapes whatever text reaches it", () => {
    // Prepare: a page model whose texts were tampered with
    const evil = '"><script>alert(1)</script><svg onload=alert(1)>';
    const data = metricsPage([{ incident: { id: "IR-1", severity: "HIGH" }, timeline: [opened(T0)] }], {
      now: T0,
      open: 1,
    });
    const tampered = {
      ...data,
      thisWeek: { week: evil, breaches: 1 },
      weeks: data.weeks.map((w) => ({ ...w, week: `2024-${evil}`, breaches: 2 })),
    };

    // Act
    const html = String(metricsView(tampered));

    // Assess
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<svg onload");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders any timeline, however malformed, with finite numbers only in the SVG", () => {
    // Prepare: arbitrary entries of the kinds the metrics read, with arbitrary times and data
    const KINDS = [
      "incident.opened",
      "incident.acknowledged",
      "phase.entered",
      "sla.met",
      "sla.late",
      "sla.breached",
      "sla.escalated",
      "incident.closed",
    ];
    const time = fc.oneof(
      fc
        .integer({ min: Date.parse("2023-01-01T00:00:00Z"), max: Date.parse("2024-12-31T00:00:00Z") })
        .map((ms) => new Date(ms).toISOString()),
      fc.string(),
    );
    const phase = fc.constantFrom("detect", "assess", "contain", "eradicate", "recover", "postmortem", "x");
    const entry = fc.record({
      at: time,
      actor: fc.string(),
      kind: fc.constantFrom(...KINDS),
      text: fc.string(),
      data: fc.record({ phase, clock: phase, deadline: time, breachedAt: time, level: fc.integer() }),
    });
    const history = fc.record({
      incident: fc.record({
        id: fc.string(),
        severity: fc.constantFrom("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL" as const),
      }),
      timeline: fc.array(entry, { maxLength: 30 }),
    });

    fc.assert(
      fc.property(fc.array(history, { maxLength: 6 }), time, (histories, now) => {
        // Act
        const html = String(
          metricsView(
            metricsPage(histories as IncidentHistory[], {
              now: Number.isNaN(Date.parse(now)) ? T0 : now,
              open: 0,
            }),
          ),
        );

        // Assess
        const geometry = [...html.matchAll(/\s(?:x|y|x1|x2|y1|y2|width|height|data-value)="([^"]*)"/g)];
        for (const [, value] of geometry) expect(value).toMatch(/^(?:100%|-?\d+(?:\.\d+)?)$/);
        expect(html).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 150 },
    );
  });
});

describe("formatSeconds", () => {
  it.each([
    [null, "—"],
    [0, "0s"],
    [45, "45s"],
    [300, "5m"],
    [450, "7m 30s"],
    [3600, "1h"],
    [12_600, "3h 30m"],
    [47 * 3600, "47h"],
    [2 * 86_400 + 4 * 3600, "2d 4h"],
    [3 * 86_400, "3d"],
  ])("%s s reads %s", (seconds, text) => {
    // Act / Assess
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe("lastWeeks", () => {
  it("counts back across a year boundary in ISO weeks", () => {
    // Act: Monday 2021-01-11; two weeks back, Monday 2020-12-28 belongs to 2020-W53
    const weeks = lastWeeks("2021-01-11T12:00:00.000Z", 3);

    // Assess
    expect(weeks).toEqual(["2020-W53", "2021-W01", "2021-W02"]);
  });
});
