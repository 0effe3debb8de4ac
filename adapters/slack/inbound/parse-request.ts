/**
 * Parses a verified Slack request body into the few shapes we act on. Runs only after verify-signature.
 *
 * - Interactions (`/slack/interactions`) are a form with one field, `payload`, holding JSON: `block_actions`
 *   (button clicks) and `view_submission` (modal submits) are read; every other type (view_closed,
 *   shortcuts…) parses as `ignored`, so Slack gets its 200 and nothing happens.
 * - Slash commands (`/slack/commands`) are a plain form (`command`, `text`, `user_id`, `response_url`…).
 *
 * Anything malformed is an InputError naming what is wrong; nothing else is ever thrown, whatever the body.
 * Only the fields we use are kept, each bounded, so later code never sees unbounded strings.
 */
import * as z from "zod";
import { InputError } from "../../../core/errors";

export type SlackPath = "/slack/interactions" | "/slack/commands";

export interface SlackAction {
  actionId: string;
  value?: string;
  blockId?: string;
}

export interface BlockActionsPayload {
  kind: "block_actions";
  userId: string;
  actions: SlackAction[];
  /** The message the buttons sit on (its ts identifies it, with the channel). */
  messageTs?: string;
  channelId?: string;
  triggerId?: string;
  responseUrl?: string;
}

export interface ViewSubmissionPayload {
  kind: "view_submission";
  userId: string;
  viewId: string;
  callbackId: string;
  privateMetadata: string;
  /** state.values flattened to `blockId → actionId → text` (only text inputs are kept). */
  values: Record<string, Record<string, string | undefined>>;
}

export interface IgnoredInteraction {
  kind: "ignored";
  type: string;
}

export interface SlashCommand {
  kind: "command";
  command: string;
  text: string;
  userId: string;
  responseUrl?: string;
  triggerId?: string;
  channelId?: string;
}

export type SlackRequest = BlockActionsPayload | ViewSubmissionPayload | IgnoredInteraction | SlashCommand;

const id = z.string().min(1).max(255);
const text = (max: number) => z.string().max(max);

const blockActionsSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id }),
  trigger_id: id.optional(),
  response_url: text(2000).optional(),
  container: z.object({ message_ts: id.optional(), channel_id: id.optional() }).optional(),
  channel: z.object({ id }).optional(),
  message: z.object({ ts: id.optional() }).optional(),
  actions: z
    .array(z.object({ action_id: id, value: text(2000).optional(), block_id: id.optional() }))
    .min(1)
    .max(25),
});

const viewSubmissionSchema = z.object({
  type: z.literal("view_submission"),
  user: z.object({ id }),
  view: z.object({
    id,
    callback_id: text(255),
    private_metadata: text(3000).optional(),
    state: z
      .object({
        values: z.record(
          z.string(),
          z.record(z.string(), z.object({ value: text(5000).nullish() }).catch({ value: undefined })),
        ),
      })
      .optional(),
  }),
});

const anyInteractionSchema = z.object({ type: text(100) });

const slashCommandSchema = z.object({
  command: z.string().min(2).max(100).startsWith("/"),
  text: text(4000).default(""),
  user_id: id,
  response_url: text(2000).optional(),
  trigger_id: id.optional(),
  channel_id: id.optional(),
});

function shapeError(what: string, error: z.ZodError): InputError {
  const issue = error.issues[0];
  const path = issue ? ["$", ...issue.path.map(String)].join(".") : "$";
  return new InputError("invalid_shape", `${what}: ${issue?.message ?? "unexpected shape"} at ${path}`, path);
}

/** Form fields, first value wins (Slack never repeats one; an attacker could not, as the body is signed). */
function formFields(rawBody: string): Record<string, string> {
  // A Map, then fromEntries: a field named `__proto__` stays a plain field.
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(rawBody)) {
    if (!fields.has(key)) fields.set(key, value);
  }
  return Object.fromEntries(fields);
}

function parseInteraction(rawBody: string): SlackRequest {
  const payloadText = formFields(rawBody).payload;
  if (payloadText === undefined || payloadText === "") {
    throw new InputError(
      "missing_field",
      "an interaction body must be a form with a `payload` field",
      "$.payload",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    throw new InputError("invalid_json", "the interaction `payload` is not valid JSON", "$.payload");
  }
  const head = anyInteractionSchema.safeParse(json);
  if (!head.success) throw shapeError("interaction payload", head.error);

  switch (head.data.type) {
    case "block_actions": {
      const parsed = blockActionsSchema.safeParse(json);
      if (!parsed.success) throw shapeError("block_actions payload", parsed.error);
      const p = parsed.data;
      const messageTs = p.container?.message_ts ?? p.message?.ts;
      const channelId = p.container?.channel_id ?? p.channel?.id;
      return {
        kind: "block_actions",
        userId: p.user.id,
        actions: p.actions.map((a) => ({
          actionId: a.action_id,
          ...(a.value !== undefined ? { value: a.value } : {}),
          ...(a.block_id !== undefined ? { blockId: a.block_id } : {}),
        })),
        ...(messageTs !== undefined ? { messageTs } : {}),
        ...(channelId !== undefined ? { channelId } : {}),
        ...(p.trigger_id !== undefined ? { triggerId: p.trigger_id } : {}),
        ...(p.response_url !== undefined ? { responseUrl: p.response_url } : {}),
      };
    }
    case "view_submission": {
      const parsed = viewSubmissionSchema.safeParse(json);
      if (!parsed.success) throw shapeError("view_submission payload", parsed.error);
      const { user, view } = parsed.data;
      const values: ViewSubmissionPayload["values"] = {};
      for (const [blockId, inputs] of Object.entries(view.state?.values ?? {})) {
        const block: Record<string, string | undefined> = {};
        for (const [actionId, input] of Object.entries(inputs)) block[actionId] = input.value ?? undefined;
        values[blockId] = block;
      }
      return {
        kind: "view_submission",
        userId: user.id,
        viewId: view.id,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata ?? "",
        values,
      };
    }
    default:
      return { kind: "ignored", type: head.data.type };
  }
}

function parseCommand(rawBody: string): SlashCommand {
  const parsed = slashCommandSchema.safeParse(formFields(rawBody));
  if (!parsed.success) throw shapeError("slash command", parsed.error);
  const c = parsed.data;
  return {
    kind: "command",
    command: c.command,
    text: c.text,
    userId: c.user_id,
    ...(c.response_url !== undefined ? { responseUrl: c.response_url } : {}),
    ...(c.trigger_id !== undefined ? { triggerId: c.trigger_id } : {}),
    ...(c.channel_id !== undefined ? { channelId: c.channel_id } : {}),
  };
}

/** Parses a verified body; throws only InputError. */
export function parseSlackRequest(path: SlackPath, rawBody: string): SlackRequest {
  switch (path) {
    case "/slack/interactions":
      return parseInteraction(rawBody);
    case "/slack/commands":
      return parseCommand(rawBody);
    default: {
      const unknown: never = path;
      throw new InputError("invalid_value", `no Slack endpoint at ${String(unknown)}`, "$");
    }
  }
}
