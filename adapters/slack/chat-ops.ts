/**
 * ChatOps on Slack (core/ports/chat-ops.ts): one message per incident in the channel chosen by its
 * severity, kept current with chat.update; thread replies and escalation mentions under it.
 *
 * Idempotency (the outbox delivers at least once): every message we post carries Slack message metadata
 * `{ event_type: "ir_command", event_payload: { command_id } }`, and before posting we look for it — in the
 * channel's recent history for the incident message, in the thread for replies and mentions. Why: the
 * dispatcher records a command as done only after Slack answered AND its own commit landed; a crash, a
 * timeout or a lost response in between makes it run the command again, and without this check the
 * channel would get the message twice. The look-up reads a bounded window (the latest `historyLimit`
 * channel messages, `threadPages` × 200 replies): a retry comes minutes later, not thousands of messages
 * later. Only messages from our own bot count (auth.test, once), so another deployment posting into the
 * same channel with the same command ids cannot make us skip a post. (conversations.history/replies keep
 * their Tier-3 limits for internal apps; Slack's 2025 cut applies to unlisted distributed apps.)
 *
 * Updates are ordered: retries (rate limits) can deliver an older updateIncidentMessage after a newer one,
 * and its view would overwrite the newer state. The message's metadata records the last update applied
 * (`updated_by`, a command id `<incidentId>:<version>:<n>`); an update from an older command is skipped.
 *
 * Rate limits: writes are paced per channel (channel-rate-limit.ts); a 429 or `ratelimited` becomes
 * RetryLaterError with Slack's Retry-After, so the command stays pending. The channel's slot is taken
 * BEFORE the duplicate check or the ordering read: under a storm most attempts are refused for now, and
 * those must cost nothing but a local check — every Slack read is then followed by the write it guards
 * (or, rarely, finds the write already done and leaves its slot unused). The check is never skipped: an
 * attempt before a crash, or in another process, leaves no trace this process could see, and the outbox
 * does not record attempts; with the slot first it costs one read per actual write. Other failures throw
 * SlackApiError naming the method and Slack's error code (web-client.ts); the token never appears.
 */
import type { WebClient } from "@slack/web-api";
import * as z from "zod";
import { SEVERITY_LABELS, type SeverityLabel } from "../../core/findings/severity";
import type { CommandParams } from "../../core/incident/commands";
import type { ChatMessageRef, ChatOps } from "../../core/ports/chat-ops";
import { RetryLaterError } from "../../core/ports/command-executor";
import type { SlackMessage } from "./block-kit";
import { ChannelRateLimiter } from "./channel-rate-limit";
import {
  normalizeBaseUrl,
  type RenderOptions,
  renderIncidentMessage,
  renderMention,
  renderThreadReply,
} from "./incident-message";
import { SlackApiError, slackFailure } from "./web-client";

/** Channel ids (not names: conversations.history needs ids). */
export const slackChannelIdSchema = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id such as C0123456789, not a channel name");

/** `channels: { CRITICAL: "C…", HIGH: "C…", default: "C…" }`: where each severity's incidents go. */
export const slackChannelsSchema = z
  .object({
    default: slackChannelIdSchema,
    ...Object.fromEntries(SEVERITY_LABELS.map((label) => [label, slackChannelIdSchema.optional()])),
  })
  .strict();
export type SlackChannels = { default: string } & Partial<Record<SeverityLabel, string>>;

/** The metadata event type that marks our messages. */
export const COMMAND_EVENT_TYPE = "ir_command";

export interface SlackChatOpsOptions {
  client: WebClient;
  channels: SlackChannels;
  /** Base URL of the runbooks (links are `<base>/runbooks/<id>.md#<section anchor>`, see core/runbooks). */
  runbookBaseUrl: string;
  /** Escalation level name → Slack user (U…) or user-group (S…) id to mention. */
  mentions?: Readonly<Record<string, string>>;
  rateLimiter?: ChannelRateLimiter;
  /** How many recent channel messages the duplicate check reads (one page, at most 999). */
  historyLimit?: number;
  /** How many pages of 200 thread replies the duplicate check reads. */
  threadPages?: number;
  /** The time the incident message's "time left" is computed from (epoch ms); Date.now by default. */
  now?: () => number;
}

