/**
 * Per-channel pacing for Slack writes. Slack allows about one message per second per channel (short bursts
 * tolerated) on top of the per-method tiers; past that it answers 429 with Retry-After.
 *
 * Policy (why it both waits and refuses): each write reserves the channel's next free slot (slots are
 * `intervalMs` apart). If that slot is at most `maxWaitMs` away the call waits for it in-process — an
 * incident's usual burst (message, reply, mention) goes out smoothly without a round trip through the
 * outbox. If it is further away the call is refused with RetryLaterError carrying the wait, and reserves
 * nothing: the dispatcher keeps the command pending and retries it then, so a storm of incidents never
 * holds a Lambda (or the local dispatcher) asleep, and nothing is dropped or failed.
 *
 * A 429 from Slack pushes the channel's next slot past its Retry-After (`pause`), so the other commands
 * for that channel back off too instead of each collecting its own 429.
 *
 * State is in memory, per process: with several dispatchers the pacing is per process and Slack's 429 stays
 * the authority. Channels come from configuration, so the map stays small.
 */
import { RetryLaterError } from "../../core/ports/command-executor";

export interface ChannelRateLimitOptions {
  /** Minimum gap between two writes to one channel. */
  intervalMs?: number;
  /** Longest in-process wait; beyond it the call throws RetryLaterError. */
  maxWaitMs?: number;
  /** Milliseconds on a monotonic-enough clock (tests pass a fake). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ChannelRateLimiter {
  private readonly nextSlot = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ChannelRateLimitOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 1500;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Resolves when the caller may write to `channel`, or throws RetryLaterError with how long to wait. */
  async acquire(channel: string): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? now);
    const wait = slot - now;
    if (wait > this.maxWaitMs) {
      throw new RetryLaterError(`Slack channel ${channel} is busy: next message slot in ${wait} ms`, wait);
    }
    this.nextSlot.set(channel, slot + this.intervalMs);
    if (wait > 0) await this.sleep(wait);
  }

  /** After a 429: nothing goes to `channel` for `ms`. */
  pause(channel: string, ms: number): void {
    const until = this.now() + ms;
    this.nextSlot.set(channel, Math.max(this.nextSlot.get(channel) ?? 0, until));
  }
}
