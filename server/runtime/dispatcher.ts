/**
 * The local dispatcher loop: pending outbox commands → `dispatch` (execute, feed the result back), oldest
 * first (DESIGN §3). In AWS the table stream feeds dispatch; here the pending-commands index does.
 *
 * RetryLaterError (rate limits, a reply waiting for its incident message) leaves the command pending in
 * the store; only its earliest next try is kept in memory, so a restart simply tries it again at once —
 * safe, because execution is idempotent on the command id. An unexpected throw (a bug, a store error) is
 * logged and the command backs off exponentially up to a minute, so it cannot spin or block the others.
 */
import { type DispatchDeps, dispatch } from "../../app/dispatch";
import type { Logger } from "../logger";
import type { RuntimeCounters } from "./counters";
import type { ScheduledTask, TaskTurn } from "./scheduler";

export interface DispatcherDeps {
  dispatch: DispatchDeps;
  log: Logger;
  counters: RuntimeCounters;
  batchSize?: number;
  intervalMs?: number;
  /** Real time in ms (retry delays are real time: Slack's Retry-After does not scale). */
  nowMs?: () => number;
}

const MAX_BACKOFF_MS = 60_000;

export function createDispatcher(deps: DispatcherDeps): ScheduledTask & { waiting(): number } {
  const { log, counters } = deps;
  const batchSize = deps.batchSize ?? 20;
  const nowMs = deps.nowMs ?? (() => performance.now());
  const retryAt = new Map<string, number>();
  const errors = new Map<string, number>();
  const intervalMs = deps.intervalMs ?? 500;

  /** Called when every pending command was read: waits kept for commands no longer pending are dropped. */
  const forgetDone = (pendingIds: ReadonlySet<string>) => {
    for (const id of retryAt.keys()) {
      if (pendingIds.has(id)) continue;
      retryAt.delete(id);
      errors.delete(id);
    }
  };

  return {
    name: "dispatcher",
    intervalMs,
    waiting: () => retryAt.size,
    async run(): Promise<TaskTurn> {
      // Read past the commands that are waiting so they cannot starve the ones behind them.
      const limit = batchSize + retryAt.size;
      const pending = await deps.dispatch.store.pendingCommands(limit);
      if (pending.length < limit) forgetDone(new Set(pending.map((c) => c.id)));
      const now = nowMs();
      const ready = pending.filter((c) => (retryAt.get(c.id) ?? 0) <= now).slice(0, batchSize);
      let worked = 0;
      for (const command of ready) {
        try {
          const outcome = await dispatch(deps.dispatch, command);
          counters.bump(counters.commands, outcome.status);
          if (outcome.status === "retry-later") {
            retryAt.set(command.id, nowMs() + Math.max(0, outcome.retryAfterMs));
            log.debug("command will be retried", {
              commandId: command.id,
              retryAfterMs: outcome.retryAfterMs,
            });
            continue;
          }
          retryAt.delete(command.id);
          errors.delete(command.id);
          worked++;
          log.info("command dispatched", {
            commandId: command.id,
            type: command.type,
            status: outcome.status,
          });
        } catch (error) {
          const n = (errors.get(command.id) ?? 0) + 1;
          errors.set(command.id, n);
          const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (n - 1));
          retryAt.set(command.id, nowMs() + backoff);
          counters.bump(counters.commands, "error");
          log.error("dispatch failed; will retry", {
            commandId: command.id,
            type: command.type,
            backoffMs: backoff,
            error,
          });
        }
      }
      const soonest = Math.min(intervalMs, ...[...retryAt.values()].map((at) => at - nowMs()));
      return { worked, more: ready.length === batchSize, nextInMs: Math.max(10, soonest) };
    },
  };
}
