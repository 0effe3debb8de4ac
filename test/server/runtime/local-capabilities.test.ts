/**
 * Local capabilities: the AWS notifications are recorded dry runs (logged, marked dryRun), and the
 * postmortem draft is written once — a re-dispatch never overwrites a draft someone started editing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DryRunContainment } from "../../../adapters/local/dry-run-containment";
import type { Command } from "../../../core/incident/commands";
import { memoryLogger } from "../../../server/logger";
import { localCapabilities } from "../../../server/runtime/local-capabilities";
import { FakeChatOps } from "../../support/chat-ops.fake";
import { makeIncidentView, makePageParams } from "../../support/incident-view.factory";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function capabilities() {
  const dir = mkdtempSync(join(tmpdir(), "ir-caps-"));
  dirs.push(dir);
  const log = memoryLogger();
  const caps = localCapabilities({
    chat: new FakeChatOps(),
    containment: new DryRunContainment(),
    log,
    postmortemDir: dir,
  });
  return { caps, log, dir };
}

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

  it("writes the postmortem draft once and never overwrites it", async () => {
    // Prepare
    const { caps, dir } = capabilities();
    const command: Extract<Command, { type: "generatePostmortem" }> = {
      id: "IR-7:9:0",
      incidentId: "IR-7",
      type: "generatePostmortem",
      params: {
        incident: makeIncidentView({ incidentId: "IR-7", title: "Tor relay" }),
        recoveredAt: "2024-05-01T12:00:00.000Z",
      },
    };
    // Act
    const first = (await caps.generatePostmortem!(command)) as { path: string };
    const draft = readFileSync(first.path, "utf8");
    writeFileSync(first.path, "edited by a human");
    const again = (await caps.generatePostmortem!(command)) as { path: string };
    // Assess
    expect(first.path).toBe(join(dir, "IR-7.md"));
    expect(draft).toMatch(/^# Postmortem draft: Tor relay\n/);
    expect(again.path).toBe(first.path);
    expect(readFileSync(first.path, "utf8")).toBe("edited by a human");
  });
});
