/**
 * Slack on the local server, when `SLACK_BOT_TOKEN` and `SLACK_SIGNING_SECRET` are both set:
 * - chat commands go to SlackChatOps (adapters/slack/chat-ops.ts) in the config's `channels.incidents`
 *   channel (a channel id), with escalation mentions taken from the config's responders, paced per channel
 *   without ever sleeping in the scheduler (localRateLimiter);
 * - `POST /slack/interactions` and `POST /slack/commands` run handleSlackRequest: signature, parse,
 *   authorize (responders with a `slackUserId`), act once (in-memory dedupe). Actions are applied as a
 *   scheduler turn; replies go to Slack's response_url with fetch; modals open with views.open.
 * `SLACK_API_URL` points the Web API client at a Slack-compatible server (tests). Without Slack, chat
 * stays on the dashboard and both endpoints answer 404 saying how to turn Slack on.
 *
 * Invariants:
 * - The handler's `work` runs right after the response has been handed to the server (Slack wants its
 *   answer within 3 s; a modal's trigger_id expires 3 s after the click, so it is never queued behind
 *   anything else). Work still running is awaited by `idle()` before the runtime stops.
 * - Half a configuration is an error at startup, not a silent fallback to the dashboard.
 * - Secrets are never logged or echoed; response_url is only ever https (or http on loopback, for tests).
 */
import type { View, WebClient } from "@slack/web-api";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ChannelRateLimiter } from "../../adapters/slack/channel-rate-limit";
import { SlackChatOps, slackChannelIdSchema } from "../../adapters/slack/chat-ops";
import type { SlackResponders } from "../../adapters/slack/inbound/authorize";
import { InMemoryDedupe } from "../../adapters/slack/inbound/dedupe";
import {
  handleSlackRequest,
  type SlackHandlerDeps,
  type SlackModalView,
  type SlackReply,
} from "../../adapters/slack/inbound/handler";
import type { SlackPath } from "../../adapters/slack/inbound/parse-request";
import { MAX_SLACK_BODY_BYTES } from "../../adapters/slack/inbound/verify-signature";
import { createSlackWebClient, slackFailure } from "../../adapters/slack/web-client";
import type { ChatOps } from "../../core/ports/chat-ops";
import { ConfigError, type ServerConfig } from "../config";
import type { Mount } from "../http/app";
import { readLimitedBody } from "../http/read-body";
import type { Logger } from "../logger";
import { scheduledAct } from "./act";

export const SLACK_PATHS: readonly SlackPath[] = ["/slack/interactions", "/slack/commands"];
/** How long a response_url post may take. */
const RESPOND_TIMEOUT_MS = 5_000;

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  /** The Web API base URL (default Slack's). */
  apiUrl?: string;
}

const present = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** Slack settings from the environment: null when neither secret is set; ConfigError when only one is. */
export function slackSettingsFromEnv(env: NodeJS.ProcessEnv): SlackSettings | null {
  const botToken = present(env.SLACK_BOT_TOKEN);
  const signingSecret = present(env.SLACK_SIGNING_SECRET);
  const apiUrl = present(env.SLACK_API_URL);
  if (!botToken && !signingSecret) return null;
  if (!botToken || !signingSecret)
    throw new ConfigError(
      `${botToken ? "SLACK_SIGNING_SECRET" : "SLACK_BOT_TOKEN"} is not set: Slack needs both SLACK_BOT_TOKEN ` +
        "and SLACK_SIGNING_SECRET (unset both to keep chat on the dashboard)",
    );
  return { botToken, signingSecret, ...(apiUrl ? { apiUrl } : {}) };
}

/** Responders allowed to act from Slack: those with a Slack user id (the config has no user groups). */
export const slackRespondersOf = (config: ServerConfig): SlackResponders => ({
  userIds: config.responders.flatMap((r) => (r.slackUserId ? [r.slackUserId] : [])),
  groupIds: [],
});

/** Escalation level → the Slack user of the first responder with that id or role. */
export function slackMentionsOf(config: ServerConfig): Record<string, string> {
  const mentions: Record<string, string> = {};
  for (const level of config.slaPolicy.escalation.levels) {
    const responder = config.responders.find(
      (r) => r.slackUserId && (r.id === level || r.roles.includes(level)),
    );
    if (responder?.slackUserId) mentions[level] = responder.slackUserId;
  }
  return mentions;
}

/** The incident channel as a Slack channel id; a channel name is refused with what to write instead. */
export function slackChannelOf(config: ServerConfig): string {
  const channel = config.channels.incidents;
  if (!slackChannelIdSchema.safeParse(channel).success)
    throw new ConfigError(
      `channels.incidents is ${JSON.stringify(channel)}: with Slack on (SLACK_BOT_TOKEN) it must be a Slack ` +
        "channel id such as C0123456789 (channel details → About → Channel ID), not a channel name",
    );
  return channel;
}

/**
 * The channel pacing for the local runtime: never wait in-process (`maxWaitMs: 0`) — the dispatcher is a
 * turn of the ONE sequential scheduler, so a wait there would also stop ingestion and every other loop;
 * a write whose slot is taken is refused at once and its command stays pending. Refused writes hold their
 * place in the channel's queue (`reserveWhenRefused`): this process is the only dispatcher and retries them
 * itself, at the time the refusal named.
 */
