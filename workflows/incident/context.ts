/**
 * The incident's context: everything the statechart remembers besides its state value. Plain JSON.
 *
 * Invariants:
 * - Findings are kept as compact summaries, one per identity (never whole raw events); a re-publication
 *   updates its summary only when it is newer (later `updatedAt` or higher count), an older one is ignored
 *   and an identical one is a no-op (DESIGN §5).
 * - `severity` only rises: it is the highest (label first, then score) of every finding ever merged.
 * - `phase` and `containment.status` mirror the state value (set by entry actions) so pure action code can
 *   read them; the model tests check the mirror against the state value.
 */
import type { Finding, Source } from "../../core/findings/finding";
import { type Severity, severityRank } from "../../core/findings/severity";
import {
  type BreachView,
  type ClockView,
  type ClockViewState,
  type IncidentView,
  MAX_VIEW_RESOURCES,
  type ResourceView,
  type SecurityHubRef,
} from "../../core/incident/commands";
import type {
  ContainmentAction,
  ContainmentDecision,
  ContainmentMode,
  ContainmentTarget,
} from "../../core/incident/containment-policy";
import type { IncidentPhase } from "../../core/incident/phases";
import { type SlaClock, toMillis } from "../../core/incident/sla-clocks";
import type { JsonValue } from "../../core/ports/incident-store";

export interface FindingSummary {
  identity: string;
  source: Source;
  type: string;
  title: string;
  severity: Severity;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  updatedAt: string;
  accountId: string;
  region: string;
  /** The primary resource, compact: containment targets are derived from the full finding when it arrives. */
  resource: { type: string; id: string; arn: string | null; tags: Record<string, string> | null };
  securityHub: SecurityHubRef | null;
  guardDuty: { detectorId: string | null; findingId: string } | null;
}

export const CONTAINMENT_STATUSES = [
  "none",
  "planned",
  "awaitingApproval",
  "isolating",
  "isolated",
  "restoring",
  "restored",
  "failed",
  "denied",
] as const;
export type ContainmentStatus = (typeof CONTAINMENT_STATUSES)[number];

export interface ContainmentContext {
  status: ContainmentStatus;
  mode: ContainmentMode;
  action: ContainmentAction | "none";
  target: ContainmentTarget | null;
  reason: string;
  requestedBy: string | null;
  approvedBy: string | null;
  deniedBy: string | null;
  /** The dry-run plan the planContainment command returned. */
  plan: JsonValue | null;
  /** What the containment commands returned: what restore needs to undo them (original groups per ENI…). */
  undo: JsonValue | null;
  lastError: string | null;
  completedAt: string | null;
}

export interface Closure {
  kind: "resolved" | "false-positive";
  reason: string;
  by: string;
  at: string;
}

export interface IncidentContext {
  incidentId: string;
  /** T0: when the first finding was received (see core/incident/events.ts). */
  openedAt: string | null;
  /** The first finding's own first-seen time: the detector's view of when it started. */
  detectedAt: string | null;
  updatedAt: string | null;
  title: string;
  correlationKey: string;
  category: string;
  runbookId: string;
  accountId: string;
  region: string;
  severity: Severity;
  phase: IncidentPhase | null;
  findings: FindingSummary[];
  owner: string | null;
  acknowledged: { by: string; at: string } | null;
  /** One clock per phase entry, oldest first; only the current phase's clock runs. */
  clocks: SlaClock[];
  /** The highest escalation level paged so far (-1: nobody paged yet). */
  escalationLevel: number;
  containment: ContainmentContext;
  /** The postIncidentMessage result (channel, ts…), so later messages can thread under it. */
  chat: JsonValue | null;
  /** Command results already recorded: the dispatcher delivers at least once. */
  handledCommandIds: string[];
  /** Recovery signals seen (`identity@updatedAt`), so a redelivered one is recorded once. */
  recoveryHints: string[];
  notes: number;
  recoveredAt: string | null;
  postmortemUrl: string | null;
  closure: Closure | null;
}

export interface IncidentInput {
  incidentId: string;
}

