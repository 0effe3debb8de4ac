/**
 * The public contract of the lifecycle events the service publishes on EventBridge (docs/incident-events.md):
 * `source` = the service name, `detail-type` one of LIFECYCLE_DETAIL_TYPES, `detail` = IncidentEventDetail.
 *
 * Invariants:
 * - `schemaVersion` is "<major>.<minor>". A minor version only adds optional fields; a major version is a
 *   breaking change. Consumers match `{"schemaVersion": [{"prefix": "1."}]}` and ignore unknown fields, so
 *   the JSON Schema below allows additional properties.
 * - The detail is built from the publishIncidentEvent command alone (no store read), deterministically:
 *   the same command yields the same detail, so a re-published event carries the same `idempotencyKey`.
 * - Nothing is cut silently: when an event had to shrink to fit EventBridge's 256 KB, `truncated` says what
 *   was left out.
 */
import * as z from "zod";
import { severityLabelSchema } from "../findings/severity";
import { type CommandParams, LIFECYCLE_DETAIL_TYPES, type LifecycleDetailType } from "../incident/commands";
import type { EventPattern } from "../rules/pattern";

export const INCIDENT_EVENT_SCHEMA_VERSION = "1.0";
export const INCIDENT_EVENT_SCHEMA_ID = `urn:incident-response:schema:incident-event:${INCIDENT_EVENT_SCHEMA_VERSION}`;

/** ISO 8601 date-time with a zone (what the workflow's events carry). Kept short in the JSON Schema. */
const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  .meta({ format: "date-time" });
const text = (description: string) => z.string().meta({ description });
const json = z.json();

export const incidentResourceSchema = z
  .object({
    accountId: z.string(),
    region: text("`global` for IAM principals, access keys, S3 buckets and account-wide resources."),
    type: text("The primary resource's type: ec2-instance, access-key, s3-bucket, security-group…"),
    id: z.string(),
  })
  .meta({ description: "The incident's primary resource, read from its correlation key." });
export type IncidentResource = z.infer<typeof incidentResourceSchema>;

export const incidentLinksSchema = z
  .object({
    incident: z
      .string()
      .nullable()
      .meta({ description: "The incident in the dashboard; null when no dashboard URL is configured." }),
    runbook: z.string().nullable().meta({
      description:
        "The runbook section for the current phase; null when no runbook URL or runbook id is known.",
    }),
  })
  .meta({ description: "Where a person can follow up. Base URLs come from the publisher's configuration." });
export type IncidentLinks = z.infer<typeof incidentLinksSchema>;

export const incidentEventTruncationSchema = z
  .object({
    reason: z.string(),
    originalBytes: z
      .number()
      .meta({ description: "UTF-8 bytes of the PutEvents entry before anything was left out." }),
    omittedFacts: z
      .array(z.string())
      .meta({ description: "Facts left out, largest first; `facts` holds the rest." }),
    titleTrimmed: z
      .boolean()
      .meta({ description: 'The title was cut (ending in "…") because it alone was too large.' }),
  })
  .meta({
    description: "Present only when the event had to shrink to fit EventBridge's 256 KB entry limit.",
  });
export type IncidentEventTruncation = z.infer<typeof incidentEventTruncationSchema>;

export const incidentEventDetailSchema = z
  .object({
    schemaVersion: z
      .literal(INCIDENT_EVENT_SCHEMA_VERSION)
      .meta({ description: "<major>.<minor>: minors only add optional fields. Match on the major." }),
    idempotencyKey: z.string().min(1).meta({
      description:
        "Stable across re-deliveries of the same event (EventBridge is at-least-once): dedupe on it.",
    }),
    incidentId: z.string().min(1),
    title: z.string(),
    severity: severityLabelSchema,
    phase: text("detect | assess | contain | eradicate | recover | postmortem | closed | suppressed"),
    at: isoTime.meta({ description: "When what the event reports happened (not when it was published)." }),
    correlationKey: text(
      "<account>|<region or global>|<resource type>:<resource id>: one open incident per key.",
    ),
    resource: incidentResourceSchema.nullable(),
    deadlines: z.record(z.string(), isoTime).optional().meta({
      description:
        'SLA deadlines the event is about, by clock (phase): {"detect": "2024-05-01T10:15:00.000Z"}.',
    }),
    links: incidentLinksSchema,
    facts: z.record(z.string(), json).meta({
      description:
        "What else the event type knows: previous phase, breached clock and escalation level, close reason, " +
        "containment action and target, the finding type that opened the incident.",
    }),
    truncated: incidentEventTruncationSchema.optional(),
  })
  .meta({
    title: "Incident lifecycle event detail",
    description:
      "The `detail` of every lifecycle event the incident-response service publishes on EventBridge.",
  });
