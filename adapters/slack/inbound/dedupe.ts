/**
 * Act-once for Slack clicks (DESIGN §5: "a double click acts once"). Slack may redeliver a request
 * (X-Slack-Retry-Num) and people double-click; both arrive with the same key, and only the first one acts.
 *
 * `firstTime(key, now)` is true exactly once per key within the TTL, unless the work it let through failed
 * and released the key: a click whose action could not be recorded is not lost, the retry acts. The in-memory store here serves the
 * local runtime and tests; a multi-instance runtime injects a durable one (e.g. a conditional put with a TTL
 * attribute) behind the same interface. Memory stays bounded: expired keys are swept as time passes, and
 * past `maxKeys` the oldest key is forgotten first.
 */

export interface DedupeStore {
  /** True the first time `key` is seen within the TTL (and records it); false for every repeat. */
  firstTime(key: string, now: number): Promise<boolean>;
  /**
   * Forgets `key`: the work it guarded failed, so the next attempt (Slack's redelivery, a second click)
   * must act instead of being taken for a repeat.
   */
  release(key: string): Promise<void>;
}

/** Covers Slack's retries (up to minutes apart) and any double click, yet lets a later real click through. */
export const DEFAULT_DEDUPE_TTL_MS = 10 * 60_000;
export const DEFAULT_DEDUPE_MAX_KEYS = 10_000;

export class InMemoryDedupe implements DedupeStore {
  /** key → expiry (ms). Insertion order is expiry order, as the TTL is fixed and `now` only moves forward. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs = DEFAULT_DEDUPE_TTL_MS,
    private readonly maxKeys = DEFAULT_DEDUPE_MAX_KEYS,
  ) {}

  async firstTime(key: string, now: number): Promise<boolean> {
    this.sweep(now);
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.delete(key);
    this.expiries.set(key, now + this.ttlMs);
    while (this.expiries.size > this.maxKeys) {
      const oldest = this.expiries.keys().next();
      if (oldest.done) break;
      this.expiries.delete(oldest.value);
    }
    return true;
  }

  async release(key: string): Promise<void> {
    this.expiries.delete(key);
  }

  /** How many keys are remembered (for tests and metrics). */
  get size(): number {
    return this.expiries.size;
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) break;
      this.expiries.delete(key);
    }
  }
}