/** What we read back from history: untrusted, so parsed, and anything unexpected is simply not a match. */
const postedMessageSchema = z.object({
  ts: z.string(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  metadata: z
    .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
    .optional(),
});
type PostedMessage = z.infer<typeof postedMessageSchema>;

interface BotIdentity {
  botId?: string;
  userId?: string;
}

const payloadString = (message: PostedMessage, key: string): string | undefined => {
  const value = message.metadata?.event_payload?.[key];
  return typeof value === "string" ? value : undefined;
};

/** `<incidentId>:<version>:<n>` → [version, n]; undefined when a command id does not have that shape. */
function commandOrder(commandId: string | undefined): [number, number] | undefined {
  const match = commandId?.match(/:(\d+):(\d+)$/);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

const isOlderOrSame = (a: [number, number], b: [number, number]) =>
  a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

export class SlackChatOps implements ChatOps {
  private readonly client: WebClient;
  private readonly channels: SlackChannels;
  private readonly render: RenderOptions;
  private readonly mentions: Readonly<Record<string, string>>;
  private readonly limiter: ChannelRateLimiter;
  private readonly historyLimit: number;
  private readonly threadPages: number;
  private readonly now: () => number;
  private identity: Promise<BotIdentity> | undefined;

  constructor(options: SlackChatOpsOptions) {
    this.client = options.client;
    this.channels = slackChannelsSchema.parse(options.channels) as SlackChannels;
    this.render = { runbookBaseUrl: normalizeBaseUrl(options.runbookBaseUrl) };
    this.mentions = options.mentions ?? {};
    this.limiter = options.rateLimiter ?? new ChannelRateLimiter();
    this.historyLimit = Math.min(999, Math.max(1, options.historyLimit ?? 100));
    this.threadPages = Math.max(1, options.threadPages ?? 5);
    this.now = options.now ?? Date.now;
  }

  channelFor(severity: SeverityLabel): string {
    return this.channels[severity] ?? this.channels.default;
  }

  async postIncidentMessage(
    commandId: string,
    params: CommandParams<"postIncidentMessage">,
  ): Promise<ChatMessageRef> {
    const channel = this.channelFor(params.incident.severity);
    return this.postOnce(commandId, channel, () => this.renderIncident(params));
  }

  async updateIncidentMessage(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"updateIncidentMessage">,
  ): Promise<void> {
    // The slot first: a refused update costs no Slack call. The ticket is the message, not the command, so
    // a newer update of the same message keeps the place of the older one it replaced (coalesced).
    await this.limiter.acquire(ref.channel, `update:${ref.ts}`);
    const current = await this.readMessage(ref);
    const postedBy = current ? payloadString(current, "command_id") : undefined;
    const applied = commandOrder(current ? (payloadString(current, "updated_by") ?? postedBy) : undefined);
    const mine = commandOrder(commandId);
    if (applied && mine && isOlderOrSame(mine, applied)) return; // a newer (or this) update is already shown
    const message = this.renderIncident(params);
    await this.write("chat.update", ref.channel, () =>
      this.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
        metadata: {
          event_type: COMMAND_EVENT_TYPE,
          // Keeps the post's command id (what a post retry looks for) and records which update is shown.
          event_payload: { command_id: postedBy ?? commandId, updated_by: commandId },
        },
      }),
    );
  }

  /** Rendered at send time: the clocks' time left is counted from now. */
  private renderIncident(params: CommandParams<"postIncidentMessage">): SlackMessage {
    return renderIncidentMessage(params.incident, params.runbook, { ...this.render, now: this.now() });
  }

  async postThreadReply(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"postThreadReply">,
  ): Promise<ChatMessageRef> {
    return this.postOnce(commandId, ref.channel, () => renderThreadReply(params, this.render), ref.ts);
  }

  /** Broadcast to the channel as well: an escalation must be seen, not buried in a thread. */
  async mentionInChat(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"mentionInChat">,
  ): Promise<ChatMessageRef> {
    return this.postOnce(commandId, ref.channel, () => renderMention(params, this.mentions), ref.ts, true);
  }

  /** `render` runs only once the post can go out: a refused attempt renders nothing. */
  private async postOnce(
    commandId: string,
    channel: string,
    render: () => SlackMessage,
    threadTs?: string,
    broadcast = false,
  ): Promise<ChatMessageRef> {
    // The slot first, the duplicate check second: a write refused for now (the channel's slot is taken)
    // costs no Slack call at all, and the check reads Slack only when the post can go out right after it.
    await this.limiter.acquire(channel, commandId);
    // A crash between Slack's answer and our commit must not double-post: look for this command first.
    const already = await this.findPosted(commandId, channel, threadTs);
    if (already) return already;
    const message = render();
    const args = {
      channel,
      text: message.text,
      blocks: message.blocks,
      metadata: { event_type: COMMAND_EVENT_TYPE, event_payload: { command_id: commandId } },
      link_names: false,
      unfurl_links: false,
      unfurl_media: false,
    };
    const result = await this.write("chat.postMessage", channel, () =>
      this.client.chat.postMessage(
        threadTs === undefined ? args : { ...args, thread_ts: threadTs, reply_broadcast: broadcast },
      ),
    );
    if (typeof result.ts !== "string") throw new SlackApiError("chat.postMessage", "missing_ts");
    return { channel: typeof result.channel === "string" ? result.channel : channel, ts: result.ts };
  }

  private async findPosted(
    commandId: string,
    channel: string,
    threadTs: string | undefined,
  ): Promise<ChatMessageRef | undefined> {
    const me = await this.botIdentity();
    const isIt = (message: PostedMessage) =>
      message.metadata?.event_type === COMMAND_EVENT_TYPE &&
      payloadString(message, "command_id") === commandId &&
      (me.botId !== undefined
        ? message.bot_id === me.botId
        : me.userId === undefined || message.user === me.userId);

    if (threadTs === undefined) {
      const page = await this.read("conversations.history", () =>
        this.client.conversations.history({ channel, limit: this.historyLimit, include_all_metadata: true }),
      );
      const hit = parseMessages(page.messages).find(isIt);
      return hit ? { channel, ts: hit.ts } : undefined;
    }
    let cursor: string | undefined;
    for (let n = 0; n < this.threadPages; n++) {
      const page = await this.read("conversations.replies", () =>
        this.client.conversations.replies({
          channel,
          ts: threadTs,
          limit: 200,
          include_all_metadata: true,
          ...(cursor ? { cursor } : {}),
        }),
      );
      // The thread's parent comes back too; it is the incident message, never a reply we posted.
      const hit = parseMessages(page.messages).find((m) => m.ts !== threadTs && isIt(m));
      if (hit) return { channel, ts: hit.ts };
      cursor = page.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return undefined;
  }

  /** The message at `ref` with its metadata (Slack's way to read one message: latest = oldest = ts). */
  private async readMessage(ref: ChatMessageRef): Promise<PostedMessage | undefined> {
    const page = await this.read("conversations.history", () =>
      this.client.conversations.history({
        channel: ref.channel,
        latest: ref.ts,
        oldest: ref.ts,
        inclusive: true,
        limit: 1,
        include_all_metadata: true,
      }),
    );
    return parseMessages(page.messages).find((m) => m.ts === ref.ts);
  }

  /** Who we are, asked once (a failure is not cached, the next call asks again). */
  private botIdentity(): Promise<BotIdentity> {
    this.identity ??= this.read("auth.test", () => this.client.auth.test()).then(
      (me) => ({
        ...(typeof me.bot_id === "string" ? { botId: me.bot_id } : {}),
        ...(typeof me.user_id === "string" ? { userId: me.user_id } : {}),
      }),
      (error: unknown) => {
        this.identity = undefined;
        throw error;
      },
    );
    return this.identity;
  }

  private async read<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw slackFailure(method, error);
    }
  }

  /** A write's 429 also holds back the channel's other writes for the Retry-After. */
  private async write<T>(method: string, channel: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const failure = slackFailure(method, error);
      if (failure instanceof RetryLaterError) this.limiter.pause(channel, failure.retryAfterMs);
      throw failure;
    }
  }
}

function parseMessages(messages: unknown): PostedMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((m) => {
    const parsed = postedMessageSchema.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });
}
