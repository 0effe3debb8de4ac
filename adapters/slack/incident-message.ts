/**
 * Renders what the incident looks like in Slack: the one incident message (kept current with chat.update),
 * its thread replies and escalation mentions. Pure functions from command params to a `SlackMessage`.
 *
 * Invariants:
 * - Every value that comes from a finding or a person (title, correlation key, account, category, notes,
 *   reply texts, owner names) passes through `escapeMrkdwn`; the only `<…>` sequences are ours: the
 *   runbook link, `<!date…>`, and mentions of Slack ids that come from configuration or from Slack itself.
 * - Everything is built with block-kit.ts, so each payload respects Slack's limits whatever the input.
 * - Buttons carry the incident id as their value, unmodified; the chat-action handler acts on it. Which
 *   buttons show depends on the incident's state (no "Approve" without a pending approval, no actions once
 *   the incident has ended), but the handler must still check: a stale message can show an old button.
 * - Every open clock shows its deadline as a Slack date token (each reader sees it in their own time zone)
 *   and its time left, computed from `now` when the message is rendered. Time left goes stale between
 *   renders, so the section says "as of" when; the workflow re-renders (updateIncidentMessage) on every
 *   phase change, warning, breach and re-escalation.
 * - Lists (clocks, breaches, resources) are capped at MAX_LIST_LINES lines, the rest counted visibly.
 */

import type { SeverityLabel } from "../../core/findings/severity";
import {
  type BreachView,
  type ClockView,
  type ClockViewState,
  type CommandParams,
  type IncidentView,
  OPEN_CLOCK_STATES,
} from "../../core/incident/commands";
import { END_PHASES, type IncidentPhase, incidentPhaseSchema } from "../../core/incident/phases";
import { runbookUrl as coreRunbookUrl } from "../../core/runbooks/runbook-url";
import {
  actionsBlocks,
  button,
  contextBlock,
  fieldsBlock,
  fitMessage,
  headerBlock,
  LIMITS,
  type MessageBlock,
  type SlackMessage,
  sectionBlock,
  splitText,
  truncate,
} from "./block-kit";
import { escapeMrkdwn, wellFormed } from "./escape";

/** The action ids the chat-action handler dispatches on; each button's value is the incident id. */
export const INCIDENT_ACTIONS = {
  acknowledge: "ir_ack",
  takeOwnership: "ir_own",
  approveContainment: "ir_approve",
  denyContainment: "ir_deny",
  advancePhase: "ir_advance",
  falsePositive: "ir_false_positive",
  addNote: "ir_note",
  escalate: "ir_escalate",
} as const;
export type IncidentActionId = (typeof INCIDENT_ACTIONS)[keyof typeof INCIDENT_ACTIONS];

export interface RenderOptions {
  /** Where runbooks are served, without a trailing slash (see `normalizeBaseUrl`). */
  runbookBaseUrl: string;
}

/** The incident message also shows time left on each clock, so it needs the time it is rendered at. */
export interface IncidentMessageOptions extends RenderOptions {
  /** Render time, epoch milliseconds. */
  now: number;
}

export type RunbookRef = CommandParams<"postIncidentMessage">["runbook"];

const SEVERITY_BADGE: Record<SeverityLabel, string> = {
  CRITICAL: ":red_circle:",
  HIGH: ":large_orange_circle:",
  MEDIUM: ":large_yellow_circle:",
  LOW: ":large_blue_circle:",
  INFORMATIONAL: ":white_circle:",
};

const PHASE_LABEL: Record<IncidentPhase, string> = {
  detect: "Detect",
  assess: "Assess",
  contain: "Contain",
  eradicate: "Eradicate",
  recover: "Recover",
  postmortem: "Postmortem",
  closed: ":white_check_mark: Closed",
  suppressed: ":no_entry_sign: Suppressed (false positive)",
};

/**
 * Containment statuses as workflows/ names them (CONTAINMENT_STATUSES; adapters may not import workflows,
 * a test keeps the two lists in step). An unknown status is shown as it is, escaped.
 */