export const initialContainment = (decision?: ContainmentDecision): ContainmentContext => ({
  status: "none",
  mode: decision?.mode ?? "off",
  action: decision?.action ?? "none",
  target: decision?.target ?? null,
  reason: decision?.reason ?? "no finding yet",
  requestedBy: null,
  approvedBy: null,
  deniedBy: null,
  plan: null,
  undo: null,
  lastError: null,
  completedAt: null,
});

export const initialContext = ({ incidentId }: IncidentInput): IncidentContext => ({
  incidentId,
  openedAt: null,
  detectedAt: null,
  updatedAt: null,
  title: "",
  correlationKey: "",
  category: "generic",
  runbookId: "generic",
  accountId: "",
  region: "",
  severity: { label: "INFORMATIONAL", score: 0 },
  phase: null,
  findings: [],
  owner: null,
  acknowledged: null,
  clocks: [],
  escalationLevel: -1,
  containment: initialContainment(),
  chat: null,
  handledCommandIds: [],
  recoveryHints: [],
  notes: 0,
  recoveredAt: null,
  postmortemUrl: null,
  closure: null,
});

/** The higher severity; label decides first so the label can never go down. */
export function higherSeverity(a: Severity, b: Severity): Severity {
  const byRank = severityRank(b.label) - severityRank(a.label);
  if (byRank !== 0) return byRank > 0 ? b : a;
  return b.score > a.score ? b : a;
}

const SECURITY_HUB_GUARDDUTY_PRODUCT = (region: string) =>
  `arn:aws:securityhub:${region}::product/aws/guardduty`;

/**
 * The Security Hub copy of a finding: its own ASFF identifiers, or for a GuardDuty finding the copy Security
 * Hub imports (Id = the GuardDuty finding ARN), which needs the detector id.
 */
function securityHubRefOf(finding: Finding): SecurityHubRef | null {
  const sh = finding.origin.securityHub;
  if (sh) return { id: sh.id, productArn: sh.productArn };
  const gd = finding.origin.guardDuty;
  if (gd?.detectorId) {
    return {
      id: `arn:aws:guardduty:${finding.region}:${finding.accountId}:detector/${gd.detectorId}/finding/${gd.findingId}`,
      productArn: SECURITY_HUB_GUARDDUTY_PRODUCT(finding.region),
    };
  }
  return null;
}

export function summarize(finding: Finding): FindingSummary {
  const primary = finding.resources[0]!;
  const gd = finding.origin.guardDuty;
  return {
    identity: finding.identity,
    source: finding.source,
    type: finding.type,
    title: finding.title,
    severity: finding.severity,
    count: finding.count,
    firstSeenAt: finding.firstSeenAt,
    lastSeenAt: finding.lastSeenAt,
    updatedAt: finding.updatedAt,
    accountId: finding.accountId,
    region: finding.region,
    resource: {
      type: primary.type,
      id: primary.id,
      arn: primary.arn ?? null,
      tags: primary.tags ? { ...primary.tags } : null,
    },
    securityHub: securityHubRefOf(finding),
    guardDuty: gd ? { detectorId: gd.detectorId ?? null, findingId: gd.findingId } : null,
  };
}

export type MergeOutcome = "added" | "updated" | "older" | "duplicate";

const laterThan = (a: string, b: string): boolean => toMillis(a) > toMillis(b);

/** How a finding compares with what the incident already knows about its identity. */
export function mergeOutcome(findings: readonly FindingSummary[], finding: Finding): MergeOutcome {
  const known = findings.find((summary) => summary.identity === finding.identity);
  if (!known) return "added";
  if (laterThan(finding.updatedAt, known.updatedAt) || finding.count > known.count) return "updated";
  if (finding.updatedAt === known.updatedAt && finding.count === known.count) return "duplicate";
  return "older";
}

export const acceptsFinding = (findings: readonly FindingSummary[], finding: Finding): boolean => {
  const outcome = mergeOutcome(findings, finding);
  return outcome === "added" || outcome === "updated";
};

