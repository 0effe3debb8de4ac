/**
 * advance: load → step → commit, the one way an existing incident changes (DESIGN §3).
 *
 * Optimistic concurrency: the commit is conditional on the version we read; on a conflict we re-read and
 * re-apply the same event (bounded). The step is pure, so re-applying is safe. Command results fed back
 * by dispatch are committed in the same transaction as the change they cause.
 */
import type { IncidentEvent } from "../core/incident/events";
import {
  CommandAlreadyRecordedError,
  type CommandResult,
  type IncidentRecord,
  type TimelineEntry,
  VersionConflictError,
} from "../core/ports/incident-store";
import { incidentRecordOf, type StepChanged, step } from "../workflows/incident/step";
import type { AppDeps, ResponseConfig } from "./response-config";

export const MAX_COMMIT_ATTEMPTS = 5;

export type AdvanceOutcome =
  | { status: "changed"; incident: IncidentRecord; commands: number }
  | { status: "unchanged"; incident: IncidentRecord }
  | { status: "duplicate-result" }
  | { status: "not-found" };

export class TooMuchContentionError extends Error {
  override readonly name = "TooMuchContentionError";
  constructor(incidentId: string) {
    super(`incident ${incidentId} kept changing under us; gave up after ${MAX_COMMIT_ATTEMPTS} attempts`);
  }
}

export const stepDeps = (config: ResponseConfig, incidentId: string) => ({
  incidentId,
  slaPolicy: config.slaPolicy,
  containmentPolicy: config.containmentPolicy,
});

/** The finding records a changed step commits (dedupe state for the findings it merged). */
export const findingRecordsOf = (incidentId: string, result: StepChanged) =>
  result.findings.map((finding) => ({
    identity: finding.identity,
    incidentId,
    updatedAt: finding.updatedAt,
    count: finding.count,
    finding,
  }));

export async function advance(
  deps: AppDeps,
  incidentId: string,
  event: IncidentEvent,
  commandResult?: { id: string } & CommandResult,
): Promise<AdvanceOutcome> {
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) return { status: "not-found" };
    const result = step(incident, event, stepDeps(deps.config, incidentId));
    if (!result.changed && !commandResult) return { status: "unchanged", incident };
    // A command result the workflow no longer reacts to (the incident closed meanwhile) is still
    // recorded, with its timeline entry, exactly once: every result is on the timeline.
    const next = result.changed
      ? incidentRecordOf(incidentId, result, incident.linkedTo)
      : { ...incident, version: incident.version + 1 };
    const timeline = result.changed ? result.timeline : [resultEntry(commandResult!, event)];
    try {
      await deps.store.commit({
        incident: next,
        expectedVersion: incident.version,
        commands: result.commands,
        timeline,
        findings: result.changed ? findingRecordsOf(incidentId, result) : [],
        ...(commandResult ? { commandResults: [commandResult] } : {}),
      });
      return { status: "changed", incident: next, commands: result.commands.length };
    } catch (error) {
      if (error instanceof CommandAlreadyRecordedError) return { status: "duplicate-result" };
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  throw new TooMuchContentionError(incidentId);
}

function resultEntry(result: { id: string } & CommandResult, event: IncidentEvent): TimelineEntry {
  const type =
    event.type === "command.succeeded" || event.type === "command.failed" ? event.commandType : "command";
  return {
    at: result.at,
    actor: "system",
    kind: `command.${result.status}`,
    text:
      result.status === "succeeded" ? `${type} done` : `${type} failed: ${result.error ?? "unknown error"}`,
    data: { commandId: result.id },
  };
}
