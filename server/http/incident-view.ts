/**
 * What the JSON API shows of an incident, read from its record and its statechart snapshot's context
 * (workflows/incident/context.ts): a summary for listings, and the detail — per-phase deadlines,
 * warnings, breaches, findings, resources, commands with their results, containment, timeline.
 *
 * A snapshot this code cannot read (a newer machine version) does not break the API: the record's own
 * columns are shown with `snapshotError` set.
 */
import type { Resource } from "../../core/findings/resource";
import type { SlaClock } from "../../core/incident/sla-clocks";
import type {
  FindingRecord,
  IncidentRecord,
  StoredCommand,
  StoredTimelineEntry,
} from "../../core/ports/incident-store";
import type { IncidentContext } from "../../workflows/incident/context";
import { restoreSnapshot } from "../../workflows/incident/snapshot";

function contextOf(record: IncidentRecord): {
  context: IncidentContext | null;
  snapshotError: string | null;
} {
  try {
    return { context: restoreSnapshot(record.snapshot).state.context, snapshotError: null };
  } catch (error) {
    return { context: null, snapshotError: error instanceof Error ? error.message : String(error) };
  }
}

export const clockStatus = (clock: SlaClock): "running" | "met" | "late" | "breached" => {
  if (clock.stoppedAt === null) return clock.breachedAt ? "breached" : "running";
  return clock.breachedAt || Date.parse(clock.stoppedAt) >= Date.parse(clock.deadline) ? "late" : "met";
};

export function incidentSummary(record: IncidentRecord) {
  const { context, snapshotError } = contextOf(record);
  const running = context?.clocks.find((clock) => clock.stoppedAt === null) ?? null;
  return {
    id: record.id,
    title: record.title,
    severity: record.severity,
    score: context?.severity.score ?? null,
    phase: record.phase,
    open: record.open,
    owner: context?.owner ?? null,
    acknowledged: context?.acknowledged ?? null,
    openedAt: record.openedAt,
    updatedAt: record.updatedAt,
    nextDeadline: record.nextDeadline,
    currentDeadline: running
      ? { phase: running.phase, deadline: running.deadline, status: clockStatus(running) }
      : null,
    breaches: context?.clocks.filter((clock) => clock.breachedAt !== null).length ?? 0,
    findingCount: context?.findings.length ?? null,
    containmentStatus: context?.containment.status ?? null,
    category: context?.category ?? null,
    runbookId: context?.runbookId ?? null,
    correlationKey: record.correlationKey,
    linkedTo: record.linkedTo ?? null,
    version: record.version,
    ...(snapshotError ? { snapshotError } : {}),
  };
}

export interface IncidentDetailParts {
  findings: FindingRecord[];
  commands: StoredCommand[];
  timeline: StoredTimelineEntry[];
  chat?: unknown[];
}

/** Every distinct resource across the incident's findings (by type + id), primary ones first. */
export function resourcesOf(findings: readonly FindingRecord[]): Resource[] {
  const seen = new Map<string, Resource>();
  const ordered = [
    ...findings.map((f) => f.finding.resources[0]),
    ...findings.flatMap((f) => f.finding.resources.slice(1)),
  ];
  for (const resource of ordered) {
    if (resource && !seen.has(`${resource.type}:${resource.id}`))
      seen.set(`${resource.type}:${resource.id}`, resource);
  }
  return [...seen.values()];
}

export function incidentDetail(record: IncidentRecord, parts: IncidentDetailParts) {
  const { context } = contextOf(record);
  const clocks = context?.clocks ?? [];
  return {
    ...incidentSummary(record),
    detectedAt: context?.detectedAt ?? null,
    accountId: context?.accountId ?? null,
    region: context?.region ?? null,
    escalationLevel: context?.escalationLevel ?? null,
    closure: context?.closure ?? null,
    recoveredAt: context?.recoveredAt ?? null,
    postmortemUrl: context?.postmortemUrl ?? null,
    deadlines: clocks.map((clock) => ({
      phase: clock.phase,
      severity: clock.severity,
      startedAt: clock.startedAt,
      budgetMinutes: clock.budgetMinutes,
      warnAt: clock.warnAt,
      deadline: clock.deadline,
      status: clockStatus(clock),
      stoppedAt: clock.stoppedAt,
    })),
    warnings: clocks
      .filter((clock) => clock.warnedAt !== null)
      .map((clock) => ({ phase: clock.phase, at: clock.warnedAt, deadline: clock.deadline })),
    breaches: clocks
      .filter((clock) => clock.breachedAt !== null)
      .map((clock) => ({
        phase: clock.phase,
        at: clock.breachedAt,
        deadline: clock.deadline,
        escalationLevel: clock.escalationLevel,
        nextEscalationAt: clock.nextEscalationAt,
      })),
    findings: parts.findings.map((record) => ({
      identity: record.identity,
      updatedAt: record.updatedAt,
      count: record.count,
      finding: record.finding,
    })),
    resources: resourcesOf(parts.findings),
    commands: parts.commands.map((command) => ({
      id: command.id,
      type: command.type,
      status: command.status,
      createdAt: command.createdAt,
      completedAt: command.completedAt ?? null,
      params: command.params,
      result: command.result ?? null,
      error: command.error ?? null,
    })),
    containment: context?.containment ?? null,
    timeline: parts.timeline.map((entry) => ({
      seq: entry.seq,
      at: entry.at,
      actor: entry.actor,
      kind: entry.kind,
      text: entry.text,
      ...(entry.data === undefined ? {} : { data: entry.data }),
    })),
    ...(parts.chat ? { chat: parts.chat } : {}),
  };
}
