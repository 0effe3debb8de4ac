/**
 * Batching of Security Hub updates. A storm joins hundreds of findings to one incident, and each join asks
 * Security Hub to mark its finding NOTIFIED with the same note: executed one by one, that is one
 * BatchUpdateFindings call per finding, against an account-wide 10 calls/s. So when dispatch executes a
 * Security Hub command, the incident's other PENDING commands that mean the same thing (same type, status
 * and note) ride along in the same call, up to one call's worth of findings, and are then recorded as
 * succeeded `{ batchedInto: <id>, unprocessed }` through the normal result path (exactly once, on the
 * timeline) — `unprocessed` holding Security Hub's refusals of that command's own findings.
 *
 * Invariants:
 * - Only commands whose parameters differ in nothing but their findings are merged; the merged command
 *   keeps the id of the one being dispatched, so the executor's idempotency still holds.
 * - At most MAX_FINDINGS_PER_CALL distinct findings per merged command (one API call).
 * - A sibling is recorded only after the merged call succeeded; if it failed, the siblings stay pending
 *   and are tried on their own turn. A sibling that someone else executed meanwhile is simply not
 *   recorded twice (the result path refuses a second result).
 */
import type { Command, SecurityHubRef } from "../core/incident/commands";
import type { IncidentStore, JsonValue, StoredCommand } from "../core/ports/incident-store";

export const BATCHABLE = new Set<Command["type"]>(["updateSecurityHubFindings", "addSecurityHubNote"]);

/** BatchUpdateFindings takes at most 100 finding identifiers per call. */
export const MAX_FINDINGS_PER_CALL = 100;

type BatchableCommand = Extract<Command, { type: "updateSecurityHubFindings" | "addSecurityHubNote" }>;

export interface Batch {
  /** The dispatched command, its findings joined by the siblings'. */
  command: Command;
  /** The pending commands carried along, each to be recorded once the call succeeds. */
  siblings: StoredCommand[];
}

const isBatchable = (command: Command): command is BatchableCommand => BATCHABLE.has(command.type);

const refKey = (ref: SecurityHubRef) => `${ref.productArn}\u0000${ref.id}`;

/** Everything but the findings, as a comparable key. */
const meaningOf = (type: string, params: unknown): string => {
  const { findings: _, ...rest } = params as { findings?: unknown };
  return JSON.stringify([type, rest]);
};

const findingsOf = (params: unknown): SecurityHubRef[] | undefined => {
  const findings = (params as { findings?: unknown }).findings;
  return Array.isArray(findings) ? (findings as SecurityHubRef[]) : undefined;
};

/** The command with its pending look-alikes merged in, or the command alone when it does not batch. */
export async function batchWithSiblings(
  store: Pick<IncidentStore, "commandsOf">,
  command: Command,
): Promise<Batch> {
  if (!isBatchable(command)) return { command, siblings: [] };
  const meaning = meaningOf(command.type, command.params);
  const refs = new Map(command.params.findings.map((ref) => [refKey(ref), ref]));
  const siblings: StoredCommand[] = [];
  for (const other of await store.commandsOf(command.incidentId)) {
    if (other.id === command.id || other.status !== "pending" || other.type !== command.type) continue;
    if (meaningOf(other.type, other.params) !== meaning) continue;
    const theirs = findingsOf(other.params);
    if (!theirs) continue;
    const added = theirs.filter((ref) => !refs.has(refKey(ref)));
    if (refs.size + added.length > MAX_FINDINGS_PER_CALL) break;
    for (const ref of added) refs.set(refKey(ref), ref);
    siblings.push(other);
  }
  if (siblings.length === 0) return { command, siblings };
  return {
    command: { ...command, params: { ...command.params, findings: [...refs.values()] } } as Command,
    siblings,
  };
}

interface Refusal {
  id: string;
  productArn: string;
}

/** What a sibling records: which call carried it, and Security Hub's refusals of its own findings. */
export function siblingResult(batchId: string, sibling: StoredCommand, callResult: JsonValue | undefined) {
  const unprocessed = (callResult as { unprocessed?: unknown } | undefined)?.unprocessed;
  const mine = new Set((findingsOf(sibling.params) ?? []).map(refKey));
  const refused = Array.isArray(unprocessed)
    ? (unprocessed as unknown as Refusal[]).filter((u) => mine.has(refKey(u)))
    : [];
  return { batchedInto: batchId, unprocessed: refused } as unknown as JsonValue;
}
