/**
 * What the local runtime's commands run against when no cloud is configured (DESIGN §4): chat goes to the
 * dashboard, containment is a recorded dry-run plan, and the AWS notifications (SNS pages, Security Hub
 * updates, EventBridge lifecycle events, GuardDuty feedback) are recorders that log what they would send
 * and return `{ dryRun: true }`. Postmortem drafts come from app/postmortem.ts (the command's stored
 * result), with a copy as markdown under the data directory.
 *
 * Every capability is present, so no local command fails for want of one; each result says it was a dry
 * run, so nobody mistakes a local run for real paging or real isolation.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Capabilities } from "../../app/execute-command";
import { createPostmortemWriter, type PostmortemDraft } from "../../app/postmortem";
import type { Alerter } from "../../core/ports/alerter";
import type { ChatOps } from "../../core/ports/chat-ops";
import type { Clock } from "../../core/ports/clock";
import type { Containment } from "../../core/ports/containment";
import type { FindingTracker, FindingUpdateResult } from "../../core/ports/finding-tracker";
import type { IncidentStore } from "../../core/ports/incident-store";
import type { Logger } from "../logger";

export interface LocalCapabilityDeps {
  chat: ChatOps;
  containment: Containment;
  log: Logger;
  /** Postmortem drafts; null: none (the command then fails visibly). */
  postmortem: LocalPostmortemDeps | null;
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

/** Where a draft's convenience copy goes: `<dir>/<incident id, file-safe>.md`. */
export const postmortemFileOf = (dir: string, incidentId: string): string =>
  join(dir, `${safeFileName(incidentId)}.md`);

export interface LocalPostmortemDeps {
  store: IncidentStore;
  clock: Clock;
  /** Where the copies go (`<data-dir>/postmortems`). */
  dir: string;
  /** The server's base URL for the runbook link, once known (the port is chosen at listen time). */
  runbookBaseUrl?: () => string | undefined;
}

/**
 * generatePostmortem: the draft app/postmortem.ts writes from the store is the command's result (kept
 * with the incident); a copy goes to `<dir>/<id>.md` for editing. "wx": a re-dispatched command must not
 * overwrite a copy someone has started editing (the stored result is fresh either way).
 */
export function localPostmortemWriter(
  deps: LocalPostmortemDeps,
  log: Logger,
): NonNullable<Capabilities["generatePostmortem"]> {
  return async (command) => {
    const base = deps.runbookBaseUrl?.();
    const write = createPostmortemWriter({
      store: deps.store,
      clock: deps.clock,
      ...(base === undefined ? {} : { runbookBaseUrl: base }),
    });
    const draft = (await write(command)) as unknown as PostmortemDraft;
    mkdirSync(deps.dir, { recursive: true });
    const file = postmortemFileOf(deps.dir, command.incidentId);
    let written = true;
    try {
      writeFileSync(file, draft.markdown, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      written = false;
    }
    log.info(written ? "postmortem draft written" : "postmortem draft kept (file already exists)", {
      commandId: command.id,
      file,
    });
    return { markdown: draft.markdown, generatedAt: draft.generatedAt, file };
  };
}

export function localCapabilities(deps: LocalCapabilityDeps): Capabilities {
  const { log } = deps;
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
    ...(deps.postmortem === null ? {} : { generatePostmortem: localPostmortemWriter(deps.postmortem, log) }),
  };
}
