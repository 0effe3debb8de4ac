/**
 * The local dispatcher loop: pending outbox commands → `dispatch` (execute, feed the result back), DESIGN
 * §3. In AWS the table stream feeds dispatch; here the dispatcher keeps an index of the pending commands.
 *
 * The index: every command committed through the runtime's store is reported as it lands
 * (watched-store.ts; the dispatcher also watches its own feedback commits), so a turn never reads the
 * pending list. That list is oldest first, and under a storm its head is thousands of commands waiting
 * for a Slack slot: reading past them every turn cost more than the work itself. The pending list is read
 * in full only at the first turn (what a previous process left) and every `rescanMs`, as a safety net for
 * commands committed any other way. Each command is re-read before it runs; one the store does not hold
 * as pending (done meanwhile, or reported from a transaction that was rolled back) is dropped.
 *
 * Each known command is in exactly one state: READY (in its type's lane, oldest first), WAITING for a
 * retry time (a min-heap finds the due ones), HELD behind its incident's pending message post, or
 * RUNNING (its incident is then busy: its other commands stay where they are until it is done).
 *
 * A turn: the ready commands in fair order (dispatch-order.ts: round robin over types, so a backlog of one
 * type cannot hold up another), one at a time, until `batchSize` or the turn has used `turnBudgetMs` — the
 * inbox worker shares the one sequential scheduler, so a short turn is what keeps accept → dispatch fast.
 *
 * Slow I/O does not hold the scheduler: a command whose execution has not settled by the next turn of the
 * event loop (a real Slack or AWS call; the local capabilities and a rate limiter's refusal settle at once)
 * is left to finish outside the turn (`turns.hold`), and the rest of its dispatch — feeding the result
 * back — waits for a turn of its own (`turns.lease`). So ingestion and the other commands go on during a
 * Slack round trip. At most `maxInFlight` commands are out at once (beyond that one is awaited in its
 * turn, as before), and at most one per incident: an incident's commands never overlap (message updates
 * read, then write). Without `turns` (unit tests) every command is awaited in its turn.
 *
 * RetryLaterError (rate limits) leaves the command pending in the store; only its earliest next try is
 * kept in memory, so a restart simply tries it again at once — safe, because execution is idempotent on
 * the command id. Chat follow-ups cannot run before their incident's message is posted (the executor
 * refuses them, app/execute-command.ts): while that post is pending they are HELD, not polled, and they
 * become ready the moment it completes (HELD_BY). An unexpected throw (a bug, a store error) is logged and
 * the command backs off exponentially up to a minute, so it cannot spin or block the others.
 */
import { type DispatchDeps, dispatch } from "../../app/dispatch";
import type { CommandType } from "../../core/incident/commands";
import type { CommandExecutor } from "../../core/ports/command-executor";
import type { OutboxCommand } from "../../core/ports/incident-store";
import type { Logger } from "../logger";
import type { RuntimeCounters } from "./counters";
import { fairOrder } from "./dispatch-order";
import { DueQueue } from "./due-queue";
import type { ScheduledTask, TaskTurn } from "./scheduler";
import { watchCommittedCommands } from "./watched-store";

/** The scheduler's hooks for work that leaves its turn (scheduler.ts `lease`, `hold`, `wake`). */
export interface TurnControl {
  lease(): Promise<() => void>;
  hold(work: Promise<unknown>): void;
  /** Asks for a dispatcher turn (a command finished outside one; its incident's others may go). */
  wake(): void;
}

export interface DispatcherDeps {
  dispatch: DispatchDeps;
  /** Lets slow commands finish outside the turn; absent: every command is awaited in its turn. */
  turns?: TurnControl;
  /** Most commands finishing outside a turn at once. */
  maxInFlight?: number;
  log: Logger;
  counters: RuntimeCounters;
  /** Most commands per turn. */
  batchSize?: number;
  /** A turn takes no further command once it has run this long (real ms); at least one is always taken. */
  turnBudgetMs?: number;
  intervalMs?: number;
  /** How often the full pending list is read again (real ms), for commands not reported to `notice`. */
  rescanMs?: number;
  /** Real time in ms (retry delays are real time: Slack's Retry-After does not scale). */
  nowMs?: () => number;
}

export interface Dispatcher extends ScheduledTask {
  /** Commands just committed (the runtime's store reports them): they are dispatched from the next turn. */
  notice(commands: readonly Pick<OutboxCommand, "id" | "incidentId" | "type">[]): void;
  /** Commands waiting for a retry time. */
  waiting(): number;
  /** Commands held behind their incident's pending message post. */
  held(): number;
}

/**
 * Command types that cannot run while a command of the key type is pending for the same incident: the
 * executor refuses chat follow-ups until the incident message is posted. Holding them instead of polling
 * is only an optimisation; a follow-up that runs anyway is refused for now, as before.
 */
