/**
 * Slack requests as Slack sends them, for the inbound tests: signed with node:crypto directly (not with the
 * code under test), and payloads shaped after Slack's documented block_actions / view_submission / slash
 * command examples, with `make<Thing>(overrides)` factories.
 */
import { createHmac } from "node:crypto";
import { InMemoryDedupe } from "../../../../adapters/slack/inbound/dedupe";
import type {
  SlackHandlerDeps,
  SlackModalView,
  SlackReply,
  SlackResponderAction,
} from "../../../../adapters/slack/inbound/handler";
import type { SlackPath } from "../../../../adapters/slack/inbound/parse-request";

export const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
/** A fixed "now" (ms) and the matching Slack timestamp (s). */
export const NOW = Date.parse("2024-05-01T10:00:00.000Z");
export const TS = String(NOW / 1000);

export const RESPONDER = "U_ALICE";
export const GROUP_MEMBER = "U_CAROL";
export const STRANGER = "U_MALLORY";
export const RESPONDER_GROUP = "S_SECOPS";

export function sign(rawBody: string, timestamp = TS, secret = SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export function signedRequest(
  path: SlackPath,
  rawBody: string,
  options: { timestamp?: string; extraHeaders?: Record<string, string> } = {},
) {
  const timestamp = options.timestamp ?? TS;
  return {
    path,
    rawBody,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": sign(rawBody, timestamp),
      ...options.extraHeaders,
    },
  };
}

export const interactionBody = (payload: unknown) =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** A button click on an incident message (Slack's block_actions shape, trimmed to what Slack always sends). */
export function makeBlockActions(
  overrides: {
    actionId?: string;
    value?: string;
    userId?: string;
    messageTs?: string;
    triggerId?: string;
  } = {},
) {
  return {
    type: "block_actions",
    team: { id: "T9TK3CUKW", domain: "example" },
    user: { id: overrides.userId ?? RESPONDER, username: "alice", team_id: "T9TK3CUKW" },
    api_app_id: "A0MDYCDME",
    token: "9s8d9as89d8as9d8as989",
    container: {
      type: "message",
      message_ts: overrides.messageTs ?? "1548261231.000200",
      channel_id: "C0SECOPS",
      is_ephemeral: false,
    },
    trigger_id: overrides.triggerId ?? "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
    channel: { id: "C0SECOPS", name: "security-incidents" },
    message: {
      type: "message",
      ts: overrides.messageTs ?? "1548261231.000200",
      text: "incident",
      blocks: [],
    },
    response_url: "https://hooks.slack.com/actions/T9TK3CUKW/1234567890/abcdefgh",
    actions: [
      {
        type: "button",
        action_id: overrides.actionId ?? "ir_ack",
        block_id: "ir_actions",
        text: { type: "plain_text", text: "Acknowledge", emoji: true },
        value: overrides.value ?? "IR-0001",
        action_ts: "1548426417.840180",
      },
    ],
  };
}

/** A modal submit (Slack's view_submission shape). */
export function makeViewSubmission(
  overrides: {
    callbackId?: string;
    incidentId?: string;
    note?: string | null;
    userId?: string;
    viewId?: string;
    privateMetadata?: string;
  } = {},
) {
  return {
    type: "view_submission",
    team: { id: "T9TK3CUKW", domain: "example" },
    user: { id: overrides.userId ?? RESPONDER, username: "alice", team_id: "T9TK3CUKW" },
    api_app_id: "A0MDYCDME",
    token: "9s8d9as89d8as9d8as989",
    trigger_id: "12466734323.1395872398.6a7c3ec2d37d6",
    view: {
      id: overrides.viewId ?? "VNHU13V36",
      type: "modal",
      callback_id: overrides.callbackId ?? "ir_note_modal",
      private_metadata:
        overrides.privateMetadata ?? JSON.stringify({ incidentId: overrides.incidentId ?? "IR-0001" }),
      state: {
        values: {
          ir_note_block: {
            ir_note_input: {
              type: "plain_text_input",
              value: overrides.note === undefined ? "a note" : overrides.note,
            },
          },
        },
      },
      hash: "156663117.cd33ad1f",
    },
    response_urls: [],
  };
}

/** `/ir <text>` as Slack posts it. */
export function makeCommandBody(text: string, overrides: { userId?: string; command?: string } = {}): string {
  return new URLSearchParams({
    token: "gIkuvaNzQIHg97ATvDxqgjtO",
    team_id: "T0001",
    team_domain: "example",
    channel_id: "C2147483705",
    channel_name: "security-incidents",
    user_id: overrides.userId ?? RESPONDER,
    user_name: "alice",
    command: overrides.command ?? "/ir",
    text,
    api_app_id: "A123456",
    response_url: "https://hooks.slack.com/commands/1234/5678",
    trigger_id: "13345224609.738474920.8088930838d88f008e0",
  }).toString();
}

export interface Recorded {
  acts: Array<{ incidentId: string; action: SlackResponderAction; actor: string }>;
  modals: Array<{ triggerId: string; view: SlackModalView }>;
  replies: Array<{ responseUrl: string; reply: SlackReply }>;
  groupLookups: Array<[string, string]>;
}

/** Handler deps with recording fakes; `incidents` and `act` can be swapped for real ones. */
export function makeDeps(overrides: Partial<SlackHandlerDeps> = {}): {
  deps: SlackHandlerDeps;
  recorded: Recorded;
} {
  const recorded: Recorded = { acts: [], modals: [], replies: [], groupLookups: [] };
  const deps: SlackHandlerDeps = {
    signingSecret: SECRET,
    responders: { userIds: [RESPONDER], groupIds: [RESPONDER_GROUP] },
    isMemberOfGroup: async (userId, groupId) => {
      recorded.groupLookups.push([userId, groupId]);
      return userId === GROUP_MEMBER && groupId === RESPONDER_GROUP;
    },
    dedupe: new InMemoryDedupe(),
    act: async (incidentId, action, actor) => {
      recorded.acts.push({ incidentId, action, actor });
      return { status: "changed" };
    },
    openModal: async (triggerId, view) => {
      recorded.modals.push({ triggerId, view });
    },
    respond: async (responseUrl, reply) => {
      recorded.replies.push({ responseUrl, reply });
    },
    incidents: {
      getIncident: async () => undefined,
      listIncidents: async () => [],
      timeline: async () => [],
    },
    ...overrides,
  };
  return { deps, recorded };
}
