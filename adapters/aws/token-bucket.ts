/**
 * A token bucket that keeps an adapter under an API's request rate (e.g. Security Hub's 10 requests/s
 * for BatchUpdateFindings and BatchImportFindings).
 *
 * Callers reserve a token up front; when the bucket is empty the balance goes negative and the caller
 * sleeps until its token would have been refilled. So concurrent callers are served in arrival order
 * and none is starved, and `burst` is the most calls ever made without waiting. With burst 1 calls are
 * spaced 1/rate apart, so no one-second window ever holds more than `ratePerSecond` calls.
 *
 * Time and sleeping come through a Timer so tests drive the bucket with a fake clock.
 */

export interface Timer {
  /** Milliseconds on any monotonic-enough scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  ratePerSecond: number;
  /** Tokens available at once (bucket capacity). */
  burst: number;
  timer?: Timer;
}

/** Float noise in the refill arithmetic must not turn a 100 ms wait into 101 ms. */
const EPSILON_MS = 1e-6;

export class TokenBucket {
  private readonly timer: Timer;
  private readonly ratePerMs: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError("ratePerSecond must be > 0");
    if (!(options.burst >= 1)) throw new RangeError("burst must be >= 1");
    this.timer = options.timer ?? systemTimer;
    this.ratePerMs = options.ratePerSecond / 1000;
    this.burst = options.burst;
    this.tokens = options.burst;
    this.last = this.timer.now();
  }

  /** Waits (if needed) until the caller may make one call. Returns how long it waited, in ms. */
  async take(): Promise<number> {
    const now = this.timer.now();
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.last) * this.ratePerMs);
    this.last = Math.max(this.last, now);
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    const wait = Math.ceil(-this.tokens / this.ratePerMs - EPSILON_MS);
    await this.timer.sleep(wait);
    return wait;
  }
}
