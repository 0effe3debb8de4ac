/**
 * The generatePostmortem capability: when an incident enters the postmortem phase, the workflow asks for
 * a draft; this reads what the store holds about the incident (record, timeline, findings, commands),
 * writes the markdown (core/postmortem) and returns `{ markdown, generatedAt }`. Dispatch records that
 * as the command's result, so the draft is kept with the incident (outbox result + timeline entry) in
 * both runtimes, with no separate document store.
 *
 * Reads only: generating twice (a redelivered command) gives a fresh draft and changes nothing else.
 */
import type { Command } from "../core/incident/commands";
import type { Clock } from "../core/ports/clock";
import type { IncidentStore, JsonValue } from "../core/ports/incident-store";
import { generatePostmortem } from "../core/postmortem/generate-postmortem";

export interface PostmortemWriterDeps {
  store: IncidentStore;
  clock: Clock;
  /** Where runbooks are served, for the runbook link (relative when absent). */
  runbookBaseUrl?: string;
  /** Timeline rows in the draft at most (the result is stored with the command). */
  maxTimelineEntries?: number;
}

export class IncidentNotFoundError extends Error {
  override readonly name = "IncidentNotFoundError";
  constructor(readonly incidentId: string) {
    super(`incident ${incidentId} not found: cannot write its postmortem`);
  }
}

export interface PostmortemDraft {
  markdown: string;
  generatedAt: string;
}

export function createPostmortemWriter(
  deps: PostmortemWriterDeps,
): (command: Extract<Command, { type: "generatePostmortem" }>) => Promise<JsonValue> {
  return async (command) => {
    const incident = await deps.store.getIncident(command.incidentId);
    if (!incident) throw new IncidentNotFoundError(command.incidentId);
    const [timeline, findings, commands] = await Promise.all([
      deps.store.timeline(command.incidentId),
      deps.store.findingsOf(command.incidentId),
      deps.store.commandsOf(command.incidentId),
    ]);
    const generatedAt = deps.clock.now();
    const markdown = generatePostmortem({
      incident,
      view: command.params.incident,
      timeline,
      findings,
      commands,
      generatedAt,
      ...(deps.runbookBaseUrl !== undefined ? { runbookBaseUrl: deps.runbookBaseUrl } : {}),
      ...(deps.maxTimelineEntries !== undefined ? { maxTimelineEntries: deps.maxTimelineEntries } : {}),
    });
    const draft: PostmortemDraft = { markdown, generatedAt };
    return { ...draft };
  };
}