export const CONTAINMENT_LABEL: Readonly<Record<string, string>> = {
  none: "None",
  planned: "Planned (dry run)",
  awaitingApproval: ":hourglass_flowing_sand: Awaiting approval",
  isolating: "Isolating…",
  isolated: ":lock: Isolated",
  restoring: "Restoring…",
  restored: "Restored",
  failed: ":x: Failed — contain manually",
  denied: "Denied",
};

const TOPIC_LABEL: Readonly<Record<string, string>> = {
  "finding.joined": ":heavy_plus_sign: New finding",
  "severity.raised": ":arrow_up: Severity raised",
  "recovery.hinted": ":recycle: Recovery signal",
  "phase.advanced": ":arrow_forward: Phase advanced",
  "owner.assigned": ":bust_in_silhouette: Owner assigned",
  "sla.warning": ":warning: SLA warning",
  "containment.awaiting-approval": ":hourglass_flowing_sand: Containment awaiting approval",
  "containment.refused": ":shield: Containment refused",
  "containment.restore-refused": ":shield: Restore refused",
  "containment.restored": ":shield: Containment restored",
  "containment.failed": ":x: Containment failed",
  "containment.denied": ":shield: Containment denied",
};

const SLACK_USER_ID = /^[UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,}$/;
const SLACK_GROUP_ID = /^S(?=[A-Z0-9]*\d)[A-Z0-9]{8,}$/;

/**
 * A mention for an escalation target. The target is an escalation level from configuration (never from a
 * finding); `mentions` maps level names to Slack ids. A user id gives `<@U…>`, a user-group id
 * `<!subteam^S…>`; anything else is shown as escaped bold text and notifies nobody.
 */
export function mentionFor(target: string, mentions: Readonly<Record<string, string>> = {}): string {
  const id = Object.hasOwn(mentions, target) ? mentions[target]! : target;
  if (SLACK_USER_ID.test(id)) return `<@${id}>`;
  if (SLACK_GROUP_ID.test(id)) return `<!subteam^${id}>`;
  return `*${escapeMrkdwn(target)}*`;
}

/** A person field: a Slack user id (set from a Slack action) renders as a mention, anything else escaped. */
const person = (who: string | null, nobody: string): string =>
  who === null || who === "" ? `_${nobody}_` : SLACK_USER_ID.test(who) ? `<@${who}>` : escapeMrkdwn(who);

/**
 * Untrusted text escaped and cut to `max`, visibly. Only a little more than `max` is escaped: escaping
 * never shortens text, so the cut still shows, and a huge value costs no more than a short one.
 */
const escapeCut = (text: string, max: number): string =>
  truncate(escapeMrkdwn(text.length > max ? text.slice(0, max + 1) : text), max);

const phaseOf = (phase: string): IncidentPhase | undefined => incidentPhaseSchema.safeParse(phase).data;
const phaseLabel = (phase: string, max?: number): string => {
  const known = phaseOf(phase);
  if (known) return PHASE_LABEL[known];
  return max === undefined ? escapeMrkdwn(phase) : escapeCut(phase, max);
};
const containmentLabel = (status: string): string =>
  Object.hasOwn(CONTAINMENT_LABEL, status) ? CONTAINMENT_LABEL[status]! : escapeMrkdwn(status);

/**
 * Slack's date token shows the time in each reader's zone; the escaped ISO text is its fallback (and all we
 * show for what is no time, or a time before 1970, which the token's epoch seconds cannot carry).
 */
function slackDate(iso: string, format = "{date_short_pretty} {time}"): string {
  const ms = Date.parse(iso);
  if (iso === "" || Number.isNaN(ms) || ms < 0) return escapeCut(iso, 100);
  return `<!date^${Math.floor(ms / 1000)}^${format}|${escapeMrkdwn(iso)}>`;
}

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const DAY_MINUTES = 24 * HOUR_MINUTES;

/** A duration for people: "under 1 min", "12 min", "3 h 5 min", "2 d 4 h" (whole units, rounded down). */
export function humanDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / MINUTE_MS);
  if (minutes < 1) return "under 1 min";
  if (minutes < HOUR_MINUTES) return `${minutes} min`;
  if (minutes < 2 * DAY_MINUTES) {
    const rest = minutes % HOUR_MINUTES;
    return `${Math.floor(minutes / HOUR_MINUTES)} h${rest ? ` ${rest} min` : ""}`;
  }
  const hours = Math.floor((minutes % DAY_MINUTES) / HOUR_MINUTES);
  return `${Math.floor(minutes / DAY_MINUTES)} d${hours ? ` ${hours} h` : ""}`;
}

