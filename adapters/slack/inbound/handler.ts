/**
 * The Slack inbound endpoints (`/slack/interactions`, `/slack/commands`), framework-free so the Lambda behind
 * a Function URL and the local server share it. DESIGN §4–§5.
 *
 * Order, always: verify the signature → parse → authorize the responder → act once. The HTTP answer goes back
 * at once (Slack wants it within 3 s); anything slow — applying an action, opening a modal, telling the user
 * how it went — is returned as `work` for the caller to run after responding. Modal work is urgent: Slack's
 * trigger_id expires 3 s after the click, so run it right after sending the response, never via a queue.
 *
 * Contract with the outbound messages (adapters/slack/*): buttons carry an action id from SLACK_ACTION_IDS and
 * the incident id as their `value`. Clicks with other action ids (link buttons, other apps' widgets) get a
 * plain 200 and do nothing. Every reply to a person is ephemeral and escapes untrusted text.
 *
 * Adapters may not import app/ (dependency rule), so the action vocabulary here is a structural subset of
 * app/act.ts's ResponderAction; test/adapters/slack/inbound/handler.test.ts wires the real `act` to prove it.
 */
import { InputError } from "../../../core/errors";
import type { IncidentRecord, IncidentStore } from "../../../core/ports/incident-store";
import { escapeMrkdwn } from "../escape";
import { type IsMemberOfGroup, isResponder, type SlackResponders } from "./authorize";
import type { DedupeStore } from "./dedupe";
import {
  type BlockActionsPayload,
  parseSlackRequest,
  type SlackPath,
  type SlashCommand,
  type ViewSubmissionPayload,
} from "./parse-request";
import { MAX_SLACK_BODY_BYTES, type VerifyFailure, verifySlackSignature } from "./verify-signature";

// ─── Contract ───────────────────────────────────────────────────────────────────────────────────────────

/** The responder actions Slack can trigger: each is accepted by app/act.ts's responderActionSchema. */
export type SlackResponderAction =
  | { type: "acknowledge" | "approve-containment" | "deny-containment" | "false-positive" | "escalate" }
  | { type: "assign"; owner: string }
  | { type: "advance"; note?: string }
  | { type: "note"; note: string };

export interface SlackReply {
  response_type: "ephemeral";
  text: string;
  /** Set on replies through a message's response_url, so the incident message itself stays. */
  replace_original?: false;
}

export interface SlackHandlerDeps {
  signingSecret: string;
  responders: SlackResponders;
  isMemberOfGroup: IsMemberOfGroup;
  dedupe: DedupeStore;
  /** app/act.ts's `act` with its deps bound. Its outcome is reported back to the person who clicked. */
  act(
    incidentId: string,
    action: SlackResponderAction,
    actorSlackUserId: string,
  ): Promise<{ status: string }>;
  /** Slack `views.open`. */
  openModal(triggerId: string, view: SlackModalView): Promise<void>;
  /** POST to a Slack response_url (ephemeral feedback after the HTTP answer has gone). */
  respond(responseUrl: string, reply: SlackReply): Promise<void>;
  incidents: Pick<IncidentStore, "getIncident" | "listIncidents" | "timeline">;
  maxBodyBytes?: number;
}

export interface SlackHttpRequest {
  path: SlackPath;
  /** Exactly the text Slack sent: the signature covers it (decode a base64 Function URL body first). */
  rawBody: string;
  headers: Record<string, string | undefined>;
}

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Slow follow-up for the caller to run after sending the response. */
  work?: () => Promise<void>;
}

export const SLACK_ACTION_IDS = {
  acknowledge: "ir_ack",
  own: "ir_own",
  approveContainment: "ir_approve",
  denyContainment: "ir_deny",
  advance: "ir_advance",
  falsePositive: "ir_false_positive",
  note: "ir_note",
  escalate: "ir_escalate",
} as const;

type ModalKind = "advance" | "note";

/** What a button does: act at once, or first ask for a note in a modal. */
type ButtonEffect =
  | { kind: "act"; action: (actor: string) => SlackResponderAction; done: string }
  | { kind: "modal"; modal: ModalKind };

