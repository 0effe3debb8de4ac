/**
 * IncidentStore on the embedded SQLite database (local runtime).
 *
 * - `commit` is one IMMEDIATE transaction: version check (INSERT for expectedVersion 0, otherwise
 *   UPDATE … WHERE id = ? AND version = ? that must change exactly one row), then outbox commands,
 *   command results (UPDATE … WHERE id = ? AND status = 'pending' that must change exactly one row, else
 *   CommandAlreadyRecordedError), timeline entries and finding upserts. Any throw rolls all of it back.
 *   The version check runs first, so a commit that fails both is a VersionConflictError.
 * - The one-open-incident-per-key rule is the schema's UNIQUE partial index; its violation becomes a
 *   VersionConflictError carrying the correlation key.
 * - Statements are prepared once (listing: once per filter shape). The port is async; better-sqlite3 is
 *   synchronous, so every method settles in the same tick it is called.
 * - Orders: listIncidents and latestIncident newest opened first (ties: id descending); commandsOf and
 *   pendingCommands by createdAt then id; findingsOf by identity; timeline by seq.
 */
import type { Statement } from "better-sqlite3";
import { SqliteError } from "better-sqlite3";
import type { SeverityLabel } from "../../core/findings/severity";
import {
  CommandAlreadyRecordedError,
  type CommandResult,
  type CommandStatus,
  type Commit,
  type FindingRecord,
  type IncidentFilter,
  type IncidentRecord,
  type IncidentStore,
  type JsonObject,
  type JsonValue,
  type StoredCommand,
  type StoredTimelineEntry,
  VersionConflictError,
} from "../../core/ports/incident-store";
import { canonicalTime, checkCommit, duplicateCommandError, timelineSeq } from "../store/commit-rules";
import type { SqliteDatabase } from "./database";

interface IncidentRow {
  id: string;
  version: number;
  correlation_key: string;
  open: number;
  phase: string;
  severity: string;
  title: string;
  opened_at: string;
  opened_key: string;
  updated_at: string;
  next_deadline: string | null;
  due_key: string | null;
  snapshot: string;
  linked_to: string | null;
}

interface CommandRow {
  id: string;
  incident_id: string;
  type: string;
  params: string;
  created_at: string;
  created_key: string;
  status: string;
  completed_at: string | null;
  result: string | null;
  error: string | null;
}

interface TimelineRow {
  incident_id: string;
  seq: string;
  at: string;
  actor: string;
  kind: string;
  text: string;
  data: string | null;
}

interface FindingRow {
  identity: string;
  incident_id: string;
  updated_at: string;
  count: number;
  finding: string;
}

const INCIDENT_COLUMNS =
  "id, version, correlation_key, open, phase, severity, title, opened_at, opened_key, updated_at, next_deadline, due_key, snapshot, linked_to";

function incidentRow(incident: IncidentRecord): IncidentRow {
  return {
    id: incident.id,
    version: incident.version,
    correlation_key: incident.correlationKey,
    open: incident.open ? 1 : 0,
    phase: incident.phase,
    severity: incident.severity,
    title: incident.title,
    opened_at: incident.openedAt,
    opened_key: canonicalTime(incident.openedAt, "incident.openedAt"),
    updated_at: incident.updatedAt,
    next_deadline: incident.nextDeadline,
    due_key:
      incident.nextDeadline === null ? null : canonicalTime(incident.nextDeadline, "incident.nextDeadline"),
    snapshot: JSON.stringify(incident.snapshot),
    linked_to: incident.linkedTo ?? null,
  };
}

function incidentRecord(row: IncidentRow): IncidentRecord {
  const record: IncidentRecord = {
    id: row.id,
    version: row.version,
    correlationKey: row.correlation_key,
    open: row.open === 1,
    phase: row.phase,
    severity: row.severity as SeverityLabel,
    title: row.title,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    nextDeadline: row.next_deadline,
    snapshot: JSON.parse(row.snapshot) as JsonObject,
  };
  if (row.linked_to !== null) record.linkedTo = row.linked_to;
  return record;
}

function storedCommand(row: CommandRow): StoredCommand {
  const command: StoredCommand = {
    id: row.id,
    incidentId: row.incident_id,
    type: row.type,
    params: JSON.parse(row.params) as JsonObject,
    createdAt: row.created_at,
    status: row.status as CommandStatus,
  };
  if (row.completed_at !== null) command.completedAt = row.completed_at;
  if (row.result !== null) command.result = JSON.parse(row.result) as JsonValue;
  if (row.error !== null) command.error = row.error;
  return command;
}

function timelineEntry(row: TimelineRow): StoredTimelineEntry {
  const entry: StoredTimelineEntry = {
    incidentId: row.incident_id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    text: row.text,
  };
  if (row.data !== null) entry.data = JSON.parse(row.data) as JsonValue;
  return entry;
}