/** "due in 12 min" / "overdue by 3 min" from `now`; null when the deadline is no time. */
export function timeLeft(deadline: string, now: number): string | null {
  const ms = Date.parse(deadline);
  if (Number.isNaN(ms) || !Number.isFinite(now)) return null;
  return ms > now ? `due in ${humanDuration(ms - now)}` : `overdue by ${humanDuration(now - ms)}`;
}

/** Longer lists are cut to this many lines, the last saying how many more there are. */
export const MAX_LIST_LINES = 10;

/** The first lines of a list of `total` items; past MAX_LIST_LINES the last line counts the rest. */
function capLines(lines: string[], total: number, what: string): string[] {
  if (total <= lines.length && lines.length <= MAX_LIST_LINES) return lines;
  const shown = lines.slice(0, MAX_LIST_LINES - 1);
  return [...shown, `… and ${total - shown.length} more ${what}`];
}

/** The largest time a Date can hold (ECMA-262 time values), so `toISOString` cannot throw. */
const MAX_TIME_MS = 8.64e15;

const CLOCK_BADGE: Record<ClockViewState, string> = {
  running: ":stopwatch:",
  warned: ":warning:",
  breached: ":rotating_light:",
  met: ":white_check_mark:",
  late: ":heavy_exclamation_mark:",
};
const CLOCK_NOTE: Record<ClockViewState, string> = {
  running: "",
  warned: " (warned)",
  breached: " (breached)",
  met: " (met)",
  late: " (late)",
};

const isOpenClock = (clock: ClockView): boolean => OPEN_CLOCK_STATES.includes(clock.state);

function clockLine(clock: ClockView, now: number): string {
  const left = timeLeft(clock.deadline, now);
  return (
    `${CLOCK_BADGE[clock.state]} *${phaseLabel(clock.phase, 100)}* due ${slackDate(clock.deadline)}` +
    `${left ? ` — ${left}` : ""}${CLOCK_NOTE[clock.state]}`
  );
}

/** Every open clock with its deadline and time left, or nothing when no clock runs (a closed incident). */
function clocksBlocks(view: IncidentView, now: number): MessageBlock[] {
  const open = view.clocks.filter(isOpenClock);
  if (open.length === 0) return [];
  const asOf =
    now >= 0 && now <= MAX_TIME_MS
      ? ` · time left as of ${slackDate(new Date(now).toISOString(), "{time}")}`
      : "";
  const lines = capLines(
    open.slice(0, MAX_LIST_LINES).map((clock) => clockLine(clock, now)),
    open.length,
    "clocks",
  );
  return [sectionBlock([`*SLA clocks*${asOf}`, ...lines].join("\n"))];
}

const breachLine = (breach: BreachView): string =>
  `:rotating_light: *${phaseLabel(breach.phase, 100)}* missed ${slackDate(breach.deadline)}` +
  ` (breached ${slackDate(breach.at)}, paged level ${breach.level})`;

function breachesBlock(view: IncidentView): MessageBlock {
  if (view.breaches.length === 0) return sectionBlock("*Breaches* none");
  const lines = capLines(
    view.breaches.slice(0, MAX_LIST_LINES).map(breachLine),
    view.breaches.length,
    "breaches",
  );
  return sectionBlock([`*Breaches* (${view.breaches.length})`, ...lines].join("\n"));
}

/** The affected resources, primary first; ids are untrusted (bucket names, user names…), so escaped. */
function resourcesBlocks(view: IncidentView): MessageBlock[] {
  if (view.resources.length === 0) return [];
  const lines = view.resources
    .slice(0, MAX_LIST_LINES)
    .map(
      (resource, i) =>
        `• ${escapeCut(resource.type, 100)} ${escapeCut(resource.id, 250)}${i === 0 ? " _(primary)_" : ""}`,
    );
  const total = Math.max(view.resourceCount, view.resources.length);
  return [sectionBlock([`*Resources* (${total})`, ...capLines(lines, total, "resources")].join("\n"))];
}