const HELD_BY: Readonly<Partial<Record<CommandType, ReadonlySet<string>>>> = {
  postIncidentMessage: new Set<CommandType>(["updateIncidentMessage", "postThreadReply", "mentionInChat"]),
};
const HOLDERS = Object.keys(HELD_BY) as CommandType[];

interface Entry {
  id: string;
  incidentId: string;
  type: string;
}

const MAX_BACKOFF_MS = 60_000;
const DEFAULT_BATCH_SIZE = 50;
const DEFAULT_TURN_BUDGET_MS = 5;
const DEFAULT_RESCAN_MS = 10_000;
const DEFAULT_MAX_IN_FLIGHT = 4;
/** A rescan reads at least this many pending commands (more when the index holds more). */
const RESCAN_MIN = 1000;
const noop = () => {};

/** True when `work` settles before the event loop's next turn (no real I/O in it), false otherwise. */
const settlesAtOnce = (work: Promise<unknown>) =>
  new Promise<boolean>((resolve) => {
    const timer = setImmediate(() => resolve(false));
    const done = () => {
      clearImmediate(timer);
      resolve(true);
    };
    work.then(done, done);
  });
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { log, counters } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const turnBudgetMs = deps.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS;
  const rescanMs = deps.rescanMs ?? DEFAULT_RESCAN_MS;
  const nowMs = deps.nowMs ?? (() => performance.now());
  const intervalMs = deps.intervalMs ?? 500;
  const maxInFlight = deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const turns = deps.turns;

  /** Every pending command we know of. */
  const index = new Map<string, Entry>();
  /** READY: type → its ready commands, oldest first (Map keeps insertion order). */
  const lanes = new Map<string, Map<string, Entry>>();
  /** WAITING: id → retry time; `due` orders them (stale heap entries are skipped). */
  const retryAt = new Map<string, number>();
  const due = new DueQueue();
  /** HELD: incident → its held commands; `holders`: incident → its pending commands that hold others. */
  const heldOf = new Map<string, Map<string, Entry>>();
  const holders = new Map<string, Set<string>>();
  const errors = new Map<string, number>();
  /** RUNNING: incidents with a command being dispatched; `outside`: how many of those left their turn. */
  const busy = new Set<string>();
  let outside = 0;
  let rescanAt = Number.NEGATIVE_INFINITY;

  const group = <K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> => {
    let inner = map.get(key);
    if (!inner) {
      inner = new Map();
      map.set(key, inner);
    }
    return inner;
  };

  const isHeld = (entry: Entry): boolean => {
    const ids = holders.get(entry.incidentId);
    if (!ids) return false;
    for (const id of ids) {
      const holder = index.get(id);
      if (holder && HELD_BY[holder.type as CommandType]?.has(entry.type)) return true;
    }
    return false;
  };

  /** Into READY, or HELD when its incident's message post is still pending. */
  const admit = (entry: Entry) => {
    if (isHeld(entry)) group(heldOf, entry.incidentId).set(entry.id, entry);
    else group(lanes, entry.type).set(entry.id, entry);
  };

  const unready = (entry: Entry) => {
    const lane = lanes.get(entry.type);
    lane?.delete(entry.id);
    if (lane?.size === 0) lanes.delete(entry.type);
  };

  const notice = (commands: readonly Pick<OutboxCommand, "id" | "incidentId" | "type">[]) => {
    for (const { id, incidentId, type } of commands) {
      if (index.has(id)) continue;
      const entry = { id, incidentId, type };
      index.set(id, entry);
      if (HOLDERS.includes(type as CommandType)) {
        let ids = holders.get(incidentId);
        if (!ids) {
          ids = new Set();
          holders.set(incidentId, ids);
        }
        ids.add(id);
      }
      admit(entry);
    }
  };
  // Feedback commits (results, and the follow-up commands they cause) go through the watched store too.
  const dispatchDeps: DispatchDeps = {
    ...deps.dispatch,
    store: watchCommittedCommands(deps.dispatch.store, notice),
  };

  const wait = (entry: Entry, at: number) => {
    unready(entry);
    retryAt.set(entry.id, at);
    due.push(entry.id, at);
  };

  /** No longer pending: gone from every state; what it held is admitted again. */
  const forget = (entry: Entry) => {
    index.delete(entry.id);
    unready(entry);
    retryAt.delete(entry.id);
    errors.delete(entry.id);
    const held = heldOf.get(entry.incidentId);
    if (held?.delete(entry.id) && held.size === 0) heldOf.delete(entry.incidentId);
    const ids = holders.get(entry.incidentId);
    if (!ids?.delete(entry.id) || ids.size > 0) return;
    holders.delete(entry.incidentId);
    const released = heldOf.get(entry.incidentId);
    if (!released) return;
    heldOf.delete(entry.incidentId);
    for (const next of released.values()) admit(next);
  };

  /** WAITING commands whose time has come become READY. */
  const promoteDue = (now: number) => {
    for (let next = due.peek(); next && next.at <= now; next = due.peek()) {
      due.pop();
      const entry = index.get(next.id);
      if (!entry || retryAt.get(next.id) !== next.at) continue; // stale: rescheduled or done
      retryAt.delete(next.id);
      admit(entry);
    }
  };

  /** Reads the pending list: adds what the index lacks and, when it read everything, drops what is gone. */
  async function rescan(): Promise<void> {
    const limit = Math.max(RESCAN_MIN, index.size + batchSize);
    const pending = await deps.dispatch.store.pendingCommands(limit);
    notice(pending);
    if (pending.length < limit) {
      const ids = new Set(pending.map((c) => c.id));
      for (const entry of [...index.values()]) if (!ids.has(entry.id)) forget(entry);
    }
    rescanAt = nowMs() + rescanMs;
  }

  /** Dispatches one command; true when it completed (not retry-later, not an error). */
  async function runOne(entry: Entry, executor: CommandExecutor): Promise<boolean> {
    try {
      // dispatch() reads the command itself and settles one that is no longer pending (done meanwhile,
      // or reported from a rolled-back transaction) as already done.
      const outcome = await dispatch({ ...dispatchDeps, executor }, entry);
      if (outcome.status === "already-done") {
        forget(entry);
        return false;
      }
      counters.bump(counters.commands, outcome.status);
      if (outcome.status === "retry-later") {
        errors.delete(entry.id);
        wait(entry, nowMs() + Math.max(0, outcome.retryAfterMs));
        log.debug("command will be retried", { commandId: entry.id, retryAfterMs: outcome.retryAfterMs });
        return false;
      }
      forget(entry);
      log.info("command dispatched", { commandId: entry.id, type: entry.type, status: outcome.status });
      return true;
    } catch (error) {
      const n = (errors.get(entry.id) ?? 0) + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (n - 1));
      wait(entry, nowMs() + backoff);
      errors.set(entry.id, n);
      counters.bump(counters.commands, "error");
      log.error("dispatch failed; will retry", {
        commandId: entry.id,
        type: entry.type,
        backoffMs: backoff,
        error,
      });
      return false;
    }
  }

  /**
   * Runs `entry` in this turn; if its execution turns out to wait on real I/O (and there is room), lets the
   * turn go on and finishes it in a turn of its own. Resolves with whether it completed in this turn.
   */
  async function start(entry: Entry): Promise<boolean> {
    unready(entry);
    busy.add(entry.incidentId);
    let leave: () => void = noop;
    const left = new Promise<"left">((resolve) => {
      leave = () => resolve("left");
    });
    let endTurn: () => void = noop;
    const mayLeave = turns !== undefined && outside < maxInFlight;
    const executor: CommandExecutor = {
      async execute(command) {
        const running = deps.dispatch.executor.execute(command);
        if (!turns || !mayLeave || (await settlesAtOnce(running))) return running;
        outside++;
        leave();
        await running.then(noop, noop); // the I/O, outside any turn
        endTurn = await turns.lease();
        return running; // the result is fed back inside the leased turn
      },
    };
    const finished = runOne(entry, executor).finally(() => {
      busy.delete(entry.incidentId);
      if (endTurn === noop) return;
      outside--;
      endTurn();
      turns?.wake();
    });
    const first = await Promise.race([finished, left]);
    if (first !== "left") return first;
    turns?.hold(finished);
    return false;
  }

  /** A lane's commands whose incident is not busy (a busy incident's commands wait for it). */
  function* runnable(lane: Map<string, Entry>): Generator<Entry> {
    for (const entry of lane.values()) if (!busy.has(entry.incidentId)) yield entry;
  }

  /** Time until the next wait ends (skipping stale heap entries), or undefined when nothing waits. */
  const nextDueIn = (now: number): number | undefined => {
    for (let next = due.peek(); next; next = due.peek()) {
      if (index.has(next.id) && retryAt.get(next.id) === next.at) return next.at - now;
      due.pop();
    }
    return undefined;
  };

  return {
    name: "dispatcher",
    intervalMs,
    notice,
    waiting: () => retryAt.size,
    held: () => [...heldOf.values()].reduce((n, held) => n + held.size, 0),
    async run(): Promise<TaskTurn> {
      const begun = nowMs();
      if (begun >= rescanAt) await rescan();
      promoteDue(begun);
      const turn = fairOrder(new Map([...lanes].map(([type, lane]) => [type, runnable(lane)])), batchSize);
      let worked = 0;
      let taken = 0;
      for (const entry of turn) {
        if (taken > 0 && nowMs() - begun >= turnBudgetMs) break;
        // Skipped: forgotten, or its incident got busy, since the turn was planned.
        if (!lanes.get(entry.type)?.has(entry.id) || busy.has(entry.incidentId)) continue;
        taken++;
        if (await start(entry)) worked++;
      }
      const now = nowMs();
      promoteDue(now);
      const soonest = Math.min(intervalMs, nextDueIn(now) ?? intervalMs);
      const more = [...lanes.values()].some((lane) => !runnable(lane).next().done);
      return { worked, more, nextInMs: Math.max(10, soonest) };
    },
  };
}
