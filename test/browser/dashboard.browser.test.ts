/**
 * The dashboard in a real browser: headless Chromium against the dashboard served over HTTP on a real
 * SQLite store. A finding ingested after the page is open must appear live (server-sent events, no
 * reload); the deadline must count down; Acknowledge must move the incident to `assess` on screen.
 * Leaves full-page screenshots in reports/ as artifacts.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRunbooks } from "../../adapters/runbooks/load-runbooks";
import { sweep } from "../../app/sweep";
import { runbookHtmlFrom } from "../../server/dashboard/runbooks";
import {
  type DashboardHarness,
  makeDashboardHarness,
  OPERATOR_TOKEN,
  PORT_PROBE,
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

const ROOT_SIGN_IN = "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json";
const SSH_OPEN = "securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json";

const REPORTS = fileURLToPath(new URL("../../reports/", import.meta.url));
const WAIT = { timeout: 10_000 };
const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn("dashboard browser test skipped: /usr/bin/chromium is not installed");

/** `14m 58s` → 898; `1h 05m` → 3900; overdue values are negative. */
function seconds(text: string): number {
  const overdue = text.includes("overdue");
  const h = /(\d+)h/.exec(text)?.[1];
  const m = /(\d+)m/.exec(text)?.[1];
  const s = /(\d+)s/.exec(text)?.[1];
  const total = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  return overdue ? -total : total;
}