/**
 * Validates and normalizes the runbook base URL once, at construction: http(s) only, no trailing slash,
 * and nothing that could end a Slack link early (`|`) — `<`, `>` and spaces are already percent-encoded by
 * URL serialization.
 */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`runbook base URL must be http(s), got ${url.protocol}`);
  }
  if (url.search !== "" || url.hash !== "")
    throw new TypeError("runbook base URL must have no query or fragment");
  return url.href.replace(/\|/g, "%7C").replace(/\/+$/, "");
}

/** The one runbook link format (core/runbooks), with lone surrogates made well-formed first. */
export const runbookUrl = (baseUrl: string, runbook: RunbookRef): string =>
  coreRunbookUrl(baseUrl, wellFormed(runbook.id), wellFormed(runbook.section));

/** The link is ours; its URL and label are still escaped (Slack wants `&amp;` inside links too). */
function runbookLink(options: RenderOptions, runbook: RunbookRef): string {
  const label = `${truncate(escapeMrkdwn(runbook.id), 200)} § ${truncate(escapeMrkdwn(runbook.section), 100)}`;
  const url = runbookUrl(options.runbookBaseUrl, runbook);
  // A URL too long for one text object cannot be cut (a cut URL leads elsewhere): show the label only.
  if (url.length > 2000) return `${label} (runbook link too long to show)`;
  return `<${escapeMrkdwn(url)}|${label}>`;
}

interface ActionSpec {
  actionId: IncidentActionId;
  text: string;
  style?: "primary" | "danger";
  confirm?: { title: string; text: string; confirm: string; style?: "primary" | "danger" };
  /** Whether the button makes sense for an incident in `phase` (undefined when the phase is unknown). */
  when: (view: IncidentView, phase: IncidentPhase | undefined) => boolean;
}

const isOpen = (phase: IncidentPhase | undefined) =>
  phase === undefined || !(END_PHASES as readonly string[]).includes(phase);
const awaitingApproval = (view: IncidentView, phase: IncidentPhase | undefined) =>
  isOpen(phase) && view.containment === "awaitingApproval";

const ACTIONS: readonly ActionSpec[] = [
  {
    actionId: INCIDENT_ACTIONS.acknowledge,
    text: "Acknowledge",
    style: "primary",
    when: (view, phase) => isOpen(phase) && view.acknowledgedBy === null,
  },
  { actionId: INCIDENT_ACTIONS.takeOwnership, text: "Take ownership", when: (_, phase) => isOpen(phase) },
  {
    actionId: INCIDENT_ACTIONS.approveContainment,
    text: "Approve containment",
    style: "primary",
    confirm: {
      title: "Approve containment?",
      text: "The planned containment runs now on the affected resources (evidence is preserved first; it can be undone in the recover phase).",
      confirm: "Approve",
    },
    when: awaitingApproval,
  },
  {
    actionId: INCIDENT_ACTIONS.denyContainment,
    text: "Deny containment",
    style: "danger",
    confirm: {
      title: "Deny containment?",
      text: "The planned containment will not run. Contain manually if needed.",
      confirm: "Deny",
      style: "danger",
    },
    when: awaitingApproval,
  },
  { actionId: INCIDENT_ACTIONS.advancePhase, text: "Advance phase", when: (_, phase) => isOpen(phase) },
  {
    actionId: INCIDENT_ACTIONS.falsePositive,
    text: "Mark false positive",
    style: "danger",
    confirm: {
      title: "Mark as false positive?",
      text: "The incident is suppressed and its findings are resolved in Security Hub.",
      confirm: "Mark false positive",
      style: "danger",
    },
    // The plan allows it only while detecting or assessing (core/incident/phases.ts).
    when: (_, phase) => phase === "detect" || phase === "assess",
  },
  { actionId: INCIDENT_ACTIONS.addNote, text: "Add note", when: (_, phase) => isOpen(phase) },
  { actionId: INCIDENT_ACTIONS.escalate, text: "Escalate now", when: (_, phase) => isOpen(phase) },
];

