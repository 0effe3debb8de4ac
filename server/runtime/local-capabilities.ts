/**
 * What the local runtime's commands run against when no cloud is configured (DESIGN §4): chat goes to the
 * dashboard, containment is a recorded dry-run plan, and the AWS notifications (SNS pages, Security Hub
 * updates, EventBridge lifecycle events, GuardDuty feedback) are recorders that log what they would send
 * and return `{ dryRun: true }`. Postmortem drafts are written as markdown under the data directory.
 *
 * Every capability is present, so no local command fails for want of one; each result says it was a dry
 * run, so nobody mistakes a local run for real paging or real isolation.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Capabilities } from "../../app/execute-command";
import type { CommandParams } from "../../core/incident/commands";
import type { Alerter } from "../../core/ports/alerter";
import type { ChatOps } from "../../core/ports/chat-ops";
import type { Containment } from "../../core/ports/containment";
import type { FindingTracker, FindingUpdateResult } from "../../core/ports/finding-tracker";
import type { Logger } from "../logger";

export interface LocalCapabilityDeps {
  chat: ChatOps;
  containment: Containment;
  log: Logger;
  /** Where postmortem drafts go; null: no drafts (the command then fails visibly). */
  postmortemDir: string | null;
}

const dryRunUpdate = (count: number): FindingUpdateResult & { dryRun: true } => ({
  processed: count,
  unprocessed: [],
  dryRun: true,
});

export function recordingAlerter(log: Logger): Alerter {
  return {
    async page(commandId, params) {
      log.warn("page (dry run: no SNS topic configured)", {
        commandId,
        target: params.target,
        level: params.level,
        reason: params.reason,
        incidentId: params.incident.incidentId,
        phase: params.phase,
      });
      return { messageId: `dry-run:${commandId}`, dryRun: true } as { messageId: string };
    },
  };
}

export function recordingFindingTracker(log: Logger): FindingTracker {
  return {
    async updateFindings(params) {
      log.info("security hub update (dry run)", { findings: params.findings.length, status: params.status });
      return dryRunUpdate(params.findings.length);
    },
    async addNote(params) {
      log.info("security hub note (dry run)", { findings: params.findings.length });
      return dryRunUpdate(params.findings.length);
    },
    async publishIncident(incident) {
      log.info("security hub incident finding (dry run)", { incidentId: incident.incidentId });
      return { id: `dry-run:${incident.incidentId}` };
    },
  };
}

const safeFileName = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120) || "incident";

function postmortemDraft(params: CommandParams<"generatePostmortem">): string {
  const i = params.incident;
  return [
    `# Postmortem draft: ${i.title}`,
    "",
    `- Incident: ${i.incidentId} (${i.severity}, ${i.category})`,
    `- Opened: ${i.openedAt}; recovered: ${params.recoveredAt}`,
    `- Owner: ${i.owner ?? "unassigned"}; acknowledged by: ${i.acknowledgedBy ?? "nobody"}`,
    `- Account / region: ${i.accountId} / ${i.region}; correlation key: ${i.correlationKey}`,
    `- Findings: ${i.findingCount}; containment: ${i.containment}`,
    `- Runbook: runbooks/${i.runbookId}.md`,
    "",
    "## Summary",
    "",
    "## Timeline",
    "",
    "## Root cause",
    "",
    "## What went well / what did not",
    "",
    "## Actions",
    "",
  ].join("\n");
}

export function localCapabilities(deps: LocalCapabilityDeps): Capabilities {
  const { log, postmortemDir } = deps;
  return {
    chat: deps.chat,
    containment: deps.containment,
    alerter: recordingAlerter(log),
    findings: recordingFindingTracker(log),
    async publishIncidentEvent(command) {
      log.info("incident event (dry run: no event bus configured)", {
        commandId: command.id,
        detailType: command.params.detailType,
        incidentId: command.params.detail.incidentId,
      });
      return { dryRun: true, detailType: command.params.detailType };
    },
    async sendGuardDutyFeedback(command) {
      log.info("guardduty feedback (dry run)", {
        commandId: command.id,
        feedback: command.params.feedback,
        findings: command.params.findingIds.length,
      });
      return { dryRun: true, feedback: command.params.feedback, findings: command.params.findingIds.length };
    },
    ...(postmortemDir === null
      ? {}
      : {
          async generatePostmortem(command) {
            mkdirSync(postmortemDir, { recursive: true });
            const path = join(postmortemDir, `${safeFileName(command.params.incident.incidentId)}.md`);
            try {
              // "wx": a re-dispatched command must not overwrite a draft someone has started editing.
              writeFileSync(path, postmortemDraft(command.params), { flag: "wx" });
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            }
            log.info("postmortem draft written", { commandId: command.id, path });
            return { draft: true, path };
          },
        }),
  };
}