const BUTTONS: ReadonlyMap<string, ButtonEffect> = new Map<string, ButtonEffect>([
  [
    SLACK_ACTION_IDS.acknowledge,
    { kind: "act", action: () => ({ type: "acknowledge" }), done: "Acknowledged" },
  ],
  [
    SLACK_ACTION_IDS.own,
    { kind: "act", action: (actor) => ({ type: "assign", owner: actor }), done: "You now own" },
  ],
  [
    SLACK_ACTION_IDS.approveContainment,
    { kind: "act", action: () => ({ type: "approve-containment" }), done: "Containment approved for" },
  ],
  [
    SLACK_ACTION_IDS.denyContainment,
    { kind: "act", action: () => ({ type: "deny-containment" }), done: "Containment denied for" },
  ],
  [SLACK_ACTION_IDS.advance, { kind: "modal", modal: "advance" }],
  [
    SLACK_ACTION_IDS.falsePositive,
    { kind: "act", action: () => ({ type: "false-positive" }), done: "Marked false positive:" },
  ],
  [SLACK_ACTION_IDS.note, { kind: "modal", modal: "note" }],
  [SLACK_ACTION_IDS.escalate, { kind: "act", action: () => ({ type: "escalate" }), done: "Escalated" }],
]);

/** Where the note is in our modals' state.values. */
export const NOTE_BLOCK_ID = "ir_note_block";
export const NOTE_INPUT_ID = "ir_note_input";
const MAX_NOTE_CHARS = 4000; // responderActionSchema's limit

interface ModalSpec {
  callbackId: string;
  title: string;
  submit: string;
  label: string;
  noteRequired: boolean;
}

const MODALS: Record<ModalKind, ModalSpec> = {
  advance: {
    callbackId: "ir_advance_modal",
    title: "Advance phase",
    submit: "Advance",
    label: "Why is this phase done? (optional)",
    noteRequired: false,
  },
  note: {
    callbackId: "ir_note_modal",
    title: "Add a note",
    submit: "Add note",
    label: "Note",
    noteRequired: true,
  },
};

const MODAL_BY_CALLBACK: ReadonlyMap<string, ModalKind> = new Map(
  (Object.keys(MODALS) as ModalKind[]).map((kind) => [MODALS[kind].callbackId, kind]),
);

export interface SlackModalView {
  type: "modal";
  callback_id: string;
  private_metadata: string;
  title: { type: "plain_text"; text: string };
  submit: { type: "plain_text"; text: string };
  close: { type: "plain_text"; text: string };
  blocks: Array<Record<string, unknown>>;
}

// Our incident ids (IR-0001, ULIDs, UUIDs): a conservative shape so a value can't smuggle anything.
const INCIDENT_ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

// ─── Text ───────────────────────────────────────────────────────────────────────────────────────────────

/** Cuts raw text (before escaping, so no entity is split) with a visible mark. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Untrusted text, clipped then escaped (escapeMrkdwn also mends a surrogate pair the clip split). */
const safe = (text: string, max = 200) => escapeMrkdwn(clip(text, max));

// ─── Responses ──────────────────────────────────────────────────────────────────────────────────────────

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const TEXT_HEADERS = { "content-type": "text/plain; charset=utf-8" };

const ok = (work?: () => Promise<void>): SlackHttpResponse => ({
  status: 200,
  headers: TEXT_HEADERS,
  body: "",
  ...(work ? { work } : {}),
});

const json = (body: unknown, work?: () => Promise<void>): SlackHttpResponse => ({
  status: 200,
  headers: JSON_HEADERS,
  body: JSON.stringify(body),
  ...(work ? { work } : {}),
});

const ephemeral = (text: string, work?: () => Promise<void>) =>
  json({ response_type: "ephemeral", text } satisfies SlackReply, work);

const plain = (status: number, body: string): SlackHttpResponse => ({ status, headers: TEXT_HEADERS, body });

const VERIFY_STATUS: Record<VerifyFailure, number> = {
  not_configured: 500,
  too_large: 413,
  missing_timestamp: 401,
  malformed_timestamp: 401,
  stale_timestamp: 401,
  future_timestamp: 401,
  missing_signature: 401,
  malformed_signature: 401,
  bad_signature: 401,
};

const REFUSAL =
  "Only incident responders can do that. Ask the security team to add you to the responder list.";

/** What the person is told when an action did not change the incident (else: the button's `done` text). */
const OUTCOME_TEXT: ReadonlyMap<string, (id: string) => string> = new Map([
  ["not-found", (id: string) => `There is no incident ${id}.`],
  [
    "unchanged",
    (id: string) => `Nothing changed: ${id} is already in that state, or this does not apply now.`,
  ],
]);

