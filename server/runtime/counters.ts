/**
 * In-process counters for /metrics (Prometheus counters: they start at zero with the process, which
 * Prometheus' rate() expects). Gauges (incidents, queue depths, MTTA) are read from the store at scrape
 * time instead, so they survive restarts.
 */
export class RuntimeCounters {
  eventsAccepted = 0;
  /** Per-event refusals by reason: an input error code, or "unmatched". */
  readonly eventsRejected = new Map<string, number>();
  /** Whole requests refused, by HTTP status (400, 413). */
  readonly requestsRejected = new Map<number, number>();
  inboxBatches = 0;
  inboxBatchFailures = 0;
  inboxItemsIngested = 0;
  inboxItemsGivenUp = 0;
  /** Dispatch outcomes: succeeded, failed, already-done, retry-later, error. */
  readonly commands = new Map<string, number>();
  sweeps = 0;
  clockChecks = 0;

  bump<K>(map: Map<K, number>, key: K, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }
}
