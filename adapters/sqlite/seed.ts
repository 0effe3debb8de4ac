/**
 * Bulk loading for benchmarks and load tests: inserts incident rows straight into the schema in one
 * transaction (no outbox, timeline or findings), far faster than one commit per incident.
 * `syntheticIncidents` makes `total` open incidents of which exactly `due` have a deadline at or before
 * `now`; the rest are due after it, so a sweep at `now` must find exactly `due`.
 */
import type { IncidentRecord } from "../../core/ports/incident-store";
import { canonicalTime } from "../store/commit-rules";
import type { SqliteDatabase } from "./database";

export function seedIncidents(db: SqliteDatabase, records: Iterable<IncidentRecord>): number {
  const insert = db.prepare(
    `INSERT INTO incidents (id, version, correlation_key, open, phase, severity, title, opened_at, opened_key,
       updated_at, next_deadline, due_key, snapshot, linked_to)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db
    .transaction(() => {
      let count = 0;
      for (const r of records) {
        insert.run(
          r.id,
          r.version,
          r.correlationKey,
          r.open ? 1 : 0,
          r.phase,
          r.severity,
          r.title,
          r.openedAt,
          canonicalTime(r.openedAt, "openedAt"),
          r.updatedAt,
          r.nextDeadline,
          r.nextDeadline === null ? null : canonicalTime(r.nextDeadline, "nextDeadline"),
          JSON.stringify(r.snapshot),
          r.linkedTo ?? null,
        );
        count++;
      }
      return count;
    })
    .immediate();
}

export interface SyntheticIncidentsOptions {
  total: number;
  due: number;
  now: string;
  idPrefix?: string;
}

export function* syntheticIncidents(options: SyntheticIncidentsOptions): Generator<IncidentRecord> {
  const { total, due, now, idPrefix = "seed" } = options;
  const nowMs = Date.parse(canonicalTime(now, "now"));
  const minute = 60_000;
  for (let i = 0; i < total; i++) {
    // Due ones lie in the last `due` minutes; the others from 1 min to 10 days after now.
    const deadline = i < due ? nowMs - (i + 1) * minute : nowMs + (1 + ((i - due) % 14_400)) * minute;
    const id = `${idPrefix}-${String(i).padStart(7, "0")}`;
    yield {
      id,
      version: 1,
      correlationKey: `${idPrefix}:123456789012:us-east-1:i-${i.toString(16).padStart(17, "0")}`,
      open: true,
      phase: "assess",
      severity: "HIGH",
      title: `Synthetic incident ${i}`,
      openedAt: new Date(nowMs - 3_600_000).toISOString(),
      updatedAt: new Date(nowMs - 3_600_000).toISOString(),
      nextDeadline: new Date(deadline).toISOString(),
      snapshot: { machineVersion: 1, value: "assess" },
    };
  }
}
