/**
 * Application security events (custom bus, detail-type "Security Event") → findings.
 *
 * Invariants:
 * - The event type must be one of APP_EVENT_TYPES; anything else is refused with the allowed list, since
 *   an unknown type has no runbook meaning. Case is forgiven (with a warning), spelling is not.
 * - The severity is the application's own (low…critical, any case); a missing one reads as medium with
 *   a warning, an unknown one is refused.
 * - Every type is category application-security, privilege_escalation included: it is escalation inside
 *   the application's own authorization model, which the application runbook covers, not AWS IAM.
 * - Identity prefers the application's eventId (stable when the app re-sends), then the EventBridge id;
 *   with neither, a deterministic key from what the event says, so a replay is still one finding.
 */
import { InputError } from "../errors";
import { buildFinding } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Actor, Finding } from "../findings/finding";
import { fromLabel, type SeverityLabel } from "../findings/severity";
import type { Envelope } from "./envelope";
import { optionalObject, optionalString, optionalTime, type ReadContext } from "./read";
import type { SourceNormalizer } from "./source-normalizer";

export const APP_EVENT_TYPES = [
  "unauthorized_access",
  "failed_login",
  "suspicious_activity",
  "data_breach_attempt",
  "privilege_escalation",
] as const;
export type AppEventType = (typeof APP_EVENT_TYPES)[number];

const SEVERITIES: Record<string, SeverityLabel> = {
  low: "LOW",
  medium: "MEDIUM",
  high: "HIGH",
  critical: "CRITICAL",
};

const TITLES: Record<AppEventType, string> = {
  unauthorized_access: "Unauthorized access",
  failed_login: "Failed login",
  suspicious_activity: "Suspicious activity",
  data_breach_attempt: "Data breach attempt",
  privilege_escalation: "Privilege escalation",
};

const METADATA_PREVIEW_CHARS = 500;

function readEventType(value: unknown, ctx: ReadContext): AppEventType {
  const path = "$.detail.eventType";
  const raw = optionalString(value, path, ctx);
  if (raw === undefined) throw new InputError("missing_field", `${path} is required`, path);
  const normalized = raw.trim().toLowerCase();
  const known = APP_EVENT_TYPES.find((t) => t === normalized);
  if (known === undefined)
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${APP_EVENT_TYPES.join(", ")}; got "${raw.slice(0, 60)}"`,
      path,
    );
  if (known !== raw) ctx.warn("normalized_value", path, `event type "${raw}" read as "${known}"`);
  return known;
}

function readSeverity(value: unknown, ctx: ReadContext): SeverityLabel {
  const path = "$.detail.severity";
  const raw = optionalString(value, path, ctx);
  if (raw === undefined) {
    ctx.warn("missing_field", path, "no severity; read as medium");
    return "MEDIUM";
  }
  const label = SEVERITIES[raw.trim().toLowerCase()];
  if (label === undefined)
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${Object.keys(SEVERITIES).join(", ")} (any case); got "${raw.slice(0, 60)}"`,
      path,
    );
  return label;
}

/** Parts of a fallback identity, escaped so a ':' inside a value cannot make two events collide. */
const keyOf = (...parts: (string | undefined)[]): string[] =>
  parts.map((p) => (p === undefined ? "-" : encodeURIComponent(p)));

function fromEnvelope(envelope: Envelope, ctx: ReadContext): Finding[] {
  const mark = ctx.warnings.length;
  const d = envelope.detail;
  const eventType = readEventType(d.eventType, ctx);
  const severity = readSeverity(d.severity, ctx);
  const str = (key: string) => optionalString(d[key], `$.detail.${key}`, ctx);
  const ip = str("ipAddress");
  const userAgent = str("userAgent");
  const resourceId = str("resource");
  const action = str("action");
  const userId = str("userId");
  const eventId = str("eventId");
  const application = str("application") ?? envelope.source;
  const metadata = optionalObject(d.metadata, "$.detail.metadata", ctx);

  const at = optionalTime(d.timestamp, "$.detail.timestamp", ctx) ?? envelope.time;
  if (at === undefined)
    throw new InputError(
      "missing_field",
      "no readable time: $.detail.timestamp or $.time is required",
      "$.detail.timestamp",
    );
  const accountId = envelope.account ?? missing(ctx, "$.account", "account");
  const region = envelope.region ?? missing(ctx, "$.region", "region");
  if (resourceId === undefined)
    ctx.warn("missing_field", "$.detail.resource", "no resource; the application itself is the resource");
  const resource = resourceId ?? application ?? "unknown-application";

  const identityParts =
    eventId !== undefined
      ? keyOf(application, eventId)
      : envelope.id !== undefined
        ? ["event", envelope.id]
        : keyOf(application, eventType, at, userId, resourceId);

  const actor: Actor = {
    ...(ip !== undefined ? { ip } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...(userId !== undefined ? { principal: { name: userId, type: "ApplicationUser" } } : {}),
  };
  const metadataText = metadata !== undefined ? JSON.stringify(metadata) : undefined;

  return [
    buildFinding({
      source: "application",
      identity: findingIdentity("application", ...identityParts),
      kind: "detection",
      type: eventType,
      category: "application-security",
      title: `${TITLES[eventType]} on ${resource}${application !== undefined ? ` (${application})` : ""}`,
      description: [
        `${TITLES[eventType]}`,
        userId !== undefined ? `by user ${userId}` : undefined,
        ip !== undefined ? `from ${ip}` : undefined,
        action !== undefined ? `during action ${action}` : undefined,
        `on ${resource}.`,
        metadataText !== undefined
          ? `Metadata: ${metadataText.length > METADATA_PREVIEW_CHARS ? `${metadataText.slice(0, METADATA_PREVIEW_CHARS)}…` : metadataText}`
          : undefined,
      ]
        .filter((s) => s !== undefined)
        .join(" "),
      severity: fromLabel(severity),
      accountId,
      region,
      firstSeenAt: at,
      lastSeenAt: at,
      updatedAt: at,
      count: 1,
      archived: false,
      resources: [
        {
          type: "app-resource",
          id: resource,
          accountId,
          region,
          ...(application !== undefined ? { application } : {}),
        },
      ],
      ...(Object.keys(actor).length > 0 ? { actor } : {}),
      origin: {
        product: application ?? "application",
        sourceId: eventId ?? envelope.id ?? identityParts.join(":"),
        rawRef: ctx.rawRef,
        rawPath: "$",
      },
      warnings: ctx.since(mark),
    }),
  ];
}

function missing(ctx: ReadContext, path: string, what: string): string {
  ctx.warn("missing_field", path, `no ${what} on the event; read as "unknown"`);
  return "unknown";
}

export const appEventNormalizer: SourceNormalizer = {
  name: "application",
  detailTypes: ["Security Event"],
  fromEnvelope: (envelope, ctx) => fromEnvelope(envelope, ctx),
};
