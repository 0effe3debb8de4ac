/**
 * A local stand-in for Slack's Web API, for tests that drive the REAL `@slack/web-api` WebClient
 * (`slackApiUrl: server.url`). It answers like Slack for the methods our adapters call — auth.test,
 * chat.postMessage, chat.update, conversations.history and conversations.replies (both with message
 * metadata, returned only when `include_all_metadata` is set, as Slack does) — and keeps the messages.
 *
 * Like Slack it: checks the bearer token (`invalid_auth`, HTTP 200), rejects payloads over the Block Kit
 * limits (`invalid_blocks`, `msg_too_long`) with its own checks, independent of the adapter's, answers
 * errors as `{ ok: false, error }` with HTTP 200, and 429 with `Retry-After` when rate limited.
 *
 * Tests can script faults for the next K calls (of one method or any): 429 + Retry-After N, an HTTP
 * status (500…), an `ok: false` error code, or a delay. Every request is recorded (method, parsed body,
 * status) — the token is not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  status: number;
  /** Form fields, with `blocks`, `attachments` and `metadata` JSON-decoded. */
  body: Record<string, unknown>;
  /** Slack's answer (`ok`, `error`…), or undefined for non-JSON answers (HTTP errors). */
  answer?: Record<string, unknown>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
  reply_broadcast?: boolean;
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  user: string;
  bot_id?: string;
  edited?: { ts: string };
}

export interface SlackIdentity {
  userId: string;
  botId?: string;
}

export type SlackFault =
  | { kind: "rate-limit"; retryAfterSeconds: number | null }
  | { kind: "http"; status: number }
  | { kind: "error"; error: string }
  | { kind: "delay"; ms: number };

export interface FakeSlackOptions {
  /** Accepted tokens and who they are; defaults to one bot, `FakeSlack.TOKEN`. */
  tokens?: Record<string, SlackIdentity>;
  /** When given, other channels answer `channel_not_found`. */
  channels?: string[];
}

interface ScriptedFault {
  method: string | undefined;
  remaining: number;
  fault: SlackFault;
}

const JSON_FIELDS = new Set(["blocks", "attachments", "metadata"]);

export class FakeSlack {
  static readonly TOKEN = "xoxb-0000000000-fake-bot-token-do-not-leak";
  static readonly BOT: SlackIdentity = { userId: "U0FAKEBOT01", botId: "B0FAKEBOT01" };