function outcomeText(status: string, done: string, incidentId: string): string {
  const id = safe(incidentId);
  const describe = OUTCOME_TEXT.get(status);
  return describe ? describe(id) : `${done} ${id}.`;
}

// ─── Entry point ────────────────────────────────────────────────────────────────────────────────────────

const SLACK_PATHS: ReadonlySet<string> = new Set<SlackPath>(["/slack/interactions", "/slack/commands"]);

export async function handleSlackRequest(
  request: SlackHttpRequest,
  now: number,
  deps: SlackHandlerDeps,
): Promise<SlackHttpResponse> {
  if (!SLACK_PATHS.has(request.path)) return plain(404, "not found");
  const verified = verifySlackSignature({
    signingSecret: deps.signingSecret,
    headers: request.headers,
    rawBody: request.rawBody,
    now,
    maxBodyBytes: deps.maxBodyBytes ?? MAX_SLACK_BODY_BYTES,
  });
  if (!verified.ok) return plain(VERIFY_STATUS[verified.reason], `Slack request refused: ${verified.reason}`);

  try {
    const parsed = parseSlackRequest(request.path, request.rawBody);
    switch (parsed.kind) {
      case "block_actions":
        return await onBlockActions(parsed, now, deps);
      case "view_submission":
        return await onViewSubmission(parsed, now, deps);
      case "command":
        return await onCommand(parsed, deps);
      case "ignored":
        return ok();
      default: {
        const unknown: never = parsed;
        throw new Error(`unhandled Slack request ${JSON.stringify(unknown)}`);
      }
    }
  } catch (error) {
    if (error instanceof InputError) return plain(400, `Bad Slack request: ${error.message}`);
    throw error;
  }
}

function incidentIdOf(value: string | undefined, where: string): string {
  if (value === undefined || !INCIDENT_ID_SHAPE.test(value)) {
    throw new InputError("invalid_value", `${where} must be an incident id`, "$.payload");
  }
  return value;
}

// ─── Buttons ────────────────────────────────────────────────────────────────────────────────────────────

