/**
 * The inbox worker: drains POST /events bodies from the durable inbox into incidents.
 *
 * Group commit: a batch of bodies is ingested inside ONE unit of work (one SQLite transaction; each
 * incident commit a savepoint within it) and the batch's inbox rows are deleted in that same transaction.
 * So a crash at any moment leaves either the whole batch ingested and gone from the inbox, or nothing
 * ingested and the rows still queued: re-processed at most, never lost, never doubled (ingest is
 * idempotent anyway: findings dedupe on identity, quarantine entries on id).
 *
 * A batch is also bounded in time (`turnBudgetMs`): after a stall the inbox may hold hundreds of bodies,
 * and ingesting them all in one turn would hold every one of their chat messages back until the last is
 * in (the dispatcher runs between turns of the one scheduler). The bodies left over stay queued, in
 * order, for the next turn; the ones ingested are deleted in their batch's transaction as before.
 *
 * A batch that fails is retried body by body; a body that keeps failing on its own (a bug, not bad input:
 * bad input is quarantined by ingest) is given up after `maxAttempts`: moved to quarantine with the error,
 * in the same transaction that deletes it, so one poison body cannot block the queue.
 */

import type { InboxItem, SqliteInbox } from "../../adapters/sqlite/inbox";
import type { IngestDeps } from "../../app/ingest";
import type { UnitOfWork } from "../../core/ports/unit-of-work";
import type { Logger } from "../logger";
import type { RuntimeCounters } from "./counters";
import { ingestStoredInput } from "./route-events";
import type { ScheduledTask, TaskTurn } from "./scheduler";

export interface InboxWorkerDeps {
  ingest: IngestDeps;
  unitOfWork: UnitOfWork;
  inbox: SqliteInbox;
  log: Logger;
  counters: RuntimeCounters;
  batchSize: number;
  maxAttempts?: number;
  intervalMs?: number;
  /** Called after a batch has been committed (the runtime wakes the dispatcher). */
  onIngested?: (items: number) => void;
  /** A batch takes no further body once it has run this long (real ms); at least one is always taken. */
  turnBudgetMs?: number;
  /** Real time in ms, for the turn budget. */
  nowMs?: () => number;
}

const DEFAULT_TURN_BUDGET_MS = 10;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createInboxWorker(deps: InboxWorkerDeps): ScheduledTask {
  const { inbox, unitOfWork, log, counters } = deps;
  const maxAttempts = deps.maxAttempts ?? 3;
  const turnBudgetMs = deps.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS;
  const nowMs = deps.nowMs ?? (() => performance.now());

  /** Ingests `items` in order, within the turn budget, in one transaction; returns how many it took. */
  const ingestAll = (items: readonly InboxItem[]) =>
    unitOfWork.run(async () => {
      const start = nowMs();
      const done: number[] = [];
      for (const item of items) {
        if (done.length > 0 && nowMs() - start >= turnBudgetMs) break;
        await ingestStoredInput(deps.ingest, item);
        done.push(item.seq);
      }
      inbox.remove(done);
      return done.length;
    });

  async function oneByOne(items: readonly InboxItem[]): Promise<number> {
    let ingested = 0;
    for (const item of items) {
      try {
        await ingestAll([item]);
        ingested++;
      } catch (error) {
        const attempts = inbox.recordFailure(item.seq, message(error));
        log.error("inbox item failed", { inboxId: item.id, attempts, error });
        if (attempts >= maxAttempts) await giveUp(item, error);
      }
    }
    return ingested;
  }

  async function giveUp(item: InboxItem, error: unknown): Promise<void> {
    await unitOfWork.run(async () => {
      await deps.ingest.quarantine.put({
        id: `${item.id}#$`,
        receivedAt: item.receivedAt,
        channel: item.channel,
        error: {
          code: "invalid_shape",
          message: `could not be ingested after ${maxAttempts} attempts: ${message(error)}`.slice(0, 2000),
          path: "$",
        },
        raw: item.body,
      });
      inbox.remove([item.seq]);
    });
    counters.inboxItemsGivenUp++;
    log.error("inbox item given up: moved to quarantine", { inboxId: item.id });
  }

  return {
    name: "inbox",
    intervalMs: deps.intervalMs ?? 1000,
    async run(): Promise<TaskTurn> {
      const items = inbox.take(deps.batchSize);
      if (items.length === 0) return { worked: 0, more: false };
      let ingested: number;
      let taken = items.length;
      try {
        ingested = await ingestAll(items);
        taken = ingested;
        counters.inboxBatches++;
      } catch (error) {
        counters.inboxBatchFailures++;
        log.warn("inbox batch failed; retrying its bodies one by one", { items: items.length, error });
        ingested = await oneByOne(items);
      }
      counters.inboxItemsIngested += ingested;
      log.debug("inbox batch ingested", { items: items.length, ingested });
      if (ingested > 0) deps.onIngested?.(ingested);
      return { worked: taken, more: taken < items.length || items.length === deps.batchSize };
    },
  };
}