  readonly requests: RecordedRequest[] = [];
  private readonly stored: StoredMessage[] = [];
  private readonly faults: ScriptedFault[] = [];
  private readonly tokens: Record<string, SlackIdentity>;
  private readonly channels: Set<string> | undefined;
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: FakeSlackOptions,
  ) {
    this.tokens = options.tokens ?? { [FakeSlack.TOKEN]: FakeSlack.BOT };
    this.channels = options.channels ? new Set(options.channels) : undefined;
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => {
      void fake!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlack(server, `http://127.0.0.1:${port}/api/`, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Messages as Slack holds them, oldest first (one channel, or all). */
  messages(channel?: string): StoredMessage[] {
    return this.stored.filter((m) => channel === undefined || m.channel === channel);
  }

  /** Recorded requests for one method. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** The next `count` calls (of `method`, or any) get `fault` instead of an answer. */
  failNext(count: number, fault: SlackFault, method?: string): this {
    this.faults.push({ method, remaining: count, fault });
    return this;
  }

  rateLimitNext(count: number, retryAfterSeconds: number | null, method?: string): this {
    return this.failNext(count, { kind: "rate-limit", retryAfterSeconds }, method);
  }

  /** Adds a message as if someone (by default another app) had posted it. */
  seed(message: Partial<StoredMessage> & { channel: string }): StoredMessage {
    const stored: StoredMessage = { ts: this.nextTs(), text: "seeded", user: "U0SOMEONE1", ...message };
    this.stored.push(stored);
    return stored;
  }

  private nextTs(): string {
    this.seq += 1;
    return `${1_714_557_600 + this.seq}.${String(this.seq).padStart(6, "0")}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const body = parseBody(raw, req.headers["content-type"]);
    const record = (status: number, answer?: Record<string, unknown>) =>
      this.requests.push({ method, status, body, ...(answer ? { answer } : {}) });

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof body.token === "string" ? body.token : undefined);
    const identity = token === undefined ? undefined : this.tokens[token];
    if (!identity)
      return this.reply(res, record, 200, { ok: false, error: token ? "invalid_auth" : "not_authed" });

    const scripted = this.faults.find(
      (f) => f.remaining > 0 && (f.method === undefined || f.method === method),
    );
    if (scripted) {
      scripted.remaining -= 1;
      const { fault } = scripted;
      switch (fault.kind) {
        case "rate-limit": {
          const headers: Record<string, string> =
            fault.retryAfterSeconds === null ? {} : { "retry-after": String(fault.retryAfterSeconds) };
          return this.reply(res, record, 429, { ok: false, error: "ratelimited" }, headers);
        }
        case "http":
          record(fault.status);
          res.writeHead(fault.status, { "content-type": "text/html" }).end("<html>server error</html>");
          return;
        case "error":
          return this.reply(res, record, 200, { ok: false, error: fault.error });
        case "delay":
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
        default: {
          const unknown: never = fault;
          throw new Error(`unknown fault ${JSON.stringify(unknown)}`);
        }
      }
    }
    this.reply(res, record, 200, this.answer(method, body, identity));
  }

  private reply(
    res: ServerResponse,
    record: (status: number, answer?: Record<string, unknown>) => void,
    status: number,
    answer: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    record(status, answer);
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(answer));
  }

  private answer(method: string, body: Record<string, unknown>, me: SlackIdentity): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.test/",
          team: "Fake",
          team_id: "T0FAKETEAM1",
          user: "ir-bot",
          user_id: me.userId,
          ...(me.botId ? { bot_id: me.botId } : {}),
        };
      case "chat.postMessage":
        return this.postMessage(body, me);
      case "chat.update":
        return this.update(body, me);
      case "conversations.history":
        return this.history(body);
      case "conversations.replies":
        return this.replies(body);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  private channelError(channel: unknown): string | undefined {
    if (typeof channel !== "string" || channel === "") return "channel_not_found";
    if (this.channels && !this.channels.has(channel)) return "channel_not_found";
    return undefined;
  }

  private postMessage(body: Record<string, unknown>, me: SlackIdentity): Record<string, unknown> {
    const channelError = this.channelError(body.channel);
    if (channelError) return { ok: false, error: channelError };
    const invalid = contentError(body);
    if (invalid) return { ok: false, error: invalid };
    const message: StoredMessage = {
      channel: body.channel as string,
      ts: this.nextTs(),
      text: typeof body.text === "string" ? body.text : "",
      ...(body.blocks === undefined ? {} : { blocks: body.blocks }),
      ...(typeof body.thread_ts === "string" ? { thread_ts: body.thread_ts } : {}),
      ...(body.reply_broadcast === "true" ? { reply_broadcast: true } : {}),
      ...(isMetadata(body.metadata) ? { metadata: body.metadata } : {}),
      user: me.userId,
      ...(me.botId ? { bot_id: me.botId } : {}),
    };
    this.stored.push(message);
    return { ok: true, channel: message.channel, ts: message.ts, message: view(message, true) };
  }

  private update(body: Record<string, unknown>, me: SlackIdentity): Record<string, unknown> {
    const channelError = this.channelError(body.channel);
    if (channelError) return { ok: false, error: channelError };
    const message = this.stored.find((m) => m.channel === body.channel && m.ts === body.ts);
    if (!message) return { ok: false, error: "message_not_found" };
    if (message.user !== me.userId) return { ok: false, error: "cant_update_message" };
    const invalid = contentError(body);
    if (invalid) return { ok: false, error: invalid };
    message.text = typeof body.text === "string" ? body.text : message.text;
    if (body.blocks !== undefined) message.blocks = body.blocks;
    if (isMetadata(body.metadata)) message.metadata = body.metadata;
    message.edited = { ts: this.nextTs() };
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  private history(body: Record<string, unknown>): Record<string, unknown> {
    const channelError = this.channelError(body.channel);
    if (channelError) return { ok: false, error: channelError };
    const inclusive = isTrue(body.inclusive);
    const oldest = typeof body.oldest === "string" ? Number(body.oldest) : Number.NEGATIVE_INFINITY;
    const latest = typeof body.latest === "string" ? Number(body.latest) : Number.POSITIVE_INFINITY;
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    const visible = this.messages(body.channel as string)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast)
      .filter((m) => inRange(Number(m.ts)))
      .reverse();
    return page(visible, body, isTrue(body.include_all_metadata));
  }

  private replies(body: Record<string, unknown>): Record<string, unknown> {
    const channelError = this.channelError(body.channel);
    if (channelError) return { ok: false, error: channelError };
    const parent = this.stored.find((m) => m.channel === body.channel && m.ts === body.ts);
    if (!parent) return { ok: false, error: "thread_not_found" };
    const thread = [
      parent,
      ...this.stored.filter((m) => m.channel === parent.channel && m.thread_ts === parent.ts),
    ];
    return page(thread, body, isTrue(body.include_all_metadata));
  }
}

function page(messages: StoredMessage[], body: Record<string, unknown>, withMetadata: boolean) {
  const limit = Math.min(999, Math.max(1, Number(body.limit ?? 100) || 100));
  const offset = typeof body.cursor === "string" ? Number(body.cursor.replace(/^offset:/, "")) || 0 : 0;
  const slice = messages.slice(offset, offset + limit);
  const more = offset + limit < messages.length;
  return {
    ok: true,
    messages: slice.map((m) => view(m, withMetadata)),
    has_more: more,
    response_metadata: { next_cursor: more ? `offset:${offset + limit}` : "" },
  };
}

/** A message as the API shows it (no channel; metadata only when asked for). */
function view(message: StoredMessage, withMetadata: boolean): Record<string, unknown> {
  const { channel: _channel, metadata, ...rest } = message;
  return { type: "message", ...rest, ...(withMetadata && metadata ? { metadata } : {}) };
}

const isTrue = (value: unknown) => value === true || value === "true" || value === "1";

const isMetadata = (value: unknown): value is StoredMessage["metadata"] =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { event_type?: unknown }).event_type === "string";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith("application/json")) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (!JSON_FIELDS.has(key)) {
      body[key] = value;
      continue;
    }
    try {
      body[key] = JSON.parse(value);
    } catch {
      body[key] = value;
    }
  }
  return body;
}

// --- Slack's own checks on message content (written from the Block Kit reference, not shared with the adapter).

type Json = Record<string, unknown>;
const str = (value: unknown) => (typeof value === "string" ? value : "");
const textOk = (object: unknown, max: number) => {
  const text = str((object as Json | undefined)?.text);
  return text.length >= 1 && text.length <= max;
};

function contentError(body: Record<string, unknown>): string | undefined {
  const text = str(body.text);
  if (text.length > 40_000) return "msg_too_long";
  if (body.blocks === undefined) return text === "" ? "no_text" : undefined;
  if (!Array.isArray(body.blocks) || body.blocks.length > 50) return "invalid_blocks";
  return body.blocks.every((block) => blockOk(block as Json)) ? undefined : "invalid_blocks";
}

function blockOk(block: Json): boolean {
  switch (block.type) {
    case "header":
      return (block.text as Json | undefined)?.type === "plain_text" && textOk(block.text, 150);
    case "section": {
      const fields = (block.fields as unknown[] | undefined) ?? [];
      if (block.text === undefined && fields.length === 0) return false;
      if (block.text !== undefined && !textOk(block.text, 3000)) return false;
      return fields.length <= 10 && fields.every((f) => textOk(f, 2000));
    }
    case "context": {
      const elements = (block.elements as unknown[] | undefined) ?? [];
      return elements.length >= 1 && elements.length <= 10 && elements.every((e) => textOk(e, 3000));
    }
    case "actions": {
      const elements = (block.elements as Json[] | undefined) ?? [];
      return (
        elements.length >= 1 &&
        elements.length <= 25 &&
        elements.every((b) => {
          const confirm = b.confirm as Json | undefined;
          return (
            textOk(b.text, 75) &&
            str(b.value).length <= 2000 &&
            str(b.action_id).length <= 255 &&
            (confirm === undefined ||
              (textOk(confirm.title, 100) &&
                textOk(confirm.text, 300) &&
                textOk(confirm.confirm, 30) &&
                textOk(confirm.deny, 30)))
          );
        })
      );
    }
    case "divider":
      return true;
    default:
      return false;
  }
}
