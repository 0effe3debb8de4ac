/**
 * The SLA clocks' heartbeat for the local runtime: `sweep` once per second of service time (so with
 * `--time-scale 60` every ~17 ms of real time, floored at 100 ms so a fast demo does not busy-loop).
 * Deadlines live in the store, so a late or missed sweep only finds more due; nothing waits in memory.
 */
import type { AppDeps } from "../../app/response-config";
import { sweep } from "../../app/sweep";
import type { Logger } from "../logger";
import type { RuntimeCounters } from "./counters";
import type { ScheduledTask, TaskTurn } from "./scheduler";

export const MIN_SWEEP_INTERVAL_MS = 100;

export const sweepIntervalMs = (timeScale: number): number =>
  Math.max(MIN_SWEEP_INTERVAL_MS, Math.round(1000 / timeScale));

export interface SweeperDeps {
  app: AppDeps;
  log: Logger;
  counters: RuntimeCounters;
  intervalMs: number;
  batchSize?: number;
  /** Called when a sweep changed incidents (their new commands wait for the dispatcher). */
  onChanged?: (changed: number) => void;
}

export function createSweeper(deps: SweeperDeps): ScheduledTask {
  return {
    name: "sweeper",
    intervalMs: deps.intervalMs,
    async run(): Promise<TaskTurn> {
      const outcome = await sweep(deps.app, deps.batchSize ?? 100);
      deps.counters.sweeps++;
      deps.counters.clockChecks += outcome.checked;
      if (outcome.changed > 0) {
        deps.log.info("clocks checked", { checked: outcome.checked, changed: outcome.changed });
        deps.onChanged?.(outcome.changed);
      }
      return { worked: outcome.changed, more: outcome.more };
    },
  };
}
