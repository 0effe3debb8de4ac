/**
 * The postmortem draft: markdown written from what the service recorded (incident, timeline, findings,
 * outbox commands), so the people writing the postmortem start from facts, not memory.
 *
 * Sections: Summary, Impact, Timeline (every entry, unless there are more than `maxTimelineEntries`:
 * then the first and last halves with the gap stated), Phases and SLA (each phase against its deadline,
 * with every breach), Actions (commands with status and result), Responders (people, not the system,
 * the clock or finding sources), Findings, and the headed, empty sections people fill in: Root cause,
 * What went well, What to improve.
 *
 * Invariants:
 * - Pure: time comes in as `generatedAt`; the same input gives the same markdown.
 * - Every value taken from input passes through `inline` (HTML and markdown neutralised): finding titles,
 *   resource ids, actors and notes are attacker-influenced and the dashboard renders this document.
 * - Phase facts come from core/metrics/timeline-facts, the same reading the metrics use.
 */
import { SOURCES } from "../findings/finding";
import {
  type CommandParams,
  type CommandType,
  commandParamsSchemas,
  type IncidentView,
  isCommandType,
} from "../incident/commands";
import type { ContainmentTarget } from "../incident/containment-policy";
import { RUNBOOK_SECTION } from "../incident/phases";
import { type PhaseSpan, readTimeline, secondsBetween, type TimelineFacts } from "../metrics/timeline-facts";
import type {
  FindingRecord,
  IncidentRecord,
  JsonValue,
  StoredCommand,
  TimelineEntry,
} from "../ports/incident-store";
import { runbookUrl } from "../runbooks/runbook-url";
import { formatDuration, formatTime, inline, table } from "./markdown";

export interface PostmortemInput {
  incident: IncidentRecord;
  /** The incident as the generatePostmortem command saw it (category, runbook, owner, account…). */
  view: IncidentView;
  timeline: readonly TimelineEntry[];
  findings: readonly FindingRecord[];
  commands: readonly StoredCommand[];
  generatedAt: string;
  /** Where runbooks are served (see runbookUrl); relative links when absent. */
  runbookBaseUrl?: string;
  /** Timeline rows shown at most (default 1000): the draft is stored with the command result. */
  maxTimelineEntries?: number;
}

export const POSTMORTEM_SECTIONS = [
  "Summary",
  "Impact",
  "Timeline",
  "Phases and SLA",
  "Actions",
  "Responders",
  "Findings",
  "Root cause",
  "What went well",
  "What to improve",
] as const;

const NOT_RESPONDERS = new Set<string>(["system", "clock", ...SOURCES]);

const time = (iso: string | null): string => (iso === null ? "—" : formatTime(iso));

/** A link target that cannot close the markdown link early (the base URL is configuration, not input). */
const safeUrl = (url: string): string => url.replace(/[()<>\s]/g, (c) => encodeURIComponent(c));

/** `+5m` from T0, or empty when either instant is unknown. */
function offset(t0: string | null, at: string | null): string {
  const seconds = secondsBetween(t0, at);
  return seconds === null ? "" : `T0+${formatDuration(seconds)}`;
}

function targetName(target: ContainmentTarget): string {
  switch (target.resourceType) {
    case "ec2-instance":
      return `instance ${target.instanceId}`;
    case "security-group":
      return `security group ${target.groupId}`;
    case "access-key":
      return `access key ${target.accessKeyId}${target.userName ? ` (${target.userName})` : ""}`;
    default:
      return ((unexpected: never): string => unexpected)(target);
  }
}

