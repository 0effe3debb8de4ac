/**
 * Which ready commands one dispatcher turn takes, and in what order: round robin over command types,
 * oldest first within a type.
 *
 * Why: the outbox is shared by very different work. A storm joins thousands of findings to a few incidents
 * and each join issues a Security Hub update; taken strictly oldest first, those sit in front of the next
 * incident's first chat message for seconds. Round robin gives every type that has work a place in every
 * turn, so no type — however many commands it has queued — can hold up another.
 *
 * Invariants:
 * - Within a type, commands keep the order given (oldest first), so two commands of one type (Security
 *   Hub statuses, lifecycle events) go out in the order the workflow issued them. Across types the order
 *   was never guaranteed (a retry reorders them) and nothing depends on it: replies wait for their message
 *   through the executor, and message updates are ordered by their command ids (coalesce.ts, chat-ops.ts).
 * - URGENT types (a page, an incident's first message, an escalation mention: what gets a human moving)
 *   are all taken before the round robin starts. They cannot crowd out the rest for long: there is at
 *   most one message per incident and a page or mention per escalation, so they grow only with the
 *   number of incidents, and when those outrun the dispatcher, telling people comes first.
 * - Each round visits the other types in ROTATION order (containment before chat follow-ups before
 *   bookkeeping). Types not in the table (a malformed row) come after all others, in the order met, and
 *   are still taken.
 * - At most `limit` commands, and each is taken at most once.
 */
import type { CommandType } from "../../core/incident/commands";

export const ROTATION: Readonly<Record<CommandType, number>> = {
  pageOnCall: 0,
  postIncidentMessage: 1,
  mentionInChat: 2,
  isolateInstance: 3,
  completeIsolation: 4,
  lockDownSecurityGroup: 5,
  deactivateAccessKey: 6,
  planContainment: 7,
  restoreContainment: 8,
  postThreadReply: 9,
  updateIncidentMessage: 10,
  publishIncidentEvent: 11,
  updateSecurityHubFindings: 12,
  addSecurityHubNote: 13,
  sendGuardDutyFeedback: 14,
  generatePostmortem: 15,
};

export const URGENT: ReadonlySet<string> = new Set<CommandType>([
  "pageOnCall",
  "postIncidentMessage",
  "mentionInChat",
]);

const rank = (type: string): number =>
  Object.hasOwn(ROTATION, type) ? ROTATION[type as CommandType] : Number.POSITIVE_INFINITY;

/** Up to `limit` commands from `lanes` (ready commands by type, each oldest first), ordered as above. */
export function fairOrder<T>(lanes: ReadonlyMap<string, Iterable<T>>, limit: number): T[] {
  // Array.prototype.sort is stable: unknown types keep the order they were met in.
  const sorted = [...lanes.entries()].sort(([a], [b]) => rank(a) - rank(b) || 0);
  const iterate = (urgent: boolean) =>
    sorted.filter(([type]) => URGENT.has(type) === urgent).map(([, lane]) => lane[Symbol.iterator]());
  const taken: T[] = [];
  for (const lane of iterate(true))
    for (let next = lane.next(); !next.done && taken.length < limit; next = lane.next())
      taken.push(next.value);
  const rotation = iterate(false);
  while (taken.length < limit && rotation.length > 0) {
    for (let i = 0; i < rotation.length && taken.length < limit; ) {
      const next = rotation[i]!.next();
      if (next.done) {
        rotation.splice(i, 1);
        continue;
      }
      taken.push(next.value);
      i++;
    }
  }
  return taken;
}
