/**
 * An IncidentStore that tells the local dispatcher about each outbox command as its commit lands, so the
 * dispatcher keeps its own index of pending commands instead of reading the whole pending list every turn
 * (which, with thousands of commands waiting for a Slack slot, cost milliseconds per turn and grew with
 * the backlog).
 *
 * Invariants:
 * - Every other call goes straight to the wrapped store; a commit is reported only after it returned (a
 *   failed commit reports nothing).
 * - A report is a hint, never the truth: a commit inside a group transaction that is later rolled back
 *   (the inbox worker's batch) was reported all the same, so the dispatcher re-reads each command before
 *   running it and drops the ones the store does not hold as pending. It also re-reads the pending list
 *   now and then, for commands committed through any other path.
 */
import type { IncidentStore, OutboxCommand } from "../../core/ports/incident-store";

export type CommandsCommitted = (commands: readonly OutboxCommand[]) => void;

export function watchCommittedCommands(store: IncidentStore, onCommitted: CommandsCommitted): IncidentStore {
  return {
    getIncident: (id) => store.getIncident(id),
    findOpenIncident: (key) => store.findOpenIncident(key),
    latestIncident: (key) => store.latestIncident(key),
    getFinding: (identity) => store.getFinding(identity),
    async commit(commit) {
      await store.commit(commit);
      if (commit.commands.length > 0) onCommitted(commit.commands);
    },
    dueIncidents: (now, limit) => store.dueIncidents(now, limit),
    listIncidents: (filter) => store.listIncidents(filter),
    timeline: (incidentId) => store.timeline(incidentId),
    findingsOf: (incidentId) => store.findingsOf(incidentId),
    commandsOf: (incidentId) => store.commandsOf(incidentId),
    getCommand: (id) => store.getCommand(id),
    pendingCommands: (limit) => store.pendingCommands(limit),
    recordCommandResult: (id, result) => store.recordCommandResult(id, result),
  };
}
