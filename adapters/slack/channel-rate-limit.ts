/**
 * Per-channel pacing for Slack writes. Slack allows about one message per second per channel (short bursts
 * tolerated) on top of the per-method tiers; past that it answers 429 with Retry-After.
 *
 * Policy (why it both waits and refuses): each write reserves the channel's next free slot (slots are
 * `intervalMs` apart). If that slot is at most `maxWaitMs` away the call waits for it in-process — an
 * incident's usual burst (message, reply, mention) goes out smoothly without a round trip through the
 * outbox. If it is further away the call is refused with RetryLaterError carrying the wait: the dispatcher
 * keeps the command pending and retries it then, so a storm of incidents never holds a Lambda (or the local
 * dispatcher) asleep, and nothing is dropped or failed.
 *
 * Queueing refused callers (`reserveWhenRefused`, for a long-lived dispatcher that retries in this same
 * process): a refused call that names a `ticket` (a command id, or the message it edits) is given the
 * channel's next free slot, and its RetryLaterError says when that slot is. So N writes waiting for one
 * channel are told 1 s, 2 s … N s instead of all coming back (and all but one being refused again) every
 * second, and they go out first come, first served. A ticket back early is told the rest of its wait
 * again; one back within `intervalMs` after its slot still takes it; one back later (or never) has lost it
 * (the slot simply goes unused) and queues again like a new caller, so a caller that gave up cannot stall
 * the channel. Each slot is used at most once and at most `intervalMs` late, so a channel never sees more
 * than two writes in any `intervalMs`. Without the option (the default: a Lambda's retry may land in
 * another container, where a reservation here would only waste the slot) refused calls reserve nothing.
 *
 * A 429 from Slack pushes the channel's next slot past its Retry-After (`pause`), so the other commands
 * for that channel back off too instead of each collecting its own 429; reservations keep their order and
 * move behind the pause.
 *
 * State is in memory, per process: with several dispatchers the pacing is per process and Slack's 429 stays
 * the authority. Channels come from configuration, so the maps stay small; reservations are dropped once
 * their slot is past, so they are bounded by the writes waiting.
 */
import { RetryLaterError } from "../../core/ports/command-executor";

export interface ChannelRateLimitOptions {
  /** Minimum gap between two writes to one channel. */
  intervalMs?: number;
  /** Longest in-process wait; beyond it the call throws RetryLaterError. */
  maxWaitMs?: number;
  /** Keep the next free slot for a refused call that names a ticket (see above). Default false. */
  reserveWhenRefused?: boolean;
  /** Milliseconds on a monotonic-enough clock (tests pass a fake). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const busy = (channel: string, wait: number) =>
  new RetryLaterError(`Slack channel ${channel} is busy: next message slot in ${wait} ms`, wait);

export class ChannelRateLimiter {
  private readonly nextSlot = new Map<string, number>();
  /** channel → ticket → its slot, in slot order (reservations are only ever appended at the end). */
  private readonly reserved = new Map<string, Map<string, number>>();
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly reserve: boolean;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ChannelRateLimitOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 1500;
    this.reserve = options.reserveWhenRefused ?? false;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Resolves when the caller may write to `channel`, or throws RetryLaterError with how long to wait.
   * `ticket` names the write across retries (see reserveWhenRefused); without it nothing is reserved.
   */
  async acquire(channel: string, ticket?: string): Promise<void> {
    const now = this.now();
    const queue = this.reserved.get(channel);
    this.dropPast(queue, now);
    const held = ticket === undefined ? undefined : queue?.get(ticket);
    if (held !== undefined) {
      const wait = held - now;
      if (wait > this.maxWaitMs) throw busy(channel, wait);
      queue?.delete(ticket as string);
      if (wait > 0) await this.sleep(wait);
      return;
    }
    const slot = Math.max(now, this.nextSlot.get(channel) ?? now);
    const wait = slot - now;
    if (wait > this.maxWaitMs) {
      if (this.reserve && ticket !== undefined) {
        this.nextSlot.set(channel, slot + this.intervalMs);
        this.queueOf(channel).set(ticket, slot);
      }
      throw busy(channel, wait);
    }
    this.nextSlot.set(channel, slot + this.intervalMs);
    if (wait > 0) await this.sleep(wait);
  }

  /** After a 429: nothing goes to `channel` for `ms`; waiting reservations move behind it, in order. */
  pause(channel: string, ms: number): void {
    let free = Math.max(this.nextSlot.get(channel) ?? 0, this.now() + ms);
    const queue = this.reserved.get(channel);
    if (queue) {
      let slot = this.now() + ms;
      for (const [ticket, at] of queue) {
        const moved = Math.max(at, slot);
        queue.set(ticket, moved);
        slot = moved + this.intervalMs;
      }
      free = Math.max(free, slot);
    }
    this.nextSlot.set(channel, free);
  }

  /** How many refused writes hold a slot on `channel` (for metrics and tests). */
  waiting(channel: string): number {
    const queue = this.reserved.get(channel);
    this.dropPast(queue, this.now());
    return queue?.size ?? 0;
  }

  private queueOf(channel: string): Map<string, number> {
    let queue = this.reserved.get(channel);
    if (!queue) {
      queue = new Map();
      this.reserved.set(channel, queue);
    }
    return queue;
  }

  /** Reservations more than one interval past their slot are lost: their slot went unused. */
  private dropPast(queue: Map<string, number> | undefined, now: number): void {
    if (!queue) return;
    for (const [ticket, at] of queue) {
      if (now - at <= this.intervalMs) return;
      queue.delete(ticket);
    }
  }
}
