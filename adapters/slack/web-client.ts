/**
 * The Slack WebClient, configured explicitly (the SDK's defaults suit a chat bot, not an outbox
 * dispatcher), and the mapping of its failures onto what the dispatcher understands.
 *
 * - `rejectRateLimitedCalls`: the SDK would otherwise sleep through a 429 and retry for up to ~30 min;
 *   we want the command back in the outbox with Slack's Retry-After (RetryLaterError), never asleep in a
 *   Lambda, never dropped.
 * - finite `timeout` and a small bounded `retryConfig` for network errors and 5xx.
 * - `allowAbsoluteUrls: false`: every call goes to `slackApiUrl`, whatever a method name looks like, so
 *   the bot token is never sent anywhere else.
 * - quiet logging (errors only); the SDK redacts tokens in what it logs and we never log the token.
 *
 * Errors: a failed call becomes RetryLaterError (429, `ratelimited`) or SlackApiError whose message names
 * the method and Slack's error code only — never the token, request body or response body.
 */
import { ErrorCode, type Logger, LogLevel, type RetryOptions, WebClient } from "@slack/web-api";
import { RetryLaterError } from "../../core/ports/command-executor";

export interface SlackClientOptions {
  token: string;
  /** Defaults to Slack; tests point it at a local server (`http://127.0.0.1:<port>/api/`). */
  slackApiUrl?: string;
  timeoutMs?: number;
  retryConfig?: RetryOptions;
  logger?: Logger;
}

export const SLACK_API_URL = "https://slack.com/api/";
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Two retries, 0.5 s then 1 s: a blip is absorbed, an outage reaches the dispatcher within seconds. */
export const DEFAULT_RETRY_CONFIG: RetryOptions = {
  retries: 2,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 2000,
};
/** When Slack answers 429 without a usable Retry-After (it should not): wait this long. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The token travels over TLS only; plain http is accepted for a loopback test server. */
function checkApiUrl(raw: string): string {
  const url = new URL(raw);
  const plainLoopback = url.protocol === "http:" && LOOPBACK.has(url.hostname);
  if (url.protocol !== "https:" && !plainLoopback) {
    throw new TypeError("slackApiUrl must be https (http only for a loopback test server)");
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

export function createSlackWebClient(options: SlackClientOptions): WebClient {
  if (options.token.trim() === "") throw new TypeError("Slack token is empty");
  return new WebClient(options.token, {
    slackApiUrl: checkApiUrl(options.slackApiUrl ?? SLACK_API_URL),
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryConfig: options.retryConfig ?? DEFAULT_RETRY_CONFIG,
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    ...(options.logger ? { logger: options.logger } : { logLevel: LogLevel.ERROR }),
  });
}

export class SlackApiError extends Error {
  override readonly name = "SlackApiError";
  constructor(
    readonly method: string,
    /** Slack's error code (`channel_not_found`, `invalid_auth`…) or ours (`http_500`, `request_failed`). */
    readonly code: string,
  ) {
    super(`Slack ${method} failed: ${code}`);
  }
}

/** Slack codes are short snake_case words; anything else (an HTML error page, an echo) is not repeated. */
const safeCode = (code: unknown): string =>
  typeof code === "string" && /^[a-z0-9_.]{1,64}$/.test(code) ? code : "unrecognized_response";

interface SdkError {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
  original?: { name?: unknown };
  message?: unknown;
}

const seconds = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;

/** What a failed SDK call means for the dispatcher. Use as `catch (e) { throw slackFailure(method, e) }`. */
export function slackFailure(method: string, error: unknown): RetryLaterError | SlackApiError {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkError;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return rateLimited(method, seconds(e.retryAfter));
    case ErrorCode.PlatformError:
      if (e.data?.error === "ratelimited" || e.data?.error === "rate_limited") {
        return rateLimited(method, seconds(e.data.response_metadata?.retryAfter));
      }
      return new SlackApiError(method, safeCode(e.data?.error));
    case ErrorCode.HTTPError:
      return new SlackApiError(method, `http_${typeof e.statusCode === "number" ? e.statusCode : "error"}`);
    case ErrorCode.RequestError: {
      const name = typeof e.original?.name === "string" ? e.original.name : "Error";
      return new SlackApiError(method, `request_failed:${/^\w{1,40}$/.test(name) ? name : "Error"}`);
    }
    default:
      // The SDK rejects a 429 without a parsable Retry-After with a plain Error saying so.
      if (
        typeof e.message === "string" &&
        e.message.startsWith("Retry header did not contain a valid timeout")
      ) {
        return rateLimited(method, undefined);
      }
      return new SlackApiError(method, "unexpected_error");
  }
}

function rateLimited(method: string, retryAfterMs: number | undefined): RetryLaterError {
  const wait = retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  return new RetryLaterError(`Slack ${method} rate limited: retry in ${Math.ceil(wait / 1000)} s`, wait);
}
