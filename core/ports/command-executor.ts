/**
 * CommandExecutor: carries out one outbox command through the adapter for its capability (chat, paging,
 * Security Hub, containment…). The command id is the idempotency key: executing the same command twice
 * must not act twice. Success returns what the workflow needs back (message ts, original groups…); a
 * failure throws. A transient refusal (rate limit, throttling) throws RetryLaterError: the command stays
 * pending and is tried again later — never dropped, never recorded as failed.
 */
import type { Command } from "../incident/commands";
import type { JsonValue } from "./incident-store";

export interface CommandExecutor {
  execute(command: Command): Promise<JsonValue | undefined>;
}

export class RetryLaterError extends Error {
  override readonly name = "RetryLaterError";
  constructor(
    message: string,
    /** How long to wait before the next try (e.g. Slack's Retry-After). */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