/** What each command did, in a few words, from its own parameters. */
const DESCRIBE: { [T in CommandType]: (params: CommandParams<T>) => string } = {
  postIncidentMessage: (p) => `announced in chat (runbook ${p.runbook.id} § ${p.runbook.section})`,
  updateIncidentMessage: (p) => `chat message updated (phase ${p.incident.phase})`,
  postThreadReply: (p) => `${p.topic}: ${p.text}`,
  pageOnCall: (p) => `paged ${p.target} (level ${p.level}, ${p.reason}, phase ${p.phase})`,
  mentionInChat: (p) => `mentioned ${p.target}: ${p.text}`,
  updateSecurityHubFindings: (p) => `${p.findings.length} Security Hub finding(s) set to ${p.status}`,
  addSecurityHubNote: (p) => `note on ${p.findings.length} Security Hub finding(s): ${p.note}`,
  planContainment: (p) => `plan ${p.action} (${p.mode}) for ${targetName(p.target)}`,
  isolateInstance: (p) => `isolate ${targetName(p.target)} (step 1: drain tracked connections)`,
  completeIsolation: (p) => `isolate ${targetName(p.target)} (step 2: isolation group)`,
  lockDownSecurityGroup: (p) => `revoke world-open rules of ${targetName(p.target)}`,
  deactivateAccessKey: (p) => `deactivate ${targetName(p.target)}`,
  restoreContainment: (p) => `undo ${p.action} on ${targetName(p.target)}`,
  publishIncidentEvent: (p) => `published "${p.detailType}"`,
  generatePostmortem: () => "postmortem draft",
  sendGuardDutyFeedback: (p) => `GuardDuty feedback ${p.feedback} on ${p.findingIds.length} finding(s)`,
};

function describeCommand(command: StoredCommand): string {
  if (!isCommandType(command.type)) return command.type;
  const parsed = commandParamsSchemas[command.type].safeParse(command.params);
  if (!parsed.success) return command.type;
  return (DESCRIBE[command.type] as (params: unknown) => string)(parsed.data);
}

function resultOf(command: StoredCommand): string {
  if (command.status === "pending") return "—";
  if (command.status === "failed") return inline(command.error ?? "failed", 200);
  const result: JsonValue | undefined = command.result;
  if (result === undefined || result === null) return "done";
  return inline(typeof result === "string" ? result : JSON.stringify(result), 160);
}

const distinct = (values: Iterable<string>): string[] =>
  [...new Set(values)].filter((v) => v !== "" && v !== "unknown").sort();

function summary(input: PostmortemInput, facts: TimelineFacts, t0: string | null): string {
  const recoveredAt = facts.recoveredAt;
  const { incident, view, findings } = input;
  const accounts = distinct([view.accountId, ...findings.map((f) => f.finding.accountId)]);
  const regions = distinct([view.region, ...findings.map((f) => f.finding.region)]);
  const primaries = distinct(
    findings.map((f) => `${f.finding.resources[0]?.type ?? "resource"} ${f.finding.resources[0]?.id ?? ""}`),
  );
  const detectedAt = findings.map((f) => f.finding.firstSeenAt).sort()[0] ?? null;
  const duration = secondsBetween(t0, recoveredAt);
  const link = runbookUrl(input.runbookBaseUrl ?? "", view.runbookId, RUNBOOK_SECTION.postmortem);
  const rows: Array<[string, string]> = [
    ["Incident", inline(incident.id)],
    ["Title", inline(incident.title)],
    ["Severity", inline(incident.severity)],
    ["Category", inline(view.category)],
    ["Runbook", `[${inline(view.runbookId)} § Postmortem](${safeUrl(link)})`],
    ["Phase", inline(incident.phase)],
    ["Accounts", accounts.map((a) => inline(a)).join(", ") || "—"],
    ["Regions", regions.map((r) => inline(r)).join(", ") || "—"],
    ["Primary resources", primaries.map((p) => inline(p)).join(", ") || "—"],
    ["Detected (T0)", time(t0)],
    ["First seen by the detector", time(detectedAt)],
    [
      "Acknowledged",
      facts.acknowledged
        ? `${time(facts.acknowledged.at)} by ${inline(facts.acknowledged.by)} (${offset(t0, facts.acknowledged.at)})`
        : "—",
    ],
    ["Owner", view.owner ? inline(view.owner) : "—"],
    ["Recovered", recoveredAt ? `${time(recoveredAt)} (${offset(t0, recoveredAt)})` : "not yet"],
    ["Duration (T0 → recovery)", duration === null ? "ongoing" : formatDuration(duration)],
  ];
  return table(["Field", "Value"], rows);
}

