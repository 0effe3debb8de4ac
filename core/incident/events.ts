/**
 * Incident events: facts, in the past tense, that move an incident through its response plan. Every event
 * carries `at` (ISO-8601, when it happened); events a person causes carry `actor` (a responder id).
 *
 * Invariants:
 * - Time arrives only on events: the workflow never reads a clock. `clock.checked.now` is the instant the
 *   sweeper evaluated; `at` is when the check was issued (normally the same).
 * - The first `finding.received` opens the incident, and T0 (detection) is that event's `at`: the time the
 *   service received the finding, not the finding's own `firstSeenAt`. The SLA measures our response, and
 *   a finding first seen days ago (GuardDuty aggregates repeats) must not open already breached; the
 *   detector's latency stays visible as `detectedAt` in the incident.
 * - Untrusted input (Slack, HTTP) becomes an event only through `parseIncidentEvent`, which throws
 *   InputError and nothing else.
 */
import * as z from "zod";
import { InputError, type InputErrorCode } from "../errors";
import { findingSchema } from "../findings/finding";
import { COMMAND_TYPES } from "./commands";

const at = z.iso.datetime({ offset: true });
/** A responder id (Slack user id, email…) or a system actor name. */
const actor = z.string().min(1).max(200);
const shortText = z.string().max(1000);

export const incidentEventSchema = z.discriminatedUnion("type", [
  /** A finding arrived; the first one opens the incident. */
  z.object({ type: z.literal("finding.received"), at, finding: findingSchema, actor: actor.optional() }),
  /** A re-publication of a finding (later `updatedAt` or higher count); severity only rises. */
  z.object({ type: z.literal("finding.updated"), at, finding: findingSchema, actor: actor.optional() }),
  z.object({ type: z.literal("incident.acknowledged"), at, actor }),
  z.object({ type: z.literal("owner.assigned"), at, actor, owner: actor }),
  z.object({ type: z.literal("phase.advanced"), at, actor, note: shortText.optional() }),
  z.object({ type: z.literal("containment.requested"), at, actor, reason: shortText.optional() }),
  z.object({ type: z.literal("containment.approved"), at, actor }),
  z.object({ type: z.literal("containment.denied"), at, actor, reason: shortText.optional() }),
  /** A responder asked to undo containment (allowed in the recover phase). */
  z.object({ type: z.literal("restoration.requested"), at, actor }),
  z.object({
    type: z.literal("command.succeeded"),
    at,
    commandId: z.string().min(1),
    commandType: z.enum(COMMAND_TYPES),
    result: z.json().optional(),
  }),
  z.object({
    type: z.literal("command.failed"),
    at,
    commandId: z.string().min(1),
    commandType: z.enum(COMMAND_TYPES),
    error: z.string().max(4000),
  }),
  z.object({ type: z.literal("clock.checked"), at, now: at }),
  z.object({ type: z.literal("note.added"), at, actor, text: z.string().min(1).max(4000) }),
  /** "Escalate now": page the next level without waiting for a clock. */
  z.object({ type: z.literal("escalation.requested"), at, actor, reason: shortText.optional() }),
  z.object({ type: z.literal("false-positive.marked"), at, actor, reason: shortText.min(1) }),
  /** A recovery signal (alarm back to OK, finding resolved at the source): recorded, never acted on. */
  z.object({ type: z.literal("recovery.hinted"), at, finding: findingSchema }),
  z.object({ type: z.literal("postmortem.published"), at, actor, url: z.url().max(2000).optional() }),
]);

export type IncidentEvent = z.infer<typeof incidentEventSchema>;
export type IncidentEventType = IncidentEvent["type"];
export type EventOf<T extends IncidentEventType> = Extract<IncidentEvent, { type: T }>;

export const INCIDENT_EVENT_TYPES = incidentEventSchema.options.map(
  (option) => option.shape.type.value,
) as IncidentEventType[];

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    "$",
  );

/** Parses untrusted input into an event; every refusal is an InputError with the path it is about. */
export function parseIncidentEvent(input: unknown): IncidentEvent {
  const parsed = incidentEventSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = pathOf(issue.path);
  const code: InputErrorCode =
    path === "$"
      ? "invalid_shape"
      : path === "$.type" || (issue.code === "invalid_union" && issue.path.length === 0)
        ? "unknown_event"
        : issue.code === "invalid_type" && issue.input === undefined
          ? "missing_field"
          : issue.code === "invalid_type"
            ? "wrong_type"
            : "invalid_value";
  throw new InputError(code, `${issue.message} at ${path}`, path);
}
