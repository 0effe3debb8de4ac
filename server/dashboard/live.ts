/**
 * Live updates: a change feed over the incident store, pushed to browsers as server-sent events.
 *
 * The store has no change stream locally, so the feed polls: every `pollMs` it lists the newest `limit`
 * incidents and compares their versions with what it saw last (a version bumps on every commit, so this
 * catches every change to a watched incident, including one that closes).
 *
 * Invariants:
 * - It polls only while someone listens: the first subscriber starts it (with a baseline read, which emits
 *   nothing), the last one stops it and forgets what it saw, so a later start reads a fresh baseline.
 * - Polls never overlap, the timer never keeps the process alive, and a failing poll is reported and
 *   retried on the next tick, never thrown into a request.
 * - Work is capped: one listIncidents of at most `limit` rows per tick, and memory is bounded by `limit`.
 * - A new subscriber first gets the versions as they are (`hello`), then every later change. Pages compare
 *   the hello with what they rendered, so a change between rendering and connecting is never missed.
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { IncidentStore } from "../../core/ports/incident-store";

export interface IncidentChange {
  id: string;
  version: number;
  open: boolean;
  phase: string;
  severity: string;
}

export type ChangeListener = (changes: IncidentChange[]) => void;

export interface ChangeFeedOptions {
  pollMs?: number;
  limit?: number;
  onError?: (error: unknown) => void;
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly seen = new Map<string, IncidentChange>();
  private readonly pollMs: number;
  private readonly limit: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private baseline: Promise<void> | undefined;
  /** Bumped on every stop, so a poll that outlives its run does not write into the next one. */
  private generation = 0;
  polls = 0;

  constructor(
    private readonly store: Pick<IncidentStore, "listIncidents">,
    private readonly options: ChangeFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.limit = options.limit ?? 200;
  }

  get running(): boolean {
    return this.baseline !== undefined;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /**
   * Listens for changes. `current` resolves, once the baseline is read, to the versions as they are; every
   * change after that reaches the listener (a change may arrive both ways: versions make that harmless).
   */
  subscribe(listener: ChangeListener): { current: Promise<IncidentChange[]>; unsubscribe: () => void } {
    this.listeners.add(listener);
    if (!this.baseline) this.start();
    const baseline = this.baseline!;
    let subscribed = true;
    return {
      current: baseline.then(() => [...this.seen.values()]),
      unsubscribe: () => {
        if (!subscribed) return;
        subscribed = false;
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stop();
      },
    };
  }

  private start(): void {
    const generation = this.generation;
    this.baseline = this.poll(generation, false).finally(() => this.schedule(generation));
  }

  private stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.baseline = undefined;
    this.seen.clear();
  }

  private schedule(generation: number): void {
    if (generation !== this.generation) return;
    this.timer = setTimeout(() => {
      void this.poll(generation, true).finally(() => this.schedule(generation));
    }, this.pollMs);
    this.timer.unref?.();
  }

  private async poll(generation: number, emit: boolean): Promise<void> {
    let rows: Awaited<ReturnType<IncidentStore["listIncidents"]>>;
    try {
      this.polls++;
      rows = await this.store.listIncidents({ limit: this.limit });
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    if (generation !== this.generation) return;
    const changes: IncidentChange[] = [];
    const window = new Set<string>();
    for (const row of rows) {
      window.add(row.id);
      const known = this.seen.get(row.id);
      if (known && known.version === row.version) continue;
      const change = {
        id: row.id,
        version: row.version,
        open: row.open,
        phase: row.phase,
        severity: row.severity,
      };
      this.seen.set(row.id, change);
      changes.push(change);
    }
    // Incidents pushed out of the newest-`limit` window are forgotten, so memory stays bounded.
    for (const id of this.seen.keys()) if (!window.has(id)) this.seen.delete(id);
    if (!emit || changes.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(changes);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}

export interface StreamOptions {
  /** Comment lines that keep idle connections open and notice clients that left. */
  heartbeatMs?: number;
  /** More changes than this in one poll become a single `reset` (the page reloads its fragments). */
  maxChangesPerEvent?: number;
}

/**
 * Streams the feed to one client until it disconnects: `hello` with the current versions, then one
 * `incident` event per change (or `reset` after a burst).
 */
export async function streamChanges(
  stream: SSEStreamingApi,
  feed: ChangeFeed,
  options: StreamOptions = {},
): Promise<void> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxChanges = options.maxChangesPerEvent ?? 50;
  const queue: IncidentChange[][] = [];
  let wake: (() => void) | undefined;
  const { current, unsubscribe } = feed.subscribe((changes) => {
    queue.push(changes);
    wake?.();
  });
  stream.onAbort(() => {
    unsubscribe();
    wake?.();
  });
  try {
    const versions = await current;
    await stream.writeSSE({
      event: "hello",
      data: JSON.stringify({ incidents: versions.map((c) => [c.id, c.version, c.open ? 1 : 0]) }),
      retry: 2000,
    });
    while (!stream.aborted && !stream.closed) {
      const batch = queue.shift();
      if (batch) {
        if (batch.length > maxChanges) await stream.writeSSE({ event: "reset", data: "{}" });
        else
          for (const change of batch)
            await stream.writeSSE({ event: "incident", data: JSON.stringify(change) });
        continue;
      }
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), heartbeatMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (timedOut) await stream.write(": ping\n\n");
    }
  } finally {
    unsubscribe();
  }
}
