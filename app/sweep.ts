/**
 * sweep: the SLA clocks' heartbeat (DESIGN §3). Clocks are data: the store indexes each incident's next
 * deadline, so finding the due ones costs O(due), and each gets a `clock.checked` event carrying `now`.
 * Nothing waits in memory, so a restart loses no timer; a late sweep simply finds more due.
 *
 * One incident that cannot be stepped (a corrupt snapshot, a bug) is reported and skipped: it must not
 * hold back every other incident's clocks.
 */
import { advance } from "./advance";
import type { AppDeps } from "./response-config";

export interface SweepOutcome {
  checked: number;
  changed: number;
  /** Incidents whose clock check failed, with why; they stay due and are tried again next sweep. */
  failed: Array<{ id: string; error: string }>;
  /** True when the batch was full: call again for the rest. */
  more: boolean;
}

export async function sweep(deps: AppDeps, limit = 100): Promise<SweepOutcome> {
  const now = deps.clock.now();
  const due = await deps.store.dueIncidents(now, limit);
  let changed = 0;
  const failed: SweepOutcome["failed"] = [];
  for (const { id } of due) {
    try {
      const outcome = await advance(deps, id, { type: "clock.checked", at: now, now });
      if (outcome.status === "changed") changed++;
    } catch (error) {
      failed.push({ id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { checked: due.length, changed, failed, more: due.length === limit };
}
