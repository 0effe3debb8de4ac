/**
 * One GuardDuty finding (the `detail` of a "GuardDuty Finding" event, or a GetFindings element) → Finding.
 *
 * Invariants:
 * - Only `id`, `type` and `resource` (with its `resourceType`) are required; their absence is an
 *   InputError at their JSON path. Everything else is tolerated, with a warning where something was guessed.
 * - The finding's own accountId and region win over the envelope's (a delegated administrator receives
 *   member findings under its own account), and over the ARN's.
 * - Identity is (account, region, finding id) via guardDutyIdentity, shared with Security Hub copies.
 * - Times: updatedAt falls back to createdAt, then the envelope time; with no time at all, the Unix
 *   epoch (so any dated re-publication supersedes it) and a warning.
 */
import { categoryForGuardDutyType } from "../../detections/guardduty-categories";
import { buildFinding, type FindingDraft } from "../../findings/build";
import { guardDutyIdentity } from "../../findings/correlation";
import type { Finding } from "../../findings/finding";
import { fromGuardDutySeverity, fromLabel, type Severity } from "../../findings/severity";
import { actionActor } from "./actor";
import { sequenceActor, sequenceOf } from "./attack-sequence";
import { readResources } from "./resources";
import { EPOCH, firstOf, UNKNOWN, type View } from "./view";

/** What an EventBridge envelope can lend a finding that lacks it. */
export interface EnvelopeFallback {
  account?: string;
  region?: string;
  time?: string;
}

interface FindingArn {
  partition: string;
  region: string;
  account: string;
  detectorId?: string;
}

/**
 * With the detector, when the resource part starts with one, in the same pass (this runs for every
 * finding). The detector stops at a line break as `.` does: an ARN with one is no ARN at all.
 */
const FINDING_ARN = /^arn:([^:]+):guardduty:([^:]*):([^:]*):(?:detector\/([^/\n\r\u2028\u2029]+))?.*$/;

/** `arn:<partition>:guardduty:<region>:<account>:detector/<detector>/finding/<id>` */
export function parseFindingArn(arn: string | undefined): FindingArn | undefined {
  if (arn === undefined) return undefined;
  const match = FINDING_ARN.exec(arn);
  if (!match) return undefined;
  // Internal only (its fields are read, never copied into a finding), so detectorId may stay undefined.
  return { partition: match[1]!, region: match[2]!, account: match[3]!, detectorId: match[4] };
}

/** Where a missing account, region or time was expected (constants: `firstOf` is called per finding). */
const ACCOUNT_ID = { key: "accountId" };
const REGION = { key: "region" };
const UPDATED_AT = { key: "updatedAt" };

function readSeverity(detail: View): Severity {
  const severity = detail.num("severity");
  if (severity !== undefined) return fromGuardDutySeverity(severity);
  detail.ctx.warn("missing_severity", detail.pathOf("severity"), "no usable severity; read as MEDIUM");
  return fromLabel("MEDIUM");
}

function readCount(service: View | undefined): number {
  const count = service?.num("count");
  if (count === undefined) return 1;
  if (Number.isSafeInteger(count) && count >= 1) return count;
  const fixed = Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, Math.floor(count)));
  service!.ctx.warn(
    "invalid_value",
    service!.pathOf("count"),
    `count ${count} is not a positive integer; read as ${fixed}`,
  );
  return fixed;
}

export function readGuardDutyFinding(
  detail: View,
  fallback: EnvelopeFallback,
  warningsFrom: number,
): Finding {
  const id = detail.requireStr("id");
  const type = detail.requireStr("type");
  const resource = detail.requireObj("resource");
  const arn = parseFindingArn(detail.str("arn"));
  const accountId = firstOf(
    detail,
    ACCOUNT_ID,
    "account",
    UNKNOWN,
    detail.str("accountId"),
    fallback.account,
    arn?.account,
  );
  const region = firstOf(
    detail,
    REGION,
    "region",
    UNKNOWN,
    detail.str("region"),
    fallback.region,
    arn?.region,
  );
  const partition = detail.str("partition") ?? arn?.partition ?? "aws";
  const service = detail.obj("service");

  const createdAt = detail.time("createdAt");
  const updatedAt = firstOf(
    detail,
    UPDATED_AT,
    "time",
    EPOCH,
    detail.time("updatedAt"),
    createdAt,
    fallback.time,
  );
  const firstSeenAt = service?.time("eventFirstSeen") ?? createdAt ?? updatedAt;
  const lastSeenAt = service?.time("eventLastSeen") ?? updatedAt;

  const resources = readResources(resource, service, {
    partition,
    accountId,
    region,
    findingId: id,
    findingType: type,
  });
  const sequence = sequenceOf(service);
  const actor = (sequence ? sequenceActor(sequence) : undefined) ?? actionActor(service, resource, resources);

  // One literal, finished by buildFinding. Every member is present except `actor`, which is set in its
  // place only when there is one (rather than compacting the whole draft, a copy key by key).
  const draft = {
    source: "guardduty",
    identity: guardDutyIdentity(accountId, region, id),
    kind: "detection",
    type,
    category: categoryForGuardDutyType(type),
    title: detail.str("title") ?? type,
    description: detail.str("description") ?? "",
    severity: readSeverity(detail),
    accountId,
    region,
    firstSeenAt,
    lastSeenAt,
    updatedAt,
    count: readCount(service),
    archived: service?.bool("archived") ?? false,
    resources,
  } as FindingDraft;
  if (actor !== undefined) draft.actor = actor;
  const detectorId = arn?.detectorId ?? service?.str("detectorId");
  draft.origin = {
    product: "GuardDuty",
    sourceId: id,
    guardDuty: detectorId === undefined ? { findingId: id } : { detectorId, findingId: id },
    rawRef: detail.ctx.rawRef,
    rawPath: detail.path,
  };
  // Last: every warning above (severity, count, archived…) belongs to this finding.
  draft.warnings = detail.ctx.since(warningsFrom);
  return buildFinding(draft);
}