export const localRateLimiter = () => new ChannelRateLimiter({ maxWaitMs: 0, reserveWhenRefused: true });

/**
 * SlackChatOps built on first use: its runbook links need the server's URL, which is known only once it
 * listens (`--port 0`); the dispatcher runs no command before then.
 */
class DeferredChatOps implements ChatOps {
  private chat: ChatOps | undefined;
  constructor(private readonly make: () => ChatOps) {}
  private get target(): ChatOps {
    this.chat ??= this.make();
    return this.chat;
  }
  postIncidentMessage: ChatOps["postIncidentMessage"] = (...args) => this.target.postIncidentMessage(...args);
  updateIncidentMessage: ChatOps["updateIncidentMessage"] = (...args) =>
    this.target.updateIncidentMessage(...args);
  postThreadReply: ChatOps["postThreadReply"] = (...args) => this.target.postThreadReply(...args);
  mentionInChat: ChatOps["mentionInChat"] = (...args) => this.target.mentionInChat(...args);
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** POSTs a reply to Slack's response_url (ephemeral feedback after the HTTP answer has gone). */
export function responseUrlPoster(
  fetchImpl: typeof fetch = fetch,
): (responseUrl: string, reply: SlackReply) => Promise<void> {
  return async (responseUrl, reply) => {
    const url = new URL(responseUrl);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))
      throw new Error(`refusing to post a Slack reply to a ${url.protocol} URL`);
    const answer = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(reply),
      signal: AbortSignal.timeout(RESPOND_TIMEOUT_MS),
    });
    await answer.body?.cancel();
    if (!answer.ok) throw new Error(`Slack response_url answered HTTP ${answer.status}`);
  };
}

export interface SlackIntegrationOptions {
  settings: SlackSettings;
  config: ServerConfig;
  /** The server's base URL for runbook links (asked when the first message is posted). */
  baseUrl: () => string;
  log: Logger;
  /** For response_url posts (tests may pass their own). */
  fetch?: typeof fetch;
  /** Real time in ms, for the signature's freshness check. */
  nowMs?: () => number;
  /** The Web API client (default: createSlackWebClient with the settings). */
  client?: WebClient;
}

export interface SlackIntegration {
  readonly chat: ChatOps;
  readonly client: WebClient;
  /** Mounts /slack/interactions and /slack/commands. */
  readonly mount: Mount;
  /** Resolves once no follow-up work is running. */
  idle(): Promise<void>;
}

/** Validates the settings against the config and builds the chat and the endpoints. Throws ConfigError. */
export function createSlackIntegration(options: SlackIntegrationOptions): SlackIntegration {
  const { settings, config } = options;
  const channel = slackChannelOf(config);
  const log = options.log.child({ component: "slack" });
  const client =
    options.client ??
    createSlackWebClient({
      token: settings.botToken,
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    });
  const chat = new DeferredChatOps(
    () =>
      new SlackChatOps({
        client,
        channels: { default: channel, ...config.channels.bySeverity },
        runbookBaseUrl: options.baseUrl(),
        mentions: slackMentionsOf(config),
        rateLimiter: localRateLimiter(),
      }),
  );
  const nowMs = options.nowMs ?? Date.now;
  const respond = responseUrlPoster(options.fetch);
  const pending = new Set<Promise<void>>();

  /** Runs `work` once the current response has been handed over (next turn of the event loop). */
  const afterResponse = (work: () => Promise<void>, path: string) => {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => log.error("Slack follow-up failed", { path, error }))
      .finally(() => pending.delete(run));
    pending.add(run);
  };

  const mount: Mount = (app, rt) => {
    const act = scheduledAct(rt);
    const deps: SlackHandlerDeps = {
      signingSecret: settings.signingSecret,
      responders: slackRespondersOf(config),
      isMemberOfGroup: async () => false,
      dedupe: new InMemoryDedupe(),
      act: (incidentId, action, actor) => act(incidentId, action, actor),
      async openModal(triggerId: string, view: SlackModalView) {
        try {
          await client.views.open({ trigger_id: triggerId, view: view as unknown as View });
        } catch (error) {
          throw slackFailure("views.open", error);
        }
      },
      respond,
      incidents: rt.deps.store,
    };
    const handle = async (c: Context) => {
      const path = c.req.path as SlackPath;
      const body = await readLimitedBody(c.req.raw, MAX_SLACK_BODY_BYTES);
      if (!body.ok) return c.text("Slack request refused: too_large", 413);
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const response = await handleSlackRequest({ path, rawBody: body.text, headers }, nowMs(), deps);
      if (response.work) afterResponse(response.work, path);
      log.info("Slack request answered", { path, status: response.status });
      return c.body(response.body, response.status as ContentfulStatusCode, response.headers);
    };
    for (const path of SLACK_PATHS) app.post(path, handle);
  };

  return {
    chat,
    client,
    mount,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** Without Slack: the endpoints exist, and say why they do nothing. */
export const slackDisabledMount: Mount = (app) => {
  for (const path of SLACK_PATHS)
    app.post(path, (c) =>
      c.json(
        {
          error: {
            code: "not_found",
            message:
              "Slack is not configured on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and a " +
              "channel id in channels.incidents) to enable the Slack endpoints; chat is on the dashboard",
            path: "$",
          },
        },
        404,
      ),
    );
};
