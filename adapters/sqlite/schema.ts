/**
 * The embedded store's schema as an ordered list of migrations; `PRAGMA user_version` counts the applied
 * ones. Append only: never edit a migration that has shipped. The local server's own tables (inbox,
 * dashboard chat) live here too (migration 3), so one database has one version number.
 *
 * Invariants the schema itself enforces:
 * - one OPEN incident per correlation key: UNIQUE partial index on correlation_key WHERE open = 1;
 * - due clocks are found through a partial index holding only incidents whose clock runs (O(due) sweep);
 * - pending outbox commands through a partial index holding only pending ones;
 * - the latest incident of a correlation key (open or closed) through (correlation_key, opened_key DESC,
 *   id DESC): one index seek, ties broken by id as listings do (migration 2).
 * Time columns named *_key hold canonical ISO-8601 (see adapters/store/commit-rules.ts) so they sort as text.
 */
import type Database from "better-sqlite3";

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE incidents (
    id              TEXT PRIMARY KEY,
    version         INTEGER NOT NULL CHECK (version >= 1),
    correlation_key TEXT NOT NULL,
    open            INTEGER NOT NULL CHECK (open IN (0, 1)),
    phase           TEXT NOT NULL,
    severity        TEXT NOT NULL,
    title           TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    opened_key      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    next_deadline   TEXT,
    due_key         TEXT,
    snapshot        TEXT NOT NULL,
    linked_to       TEXT,
    CHECK ((next_deadline IS NULL) = (due_key IS NULL))
  ) STRICT;
  CREATE UNIQUE INDEX incidents_open_correlation_key ON incidents (correlation_key) WHERE open = 1;
  CREATE INDEX incidents_due ON incidents (due_key, id) WHERE due_key IS NOT NULL;
  CREATE INDEX incidents_listing ON incidents (open, opened_key DESC, id DESC);

  CREATE TABLE commands (
    id           TEXT PRIMARY KEY,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    type         TEXT NOT NULL,
    params       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_key  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    completed_at TEXT,
    result       TEXT,
    error        TEXT
  ) STRICT;
  CREATE INDEX commands_pending ON commands (created_key, id) WHERE status = 'pending';
  CREATE INDEX commands_by_incident ON commands (incident_id, created_key, id);

  CREATE TABLE timeline (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq         TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    data        TEXT,
    PRIMARY KEY (incident_id, seq)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE findings (
    identity    TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    updated_at  TEXT NOT NULL,
    count       INTEGER NOT NULL,
    finding     TEXT NOT NULL
  ) STRICT;
  CREATE INDEX findings_by_incident ON findings (incident_id, identity);

  CREATE TABLE quarantine (
    received_key  TEXT NOT NULL,
    id            TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    channel       TEXT NOT NULL,
    error_code    TEXT NOT NULL,
    error_message TEXT NOT NULL,
    error_path    TEXT NOT NULL,
    raw           TEXT NOT NULL,
    PRIMARY KEY (received_key, id)
  ) STRICT;
  `,
  `
  CREATE INDEX incidents_latest ON incidents (correlation_key, opened_key DESC, id DESC);
  `,
  // 3: the local server's durable inbox (raw POST /events bodies until ingested; AUTOINCREMENT so a
  // deleted row's id is never reused: ids are referenced by findings and quarantine) and the dashboard
  // chat (ChatOps without Slack; one row per posting command, keyed by its id for idempotency).
  `
  CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    channel     TEXT NOT NULL,
    body        TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
  ) STRICT;

  CREATE TABLE chat_messages (
    command_id  TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    thread_ts   TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('message', 'reply', 'mention')),
    text        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    posted_at   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (channel, ts)
  ) STRICT;
  CREATE INDEX chat_messages_by_incident ON chat_messages (incident_id, posted_at, command_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this code (${MIGRATIONS.length})`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length;
}
