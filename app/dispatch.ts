/**
 * dispatch: execute one outbox command after its commit, then feed the result back to the incident
 * (DESIGN §3). Idempotent on the command id: a command that already has a result is skipped, the executor
 * is told the id so a retried call does not act twice, and the result is committed together with the
 * incident change it causes — a duplicate delivery can never feed the workflow twice.
 *
 * Chat message updates are "latest wins" (coalesce.ts): an update with a newer one still pending is recorded
 * as succeeded `{ coalesced: true, by }` without calling the executor, through the same result path.
 * Security Hub updates that mean the same thing travel together (security-hub-batch.ts): the pending
 * look-alikes of the dispatched one join its call and are recorded as succeeded `{ batchedInto }`.
 */
import { type Command, parseCommand } from "../core/incident/commands";
import type { IncidentEvent } from "../core/incident/events";
import { type CommandExecutor, RetryLaterError } from "../core/ports/command-executor";
import type { CommandResult, JsonValue, StoredCommand } from "../core/ports/incident-store";
import { advance } from "./advance";
import { supersedingCommand } from "./coalesce";
import type { AppDeps } from "./response-config";
import { batchWithSiblings, siblingResult } from "./security-hub-batch";

export interface DispatchDeps extends AppDeps {
  executor: CommandExecutor;
}

export type DispatchOutcome =
  | { status: "succeeded" | "failed"; commandId: string }
  | { status: "already-done"; commandId: string }
  /** Recorded as succeeded without executing: `by`, a newer update (pending or executed), shows a newer view. */
  | { status: "coalesced"; commandId: string; by: string }
  | { status: "retry-later"; commandId: string; retryAfterMs: number };

/** `stored` names the command; it is read again here, so a stale copy (or just the id) is enough. */
export async function dispatch(
  deps: DispatchDeps,
  stored: Pick<StoredCommand, "id">,
): Promise<DispatchOutcome> {
  const current = await deps.store.getCommand(stored.id);
  if (current?.status !== "pending") return { status: "already-done", commandId: stored.id };

  let command: Command;
  let result: CommandResult;
  try {
    command = parseCommand(current);
  } catch (error) {
    // A malformed outbox row is a bug, not a reason to retry forever: fail it visibly.
    const failed = {
      status: "failed",
      at: deps.clock.now(),
      error: `malformed command: ${message(error)}`,
    } as const;
    return feedBack(deps, current, failed);
  }
  const newer = await supersedingCommand(deps.store, current);
  if (newer !== undefined) {
    const coalesced = {
      status: "succeeded",
      at: deps.clock.now(),
      result: { coalesced: true, by: newer },
    } as const;
    const outcome = await feedBack(deps, current, coalesced);
    return outcome.status === "succeeded"
      ? { status: "coalesced", commandId: current.id, by: newer }
      : outcome;
  }
  const batch = await batchWithSiblings(deps.store, command);
  let value: JsonValue | undefined;
  try {
    value = await deps.executor.execute(batch.command);
    result = { status: "succeeded", at: deps.clock.now(), ...(value === undefined ? {} : { result: value }) };
  } catch (error) {
    if (error instanceof RetryLaterError)
      return { status: "retry-later", commandId: current.id, retryAfterMs: error.retryAfterMs };
    result = { status: "failed", at: deps.clock.now(), error: message(error) };
  }
  const outcome = await feedBack(deps, current, result);
  if (result.status === "succeeded") {
    for (const sibling of batch.siblings) {
      await feedBack(deps, sibling, {
        status: "succeeded",
        at: result.at,
        result: siblingResult(current.id, sibling, value),
      });
    }
  }
  return outcome;
}

async function feedBack(
  deps: DispatchDeps,
  command: StoredCommand,
  result: CommandResult,
): Promise<DispatchOutcome> {
  const event: IncidentEvent =
    result.status === "succeeded"
      ? {
          type: "command.succeeded",
          at: result.at,
          commandId: command.id,
          commandType: command.type as Command["type"],
          ...(result.result === undefined ? {} : { result: result.result as JsonValue }),
        }
      : {
          type: "command.failed",
          at: result.at,
          commandId: command.id,
          commandType: command.type as Command["type"],
          error: (result.error ?? "failed").slice(0, 4000),
        };
  const outcome = await advance(deps, command.incidentId, event, { id: command.id, ...result });
  if (outcome.status === "duplicate-result") return { status: "already-done", commandId: command.id };
  if (outcome.status === "not-found") await deps.store.recordCommandResult(command.id, result);
  return { status: result.status, commandId: command.id };
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