export type IncidentEventDetail = z.infer<typeof incidentEventDetailSchema>;

/** The JSON Schema (2020-12) of the detail, as published in docs/incident-events.md. */
export const incidentEventDetailJsonSchema: Record<string, unknown> = {
  $id: INCIDENT_EVENT_SCHEMA_ID,
  ...z.toJSONSchema(incidentEventDetailSchema, { target: "draft-2020-12", io: "input" }),
};

export type PublishIncidentEventParams = CommandParams<"publishIncidentEvent">;

/** `<account>|<region>|<type>:<id>` → its parts; null when the key is not in that form. */
export function resourceOfCorrelationKey(key: string): IncidentResource | null {
  const [accountId, region, rest, ...more] = key.split("|");
  if (accountId === undefined || region === undefined || rest === undefined) return null;
  const primary = [rest, ...more].join("|");
  const colon = primary.indexOf(":");
  if (accountId === "" || region === "" || colon <= 0 || colon === primary.length - 1) return null;
  return { accountId, region, type: primary.slice(0, colon), id: primary.slice(colon + 1) };
}

/** Deadlines named in the facts: `{clock, deadline}` (SLA events) and/or a `deadlines` record. */
function deadlinesOf(facts: Record<string, z.infer<typeof json>>): Record<string, string> | undefined {
  const deadlines: Record<string, string> = {};
  const listed = facts.deadlines;
  if (listed !== null && typeof listed === "object" && !Array.isArray(listed)) {
    for (const [clock, deadline] of Object.entries(listed))
      if (typeof deadline === "string") deadlines[clock] = deadline;
  }
  if (typeof facts.clock === "string" && typeof facts.deadline === "string")
    deadlines[facts.clock] = facts.deadline;
  return Object.keys(deadlines).length > 0 ? deadlines : undefined;
}

/** The detail of a lifecycle event, from a publishIncidentEvent command's params. */
export function toIncidentEventDetail(
  idempotencyKey: string,
  params: PublishIncidentEventParams,
  links: IncidentLinks,
): IncidentEventDetail {
  const { detail } = params;
  const deadlines = deadlinesOf(detail.facts);
  return {
    schemaVersion: INCIDENT_EVENT_SCHEMA_VERSION,
    idempotencyKey,
    incidentId: detail.incidentId,
    title: detail.title,
    severity: detail.severity,
    phase: detail.phase,
    at: detail.at,
    correlationKey: detail.correlationKey,
    resource: resourceOfCorrelationKey(detail.correlationKey),
    ...(deadlines ? { deadlines } : {}),
    links,
    facts: detail.facts,
  };
}

/**
 * An EventBridge event pattern for the lifecycle events of `serviceName` (all of them, or the given
 * detail types), on schema major version 1.
 */
export function incidentEventPattern(
  serviceName: string,
  detailTypes: readonly LifecycleDetailType[] = LIFECYCLE_DETAIL_TYPES,
): EventPattern {
  return {
    source: [serviceName],
    "detail-type": [...detailTypes],
    detail: { schemaVersion: [{ prefix: `${INCIDENT_EVENT_SCHEMA_VERSION.split(".")[0]}.` }] },
  };
}

/**
 * True when `event` was published by this service (an EventBridge event with `source`, or a PutEvents
 * entry with `Source`, equal to `serviceName`). Ingest skips these: our own lifecycle events coming back on
 * a bus must never open incidents or be quarantined as unknown.
 */
export function isOwnIncidentEvent(event: unknown, serviceName: string): boolean {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  const record = event as Record<string, unknown>;
  const source = typeof record.source === "string" ? record.source : record.Source;
  return typeof source === "string" && source === serviceName;
}