async function onBlockActions(
  payload: BlockActionsPayload,
  now: number,
  deps: SlackHandlerDeps,
): Promise<SlackHttpResponse> {
  // Slack sends one action per click; the first one we know is the click.
  let clicked: { actionId: string; value: string | undefined; effect: ButtonEffect } | undefined;
  for (const action of payload.actions) {
    const effect = BUTTONS.get(action.actionId);
    if (effect) {
      clicked = { actionId: action.actionId, value: action.value, effect };
      break;
    }
  }
  if (!clicked) return ok();

  const { userId, responseUrl } = payload;
  const reply = (text: string) => async () => {
    if (responseUrl) {
      await deps.respond(responseUrl, { response_type: "ephemeral", text, replace_original: false });
    }
  };
  // The HTTP body of a block_actions answer is not shown by Slack: the refusal also goes to response_url.
  const allowed = await isResponder(userId, deps.responders, deps.isMemberOfGroup);
  if (!allowed) return ephemeral(REFUSAL, reply(REFUSAL));

  const incidentId = incidentIdOf(clicked.value, `the value of button ${clicked.actionId}`);
  // Act-once key: action, message, user, plus the channel (a ts is unique only within one) and the incident.
  const key = [
    "action",
    clicked.actionId,
    payload.channelId ?? "-",
    payload.messageTs ?? "-",
    userId,
    incidentId,
  ];
  const onceKey = key.join("|");
  if (!(await deps.dedupe.firstTime(onceKey, now))) return ok();

  const effect = clicked.effect;
  switch (effect.kind) {
    case "act":
      return ok(
        releasedOnFailure(deps.dedupe, onceKey, async () => {
          const text = await actAndDescribe(deps, incidentId, effect.action(userId), userId, effect.done);
          await reply(text)();
        }),
      );
    case "modal": {
      const triggerId = payload.triggerId;
      if (triggerId === undefined) {
        await deps.dedupe.release(onceKey);
        throw new InputError("missing_field", "a button that opens a modal needs a trigger_id", "$.payload");
      }
      const view = buildModal(effect.modal, incidentId);
      return ok(releasedOnFailure(deps.dedupe, onceKey, () => deps.openModal(triggerId, view)));
    }
    default: {
      const unknown: never = effect;
      throw new Error(`unhandled button effect ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Work let through by an act-once key. If it fails (the action could not be queued, the modal did not
 * open), the key is released so that Slack's redelivery or the person's next click acts: a failed click
 * must not be taken for a repeat. A refused action is not a failure (actAndDescribe answers it).
 */
function releasedOnFailure(dedupe: DedupeStore, key: string, work: () => Promise<void>) {
  return async () => {
    try {
      await work();
    } catch (error) {
      // The work's own error is what the caller reports; a failed release leaves the key to its TTL.
      await dedupe.release(key).catch(() => undefined);
      throw error;
    }
  };
}

/** Applies the action; an action the incident refuses (InputError) is told to the person, not thrown. */
async function actAndDescribe(
  deps: SlackHandlerDeps,
  incidentId: string,
  action: SlackResponderAction,
  userId: string,
  done: string,
): Promise<string> {
  try {
    const outcome = await deps.act(incidentId, action, userId);
    return outcomeText(outcome.status, done, incidentId);
  } catch (error) {
    if (error instanceof InputError)
      return `Could not do that on ${safe(incidentId)}: ${safe(error.message, 500)}`;
    throw error;
  }
}

// ─── Modals ─────────────────────────────────────────────────────────────────────────────────────────────

export function buildModal(kind: ModalKind, incidentId: string): SlackModalView {
  const spec = MODALS[kind];
  return {
    type: "modal",
    callback_id: spec.callbackId,
    private_metadata: JSON.stringify({ incidentId }),
    title: { type: "plain_text", text: spec.title },
    submit: { type: "plain_text", text: spec.submit },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `Incident *${safe(incidentId)}*` } },
      {
        type: "input",
        block_id: NOTE_BLOCK_ID,
        optional: !spec.noteRequired,
        label: { type: "plain_text", text: spec.label },
        element: {
          type: "plain_text_input",
          action_id: NOTE_INPUT_ID,
          multiline: true,
          max_length: MAX_NOTE_CHARS,
        },
      },
    ],
  };
}

function metadataIncidentId(privateMetadata: string): string {
  let metadata: unknown;
  try {
    metadata = JSON.parse(privateMetadata);
  } catch {
    throw new InputError("invalid_json", "the modal's private_metadata is not JSON", "$.payload.view");
  }
  const value =
    typeof metadata === "object" && metadata !== null && "incidentId" in metadata
      ? metadata.incidentId
      : undefined;
  return incidentIdOf(
    typeof value === "string" ? value : undefined,
    "the modal's private_metadata.incidentId",
  );
}

/** Shown next to the note field (Slack keeps the modal open on `response_action: errors`). */
const fieldError = (message: string) =>
  json({ response_action: "errors", errors: { [NOTE_BLOCK_ID]: message } });

async function onViewSubmission(
  payload: ViewSubmissionPayload,
  now: number,
  deps: SlackHandlerDeps,
): Promise<SlackHttpResponse> {
  const kind = MODAL_BY_CALLBACK.get(payload.callbackId);
  if (kind === undefined) return ok();
  const spec = MODALS[kind];
  const incidentId = metadataIncidentId(payload.privateMetadata);
  // Asked again on submit: the list may have changed since the modal opened.
  if (!(await isResponder(payload.userId, deps.responders, deps.isMemberOfGroup))) return fieldError(REFUSAL);

  const note = (payload.values[NOTE_BLOCK_ID]?.[NOTE_INPUT_ID] ?? "").trim();
  if (spec.noteRequired && note === "") return fieldError("Write a note first.");
  if (note.length > MAX_NOTE_CHARS) return fieldError(`Keep the note under ${MAX_NOTE_CHARS} characters.`);
  const onceKey = `view|${payload.viewId}|${payload.userId}`;
  if (!(await deps.dedupe.firstTime(onceKey, now))) return ok();

  const action: SlackResponderAction =
    kind === "note" ? { type: "note", note } : { type: "advance", ...(note ? { note } : {}) };
  // An empty 200 closes the modal; the incident message shows the result.
  return ok(
    releasedOnFailure(deps.dedupe, onceKey, async () => {
      await deps.act(incidentId, action, payload.userId);
    }),
  );
}

// ─── /ir ────────────────────────────────────────────────────────────────────────────────────────────────

const LIST_LIMIT = 20;
const SHOW_TIMELINE_ENTRIES = 5;

type Subcommand = "help" | "list" | "show" | "ack";

const SUBCOMMANDS: ReadonlyMap<string, { usage: string; does: string; needsId: boolean }> = new Map([
  ["list", { usage: "list", does: "open incidents", needsId: false }],
  ["show", { usage: "show ID", does: "one incident and its latest timeline", needsId: true }],
  ["ack", { usage: "ack ID", does: "acknowledge an incident", needsId: true }],
  ["help", { usage: "help", does: "this help", needsId: false }],
]);

function helpText(command: string): string {
  const name = safe(command, 50);
  const lines = [...SUBCOMMANDS.values()].map((s) => `• \`${name} ${s.usage}\`: ${s.does}`);
  return [`*${name}*: incident response`, ...lines].join("\n");
}

const incidentLine = (i: IncidentRecord) =>
  `• *${safe(i.id)}* · ${safe(i.severity, 20)} · ${safe(i.phase, 40)} · ${safe(i.title, 150)}`;

async function onCommand(command: SlashCommand, deps: SlackHandlerDeps): Promise<SlackHttpResponse> {
  const [first, id] = command.text.trim().split(/\s+/);
  const name = (first ?? "").toLowerCase();
  const spec = SUBCOMMANDS.get(name);
  if (!spec) {
    const unknown = name === "" ? "" : `I don't know \`${safe(command.command, 50)} ${safe(name, 50)}\`.\n`;
    return ephemeral(unknown + helpText(command.command));
  }
  const sub = name as Subcommand;
  if (sub === "help") return ephemeral(helpText(command.command));
  if (!(await isResponder(command.userId, deps.responders, deps.isMemberOfGroup))) return ephemeral(REFUSAL);
  if (spec.needsId && (id === undefined || !INCIDENT_ID_SHAPE.test(id))) {
    return ephemeral(`Usage: \`${safe(command.command, 50)} ${spec.usage}\``);
  }

  switch (sub) {
    case "list":
      return ephemeral(await listText(deps));
    case "show":
      return ephemeral(await showText(deps, id!));
    case "ack": {
      const incidentId = id!;
      const { responseUrl, userId } = command;
      return ephemeral(`Acknowledging ${safe(incidentId)}…`, async () => {
        const text = await actAndDescribe(deps, incidentId, { type: "acknowledge" }, userId, "Acknowledged");
        if (responseUrl) await deps.respond(responseUrl, { response_type: "ephemeral", text });
      });
    }
    default: {
      const unknown: never = sub;
      throw new Error(`unhandled subcommand ${String(unknown)}`);
    }
  }
}

async function listText(deps: SlackHandlerDeps): Promise<string> {
  const open = await deps.incidents.listIncidents({ open: true, limit: LIST_LIMIT + 1 });
  if (open.length === 0) return "No open incidents.";
  const shown = open.slice(0, LIST_LIMIT);
  const more = open.length > LIST_LIMIT ? [`…and more; showing the ${LIST_LIMIT} newest.`] : [];
  return [
    `*Open incidents* (${shown.length}${more.length ? "+" : ""})`,
    ...shown.map(incidentLine),
    ...more,
  ].join("\n");
}

async function showText(deps: SlackHandlerDeps, id: string): Promise<string> {
  const incident = await deps.incidents.getIncident(id);
  if (!incident) return `There is no incident ${safe(id)}.`;
  const timeline = await deps.incidents.timeline(id);
  const latest = timeline
    .slice(-SHOW_TIMELINE_ENTRIES)
    .map((t) => `• ${safe(t.at, 40)} ${safe(t.actor, 60)}: ${safe(t.text, 200)}`);
  return [
    `*${safe(incident.id)}* ${safe(incident.title, 150)}`,
    `Severity: ${safe(incident.severity, 20)} · Phase: ${safe(incident.phase, 40)} · ${incident.open ? "open" : "closed"}`,
    `Opened: ${safe(incident.openedAt, 40)} · Updated: ${safe(incident.updatedAt, 40)}`,
    ...(incident.nextDeadline ? [`Next deadline: ${safe(incident.nextDeadline, 40)}`] : []),
    ...(incident.linkedTo ? [`Follows: ${safe(incident.linkedTo)}`] : []),
    ...(latest.length ? ["*Latest timeline*", ...latest] : []),
  ].join("\n");
}