/** The summaries after merging an accepted finding; a known summary keeps its highest severity and count. */
export function mergeSummaries(findings: readonly FindingSummary[], finding: Finding): FindingSummary[] {
  const next = summarize(finding);
  const index = findings.findIndex((summary) => summary.identity === finding.identity);
  if (index < 0) return [...findings, next];
  const known = findings[index]!;
  const merged: FindingSummary = {
    ...next,
    severity: higherSeverity(known.severity, next.severity),
    count: Math.max(known.count, next.count),
    firstSeenAt: laterThan(next.firstSeenAt, known.firstSeenAt) ? known.firstSeenAt : next.firstSeenAt,
    updatedAt: laterThan(known.updatedAt, next.updatedAt) ? known.updatedAt : next.updatedAt,
  };
  return findings.map((summary, i) => (i === index ? merged : summary));
}

export const securityHubRefs = (context: IncidentContext): SecurityHubRef[] => {
  const seen = new Set<string>();
  const refs: SecurityHubRef[] = [];
  for (const summary of context.findings) {
    const ref = summary.securityHub;
    if (ref && !seen.has(ref.id)) {
      seen.add(ref.id);
      refs.push(ref);
    }
  }
  return refs;
};

export interface GuardDutyGroup {
  accountId: string;
  region: string;
  detectorId: string;
  findingIds: string[];
}

/** GuardDuty findings grouped per detector: CreateFindingsFeedback takes one detector per call. */
export function guardDutyGroups(context: IncidentContext): GuardDutyGroup[] {
  const groups = new Map<string, GuardDutyGroup>();
  for (const summary of context.findings) {
    const gd = summary.guardDuty;
    if (!gd?.detectorId) continue;
    const key = `${summary.accountId}|${summary.region}|${gd.detectorId}`;
    const group = groups.get(key) ?? {
      accountId: summary.accountId,
      region: summary.region,
      detectorId: gd.detectorId,
      findingIds: [],
    };
    if (!group.findingIds.includes(gd.findingId)) group.findingIds.push(gd.findingId);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** A clock's state as messages show it; a stop at or after the deadline is late even if no check saw it. */
export function clockViewState(clock: SlaClock): ClockViewState {
  if (clock.stoppedAt !== null) {
    const late = clock.breachedAt !== null || toMillis(clock.stoppedAt) >= toMillis(clock.deadline);
    return late ? "late" : "met";
  }
  if (clock.breachedAt !== null) return "breached";
  return clock.warnedAt !== null ? "warned" : "running";
}

export const clockViews = (clocks: readonly SlaClock[]): ClockView[] =>
  clocks.map((clock) => ({
    phase: clock.phase,
    warnAt: clock.warnAt,
    deadline: clock.deadline,
    state: clockViewState(clock),
  }));

/** Breaches stay on record after their clock stops (sla-clocks.ts), so a late phase keeps its entry. */
export const breachViews = (clocks: readonly SlaClock[]): BreachView[] =>
  clocks.flatMap((clock) =>
    clock.breachedAt === null
      ? []
      : [
          {
            phase: clock.phase,
            deadline: clock.deadline,
            at: clock.breachedAt,
            level: clock.escalationLevel ?? 0,
          },
        ],
  );

/** Distinct resources in the order their findings joined: the opening finding's (primary) resource first. */
export function distinctResources(findings: readonly FindingSummary[]): ResourceView[] {
  const seen = new Set<string>();
  const resources: ResourceView[] = [];
  for (const { resource } of findings) {
    const key = `${resource.type}\u0000${resource.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    resources.push({ type: resource.type, id: resource.id });
  }
  return resources;
}

/** What chat messages, pages and the postmortem show about the incident: every field filled, plain JSON. */
export function viewOf(context: IncidentContext): IncidentView {
  const resources = distinctResources(context.findings);
  return {
    incidentId: context.incidentId,
    title: context.title,
    severity: context.severity.label,
    score: context.severity.score,
    phase: context.phase ?? "detect",
    runbookId: context.runbookId,
    category: context.category,
    correlationKey: context.correlationKey,
    accountId: context.accountId,
    region: context.region,
    openedAt: context.openedAt ?? "",
    owner: context.owner,
    acknowledgedBy: context.acknowledged?.by ?? null,
    containment: context.containment.status,
    findingCount: context.findings.length,
    clocks: clockViews(context.clocks),
    breaches: breachViews(context.clocks),
    resources: resources.slice(0, MAX_VIEW_RESOURCES),
    resourceCount: resources.length,
  };
}