function impact(input: PostmortemInput): string {
  const resources = new Map<string, [string, string, string, string]>();
  for (const { finding } of input.findings)
    for (const r of finding.resources) {
      const key = `${r.type}|${r.id}`;
      if (!resources.has(key))
        resources.set(key, [
          inline(r.type),
          inline(r.id),
          inline(r.accountId ?? finding.accountId),
          inline(r.region ?? finding.region),
        ]);
    }
  const accounts = distinct([input.view.accountId, ...input.findings.map((f) => f.finding.accountId)]);
  const regions = distinct([input.view.region, ...input.findings.map((f) => f.finding.region)]);
  return [
    `- Accounts: ${accounts.map((a) => inline(a)).join(", ") || "—"}`,
    `- Regions: ${regions.map((r) => inline(r)).join(", ") || "—"}`,
    `- Resources: ${resources.size}`,
    "",
    resources.size > 0
      ? table(["Type", "Id", "Account", "Region"], [...resources.values()])
      : "_No resources recorded._",
  ].join("\n");
}

function timelineSection(input: PostmortemInput, t0: string | null): string {
  const entries = input.timeline;
  const max = Math.max(2, input.maxTimelineEntries ?? 1000);
  const row = (e: TimelineEntry) => [
    time(e.at),
    offset(t0, e.at),
    inline(e.actor, 100),
    inline(e.kind, 60),
    inline(e.text, 300),
  ];
  const rows =
    entries.length <= max
      ? entries.map(row)
      : [
          ...entries.slice(0, Math.ceil(max / 2)).map(row),
          ["…", "", "", "", `${entries.length - max} entries omitted`],
          ...entries.slice(entries.length - Math.floor(max / 2)).map(row),
        ];
  return `${entries.length} entries.\n\n${table(["Time (UTC)", "Since T0", "Actor", "Kind", "What"], rows)}`;
}

function phaseResult(span: PhaseSpan): string {
  if (span.outcome === "met") return "met";
  if (span.outcome === "late") return "**late**";
  return span.breachedAt !== null ? "**breached** (running)" : "running";
}

function phasesSection(facts: TimelineFacts, t0: string | null): string {
  const rows = facts.phases.map((span) => {
    const took = secondsBetween(span.enteredAt, span.endedAt);
    return [
      RUNBOOK_SECTION[span.phase],
      time(span.enteredAt),
      span.endedAt ? time(span.endedAt) : "—",
      took === null ? "—" : formatDuration(took),
      // The postmortem budget counts from recovery (its entry), every other one from T0.
      span.deadline
        ? `${time(span.deadline)} (${span.phase === "postmortem" ? offset(span.enteredAt, span.deadline).replace("T0", "recovery") : offset(t0, span.deadline)})`
        : "—",
      span.breachedAt ? time(span.breachedAt) : "—",
      phaseResult(span),
    ];
  });
  const breaches = facts.breaches.map(
    (b) =>
      `- ${time(b.at)}: ${RUNBOOK_SECTION[b.phase]} ${b.kind === "breached" ? "missed its deadline" : "still overdue, escalated"}` +
      `${b.deadline ? ` (${time(b.deadline)})` : ""}; paged level ${b.level}`,
  );
  const late = facts.phases.filter((s) => s.outcome === "late" || s.breachedAt !== null).length;
  return [
    `${facts.phases.length} phase(s), ${late} over their deadline.`,
    "",
    facts.phases.length > 0
      ? table(["Phase", "Entered", "Ended", "Took", "Deadline", "Breached", "Result"], rows)
      : "_No phase recorded._",
    "",
    "### Breaches",
    "",
    breaches.length > 0 ? breaches.join("\n") : "No SLA breach.",
  ].join("\n");
}

