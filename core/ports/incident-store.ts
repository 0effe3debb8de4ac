/**
 * IncidentStore: durable incidents, their outbox and timeline (DESIGN §3, §5).
 *
 * Invariants every adapter keeps (proven by test/adapters/incident-store.contract.ts):
 * - `commit` is atomic: the incident's new version, its outbox commands, timeline entries and finding
 *   records are all written or none is.
 * - Optimistic concurrency: a commit succeeds only if the stored version equals `expectedVersion`
 *   (0 = the incident must not exist yet); otherwise it throws VersionConflictError and writes nothing.
 * - At most one OPEN incident per correlation key: creating a second one is a VersionConflictError, so the
 *   caller re-reads and joins the existing incident. Closing an incident frees its key.
 * - `dueIncidents` costs O(due), not O(open): it reads an index on the next deadline.
 * - Outbox commands are immutable; their result is recorded once (idempotent on command id). A commit may
 *   record command results together with the incident change they cause (dispatch feeding a result back),
 *   so a result and its effect on the workflow land together or not at all.
 */
import type { Finding } from "../findings/finding";
import type { SeverityLabel } from "../findings/severity";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface IncidentRecord {
  id: string;
  /** 1 after the first commit, +1 per commit. */
  version: number;
  correlationKey: string;
  open: boolean;
  phase: string;
  severity: SeverityLabel;
  title: string;
  openedAt: string;
  updatedAt: string;
  /** Earliest pending clock deadline (ISO-8601); null when no clock runs. Drives the sweep index. */
  nextDeadline: string | null;
  /** The persisted statechart snapshot (JSON, carries its machine version). */
  snapshot: JsonObject;
  /** The closed incident this one follows, when a finding reopened a closed correlation key. */
  linkedTo?: string;
}

export interface OutboxCommand {
  /** `<incidentId>:<version>:<n>`: deterministic, the idempotency key everywhere. */
  id: string;
  incidentId: string;
  type: string;
  params: JsonObject;
  createdAt: string;
}

export type CommandStatus = "pending" | "succeeded" | "failed";

export interface CommandResult {
  status: Exclude<CommandStatus, "pending">;
  at: string;
  result?: JsonValue;
  error?: string;
}

export interface StoredCommand extends OutboxCommand {
  status: CommandStatus;
  completedAt?: string;
  result?: JsonValue;
  error?: string;
}

export interface TimelineEntry {
  at: string;
  /** Who caused it: a responder id, "system", "clock", or the finding source. */
  actor: string;
  /** What happened, e.g. `finding.received`, `phase.advanced`, `command.succeeded`, `sla.breached`. */
  kind: string;
  text: string;
  data?: JsonValue;
}

/** A timeline entry as stored: `seq` orders entries within an incident (assigned by the store). */
export interface StoredTimelineEntry extends TimelineEntry {
  incidentId: string;
  /** `<version, zero-padded>:<index, zero-padded>`: sortable, deterministic. */
  seq: string;
}

/** The latest state of one finding identity, for dedupe (DESIGN §5). */
export interface FindingRecord {
  identity: string;
  incidentId: string;
  updatedAt: string;
  count: number;
  finding: Finding;
}

export interface Commit {
  incident: IncidentRecord;
  expectedVersion: number;
  commands: OutboxCommand[];
  timeline: TimelineEntry[];
  findings: FindingRecord[];
  /**
   * Results of this incident's outbox commands recorded in the same transaction. Each command must still
   * be pending; otherwise the commit throws CommandAlreadyRecordedError and writes nothing.
   */
  commandResults?: Array<{ id: string } & CommandResult>;
}

export interface IncidentFilter {
  open?: boolean;
  phase?: string;
  severity?: SeverityLabel;
  limit?: number;
}

export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  constructor(
    readonly incidentId: string,
    readonly expectedVersion: number,
    /** Set when the conflict is another open incident on the same correlation key. */
    readonly correlationKey?: string,
  ) {
    super(
      correlationKey
        ? `another open incident already holds correlation key ${correlationKey}`
        : `incident ${incidentId} is not at version ${expectedVersion}`,
    );
  }
}

/** A commit tried to record a result for a command that already has one (a duplicate dispatch). */
export class CommandAlreadyRecordedError extends Error {
  override readonly name = "CommandAlreadyRecordedError";
  constructor(readonly commandId: string) {
    super(`command ${commandId} already has a result`);
  }
}

export interface IncidentStore {
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  findOpenIncident(correlationKey: string): Promise<IncidentRecord | undefined>;
  /** The most recently opened incident for the key, open or closed (a new one links to a closed one). */
  latestIncident(correlationKey: string): Promise<IncidentRecord | undefined>;
  getFinding(identity: string): Promise<FindingRecord | undefined>;
  /**
   * Atomic; throws VersionConflictError (and writes nothing) on a version or open-key conflict, and
   * CommandAlreadyRecordedError (writing nothing) when a command result in it was already recorded.
   */
  commit(commit: Commit): Promise<void>;
  /** Incidents whose nextDeadline <= now, earliest first, at most `limit`. */
  dueIncidents(now: string, limit: number): Promise<Array<{ id: string; nextDeadline: string }>>;
  listIncidents(filter?: IncidentFilter): Promise<IncidentRecord[]>;
  timeline(incidentId: string): Promise<StoredTimelineEntry[]>;
  findingsOf(incidentId: string): Promise<FindingRecord[]>;
  commandsOf(incidentId: string): Promise<StoredCommand[]>;
  getCommand(id: string): Promise<StoredCommand | undefined>;
  /** Pending commands, oldest first (the local dispatcher's feed; in AWS the table stream feeds dispatch). */
  pendingCommands(limit: number): Promise<StoredCommand[]>;
  /** Records a command's result once; returns false (and changes nothing) if it already has one. */
  recordCommandResult(id: string, result: CommandResult): Promise<boolean>;
}
