/**
 * The response-metrics page in headless Chromium: three months of incidents worked through ingest, act and
 * sweep on the test clock (some on time, some late, some never acknowledged), then the page opened from the
 * dashboard's top bar. It must render clean (no script error, no CSP violation), show the numbers the store
 * implies and draw every chart. Leaves reports/metrics.png as an artifact.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, type ResponderAction } from "../../app/act";
import { sweep } from "../../app/sweep";
import { isoWeek, responseMetrics } from "../../core/metrics/response-metrics";
import { formatSeconds } from "../../server/dashboard/views/metrics";
import {
  type DashboardHarness,
  makeDashboardHarness,
  OPERATOR_TOKEN,
  T0,
  TOR_RELAY,
} from "../server/dashboard/harness";
import {
  chromiumAvailable,
  type LaunchedBrowser,
  launchChromium,
  type ServedApp,
  serveApp,
} from "../support/browser";

const REPORTS = fileURLToPath(new URL("../../reports/", import.meta.url));
const WAIT = { timeout: 10_000 };
const DAY = 24 * 60;
const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn("metrics browser test skipped: /usr/bin/chromium is not installed");

type Step = readonly ["ack" | "advance" | "sweep" | "publish" | "false-positive", number];

/** One incident per entry: which real finding opens it, on which day (relative to T0), and what happens after (minutes). */
const STORY: Array<{ fixture: string; day: number; steps: Step[] }> = [
  {
    fixture:
      "securityhub/bare-asff-afsbp-ec2.1-public-ebs-snapshot-critical-account-resource-asr-simdata.json",
    day: -80,
    steps: [
      ["ack", 6],
      ["advance", 22],
      ["advance", 50],
      ["advance", 190],
      ["advance", 400],
      ["publish", 1900],
    ],
  },
  {
    fixture: "cloudtrail/raw-kms-schedulekeydeletion-awsdocs.json",
    day: -66,
    steps: [
      ["sweep", 20],
      ["ack", 24],
      ["advance", 28],
      ["sweep", 75],
      ["advance", 95],
      ["advance", 250],
      ["advance", 470],
      ["publish", 2400],
    ],
  },
  {
    fixture: "guardduty/bare-discovery-s3-maliciousipcaller-custom-bucket-publicaccess-sample-sekoia.json",
    day: -52,
    steps: [
      ["ack", 9],
      ["advance", 26],
      ["advance", 58],
      ["advance", 230],
      ["advance", 460],
      ["publish", 2000],
    ],
  },
  {
    fixture: "guardduty/bare-unauthorizedaccess-iamuser-maliciousipcaller-accesskey-sample-sekoia.json",
    day: -45,
    steps: [
      ["ack", 4],
      ["false-positive", 12],
    ],
  },
  {
    fixture: "securityhub/bare-asff-inspector-network-reachability-ssh-port-22-awsdocs.json",
    day: -38,
    steps: [
      ["ack", 11],
      ["advance", 29],
      ["advance", 55],
      ["sweep", 250],
      ["advance", 300],
      ["advance", 470],
      ["publish", 2600],
    ],
  },
  {
    fixture: "securityhub/imported-macie-classic-s3-partial-envelope-no-id-account-time-notify-slack.json",
    day: -30,
    steps: [
      ["ack", 35],
      ["advance", 90],
      ["advance", 200],
      ["advance", 700],
      ["advance", 1500],
      ["publish", 5000],
    ],
  },
  {
    fixture: "cloudtrail/raw-cloudwatch-deletealarms-grimoire-elastic.json",
    day: -23,
    steps: [
      ["sweep", 20],
      ["sweep", 40],
      ["ack", 42],
      ["advance", 55],
      ["advance", 80],
      ["advance", 300],
      ["advance", 480],
      ["publish", 2800],
    ],
  },
  {
    fixture: "guardduty/bare-policy-kubernetes-admin-access-default-serviceaccount-eks-sample-sekoia.json",
    day: -16,
    steps: [
      ["ack", 7],
      ["advance", 21],
      ["sweep", 65],
      ["advance", 80],
      ["advance", 235],
      ["advance", 470],
      ["publish", 2500],
    ],
  },
  {
    fixture: "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json",
    day: -9,
    steps: [
      ["ack", 3],
      ["advance", 18],
      ["advance", 45],
      ["advance", 200],
    ],
  },
  {
    fixture: "securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json",
    day: -2,
    steps: [
      ["sweep", 20],
      ["ack", 26],
      ["advance", 40],
      ["sweep", 70],
    ],
  },
  {
    fixture: TOR_RELAY,
    day: 0,
    steps: [
      ["ack", 5],
      ["advance", 20],
    ],
  },
  {
    fixture: "cloudtrail/raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json",
    day: 0,
    steps: [["sweep", 30]],
  },
];