describe.skipIf(!haveChromium)("dashboard in headless Chromium", () => {
  let harness: DashboardHarness;
  let served: ServedApp;
  let browser: LaunchedBrowser;
  let page: Page;
  const problems: string[] = [];

  let torIncident = "";

  beforeAll(async () => {
    harness = makeDashboardHarness({
      pollMs: 100,
      runbookHtml: runbookHtmlFrom(
        (await loadRunbooks(fileURLToPath(new URL("../../runbooks/", import.meta.url)))).map(
          (r) => r.runbook,
        ),
      ),
    });
    // Already on the board when the page opens: one incident past its deadline, one past its warning.
    const { clock } = harness.local;
    clock.at(T0, -40);
    await harness.ingestFixture(ROOT_SIGN_IN);
    clock.at(T0, -13);
    await harness.ingestFixture(SSH_OPEN);
    clock.at(T0, 0);
    await sweep(harness.local.deps);
    await harness.dispatchPending();
    served = await serveApp(harness.app);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    // CSP violations and script errors surface here: the page must run clean.
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    harness?.close();
  });

  it("logs in with the operator link, then shows an incident ingested afterwards without reloading", async () => {
    // Prepare: the operator link, as the server prints it
    await page.goto(`${served.url}/?token=${OPERATOR_TOKEN}`);
    expect(new URL(page.url()).search).toBe("");
    await page.locator("#live.on").waitFor(WAIT);
    await expect(page.locator("#rows tr.row").count()).resolves.toBe(2);
    await expect(page.locator("#rows tr.row.is-breach .when-breach").count()).resolves.toBe(1);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // Act: findings arrive in-process after the page is open
    const outcomes = await harness.ingestFixture(TOR_RELAY);
    const opened = outcomes[0]?.findings[0];
    torIncident = opened && "incidentId" in opened ? opened.incidentId : "";
    await harness.dispatchPending();
    await harness.ingestFixture(PORT_PROBE); // same instance: joins the incident

    // Assess: the row appears live, on the same page (no navigation happened)
    const row = page.locator(`#rows tr.row[data-id="${torIncident}"]`);
    await row.waitFor(WAIT);
    await row.locator(".c-title", { hasText: "2 findings" }).waitFor(WAIT);
    await expect(row.locator(".c-title").textContent()).resolves.toContain(
      "EC2 instance i-99999999 is communicating with a Tor Exit node.",
    );
    await expect(row.locator(".sev").textContent()).resolves.toBe("HIGH");
    await expect(row.locator(".phase").textContent()).resolves.toBe("detect");
    await row.locator(".badge.approve").waitFor(WAIT);
    await expect(
      page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
    ).resolves.toBe(true);
    await page.locator("#summary", { hasText: /3\s*open/ }).waitFor(WAIT);
  }, 30_000);

  it("counts the next deadline down live", async () => {
    // Prepare
    const countdown = page.locator(`#rows tr.row[data-id="${torIncident}"] .countdown`);
    await expect(countdown.getAttribute("data-deadline")).resolves.toBe("2024-05-01T10:15:00.000Z");
    const first = seconds((await countdown.textContent()) ?? "");

    // Act: let real time pass
    await page.waitForTimeout(2_200);
    const later = seconds((await countdown.textContent()) ?? "");

    // Assess: the server's clock stood still at T0, so the page counts from the time it was sent
    expect(first).toBeGreaterThan(13 * 60);
    expect(first).toBeLessThanOrEqual(15 * 60);
    expect(later).toBeLessThan(first);
    expect(first - later).toBeGreaterThanOrEqual(1);
    expect(first - later).toBeLessThanOrEqual(4);
    mkdirSync(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, "dashboard-list.png"), fullPage: true });
  }, 20_000);

  it("acknowledges from the incident page and shows phase assess", async () => {
    // Prepare: open the incident from the list
    await page.locator(`#rows tr.row[data-id="${torIncident}"] .c-title a`).click();
    await page.waitForURL(new RegExp(`/incidents/${torIncident}$`), WAIT);
    await page.locator("#live.on").waitFor(WAIT);
    await expect(page.locator(".incident-head .phase").textContent()).resolves.toBe("detect");
    await expect(page.locator("#containment .calls li").count()).resolves.toBe(5);

    // Act
    await page.getByRole("button", { name: /Acknowledge/ }).click();

    // Assess: the page updates in place; the store agrees
    await page.locator(".incident-head .phase", { hasText: "assess" }).waitFor(WAIT);
    await expect(page.locator("#toast").textContent()).resolves.toContain("acknowledge: changed");
    await expect(page.locator(".incident-head").textContent()).resolves.toContain("dashboard");
    const stored = await harness.local.deps.store.getIncident(torIncident);
    expect(stored?.phase).toBe("assess");
    await expect(page.locator("#runbook h2").textContent()).resolves.toBe("Runbook · Assess");
    await expect(page.locator("#runbook .checklist li").first().textContent()).resolves.toContain(
      "T0+30 min",
    );

    // The dispatcher catches up (chat updated, thread replies): the page follows live
    await harness.dispatchPending();
    const settled = await harness.local.deps.store.getIncident(torIncident);
    await page.locator(`#detail[data-version="${settled?.version}"]`).waitFor(WAIT);
    await expect(page.locator("#commands .st-pending").count()).resolves.toBe(0);
    await expect(
      page.locator("#timeline li", { hasText: "incident.acknowledged" }).textContent(),
    ).resolves.toContain("by dashboard");

    // A note through the keyboard and the prompt dialog (n, type, ctrl+enter)
    await page.locator("body").press("n");
    await page.locator("#prompt[open]").waitFor(WAIT);
    await page
      .locator("#prompt-text")
      .fill("Flow logs show 3 connections to 198.51.100.0:9001 <b>not bold</b>");
    await page.locator("#prompt-text").press("Control+Enter");
    const note = page.locator("#timeline li", { hasText: "note.added" });
    await note.waitFor(WAIT);
    await expect(note.locator(".what").textContent()).resolves.toBe(
      "Flow logs show 3 connections to 198.51.100.0:9001 <b>not bold</b>",
    );
    await page.locator("#toast").click(); // dismissed, so it does not cover the screenshot
    await page.locator("#toast").waitFor({ state: "hidden", timeout: 2_000 });
    mkdirSync(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, "dashboard.png"), fullPage: true });
    expect(problems).toEqual([]);
  }, 30_000);
});
