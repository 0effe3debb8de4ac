/**
 * The WebClient factory and the error mapping, with the real @slack/web-api client against the local fake
 * Slack: 429 → RetryLaterError with Slack's wait (no SDK sleep-and-retry), bounded retries on 5xx, Slack
 * error codes in the message and never the token, requests never leaving `slackApiUrl`.
 */
import type { Logger } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSlackWebClient,
  DEFAULT_RETRY_AFTER_MS,
  SlackApiError,
  slackFailure,
} from "../../../adapters/slack/web-client";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { FakeSlack } from "../../support/slack-server";

let slack: FakeSlack;
beforeEach(async () => {
  slack = await FakeSlack.start();
});
afterEach(async () => {
  await slack.close();
});

const FAST_RETRIES = { retries: 2, factor: 1, minTimeout: 5, maxTimeout: 5 };
const clientFor = (token = FakeSlack.TOKEN, extra: { timeoutMs?: number; logger?: Logger } = {}) =>
  createSlackWebClient({ token, slackApiUrl: slack.url, retryConfig: FAST_RETRIES, ...extra });

/** Runs a call and returns what it threw, mapped as the adapter maps it. */
async function failureOf(method: string, call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return slackFailure(method, error);
  }
  throw new Error("the call succeeded");
}

describe("createSlackWebClient", () => {
  it("talks to the configured Slack with the bearer token", async () => {
    // Act
    const me = await clientFor().auth.test();

    // Assess
    expect(me.bot_id).toBe(FakeSlack.BOT.botId);
    expect(slack.calls("auth.test")).toHaveLength(1);
  });

  it("refuses an empty token and a plain-http Slack that is not on this machine", () => {
    expect(() => createSlackWebClient({ token: " " })).toThrow("Slack token is empty");
    expect(() => createSlackWebClient({ token: "t", slackApiUrl: "http://slack.example.com/api/" })).toThrow(
      /must be https/,
    );
    expect(() =>
      createSlackWebClient({ token: "t", slackApiUrl: "https://slack.example.com/api" }),
    ).not.toThrow();
  });

  it("never sends a call to an absolute URL outside slackApiUrl", async () => {
    // Prepare
    const elsewhere = await FakeSlack.start();

    // Act
    const call = clientFor().apiCall(`${elsewhere.url}auth.test`);

    // Assess
    await expect(call).rejects.toThrow(/unknown_method/);
    expect(elsewhere.requests).toEqual([]);
    expect(slack.requests).toHaveLength(1);
    await elsewhere.close();
  });

  it("logs nothing that contains the token, even at debug level", async () => {
    // Prepare
    const lines: string[] = [];
    const capture = (...msg: unknown[]) => {
      lines.push(msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "));
    };
    const logger: Logger = {
      debug: capture,
      info: capture,
      warn: capture,
      error: capture,
      setLevel: () => {},
      getLevel: () => "debug" as never,
      setName: () => {},
    };
    slack.failNext(1, { kind: "http", status: 500 });

    // Act
    await clientFor(FakeSlack.TOKEN, { logger }).auth.test();

    // Assess
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join("\n")).not.toContain(FakeSlack.TOKEN);
  });
});

describe("slackFailure", () => {
  it("turns a 429 into RetryLaterError with Slack's Retry-After, without the SDK retrying", async () => {
    // Prepare
    slack.rateLimitNext(1, 7);

    // Act
    const failure = await failureOf("chat.postMessage", () =>
      clientFor().chat.postMessage({ channel: "C0SEC00001", text: "hi" }),
    );

    // Assess
    expect(failure).toBeInstanceOf(RetryLaterError);
    expect((failure as RetryLaterError).retryAfterMs).toBe(7000);
    expect(failure.message).toBe("Slack chat.postMessage rate limited: retry in 7 s");
    expect(slack.requests.map((r) => r.status)).toEqual([429]);
    expect(slack.messages()).toEqual([]);
  });

  it("waits a default time on a 429 without Retry-After", async () => {
    // Prepare
    slack.rateLimitNext(1, null);

    // Act
    const failure = await failureOf("auth.test", () => clientFor().auth.test());

    // Assess
    expect(failure).toBeInstanceOf(RetryLaterError);
    expect((failure as RetryLaterError).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
  });

  it("treats an ok:false `ratelimited` answer as a rate limit too", async () => {
    // Prepare
    slack.failNext(1, { kind: "error", error: "ratelimited" });

    // Act
    const failure = await failureOf("auth.test", () => clientFor().auth.test());

    // Assess
    expect(failure).toBeInstanceOf(RetryLaterError);
  });

  it("names Slack's error code, and not the token, when the token is refused", async () => {
    // Prepare
    const wrong = "xoxb-1111-2222-this-token-is-wrong";

    // Act
    const failure = await failureOf("auth.test", () => clientFor(wrong).auth.test());

    // Assess
    expect(failure).toBeInstanceOf(SlackApiError);
    expect(failure.message).toBe("Slack auth.test failed: invalid_auth");
    expect(JSON.stringify({ ...failure, message: failure.message, stack: failure.stack })).not.toContain(
      wrong,
    );
  });

  it("retries a 500 a bounded number of times, then fails naming the status", async () => {
    // Prepare
    slack.failNext(5, { kind: "http", status: 500 });

    // Act
    const failure = await failureOf("chat.postMessage", () =>
      clientFor().chat.postMessage({ channel: "C0SEC00001", text: "hi" }),
    );

    // Assess
    expect(failure).toBeInstanceOf(SlackApiError);
    expect(failure.message).toBe("Slack chat.postMessage failed: http_500");
    expect(slack.requests.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(slack.messages()).toEqual([]);
  });

  it("absorbs a single 500 with a retry", async () => {
    // Prepare
    slack.failNext(1, { kind: "http", status: 500 });

    // Act
    const posted = await clientFor().chat.postMessage({ channel: "C0SEC00001", text: "hi" });

    // Assess
    expect(posted.ok).toBe(true);
    expect(slack.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(slack.messages()).toHaveLength(1);
  });

  it("reports a timeout as a failed request", async () => {
    // Prepare
    slack.failNext(1, { kind: "delay", ms: 400 });
    const client = createSlackWebClient({
      token: FakeSlack.TOKEN,
      slackApiUrl: slack.url,
      timeoutMs: 50,
      retryConfig: { retries: 0 },
    });

    // Act
    const failure = await failureOf("auth.test", () => client.auth.test());

    // Assess
    expect(failure).toBeInstanceOf(SlackApiError);
    expect((failure as SlackApiError).code).toMatch(/^request_failed:/);
  });

  it("does not repeat what is not a Slack error code", () => {
    // Act
    const failure = slackFailure("chat.update", {
      code: "slack_webapi_platform_error",
      data: { ok: false, error: "<html>Authorization: Bearer xoxb-secret</html>" },
    });

    // Assess
    expect(failure.message).toBe("Slack chat.update failed: unrecognized_response");
  });
});
