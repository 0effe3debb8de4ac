/**
 * The local runtime's dispatcher with chat on Slack, every part real: the SQLite store on disk, the
 * scheduler loop on the real clock, SlackChatOps with the real @slack/web-api WebClient against the local
 * fake Slack, and the local wiring's pacing (refuse at once, queue for the channel's next slot; here with
 * a short interval so the test is quick). A burst of new incidents is posted once each, paced per channel; an attempt refused for now costs no Slack call, so Slack is read once per
 * write (the duplicate check), and a refused command is tried again when its slot comes, not every turn.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelRateLimiter } from "../../../adapters/slack/channel-rate-limit";
import { SlackChatOps } from "../../../adapters/slack/chat-ops";
import { createSlackWebClient } from "../../../adapters/slack/web-client";
import { FakeSlack } from "../../support/slack-server";
import { makeTestRuntime, type TestRuntime } from "../support/test-runtime";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

const CHANNEL = "C0BURST001";
const INTERVAL_MS = 200;
const INCIDENTS = 6;

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("dispatcher with Slack", () => {
  let slack: FakeSlack;
  let t: TestRuntime;
  const arrivals: number[] = [];

  beforeEach(async () => {
    slack = await FakeSlack.start({ channels: [CHANNEL] });
    const record = slack.requests.push.bind(slack.requests);
    arrivals.length = 0;
    slack.requests.push = (...items) => {
      for (const _ of items) arrivals.push(Date.now());
      return record(...items);
    };
    const chat = new SlackChatOps({
      client: createSlackWebClient({ token: FakeSlack.TOKEN, slackApiUrl: slack.url }),
      channels: { default: CHANNEL },
      runbookBaseUrl: "http://127.0.0.1:8787",
      rateLimiter: new ChannelRateLimiter({
        intervalMs: INTERVAL_MS,
        maxWaitMs: 0,
        reserveWhenRefused: true,
      }),
    });
    t = makeTestRuntime({ chat, config: { channels: { incidents: CHANNEL } } });
  });
  afterEach(async () => {
    await t.close();
    await slack.close();
  });

  const topLevelPosts = () =>
    slack.calls("chat.postMessage").filter((r) => r.status === 200 && r.body.thread_ts === undefined);
  const commandIdOf = (body: Record<string, unknown>) =>
    (body.metadata as { event_payload?: { command_id?: string } } | undefined)?.event_payload?.command_id;

  it("posts a burst of new incidents once each, paced, reading Slack once per write", async () => {
    // Prepare
    for (let n = 1; n <= INCIDENTS; n++)
      t.rt.inbox.enqueue(JSON.stringify(makeTorRelayEvent(n)), "http", t.clock.now());

    // Act
    t.rt.start();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (topLevelPosts().length < INCIDENTS || t.rt.dispatcher.held() > 0))
      await tick(20);
    await t.rt.scheduler.stop();

    // Assess
    const posts = topLevelPosts();
    // Once each. (Slots go first come, first served; arrivals may swap when one request is slower.)
    expect(posts.map((p) => commandIdOf(p.body)).sort()).toEqual(
      Array.from({ length: INCIDENTS }, (_, i) => `IR-${String(i + 1).padStart(4, "0")}:1:0`),
    );
    const replies = slack.calls("chat.postMessage").filter((r) => r.body.thread_ts !== undefined);
    expect(slack.calls("conversations.history")).toHaveLength(posts.length);
    expect(slack.calls("conversations.replies")).toHaveLength(replies.length);
    const writes = slack.requests
      .map((r, i) => ({ method: r.method, at: arrivals[i]! }))
      .filter((r) => r.method === "chat.postMessage" || r.method === "chat.update")
      .map((r) => r.at);
    // Paced: about one write per interval overall (single arrivals jitter with each request's latency).
    const span = writes.at(-1)! - writes[0]!;
    expect(writes.length).toBeLessThanOrEqual(span / INTERVAL_MS + 3);
    // Each write refused about once (told its slot), not once per turn while it waited.
    expect(t.rt.counters.commands.get("retry-later") ?? 0).toBeLessThanOrEqual(2 * writes.length);
  });
});