function actionsSection(input: PostmortemInput): string {
  if (input.commands.length === 0) return "_No actions recorded._";
  const sorted = [...input.commands].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
  );
  const rows = sorted.map((c) => [
    time(c.createdAt),
    inline(c.type, 60),
    inline(describeCommand(c), 300),
    c.status,
    c.completedAt ? time(c.completedAt) : "—",
    resultOf(c),
  ]);
  const failed = sorted.filter((c) => c.status === "failed").length;
  const pending = sorted.filter((c) => c.status === "pending").length;
  return [
    `${sorted.length} command(s): ${sorted.length - failed - pending} succeeded, ${failed} failed, ${pending} pending.`,
    "",
    table(["Requested", "Command", "What", "Status", "Completed", "Result"], rows),
  ].join("\n");
}

/** Entries a responder's action causes as a side effect, not as what they did. */
const CONSEQUENCES = new Set(["sla.met", "sla.late"]);

function respondersSection(input: PostmortemInput): string {
  // One action writes several entries at one instant (advance = sla.met + phase.entered): count instants.
  const people = new Map<
    string,
    { instants: Set<string>; first: string; last: string; kinds: Set<string> }
  >();
  for (const entry of input.timeline) {
    if (NOT_RESPONDERS.has(entry.actor)) continue;
    const seen = people.get(entry.actor) ?? {
      instants: new Set(),
      first: entry.at,
      last: entry.at,
      kinds: new Set(),
    };
    seen.instants.add(entry.at);
    seen.last = entry.at;
    if (!CONSEQUENCES.has(entry.kind)) seen.kinds.add(entry.kind);
    people.set(entry.actor, seen);
  }
  if (people.size === 0) return "_No responder acted on this incident._";
  const rows = [...people].map(([actor, seen]) => [
    inline(actor, 100),
    String(seen.instants.size),
    inline([...seen.kinds].join(", "), 200),
    time(seen.first),
    time(seen.last),
  ]);
  return table(["Responder", "Actions", "What", "First", "Last"], rows);
}

function findingsSection(input: PostmortemInput): string {
  if (input.findings.length === 0) return "_No findings recorded._";
  const sorted = [...input.findings].sort((a, b) =>
    a.finding.firstSeenAt < b.finding.firstSeenAt
      ? -1
      : a.finding.firstSeenAt > b.finding.firstSeenAt
        ? 1
        : 0,
  );
  const rows = sorted.map(({ finding }) => [
    inline(finding.source),
    inline(finding.type, 120),
    inline(finding.title, 200),
    inline(finding.severity.label),
    String(finding.count),
    time(finding.firstSeenAt),
    time(finding.lastSeenAt),
  ]);
  return table(["Source", "Type", "Title", "Severity", "Count", "First seen", "Last seen"], rows);
}

export function generatePostmortem(input: PostmortemInput): string {
  const facts = readTimeline(input.timeline);
  const t0 = facts.openedAt ?? input.incident.openedAt;
  const bodies: Record<(typeof POSTMORTEM_SECTIONS)[number], string> = {
    Summary: summary(input, facts, t0),
    Impact: impact(input),
    Timeline: timelineSection(input, t0),
    "Phases and SLA": phasesSection(facts, t0),
    Actions: actionsSection(input),
    Responders: respondersSection(input),
    Findings: findingsSection(input),
    "Root cause": "",
    "What went well": "",
    "What to improve": "",
  };
  const sections = POSTMORTEM_SECTIONS.map(
    (name) => `## ${name}\n${bodies[name] ? `\n${bodies[name]}\n` : ""}`,
  );
  return [
    `# Postmortem: ${inline(input.incident.id)} — ${inline(input.incident.title)}`,
    "",
    `_Draft generated ${formatTime(input.generatedAt)} from the incident record. Root cause, what went well and what to improve are for the responders to write._`,
    "",
    sections.join("\n"),
  ].join("\n");
}