function actionBlocks(view: IncidentView): MessageBlock[] {
  const phase = phaseOf(view.phase);
  const shown = ACTIONS.filter((action) => action.when(view, phase));
  if (shown.length === 0) return [];
  if (view.incidentId.length > LIMITS.buttonValue) {
    // A cut id would act on another incident: no buttons, and say why.
    return [contextBlock([":warning: Actions unavailable here: the incident id is too long for Slack."])];
  }
  return actionsBlocks(
    shown.map((action) =>
      button({
        actionId: action.actionId,
        text: action.text,
        value: view.incidentId,
        ...(action.style ? { style: action.style } : {}),
        ...(action.confirm ? { confirm: { ...action.confirm, deny: "Cancel" } } : {}),
      }),
    ),
  );
}

/**
 * The incident message: header, facts, open clocks, breaches, resources, correlation, runbook link for the
 * current phase, actions.
 */
export function renderIncidentMessage(
  view: IncidentView,
  runbook: RunbookRef,
  options: IncidentMessageOptions,
): SlackMessage {
  const title = escapeMrkdwn(view.title);
  const facts = [
    `*Phase*\n${phaseLabel(view.phase)}`,
    `*Severity*\n${view.severity} (${view.score})`,
    `*Owner*\n${person(view.owner, "unassigned")}`,
    `*Acknowledged by*\n${person(view.acknowledgedBy, "not yet")}`,
    `*Containment*\n${containmentLabel(view.containment)}`,
    `*Account / region*\n${escapeMrkdwn(view.accountId)} / ${escapeMrkdwn(view.region)}`,
    `*Findings*\n${view.findingCount}`,
    `*Category*\n${escapeMrkdwn(view.category)}`,
    `*Opened*\n${slackDate(view.openedAt)}`,
  ];
  const blocks: MessageBlock[] = [
    headerBlock(`${SEVERITY_BADGE[view.severity]} ${view.severity} · ${title}`),
    fieldsBlock(facts),
    ...clocksBlocks(view, options.now),
    breachesBlock(view),
    ...resourcesBlocks(view),
    sectionBlock(`*Correlated on* ${escapeMrkdwn(view.correlationKey)}`),
    sectionBlock(`:book: *Runbook:* ${runbookLink(options, runbook)}`),
    ...actionBlocks(view),
    contextBlock([`Incident ${escapeMrkdwn(view.incidentId)}`]),
  ];
  const fallback =
    `${view.severity} incident ${truncate(escapeMrkdwn(view.incidentId), 200)}: ${truncate(title, 1000)}` +
    ` — phase ${phaseLabel(view.phase)}, containment ${containmentLabel(view.containment)}`;
  return fitMessage(fallback, blocks);
}

/** Long reply texts (notes, error details) spread over several sections before being cut. */
const MAX_REPLY_SECTIONS = 40;

/** A thread reply: what happened (topic), the text, and the runbook section to follow. */
export function renderThreadReply(
  params: CommandParams<"postThreadReply">,
  options: RenderOptions,
): SlackMessage {
  const topic = Object.hasOwn(TOPIC_LABEL, params.topic)
    ? TOPIC_LABEL[params.topic]!
    : `:speech_balloon: ${truncate(escapeMrkdwn(params.topic), 200)}`;
  const text = escapeMrkdwn(params.text);
  const blocks: MessageBlock[] = [
    ...splitText(`*${topic}*\n${text}`, LIMITS.sectionText, MAX_REPLY_SECTIONS).map(sectionBlock),
    contextBlock([`:book: ${runbookLink(options, params.runbook)}`]),
  ];
  return fitMessage(`${topic}: ${text}`, blocks);
}

/** An escalation mention in the incident's thread. */
export function renderMention(
  params: CommandParams<"mentionInChat">,
  mentions: Readonly<Record<string, string>> = {},
): SlackMessage {
  const text = `:rotating_light: ${mentionFor(params.target, mentions)} ${escapeMrkdwn(params.text)}`;
  return fitMessage(text, splitText(text, LIMITS.sectionText, MAX_REPLY_SECTIONS).map(sectionBlock));
}
