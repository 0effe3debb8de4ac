/**
 * One sequential scheduler for all store work of the local runtime: the inbox worker, the dispatcher, the
 * sweeper, and the HTTP handlers' writes that change incidents (responder actions).
 *
 * Why sequential: the store's unit of work groups a batch of commits into ONE transaction on ONE SQLite
 * connection (adapters/sqlite/unit-of-work.ts). Anything else that wrote on that connection while the
 * batch was open would silently join it — and be rolled back with it, after having been reported done.
 * Running every piece of store work as a turn of one mutex makes that impossible by construction, and
 * keeps SQLite single-writer, which is how it is fastest. Turns are FIFO, so an HTTP write waits for at
 * most the turn in progress.
 *
 * Invariants:
 * - At most one turn runs at a time (a promise-chain mutex); `exclusive` work is a turn too.
 * - A task that reports `more` runs again as soon as the others due before it have had their turn, so a
 *   busy task cannot starve the rest; an idle task runs again after its interval, or when woken. Waking
 *   a task that is already due changes nothing: it keeps its place in line.
 * - The loop yields to the event loop after every turn, so HTTP requests and signals are served even
 *   while a task has more work.
 * - A task that throws is logged and retried after its interval; the loop never dies of it.
 * - Work that waits on the outside world (a Slack call taking hundreds of ms) need not hold the turn: it
 *   runs outside any turn (`hold` registers it) and comes back for a turn of its own (`lease`) to touch
 *   the store again — see the dispatcher. Nothing that awaits real I/O ever runs inside a turn's store
 *   transaction, so the invariant above holds.
 * - `stop` lets the turn in hand (and any exclusive work already queued) finish, then the work held outside
 *   (which still gets its leases), then resolves; nothing new starts afterwards. Scheduling uses real time,
 *   not the (possibly scaled) service clock.
 */
import type { Logger } from "../logger";

export interface TaskTurn {
  /** How many items the turn handled (rows, commands, incidents). */
  worked: number;
  /** True when the turn stopped at its batch limit: run again soon. */
  more: boolean;
  /** Run again after this many ms instead of the interval (e.g. the next command retry). */
  nextInMs?: number;
}

export interface ScheduledTask {
  name: string;
  /** Real milliseconds between idle turns. */
  intervalMs: number;
  run(): Promise<TaskTurn>;
}

export class ShuttingDownError extends Error {
  override readonly name = "ShuttingDownError";
  constructor() {
    super("the runtime is shutting down");
  }
}

const noop = () => {};
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SequentialScheduler {
  private tail: Promise<void> = Promise.resolve();
  private readonly held = new Set<Promise<unknown>>();
  private readonly dueAt = new Map<string, number>();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tasks: readonly ScheduledTask[],
    private readonly log: Logger,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    const names = new Set(tasks.map((t) => t.name));
    if (names.size !== tasks.length) throw new Error("task names must be unique");
  }

  /** Runs `work` as a turn of its own, after the turn in progress. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    if (this.stopping) return Promise.reject(new ShuttingDownError());
    const run = this.tail.then(() => work());
    this.tail = run.then(noop, noop);
    return run;
  }

  /**
   * A turn for work that started outside the loop (held I/O coming back): resolves, once every turn queued
   * before it has finished, with `release`; the turn lasts until `release()` is called. Granted during
   * `stop` as well, so held work can finish.
   */
  lease(): Promise<() => void> {
    let release: () => void = noop;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const granted = this.tail.then(() => release);
    this.tail = granted.then(() => done);
    return granted;
  }

  /** Work in hand outside any turn (in-flight I/O): `stop` and `runUntilIdle` wait for it to settle. */
  hold(work: Promise<unknown>): void {
    const settled = work.then(noop, noop);
    this.held.add(settled);
    void settled.then(() => this.held.delete(settled));
  }

  start(): void {
    if (this.loopDone || this.stopping) return;
    const now = this.nowMs();
    for (const task of this.tasks) this.dueAt.set(task.name, now);
    this.loopDone = this.loop();
  }

  /**
   * Asks for a task's turn now (e.g. the inbox worker after a POST /events). Unknown names are ignored.
   * A task already due keeps its place: waking it again (a stream of POSTs) must not push it behind a
   * busy task that became due after it.
   */
  wake(name: string): void {
    if (!this.dueAt.has(name) && !this.tasks.some((t) => t.name === name)) return;
    const now = this.nowMs();
    this.dueAt.set(name, Math.min(this.dueAt.get(name) ?? now, now));
    this.wakeUp?.();
  }

  get running(): boolean {
    return this.loopDone !== null && !this.stopping;
  }

  /**
   * Runs every task, in order, round after round, until a round does no work and leaves none held (or
   * `maxRounds`); held work is waited for after each round. For tests and one-shot tools: deterministic,
   * no timers. Returns the work done.
   */
  async runUntilIdle(maxRounds = 100): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      let worked = 0;
      for (const task of this.tasks) worked += (await this.turn(task)).worked;
      total += worked;
      const heldAny = this.held.size > 0;
      await this.settleHeld();
      if (worked === 0 && !heldAny) break;
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    if (this.loopDone) await this.loopDone;
    await this.settleHeld();
    await this.tail;
  }

  private async settleHeld(): Promise<void> {
    while (this.held.size > 0) await Promise.allSettled([...this.held]);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const next = this.nextDue();
      if (!next) return;
      const wait = next.at - this.nowMs();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      const result = await this.turn(next.task);
      const at = this.nowMs();
      this.dueAt.set(next.task.name, result.more ? at : at + (result.nextInMs ?? next.task.intervalMs));
      // Turns on SQLite settle in microtasks: without this, a busy task would keep the event loop from
      // ever reaching I/O (HTTP requests, timers, signals).
      await yieldToEventLoop();
    }
  }

  private async turn(task: ScheduledTask): Promise<TaskTurn> {
    try {
      return await this.exclusive(() => task.run());
    } catch (error) {
      if (!(error instanceof ShuttingDownError)) this.log.error("task failed", { task: task.name, error });
      return { worked: 0, more: false };
    }
  }

  private nextDue(): { task: ScheduledTask; at: number } | undefined {
    let next: { task: ScheduledTask; at: number } | undefined;
    for (const task of this.tasks) {
      const at = this.dueAt.get(task.name) ?? 0;
      if (!next || at < next.at) next = { task, at };
    }
    return next;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
      this.timer = setTimeout(done, Math.min(ms, 60_000));
    });
  }
}
