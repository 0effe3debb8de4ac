/**
 * What a finding means given what we already know of its identity (DESIGN §5, at-least-once delivery):
 *
 * - `new`: never seen → it opens or joins an incident.
 * - `update`: a re-publication with a later `updatedAt` or a higher `count` that changes something of
 *   substance (count, severity, last seen, kind, archived) → the incident hears about it.
 * - `duplicate`: the same facts again (an identical delivery, or a Security Hub copy of a GuardDuty finding
 *   we already have) → nothing happens.
 * - `stale`: older than what we have → ignored.
 * - `own-update`: Security Hub echoing an update we made ourselves (our note) with nothing else changed →
 *   ignored, so our own writes never loop back into side effects.
 * - `own-finding`: the incident finding we publish to Security Hub ourselves, imported back → ignored.
 */
import type { Finding } from "../findings/finding";

export type FindingDecision = "new" | "update" | "duplicate" | "stale" | "own-update" | "own-finding";

export interface KnownFinding {
  updatedAt: string;
  count: number;
  finding: Finding;
}

/** The facts that matter to the response; workflow status, notes and timestamps alone do not. */
const substance = (f: Finding) =>
  `${f.count}|${f.severity.score}|${f.lastSeenAt}|${f.kind}|${f.archived}|${f.resources.length}`;

/** Our own incident finding in Security Hub (GeneratorId = our service name). */
export const isOwnFinding = (finding: Finding, serviceName: string): boolean =>
  finding.origin.securityHub?.generatorId === serviceName;

export function decideFinding(
  known: KnownFinding | undefined,
  next: Finding,
  serviceName: string,
): FindingDecision {
  if (isOwnFinding(next, serviceName)) return "own-finding";
  if (!known) return "new";
  const newer = next.updatedAt > known.updatedAt || next.count > known.count;
  const older = next.updatedAt < known.updatedAt && next.count <= known.count;
  if (older) return "stale";
  if (next.origin.securityHub?.noteUpdatedBy === serviceName && next.count <= known.count)
    return "own-update";
  if (!newer) return "duplicate";
  // A later copy from another channel (Security Hub re-importing a GuardDuty finding) that adds nothing.
  if (substance(mergeFinding(known.finding, next)) === substance(known.finding)) return "duplicate";
  return "update";
}

/**
 * The finding to keep after an update: the newer facts, but counts and severity never go down (a Security
 * Hub copy carries no GuardDuty count) and first-seen stays the earliest.
 */
export function mergeFinding(known: Finding, next: Finding): Finding {
  return {
    ...next,
    count: Math.max(known.count, next.count),
    severity: next.severity.score >= known.severity.score ? next.severity : known.severity,
    firstSeenAt: known.firstSeenAt < next.firstSeenAt ? known.firstSeenAt : next.firstSeenAt,
    lastSeenAt: known.lastSeenAt > next.lastSeenAt ? known.lastSeenAt : next.lastSeenAt,
    // Keep the richer resource list (GuardDuty's own event has ENIs a copy may lack).
    resources: next.resources.length >= known.resources.length ? next.resources : known.resources,
    origin: {
      ...known.origin,
      ...next.origin,
      securityHub: next.origin.securityHub ?? known.origin.securityHub,
    },
  };
}