const ACTIONS: Record<Exclude<Step[0], "sweep">, ResponderAction> = {
  ack: { type: "acknowledge" },
  advance: { type: "advance" },
  publish: { type: "publish-postmortem", url: "https://wiki.example/postmortems/1" },
  "false-positive": { type: "false-positive", note: "scanner we run ourselves" },
};

describe.skipIf(!haveChromium)("metrics page in headless Chromium", () => {
  let harness: DashboardHarness;
  let served: ServedApp;
  let browser: LaunchedBrowser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    harness = makeDashboardHarness({ pollMs: 100 });
    const { clock, deps } = harness.local;
    for (const { fixture, day, steps } of STORY) {
      const start = day * DAY;
      clock.at(T0, start);
      const [outcome] = await harness.ingestFixture(fixture);
      const opened = outcome?.findings.find((f) => f.decision === "opened");
      if (!opened || !("incidentId" in opened)) throw new Error(`${fixture} opened no incident`);
      for (const [kind, minutes] of steps) {
        clock.at(T0, start + minutes);
        if (kind === "sweep") await sweep(deps);
        else await act(deps, opened.incidentId, ACTIONS[kind], "alice");
      }
    }
    clock.at(T0, 75);
    await sweep(deps);
    await harness.dispatchPending();
    served = await serveApp(harness.app);
    browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    // CSP violations are reported on the console: the page must run clean.
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    harness?.close();
  });

  it("opens from the top bar and shows what the store's timelines imply", async () => {
    // Prepare: what the page should say, from the store through core/metrics
    const store = harness.local.deps.store;
    const incidents = await store.listIncidents({ limit: 500 });
    const histories = await Promise.all(
      incidents.map(async (incident) => ({ incident, timeline: await store.timeline(incident.id) })),
    );
    const metrics = responseMetrics(histories);
    const week = isoWeek(harness.local.clock.now());
    const thisWeek = metrics.breachesPerWeek.find((w) => w.week === week)?.breaches ?? 0;
    const open = incidents.filter((i) => i.open).length;

    // Act
    await page.goto(`${served.url}/?token=${OPERATOR_TOKEN}`);
    await page.locator("#live.on").waitFor(WAIT);
    await page.locator('header a[href="/insights"]').click();
    await page.waitForURL(/\/insights$/, WAIT);
    await page.locator("#metrics").waitFor(WAIT);

    // Assess
    await expect(page.locator("#kpi-mtta .v").textContent()).resolves.toBe(
      formatSeconds(metrics.mtta.seconds),
    );
    await expect(page.locator("#kpi-mttc .v").textContent()).resolves.toBe(
      formatSeconds(metrics.mttc.seconds),
    );
    await expect(page.locator("#kpi-mttr .v").textContent()).resolves.toBe(
      formatSeconds(metrics.mttr.seconds),
    );
    await expect(page.locator("#kpi-open .v").textContent()).resolves.toBe(String(open));
    await expect(page.locator("#kpi-breaches .v").textContent()).resolves.toBe(String(thisWeek));
    expect(metrics.mtta.count).toBeGreaterThan(5);
    expect(thisWeek).toBeGreaterThan(0);
    await expect(page.locator(".chart svg").count()).resolves.toBe(4);
    await expect(page.locator("#chart-breaches-weekly g.column").count()).resolves.toBe(12);
    await expect(page.locator("#chart-phase-durations rect.bar").count()).resolves.toBe(6);
    await expect(page.locator("#chart-compliance-severity g.bar-row").count()).resolves.toBe(
      new Set(metrics.slaCompliance.map((c) => c.severity)).size,
    );
    // The stylesheet applied (a CSP refusal would leave the headline cards unstyled).
    const display = await page.locator(".kpis").evaluate((el) => {
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { display: string } };
      return view.getComputedStyle(el).display;
    });
    expect(display).toBe("grid");
    await page.locator("#live.on").waitFor(WAIT);
    mkdirSync(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, "metrics.png"), fullPage: true });
    expect(problems).toEqual([]);
  }, 30_000);

  it("keeps the top bar live: a new incident updates the open count without a reload", async () => {
    // Act
    await harness.ingestFixture(
      "guardduty/eventbridge-malware-protection-s3-object-scan-result-threats-found-via-sns-notify-slack.json",
    );

    // Assess
    const open = (await harness.local.deps.store.listIncidents({ open: true })).length;
    await page.locator("#summary", { hasText: new RegExp(`${open}\\s*open`) }).waitFor(WAIT);
    expect(problems).toEqual([]);
  }, 20_000);
});
