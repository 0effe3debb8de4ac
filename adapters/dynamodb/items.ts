/**
 * Keys and item shapes of the incident table (layout in table.ts), and their conversion to and from the
 * port's records. Index attributes are derived here and nowhere else, so an item carries a sparse index's
 * keys exactly while it belongs in that index: `duePk`/`dueAt` only while nextDeadline is set (items are
 * written whole with Put, so a cleared deadline drops them), `pendingPk`/`pendingSk` only while pending.
 */
import type { SeverityLabel } from "../../core/findings/severity";
import type {
  CommandStatus,
  FindingRecord,
  IncidentRecord,
  JsonObject,
  JsonValue,
  OutboxCommand,
  StoredCommand,
  StoredTimelineEntry,
  TimelineEntry,
} from "../../core/ports/incident-store";
import { canonicalTime, timelineSeq } from "../store/commit-rules";
import {
  BOOL,
  type Item,
  JSON_S,
  N,
  readBoolean,
  readJson,
  readNumber,
  readOptionalJson,
  readOptionalString,
  readString,
  S,
} from "./attributes";
import { shardOf } from "./table";

export const META = "META";
export const COMMAND_PREFIX = "CMD#";
export const TIMELINE_PREFIX = "TL#";

export const incidentPk = (id: string) => `INCIDENT#${id}`;
export const incidentKey = (id: string): Item => ({ pk: S(incidentPk(id)), sk: S(META) });
export const commandKey = (incidentId: string, commandId: string): Item => ({
  pk: S(incidentPk(incidentId)),
  sk: S(`${COMMAND_PREFIX}${commandId}`),
});
export const findingKey = (identity: string): Item => ({ pk: S(`FINDING#${identity}`), sk: S(META) });
export const lockKey = (correlationKey: string): Item => ({ pk: S(`CORR#${correlationKey}`), sk: S(META) });
export const latestKey = (correlationKey: string): Item => ({
  pk: S(`LATEST#${correlationKey}`),
  sk: S(META),
});

export const duePk = (shard: number) => `DUE#${shard}`;
export const pendingPk = (shard: number) => `PENDING#${shard}`;
export const statusPk = (open: boolean, shard: number) => `${open ? "OPEN" : "CLOSED"}#${shard}`;

/** Index sort key `<canonical time>#<id>`; `upTo(time)` bounds it so that `key < upTo(time)` ⇔ time' <= time. */
export const timeIdKey = (canonical: string, id: string) => `${canonical}#${id}`;
export const upTo = (canonical: string) => `${canonical}$`;

/** `<openedAt, canonical>#<id>`: orders incidents newest opened first (listing, latest pointer). */
export const openedOrder = (incident: IncidentRecord) =>
  timeIdKey(canonicalTime(incident.openedAt, "incident.openedAt"), incident.id);

export function incidentItem(incident: IncidentRecord): Item {
  const shard = shardOf(incident.id);
  const item: Item = {
    ...incidentKey(incident.id),
    entity: S("incident"),
    id: S(incident.id),
    version: N(incident.version),
    correlationKey: S(incident.correlationKey),
    open: BOOL(incident.open),
    phase: S(incident.phase),
    severity: S(incident.severity),
    title: S(incident.title),
    openedAt: S(incident.openedAt),
    updatedAt: S(incident.updatedAt),
    snapshot: JSON_S(incident.snapshot),
    statusPk: S(statusPk(incident.open, shard)),
    listSk: S(openedOrder(incident)),
  };
  if (incident.linkedTo !== undefined) item.linkedTo = S(incident.linkedTo);
  if (incident.nextDeadline !== null) {
    item.nextDeadline = S(incident.nextDeadline);
    item.duePk = S(duePk(shard));
    item.dueAt = S(timeIdKey(canonicalTime(incident.nextDeadline, "incident.nextDeadline"), incident.id));
  }
  return item;
}

