/**
 * Coalescing of chat message updates: an `updateIncidentMessage` carries the WHOLE view of the incident,
 * so when a newer one for the same incident is already waiting in the outbox, sending the older one only
 * spends a Slack write (≈ 1 per second per channel) on a state that is about to be overwritten. Dispatch
 * records such an update as succeeded with `{ coalesced: true, by: <newer id> }` without executing it —
 * through the normal result path, so it stays exactly-once and shows on the timeline.
 *
 * Invariants:
 * - Only types listed in COALESCABLE ("latest wins" by nature) are ever coalesced. Posts, thread replies,
 *   mentions, pages, Security Hub updates and containment steps each mean something on their own.
 * - "Newer" is the order of the deterministic command id `<incidentId>:<version>:<n>` (version, then n):
 *   the order the workflow issued them in, the same order SlackChatOps uses to skip stale updates. An id
 *   without that shape is never coalesced and never coalesces anything.
 * - A newer command counts when it is PENDING (it will still be executed, or itself be coalesced by an
 *   even newer one, so the newest view always reaches the executor) or when it already SUCCEEDED by being
 *   executed (its newer view is shown; retries reorder commands, so an older update can come back after
 *   it). A failed newer update, or one that was itself coalesced, does not count: nothing guarantees its
 *   view was shown.
 */
import type { CommandType } from "../core/incident/commands";
import type { IncidentStore, StoredCommand } from "../core/ports/incident-store";

/** Command types whose newest pending instance makes older pending ones pointless. */
export const COALESCABLE: ReadonlySet<CommandType> = new Set<CommandType>(["updateIncidentMessage"]);

export type CommandOrder = readonly [version: number, n: number];

/** `<incidentId>:<version>:<n>` → [version, n] when the id belongs to `incidentId`; otherwise undefined. */
export function commandOrder(commandId: string, incidentId: string): CommandOrder | undefined {
  if (!commandId.startsWith(`${incidentId}:`)) return undefined;
  const match = /^(\d+):(\d+)$/.exec(commandId.slice(incidentId.length + 1));
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export const isNewer = (a: CommandOrder, b: CommandOrder): boolean =>
  a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

const wasCoalesced = (command: StoredCommand): boolean =>
  typeof command.result === "object" &&
  command.result !== null &&
  !Array.isArray(command.result) &&
  command.result.coalesced === true;

/** Pending, or executed successfully: either way its view is (or will be) the one shown. */
const carriesItsView = (command: StoredCommand): boolean =>
  command.status === "pending" || (command.status === "succeeded" && !wasCoalesced(command));

/**
 * The id of the newest command of the same coalescable type and incident that is newer than `command` and
 * pending or executed, or undefined when `command` must be executed.
 */
export async function supersedingCommand(
  store: Pick<IncidentStore, "commandsOf">,
  command: Pick<StoredCommand, "id" | "incidentId" | "type">,
): Promise<string | undefined> {
  if (!COALESCABLE.has(command.type as CommandType)) return undefined;
  const own = commandOrder(command.id, command.incidentId);
  if (!own) return undefined;
  let newest: { id: string; order: CommandOrder } | undefined;
  for (const other of await store.commandsOf(command.incidentId)) {
    if (other.type !== command.type || other.id === command.id || !carriesItsView(other)) continue;
    const order = commandOrder(other.id, command.incidentId);
    if (order && isNewer(order, newest?.order ?? own)) newest = { id: other.id, order };
  }
  return newest?.id;
}
