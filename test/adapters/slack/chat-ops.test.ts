/**
 * SlackChatOps with the real WebClient against the local fake Slack: the message posted to the
 * severity's channel and updated in place, thread replies and mentions, escaping in the actual request,
 * limits with huge inputs, rate limits as RetryLaterError, errors without secrets, and at-most-once
 * posting per command id (including after a "crash" between Slack's answer and our commit). The channel's
 * slot is checked before any Slack call: a write refused for now reads nothing from Slack.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blockKitViolations, type SlackMessage } from "../../../adapters/slack/block-kit";
import { ChannelRateLimiter } from "../../../adapters/slack/channel-rate-limit";
import { COMMAND_EVENT_TYPE, type SlackChannels, SlackChatOps } from "../../../adapters/slack/chat-ops";
import { createSlackWebClient, SlackApiError } from "../../../adapters/slack/web-client";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { makePostParams, makeReplyParams } from "../../support/slack-message.factory";
import { FakeSlack } from "../../support/slack-server";

const CHANNELS: SlackChannels = { CRITICAL: "C0CRIT0001", HIGH: "C0HIGH0001", default: "C0SEC00001" };
const BASE = "https://runbooks.example.com";

let slack: FakeSlack;
beforeEach(async () => {
  slack = await FakeSlack.start({ channels: Object.values(CHANNELS) });
});
afterEach(async () => {
  await slack.close();
});

function makeChat(
  options: { token?: string; limiter?: ChannelRateLimiter; historyLimit?: number; now?: () => number } = {},
) {
  const client = createSlackWebClient({
    token: options.token ?? FakeSlack.TOKEN,
    slackApiUrl: slack.url,
    retryConfig: { retries: 1, factor: 1, minTimeout: 5, maxTimeout: 5 },
  });
  return new SlackChatOps({
    client,
    channels: CHANNELS,
    runbookBaseUrl: BASE,
    mentions: { "security-lead": "S0123ABCDE" },
    rateLimiter: options.limiter ?? new ChannelRateLimiter({ intervalMs: 0 }),
    ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

const posts = () => slack.calls("chat.postMessage").filter((r) => r.status === 200);
const bodyMessage = (body: Record<string, unknown>): SlackMessage => ({
  text: body.text as string,
  blocks: body.blocks as SlackMessage["blocks"],
});

describe("postIncidentMessage / updateIncidentMessage", () => {
  it("posts the incident message with the command id in its metadata, then updates that same message", async () => {
    // Prepare
    const chat = makeChat();

    // Act
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    await chat.updateIncidentMessage("IR-0001:2:0", ref, makePostParams({ phase: "assess" }, "Assess"));

    // Assess
    expect(ref).toEqual({ channel: "C0HIGH0001", ts: slack.messages()[0]?.ts });
    const [post] = posts();
    expect(post?.body).toMatchObject({
      channel: "C0HIGH0001",
      metadata: { event_type: COMMAND_EVENT_TYPE, event_payload: { command_id: "IR-0001:1:0" } },
      unfurl_links: "false",
      unfurl_media: "false",
    });
    const [update] = slack.calls("chat.update");
    expect(update?.body).toMatchObject({ channel: ref.channel, ts: ref.ts });
    expect(slack.messages()).toHaveLength(1);
    const stored = slack.messages()[0]!;
    expect(JSON.stringify(stored.blocks)).toContain("*Phase*\\nAssess");
    expect(stored.metadata?.event_payload).toEqual({ command_id: "IR-0001:1:0", updated_by: "IR-0001:2:0" });
  });

  it("skips an update that is older than the one the message already shows", async () => {
    // Prepare
    const chat = makeChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    await chat.updateIncidentMessage("IR-0001:3:0", ref, makePostParams({ phase: "contain" }, "Contain"));

    // Act: the v2 update, delayed by a retry, arrives after v3.
    await chat.updateIncidentMessage("IR-0001:2:1", ref, makePostParams({ phase: "assess" }, "Assess"));

    // Assess
    expect(slack.calls("chat.update")).toHaveLength(1);
    expect(JSON.stringify(slack.messages()[0]?.blocks)).toContain("*Phase*\\nContain");
  });

  it("counts the clocks' time left from its clock each time it renders, so an update shows it current", async () => {
    // Prepare
    let now = Date.parse("2024-05-01T12:03:00.000Z");
    const chat = makeChat({ now: () => now });
    const breached = makePostParams({
      clocks: [
        {
          phase: "detect",
          warnAt: "2024-05-01T12:12:00.000Z",
          deadline: "2024-05-01T12:15:00.000Z",
          state: "breached",
        },
      ],
      breaches: [
        { phase: "detect", deadline: "2024-05-01T12:15:00.000Z", at: "2024-05-01T12:16:00.000Z", level: 0 },
      ],
    });

    // Act
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    const posted = JSON.stringify(posts()[0]?.body.blocks);
    now = Date.parse("2024-05-01T12:18:00.000Z");
    await chat.updateIncidentMessage("IR-0001:2:0", ref, breached);

    // Assess
    expect(posted).toContain("— due in 12 min");
    const shown = JSON.stringify(slack.messages()[0]?.blocks);
    expect(shown).toContain("— overdue by 3 min (breached)");
    expect(shown).toContain("*Breaches* (1)");
    expect(shown).not.toContain("due in 12 min");
  });

  it("chooses the channel by severity, with a default", async () => {
    // Prepare
    const chat = makeChat();

    // Act
    const critical = await chat.postIncidentMessage("IR-1:1:0", makePostParams({ severity: "CRITICAL" }));
    const high = await chat.postIncidentMessage("IR-2:1:0", makePostParams({ severity: "HIGH" }));
    const low = await chat.postIncidentMessage("IR-3:1:0", makePostParams({ severity: "LOW" }));

    // Assess
    expect([critical.channel, high.channel, low.channel]).toEqual(["C0CRIT0001", "C0HIGH0001", "C0SEC00001"]);
    expect(slack.messages("C0CRIT0001")).toHaveLength(1);
  });

  it("refuses channel names, which the history look-up could not use", () => {
    expect(
      () =>
        new SlackChatOps({
          client: createSlackWebClient({ token: "t", slackApiUrl: slack.url }),
          channels: { default: "#security" },
          runbookBaseUrl: BASE,
        }),
    ).toThrow(/channel id/);
  });

  it("escapes a malicious finding title in the request Slack receives", async () => {
    // Prepare
    const title = "<!channel> <https://evil.example|click>";

    // Act
    await makeChat().postIncidentMessage("IR-0001:1:0", makePostParams({ title }));

    // Assess
    const body = posts()[0]!.body;
    const sent = JSON.stringify([body.text, body.blocks]);
    expect(sent).not.toContain("<!channel>");
    expect(sent).not.toContain("<https://evil.example");
    expect(sent).toContain("&lt;!channel&gt; &lt;https://evil.example|click&gt;");
  });

  it("keeps huge inputs inside Slack's limits (the fake rejects anything over them)", async () => {
    // Prepare
    const params = makePostParams({
      title: "T&<".repeat(40_000),
      correlationKey: "k".repeat(50_000),
      category: "c".repeat(5000),
      owner: "o".repeat(5000),
    });

    // Act
    await makeChat().postIncidentMessage("IR-0001:1:0", params);

    // Assess
    const [post] = posts();
    expect(post?.answer).toMatchObject({ ok: true });
    expect(blockKitViolations(bodyMessage(post!.body))).toEqual([]);
  });

  it("fails naming Slack's error when the message to update is gone", async () => {
    // Act
    const updating = makeChat().updateIncidentMessage(
      "IR-0001:2:0",
      { channel: "C0SEC00001", ts: "1.000001" },
      makePostParams(),
    );

    // Assess
    await expect(updating).rejects.toThrow(new SlackApiError("chat.update", "message_not_found"));
  });
});

describe("idempotent posting", () => {
  it("posts a command once, however often it runs", async () => {
    // Prepare
    const chat = makeChat();

    // Act
    const first = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    const again = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    expect(again).toEqual(first);
    expect(slack.messages()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(slack.calls("conversations.history")[1]?.body).toMatchObject({ include_all_metadata: "true" });
  });

  it("finds a message posted before a crash, from a fresh process", async () => {
    // Prepare: Slack took the post, the process died before committing the result.
    const before = await makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Act
    const after = await makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    expect(after).toEqual(before);
    expect(slack.messages()).toHaveLength(1);
  });

  it("does not take another app's message with the same command id for ours", async () => {
    // Prepare
    slack.seed({
      channel: "C0HIGH0001",
      bot_id: "B0STAGING01",
      metadata: { event_type: COMMAND_EVENT_TYPE, event_payload: { command_id: "IR-0001:1:0" } },
    });

    // Act
    const ref = await makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    expect(slack.messages("C0HIGH0001")).toHaveLength(2);
    expect(ref.ts).toBe(slack.messages("C0HIGH0001")[1]?.ts);
  });

  it("posts a thread reply once, even when it is past the first page of the thread", async () => {
    // Prepare
    const chat = makeChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    for (let i = 0; i < 250; i++)
      slack.seed({ channel: ref.channel, thread_ts: ref.ts, text: `chatter ${i}` });
    const reply = await chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams());

    // Act
    const again = await chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams());

    // Assess
    expect(again).toEqual(reply);
    expect(slack.messages().filter((m) => m.text.includes("SLA warning"))).toHaveLength(1);
    expect(slack.calls("conversations.replies").at(-1)?.body).toMatchObject({ cursor: "offset:200" });
  });
});

describe("postThreadReply / mentionInChat", () => {
  it("replies in the incident's thread with topic, text and runbook link", async () => {
    // Prepare
    const chat = makeChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());

    // Act
    const reply = await chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams());

    // Assess
    expect(reply.channel).toBe(ref.channel);
    expect(reply.ts).not.toBe(ref.ts);
    const body = posts()[1]!.body;
    expect(body).toMatchObject({
      channel: ref.channel,
      thread_ts: ref.ts,
      reply_broadcast: "false",
      metadata: { event_payload: { command_id: "IR-0001:2:1" } },
    });
    expect(JSON.stringify(body.blocks)).toContain(
      "<https://runbooks.example.com/runbooks/ec2-compromise.md#assess|ec2-compromise § Assess>",
    );
    expect(slack.messages().find((m) => m.ts === reply.ts)?.thread_ts).toBe(ref.ts);
  });

  it("mentions the configured group in the thread and broadcasts it to the channel", async () => {
    // Prepare
    const chat = makeChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());

    // Act
    await chat.mentionInChat("IR-0001:5:1", ref, { target: "security-lead", text: "Contain is overdue" });

    // Assess
    expect(posts()[1]?.body).toMatchObject({
      thread_ts: ref.ts,
      reply_broadcast: "true",
      text: ":rotating_light: <!subteam^S0123ABCDE> Contain is overdue",
    });
  });
});

describe("rate limits and errors", () => {
  it("turns a 429 into RetryLaterError with Slack's wait, and posts nothing", async () => {
    // Prepare
    slack.rateLimitNext(1, 12, "chat.postMessage");

    // Act
    const posting = makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    await expect(posting).rejects.toBeInstanceOf(RetryLaterError);
    await expect(posting).rejects.toMatchObject({ retryAfterMs: 12_000 });
    expect(slack.messages()).toEqual([]);
    expect(slack.calls("chat.postMessage").map((r) => r.status)).toEqual([429]);
  });

  it("holds back the channel's next write after a 429 instead of collecting another", async () => {
    // Prepare
    const chat = makeChat({ limiter: new ChannelRateLimiter({ intervalMs: 0, maxWaitMs: 1000 }) });
    slack.rateLimitNext(1, 30, "chat.postMessage");
    await expect(chat.postIncidentMessage("IR-1:1:0", makePostParams())).rejects.toBeInstanceOf(
      RetryLaterError,
    );

    // Act
    const next = chat.postIncidentMessage("IR-2:1:0", makePostParams());

    // Assess
    await expect(next).rejects.toBeInstanceOf(RetryLaterError);
    expect(slack.calls("chat.postMessage")).toHaveLength(1);
  });

  it("paces writes to one channel about a second apart", async () => {
    // Prepare
    const chat = makeChat({ limiter: new ChannelRateLimiter({ intervalMs: 300, maxWaitMs: 1000 }) });
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());

    // Act
    const started = Date.now();
    await chat.postThreadReply("IR-0001:2:0", ref, makeReplyParams());
    await chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams({ topic: "phase.advanced" }));

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(posts()).toHaveLength(3);
  });

  it("fails with invalid_auth and without the token in the error", async () => {
    // Prepare
    const wrong = "xoxb-9999-8888-wrong-and-secret";

    // Act
    const posting = makeChat({ token: wrong }).postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    const error = await posting.then(
      () => new Error("posted"),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(SlackApiError);
    expect(error.message).toMatch(/invalid_auth/);
    expect(`${error.message}\n${error.stack}\n${JSON.stringify(error)}`).not.toContain(wrong);
    expect(slack.messages()).toEqual([]);
  });

  it("fails naming channel_not_found for a channel Slack does not know", async () => {
    // Prepare
    await slack.close();
    slack = await FakeSlack.start({ channels: ["C0OTHER001"] });

    // Act
    const posting = makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    await expect(posting).rejects.toThrow("Slack conversations.history failed: channel_not_found");
  });

  it("fails for good after bounded retries of a 500, posting nothing", async () => {
    // Prepare
    slack.failNext(2, { kind: "http", status: 500 }, "chat.postMessage");

    // Act
    const posting = makeChat().postIncidentMessage("IR-0001:1:0", makePostParams());

    // Assess
    await expect(posting).rejects.toThrow("Slack chat.postMessage failed: http_500");
    expect(slack.messages()).toEqual([]);
  });
});

describe("the channel's slot before any Slack call", () => {
  /** A queueing limiter on a clock the test moves. */
  function queuedChat() {
    const clock = { t: 1_000_000 };
    const limiter = new ChannelRateLimiter({
      intervalMs: 1000,
      maxWaitMs: 0,
      reserveWhenRefused: true,
      now: () => clock.t,
    });
    return { chat: makeChat({ limiter }), clock };
  }
  const reads = () =>
    slack.calls("conversations.history").length + slack.calls("conversations.replies").length;

  it("refuses a post whose slot is taken without reading Slack, and reads once when it can go out", async () => {
    // Prepare
    const { chat, clock } = queuedChat();
    await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    const readsAfterFirst = reads();

    // Act
    const refused = chat.postIncidentMessage("IR-0002:1:0", makePostParams());
    await expect(refused).rejects.toMatchObject({ retryAfterMs: 1000 });
    const readsWhileRefused = reads();
    clock.t += 1000;
    await chat.postIncidentMessage("IR-0002:1:0", makePostParams());

    // Assess
    expect(readsAfterFirst).toBe(1);
    expect(readsWhileRefused).toBe(1);
    expect(reads()).toBe(2);
    expect(posts()).toHaveLength(2);
  });

  it("refuses a thread reply or an update whose slot is taken without reading Slack", async () => {
    // Prepare
    const { chat } = queuedChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    const before = slack.requests.length;

    // Act
    const reply = chat.postThreadReply("IR-0001:2:0", ref, makeReplyParams());
    const update = chat.updateIncidentMessage("IR-0001:2:1", ref, makePostParams({ phase: "assess" }));

    // Assess
    await expect(reply).rejects.toBeInstanceOf(RetryLaterError);
    await expect(update).rejects.toBeInstanceOf(RetryLaterError);
    expect(slack.requests.length).toBe(before);
  });

  it("gives a newer update of the same message the place an older, superseded one was queued in", async () => {
    // Prepare: the v2 update is refused and queued first, a thread reply behind it.
    const { chat, clock } = queuedChat();
    const ref = await chat.postIncidentMessage("IR-0001:1:0", makePostParams());
    const v2 = chat.updateIncidentMessage("IR-0001:2:0", ref, makePostParams({ phase: "assess" }, "Assess"));
    await expect(v2).rejects.toMatchObject({ retryAfterMs: 1000 });
    const reply = chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams());
    await expect(reply).rejects.toMatchObject({ retryAfterMs: 2000 });

    // Act: the v2 update was coalesced away; the v3 update comes at v2's slot.
    clock.t += 1000;
    await chat.updateIncidentMessage("IR-0001:3:0", ref, makePostParams({ phase: "contain" }, "Contain"));
    const replyAtV2Slot = chat.postThreadReply("IR-0001:2:1", ref, makeReplyParams());

    // Assess
    await expect(replyAtV2Slot).rejects.toMatchObject({ retryAfterMs: 1000 });
    expect(slack.calls("chat.update")).toHaveLength(1);
    expect(slack.messages()[0]?.metadata?.event_payload).toEqual({
      command_id: "IR-0001:1:0",
      updated_by: "IR-0001:3:0",
    });
  });
});