export function incidentRecord(item: Item): IncidentRecord {
  const record: IncidentRecord = {
    id: readString(item, "id"),
    version: readNumber(item, "version"),
    correlationKey: readString(item, "correlationKey"),
    open: readBoolean(item, "open"),
    phase: readString(item, "phase"),
    severity: readString(item, "severity") as SeverityLabel,
    title: readString(item, "title"),
    openedAt: readString(item, "openedAt"),
    updatedAt: readString(item, "updatedAt"),
    nextDeadline: readOptionalString(item, "nextDeadline") ?? null,
    snapshot: readJson<JsonObject>(item, "snapshot"),
  };
  const linkedTo = readOptionalString(item, "linkedTo");
  if (linkedTo !== undefined) record.linkedTo = linkedTo;
  return record;
}

export function commandItem(command: OutboxCommand): Item {
  return {
    ...commandKey(command.incidentId, command.id),
    entity: S("command"),
    id: S(command.id),
    incidentId: S(command.incidentId),
    type: S(command.type),
    params: JSON_S(command.params),
    createdAt: S(command.createdAt),
    status: S("pending"),
    pendingPk: S(pendingPk(shardOf(command.incidentId))),
    pendingSk: S(timeIdKey(canonicalTime(command.createdAt, "command.createdAt"), command.id)),
  };
}

export function storedCommand(item: Item): StoredCommand {
  const command: StoredCommand = {
    id: readString(item, "id"),
    incidentId: readString(item, "incidentId"),
    type: readString(item, "type"),
    params: readJson<JsonObject>(item, "params"),
    createdAt: readString(item, "createdAt"),
    status: readString(item, "status") as CommandStatus,
  };
  const completedAt = readOptionalString(item, "completedAt");
  if (completedAt !== undefined) command.completedAt = completedAt;
  const result = readOptionalJson<JsonValue>(item, "result");
  if (result !== undefined) command.result = result;
  const error = readOptionalString(item, "error");
  if (error !== undefined) command.error = error;
  return command;
}

export function timelineItem(incident: IncidentRecord, entry: TimelineEntry, index: number): Item {
  const seq = timelineSeq(incident.version, index);
  const item: Item = {
    pk: S(incidentPk(incident.id)),
    sk: S(`${TIMELINE_PREFIX}${seq}`),
    entity: S("timeline"),
    incidentId: S(incident.id),
    seq: S(seq),
    at: S(entry.at),
    actor: S(entry.actor),
    kind: S(entry.kind),
    text: S(entry.text),
  };
  if (entry.data !== undefined) item.data = JSON_S(entry.data);
  return item;
}

export function storedTimelineEntry(item: Item): StoredTimelineEntry {
  const entry: StoredTimelineEntry = {
    incidentId: readString(item, "incidentId"),
    seq: readString(item, "seq"),
    at: readString(item, "at"),
    actor: readString(item, "actor"),
    kind: readString(item, "kind"),
    text: readString(item, "text"),
  };
  const data = readOptionalJson<JsonValue>(item, "data");
  if (data !== undefined) entry.data = data;
  return entry;
}

export function findingItem(record: FindingRecord): Item {
  return {
    ...findingKey(record.identity),
    entity: S("finding"),
    identity: S(record.identity),
    incidentId: S(record.incidentId),
    findingOf: S(record.incidentId),
    updatedAt: S(record.updatedAt),
    count: N(record.count),
    finding: JSON_S(record.finding),
  };
}

export function findingRecord(item: Item): FindingRecord {
  return {
    identity: readString(item, "identity"),
    incidentId: readString(item, "incidentId"),
    updatedAt: readString(item, "updatedAt"),
    count: readNumber(item, "count"),
    finding: readJson<FindingRecord["finding"]>(item, "finding"),
  };
}

/** The pointer to a key's latest opened incident: `openedOrder` says which of two incidents is newer. */
export function latestItem(incident: IncidentRecord): Item {
  return {
    ...latestKey(incident.correlationKey),
    entity: S("latest-incident"),
    correlationKey: S(incident.correlationKey),
    incidentId: S(incident.id),
    openedOrder: S(openedOrder(incident)),
  };
}

export function lockItem(correlationKey: string, incidentId: string): Item {
  return {
    ...lockKey(correlationKey),
    entity: S("correlation-lock"),
    correlationKey: S(correlationKey),
    incidentId: S(incidentId),
  };
}
