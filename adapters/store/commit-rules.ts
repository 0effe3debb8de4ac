/**
 * Rules every IncidentStore adapter (SQLite, DynamoDB) applies the same way, so the shared contract suite
 * sees one behaviour.
 *
 * - A commit is checked before anything is read or written: a malformed commit is a caller bug, reported
 *   as RangeError / TypeError, never as VersionConflictError (which means "re-read and retry").
 * - Times used as index keys are canonical ISO-8601 (`toISOString`), so they sort as text whatever
 *   precision the caller wrote; records keep the caller's strings.
 * - Timeline `seq` is `<version, 10 digits>:<index, 5 digits>`: sortable as text, deterministic.
 * - A command result in a commit names a command of the committed incident that already exists: one
 *   created by the same commit cannot have run yet (and DynamoDB cannot touch one item twice in a
 *   transaction), and each command gets at most one result per commit. Whether it is still pending is
 *   the store's question, answered inside the transaction (CommandAlreadyRecordedError).
 */
import type { CommandResult, Commit, FindingRecord } from "../../core/ports/incident-store";

const VERSION_DIGITS = 10;
const INDEX_DIGITS = 5;
const MAX_TIMELINE_PER_COMMIT = 10 ** INDEX_DIGITS;
const RESULT_STATUSES: ReadonlySet<string> = new Set<CommandResult["status"]>(["succeeded", "failed"]);

export function canonicalTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${field} is not an ISO-8601 time: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

export function timelineSeq(version: number, index: number): string {
  return `${String(version).padStart(VERSION_DIGITS, "0")}:${String(index).padStart(INDEX_DIGITS, "0")}`;
}

/** `<incidentId>:<version>:<n>` → incidentId (incident ids may hold ':' themselves). */
export function commandIncidentId(commandId: string): string | undefined {
  const last = commandId.lastIndexOf(":");
  const cut = last > 0 ? commandId.lastIndexOf(":", last - 1) : -1;
  return cut > 0 ? commandId.slice(0, cut) : undefined;
}

/** Throws on a commit no store may accept; returns its finding records, last one per identity winning. */
export function checkCommit(commit: Commit): FindingRecord[] {
  const { incident, expectedVersion } = commit;
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
    throw new RangeError(`expectedVersion must be a non-negative integer, got ${expectedVersion}`);
  }
  if (incident.version !== expectedVersion + 1) {
    throw new RangeError(
      `incident ${incident.id} version must be expectedVersion + 1 (${expectedVersion + 1}), got ${incident.version}`,
    );
  }
  if (commit.timeline.length >= MAX_TIMELINE_PER_COMMIT) {
    throw new RangeError(`a commit holds at most ${MAX_TIMELINE_PER_COMMIT - 1} timeline entries`);
  }
  canonicalTime(incident.openedAt, "incident.openedAt");
  if (incident.nextDeadline !== null) canonicalTime(incident.nextDeadline, "incident.nextDeadline");

  const commandIds = new Set<string>();
  for (const command of commit.commands) {
    if (command.incidentId !== incident.id || commandIncidentId(command.id) !== incident.id) {
      throw new TypeError(`outbox command ${command.id} does not belong to incident ${incident.id}`);
    }
    if (commandIds.has(command.id))
      throw new TypeError(`outbox command ${command.id} appears twice in one commit`);
    commandIds.add(command.id);
    canonicalTime(command.createdAt, `command ${command.id} createdAt`);
  }

  const resultIds = new Set<string>();
  for (const result of commit.commandResults ?? []) {
    if (commandIncidentId(result.id) !== incident.id) {
      throw new TypeError(`command result ${result.id} is not for a command of incident ${incident.id}`);
    }
    if (commandIds.has(result.id)) {
      throw new TypeError(`command ${result.id} cannot get its result in the commit that creates it`);
    }
    if (resultIds.has(result.id)) throw new TypeError(`command ${result.id} has two results in one commit`);
    resultIds.add(result.id);
    if (!RESULT_STATUSES.has(result.status)) {
      throw new TypeError(`command result ${result.id} has status ${JSON.stringify(result.status)}`);
    }
    canonicalTime(result.at, `command result ${result.id} at`);
  }

  const findings = new Map<string, FindingRecord>();
  for (const record of commit.findings) {
    if (record.incidentId !== incident.id) {
      throw new TypeError(
        `finding ${record.identity} belongs to incident ${record.incidentId}, not ${incident.id}`,
      );
    }
    findings.set(record.identity, record);
  }
  return [...findings.values()];
}

/** Raised when an outbox command id is already stored: commands are immutable. */
export function duplicateCommandError(commandId: string): Error {
  return new Error(`outbox command ${commandId} already exists (commands are immutable)`);
}
