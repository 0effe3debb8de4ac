/**
 * Local capabilities: the AWS notifications are recorded dry runs (logged, marked dryRun), and the
 * postmortem draft is app/postmortem's, written from the store and returned as the command's result, with
 * a copy on disk written once — a re-dispatch never overwrites a copy someone started editing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DryRunContainment } from "../../../adapters/local/dry-run-containment";
import { ingestText } from "../../../app/ingest";
import { IncidentNotFoundError } from "../../../app/postmortem";
import type { Command } from "../../../core/incident/commands";
import { memoryLogger } from "../../../server/logger";
import { type LocalPostmortemDeps, localCapabilities } from "../../../server/runtime/local-capabilities";
import { FakeChatOps } from "../../support/chat-ops.fake";
import { fixtureText } from "../../support/fixtures";
import { T0, TORRELAY_FIXTURE } from "../../support/incident-events.factory";
import { makeIncidentView, makePageParams } from "../../support/incident-view.factory";
import { makeLocalApp } from "../../support/local-app";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const apps: Array<{ close(): void }> = [];
afterEach(() => {
  for (const app of apps.splice(0)) app.close();
});

function capabilities(postmortem: Omit<LocalPostmortemDeps, "dir"> | null = null) {
  const dir = mkdtempSync(join(tmpdir(), "ir-caps-"));
  dirs.push(dir);
  const log = memoryLogger();
  const caps = localCapabilities({
    chat: new FakeChatOps(),
    containment: new DryRunContainment(),
    log,
    postmortem: postmortem && { ...postmortem, dir },
  });
  return { caps, log, dir };
}

const postmortemCommand = (incidentId: string): Extract<Command, { type: "generatePostmortem" }> => ({
  id: `${incidentId}:9:0`,
  incidentId,
  type: "generatePostmortem",
  params: {
    incident: makeIncidentView({ incidentId, runbookId: "ec2-compromise" }),
    recoveredAt: "2024-05-01T12:00:00.000Z",
  },
});

describe("local capabilities", () => {
  it("records pages and lifecycle events as dry runs in the log", async () => {
    // Prepare
    const { caps, log } = capabilities();
    const publish: Extract<Command, { type: "publishIncidentEvent" }> = {
      id: "IR-1:1:2",
      incidentId: "IR-1",
      type: "publishIncidentEvent",
      params: {
        detailType: "Incident Opened",
        detail: {
          incidentId: "IR-1",
          title: "t",
          severity: "HIGH",
          phase: "detect",
          correlationKey: "k",
          at: "x",
          facts: {},
        },
      },
    };
    // Act
    const page = await caps.alerter!.page("IR-1:4:0", makePageParams());
    const event = await caps.publishIncidentEvent!(publish);
    // Assess
    expect(page).toMatchObject({ messageId: "dry-run:IR-1:4:0", dryRun: true });
    expect(event).toEqual({ dryRun: true, detailType: "Incident Opened" });
    expect(log.lines.map((l) => l.msg)).toEqual([
      "page (dry run: no SNS topic configured)",
      "incident event (dry run: no event bus configured)",
    ]);
  });

  it("returns the draft written from the store as the result, and keeps a copy it never overwrites", async () => {
    // Prepare
    const local = makeLocalApp(T0);
    apps.push(local);
    await ingestText(local.deps, fixtureText(TORRELAY_FIXTURE), { channel: "test", rawRef: "raw-1" });
    const record = (await local.deps.store.getIncident("IR-0001"))!;
    const { caps, dir } = capabilities({
      store: local.deps.store,
      clock: local.clock,
      runbookBaseUrl: () => "http://127.0.0.1:8787",
    });
    const command = postmortemCommand("IR-0001");
    // Act
    const first = (await caps.generatePostmortem!(command)) as { markdown: string; file: string };
    const copy = readFileSync(first.file, "utf8");
    writeFileSync(first.file, "edited by a human");
    local.clock.advance(5);
    const again = (await caps.generatePostmortem!(command)) as { markdown: string; generatedAt: string };
    // Assess
    expect(first.file).toBe(join(dir, "IR-0001.md"));
    expect(first.markdown.split("\n")[0]).toBe(`# Postmortem: IR-0001 — ${record.title}`);
    expect(first.markdown).toContain("(http://127.0.0.1:8787/runbooks/ec2-compromise.md#postmortem)");
    expect(copy).toBe(first.markdown);
    expect(again.generatedAt).toBe(local.clock.now());
    expect(readFileSync(first.file, "utf8")).toBe("edited by a human");
  });

  it("fails the command, writing nothing, for an incident the store does not have", async () => {
    // Prepare
    const local = makeLocalApp(T0);
    apps.push(local);
    const { caps, dir } = capabilities({ store: local.deps.store, clock: local.clock });
    // Act
    const attempt = caps.generatePostmortem!(postmortemCommand("IR-0404"));
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(IncidentNotFoundError);
    expect(existsSync(join(dir, "IR-0404.md"))).toBe(false);
  });

  it("has no postmortem writer when none is configured", () => {
    // Act
    const caps = localCapabilities({
      chat: new FakeChatOps(),
      containment: new DryRunContainment(),
      log: memoryLogger(),
      postmortem: null,
    });
    // Assess
    expect(caps.generatePostmortem).toBeUndefined();
  });
});