function findingRecord(row: FindingRow): FindingRecord {
  return {
    identity: row.identity,
    incidentId: row.incident_id,
    updatedAt: row.updated_at,
    count: row.count,
    finding: JSON.parse(row.finding) as FindingRecord["finding"],
  };
}

const isConstraint = (error: unknown, code: string): error is Error & { code: string } =>
  error instanceof SqliteError && (error as Error & { code?: string }).code === code;

export class SqliteIncidentStore implements IncidentStore {
  private readonly statements;
  private readonly listStatements = new Map<string, Statement<unknown[], IncidentRow>>();
  private readonly commitTransaction;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      getIncident: db.prepare<[string], IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
      ),
      findOpen: db.prepare<[string], IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_key = ? AND open = 1`,
      ),
      latest: db.prepare<[string], IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_key = ?
         ORDER BY opened_key DESC, id DESC LIMIT 1`,
      ),
      insertIncident: db.prepare<[IncidentRow]>(
        `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (@id, @version, @correlation_key, @open, @phase,
          @severity, @title, @opened_at, @opened_key, @updated_at, @next_deadline, @due_key, @snapshot, @linked_to)`,
      ),
      updateIncident: db.prepare<[IncidentRow & { expected: number }]>(
        `UPDATE incidents SET version = @version, correlation_key = @correlation_key, open = @open,
          phase = @phase, severity = @severity, title = @title, opened_at = @opened_at, opened_key = @opened_key,
          updated_at = @updated_at, next_deadline = @next_deadline, due_key = @due_key, snapshot = @snapshot,
          linked_to = @linked_to
         WHERE id = @id AND version = @expected`,
      ),
      insertCommand: db.prepare<[Omit<CommandRow, "completed_at" | "result" | "error">]>(
        `INSERT INTO commands (id, incident_id, type, params, created_at, created_key, status)
         VALUES (@id, @incident_id, @type, @params, @created_at, @created_key, @status)`,
      ),
      insertTimeline: db.prepare<[TimelineRow]>(
        `INSERT INTO timeline (incident_id, seq, at, actor, kind, text, data)
         VALUES (@incident_id, @seq, @at, @actor, @kind, @text, @data)`,
      ),
      upsertFinding: db.prepare<[FindingRow]>(
        `INSERT INTO findings (identity, incident_id, updated_at, count, finding)
         VALUES (@identity, @incident_id, @updated_at, @count, @finding)
         ON CONFLICT (identity) DO UPDATE SET incident_id = excluded.incident_id,
           updated_at = excluded.updated_at, count = excluded.count, finding = excluded.finding`,
      ),
      getFinding: db.prepare<[string], FindingRow>("SELECT * FROM findings WHERE identity = ?"),
      findingsOf: db.prepare<[string], FindingRow>(
        "SELECT * FROM findings WHERE incident_id = ? ORDER BY identity",
      ),
      due: db.prepare<[string, number], { id: string; next_deadline: string }>(
        `SELECT id, next_deadline FROM incidents INDEXED BY incidents_due
         WHERE due_key IS NOT NULL AND due_key <= ? ORDER BY due_key, id LIMIT ?`,
      ),
      timeline: db.prepare<[string], TimelineRow>(
        "SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq",
      ),
      commandsOf: db.prepare<[string], CommandRow>(
        "SELECT * FROM commands WHERE incident_id = ? ORDER BY created_key, id",
      ),
      getCommand: db.prepare<[string], CommandRow>("SELECT * FROM commands WHERE id = ?"),
      pending: db.prepare<[number], CommandRow>(
        `SELECT * FROM commands INDEXED BY commands_pending WHERE status = 'pending'
         ORDER BY created_key, id LIMIT ?`,
      ),
      recordResult: db.prepare<
        [{ id: string; status: string; at: string; result: string | null; error: string | null }]
      >(
        `UPDATE commands SET status = @status, completed_at = @at, result = @result, error = @error
         WHERE id = @id AND status = 'pending'`,
      ),
    };
    this.commitTransaction = db.transaction((commit: Commit) => this.write(commit));
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const row = this.statements.getIncident.get(id);
    return row && incidentRecord(row);
  }

  async findOpenIncident(correlationKey: string): Promise<IncidentRecord | undefined> {
    const row = this.statements.findOpen.get(correlationKey);
    return row && incidentRecord(row);
  }

  async latestIncident(correlationKey: string): Promise<IncidentRecord | undefined> {
    const row = this.statements.latest.get(correlationKey);
    return row && incidentRecord(row);
  }

  async getFinding(identity: string): Promise<FindingRecord | undefined> {
    const row = this.statements.getFinding.get(identity);
    return row && findingRecord(row);
  }

  async commit(commit: Commit): Promise<void> {
    this.commitTransaction.immediate(commit);
  }

  async dueIncidents(now: string, limit: number): Promise<Array<{ id: string; nextDeadline: string }>> {
    if (limit <= 0) return [];
    return this.statements.due
      .all(canonicalTime(now, "now"), limit)
      .map((row) => ({ id: row.id, nextDeadline: row.next_deadline }));
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    if (filter.limit !== undefined && filter.limit <= 0) return [];
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.open !== undefined) {
      clauses.push("open = ?");
      params.push(filter.open ? 1 : 0);
    }
    if (filter.phase !== undefined) {
      clauses.push("phase = ?");
      params.push(filter.phase);
    }
    if (filter.severity !== undefined) {
      clauses.push("severity = ?");
      params.push(filter.severity);
    }
    params.push(filter.limit ?? -1);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    let statement = this.listStatements.get(where);
    if (!statement) {
      statement = this.db.prepare<unknown[], IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents ${where} ORDER BY opened_key DESC, id DESC LIMIT ?`,
      );
      this.listStatements.set(where, statement);
    }
    return statement.all(...params).map(incidentRecord);
  }

  async timeline(incidentId: string): Promise<StoredTimelineEntry[]> {
    return this.statements.timeline.all(incidentId).map(timelineEntry);
  }

  async findingsOf(incidentId: string): Promise<FindingRecord[]> {
    return this.statements.findingsOf.all(incidentId).map(findingRecord);
  }

  async commandsOf(incidentId: string): Promise<StoredCommand[]> {
    return this.statements.commandsOf.all(incidentId).map(storedCommand);
  }

  async getCommand(id: string): Promise<StoredCommand | undefined> {
    const row = this.statements.getCommand.get(id);
    return row && storedCommand(row);
  }

  async pendingCommands(limit: number): Promise<StoredCommand[]> {
    if (limit <= 0) return [];
    return this.statements.pending.all(limit).map(storedCommand);
  }

  async recordCommandResult(id: string, result: CommandResult): Promise<boolean> {
    return this.recordResult(id, result);
  }

  /** True when the command was pending and now holds the result; false (nothing changed) otherwise. */
  private recordResult(id: string, result: CommandResult): boolean {
    const changed = this.statements.recordResult.run({
      id,
      status: result.status,
      at: result.at,
      result: result.result === undefined ? null : JSON.stringify(result.result),
      error: result.error ?? null,
    });
    return changed.changes === 1;
  }

  /** Runs inside the commit transaction: any throw rolls back everything written here. */
  private write(commit: Commit): void {
    const { incident, expectedVersion } = commit;
    const findings = checkCommit(commit);
    const row = incidentRow(incident);
    try {
      const written =
        expectedVersion === 0
          ? this.statements.insertIncident.run(row)
          : this.statements.updateIncident.run({ ...row, expected: expectedVersion });
      if (written.changes !== 1) throw new VersionConflictError(incident.id, expectedVersion);
    } catch (error) {
      if (isConstraint(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) {
        throw new VersionConflictError(incident.id, expectedVersion);
      }
      if (
        isConstraint(error, "SQLITE_CONSTRAINT_UNIQUE") &&
        error.message.includes("incidents.correlation_key")
      ) {
        throw new VersionConflictError(incident.id, expectedVersion, incident.correlationKey);
      }
      throw error;
    }

    for (const command of commit.commands) {
      try {
        this.statements.insertCommand.run({
          id: command.id,
          incident_id: command.incidentId,
          type: command.type,
          params: JSON.stringify(command.params),
          created_at: command.createdAt,
          created_key: canonicalTime(command.createdAt, "command.createdAt"),
          status: "pending",
        });
      } catch (error) {
        if (isConstraint(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) throw duplicateCommandError(command.id);
        throw error;
      }
    }

    for (const { id, ...result } of commit.commandResults ?? []) {
      if (!this.recordResult(id, result)) throw new CommandAlreadyRecordedError(id);
    }

    commit.timeline.forEach((entry, index) => {
      this.statements.insertTimeline.run({
        incident_id: incident.id,
        seq: timelineSeq(incident.version, index),
        at: entry.at,
        actor: entry.actor,
        kind: entry.kind,
        text: entry.text,
        data: entry.data === undefined ? null : JSON.stringify(entry.data),
      });
    });

    for (const record of findings) {
      this.statements.upsertFinding.run({
        identity: record.identity,
        incident_id: record.incidentId,
        updated_at: record.updatedAt,
        count: record.count,
        finding: JSON.stringify(record.finding),
      });
    }
  }
}
