/**
 * The Slack calls the inbound handler needs besides the request itself: open a modal (views.open), answer
 * a person through a response_url, and ask whether a user is in a responder user-group
 * (usergroups.users.list, cached per group for GROUP_CACHE_MS so a burst of clicks costs one call).
 *
 * Invariants:
 * - response_url must be https on Slack's hooks host: a forged payload (it is signature-checked first,
 *   but defence in depth) cannot make us POST anywhere else.
 * - Every call is bounded in time (Slack wants the interaction answered within 3 s).
 * - Failures name the method and Slack's error code only (adapters/slack/web-client.ts), never the token.
 */
import type { WebClient } from "@slack/web-api";
import type { SlackModalView, SlackReply } from "../../adapters/slack/inbound/handler";
import { slackFailure } from "../../adapters/slack/web-client";

type SlackView = Parameters<WebClient["views"]["open"]>[0]["view"];

export const GROUP_CACHE_MS = 5 * 60_000;
export const RESPONSE_URL_TIMEOUT_MS = 2_000;
export const RESPONSE_URL_HOSTS: ReadonlySet<string> = new Set(["hooks.slack.com", "hooks.slack-gov.com"]);

export interface SlackWeb {
  openModal(triggerId: string, view: SlackModalView): Promise<void>;
  respond(responseUrl: string, reply: SlackReply): Promise<void>;
  isMemberOfGroup(userId: string, groupId: string): Promise<boolean>;
}

export interface SlackWebOptions {
  client: WebClient;
  fetch?: typeof fetch;
  now?: () => number;
}

export function checkResponseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("response_url is not a URL");
  }
  if (url.protocol !== "https:" || !RESPONSE_URL_HOSTS.has(url.hostname)) {
    throw new Error(`response_url must be https on ${[...RESPONSE_URL_HOSTS].join(" or ")}`);
  }
  return url;
}

export function createSlackWeb(options: SlackWebOptions): SlackWeb {
  const { client } = options;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const groups = new Map<string, { members: Promise<ReadonlySet<string>>; at: number }>();

  async function members(groupId: string): Promise<ReadonlySet<string>> {
    const cached = groups.get(groupId);
    if (cached && now() - cached.at < GROUP_CACHE_MS) return cached.members;
    const loading = client.usergroups.users
      .list({ usergroup: groupId })
      .then((answer) => new Set(answer.users ?? []) as ReadonlySet<string>)
      .catch((error: unknown) => {
        groups.delete(groupId);
        throw slackFailure("usergroups.users.list", error);
      });
    groups.set(groupId, { members: loading, at: now() });
    return loading;
  }

  return {
    async openModal(triggerId, view) {
      try {
        // Our modal is built from Block Kit JSON (adapters/slack/inbound); the SDK's type is stricter.
        await client.views.open({ trigger_id: triggerId, view: view as unknown as SlackView });
      } catch (error) {
        throw slackFailure("views.open", error);
      }
    },
    async respond(responseUrl, reply) {
      const url = checkResponseUrl(responseUrl);
      const answer = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(reply),
        signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
      });
      if (!answer.ok) throw new Error(`Slack response_url answered HTTP ${answer.status}`);
    },
    async isMemberOfGroup(userId, groupId) {
      return (await members(groupId)).has(userId);
    },
  };
}
