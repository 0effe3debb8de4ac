/**
 * CloudTrail records → findings, one per detection the record matches (core/detections/cloudtrail-catalog.ts).
 *
 * Invariants:
 * - Routed by detail-type ("AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail") whatever
 *   the envelope's `source` says, or as a bare record (eventVersion + eventSource + eventName + eventTime).
 *   Containers (`{"Records":[...]}`) are unwrapped by the dispatcher, not here.
 * - A record no detection matches yields no finding; that is not an error. A record without eventSource
 *   or eventName is an InputError at that path.
 * - Identity is (account, eventID, detection id): a redelivered record is the same finding; two detections
 *   on one record are two findings. Without a usable eventID, eventTime + eventName + requestID stand in.
 * - "HIDDEN_DUE_TO_SECURITY_REASONS" (CloudTrail's mask for mistyped user names) is kept as the name the
 *   record gives, but never used as a resource id: it would join unrelated people's failures.
 * - Dates inside requestParameters / responseElements ("Apr 12, 2021 18:58:30 PM") are never read.
 */
import {
  CLOUDTRAIL_DETECTIONS,
  type CloudTrailDetection,
  type RelatedResource,
} from "../detections/cloudtrail-catalog";
import {
  ingressRulesOf,
  listOf,
  matchDetections,
  member,
  scalar,
  scalarsOf,
  section,
  severityFor,
} from "../detections/cloudtrail-match";
import { InputError } from "../errors";
import { buildFinding } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Actor, Finding } from "../findings/finding";
import type { IngressRule, Resource } from "../findings/resource";
import { fromLabel } from "../findings/severity";
import { parseIp } from "../net/cidr";
import type { Envelope } from "./envelope";
import {
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalObject,
  optionalString,
  optionalTime,
  type ReadContext,
  requireString,
} from "./read";
import type { SourceNormalizer } from "./source-normalizer";

export const CLOUDTRAIL_DETAIL_TYPES = [
  "AWS API Call via CloudTrail",
  "AWS Console Sign In via CloudTrail",
] as const;

export const HIDDEN_USER_NAME = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** A raw CloudTrail record (log file entry, `detail` body, CloudTrail Lake / LookupEvents payload). */
export const isCloudTrailRecord = (doc: Json): boolean =>
  "eventVersion" in doc && "eventSource" in doc && "eventName" in doc && "eventTime" in doc;

/** What the envelope knows when the record does not say. */
interface Fallback {
  account?: string;
  region?: string;
  time?: string;
}

interface Identity {
  type?: string;
  arn?: string;
  principalId?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  issuerName?: string;
}

const ZERO_UUID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** Values that name no one: the sign-in mask, and the all-zero ids scrubbed samples carry. */
const usable = (value: string | undefined): string | undefined =>
  value === undefined || value === HIDDEN_USER_NAME || ZERO_UUID.test(value) ? undefined : value;

function readIdentity(value: unknown, path: string, ctx: ReadContext): Identity {
  const obj = optionalObject(value, path, ctx);
  if (!obj) return {};
  const str = (key: string) => optionalString(obj[key], childPath(path, key), ctx);
  const session = optionalObject(obj.sessionContext, childPath(path, "sessionContext"), ctx);
  const issuerPath = childPath(childPath(path, "sessionContext"), "sessionIssuer");
  const issuer = session ? optionalObject(session.sessionIssuer, issuerPath, ctx) : undefined;
  return {
    type: str("type"),
    arn: str("arn"),
    principalId: str("principalId"),
    accountId: str("accountId"),
    accessKeyId: str("accessKeyId"),
    userName: str("userName"),
    invokedBy: str("invokedBy"),
    issuerName: issuer ? optionalString(issuer.userName, childPath(issuerPath, "userName"), ctx) : undefined,
  };
}

/** Drops undefined members so findings compare and serialise cleanly. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

const describeCaller = (id: Identity): string =>
  id.arn ??
  (id.userName !== undefined ? `${id.type ?? "user"} ${id.userName}` : undefined) ??
  id.principalId ??
  id.invokedBy ??
  id.type ??
  "an unknown caller";

/** Everything the findings of one record share. */
interface RecordFacts {
  record: Json;
  path: string;
  eventSource: string;
  eventName: string;
  time: string;
  accountId: string;
  region: string;
  partition: string;
  sourceId: string;
  eventId?: string;
  identity: Identity;
  actor: Actor;
  errorCode?: string;
  errorMessage?: string;
}

function readFacts(
  record: Json,
  path: string,
  eventSource: string,
  eventName: string,
  ctx: ReadContext,
  fallback: Fallback,
): RecordFacts {
  const at = (key: string) => childPath(path, key);
  const str = (key: string) => optionalString(record[key], at(key), ctx);

  let time = optionalTime(record.eventTime, at("eventTime"), ctx);
  if (time === undefined && fallback.time !== undefined) {
    ctx.warn("fallback_time", at("eventTime"), "no readable eventTime; used the envelope's time");
    time = fallback.time;
  }
  if (time === undefined)
    throw new InputError(
      record.eventTime === undefined ? "missing_field" : "invalid_value",
      `${at("eventTime")} must be a readable time`,
      at("eventTime"),
    );

  const identity = readIdentity(record.userIdentity, at("userIdentity"), ctx);
  let accountId = str("recipientAccountId") ?? identity.accountId ?? fallback.account;
  if (accountId === undefined) {
    ctx.warn("missing_field", at("recipientAccountId"), "no account id in the record or envelope");
    accountId = "unknown";
  }
  let region = str("awsRegion") ?? fallback.region;
  if (region === undefined) {
    ctx.warn("missing_field", at("awsRegion"), "no region in the record or envelope");
    region = "unknown";
  }

  const rawEventId = str("eventID");
  const eventId = usable(rawEventId);
  if (rawEventId !== undefined && eventId === undefined)
    ctx.warn(
      "placeholder_id",
      at("eventID"),
      `eventID "${rawEventId}" is a placeholder; not used as identity`,
    );
  const requestId = usable(str("requestID"));

  const source = str("sourceIPAddress");
  // Services calling on a user's behalf log their own name ("servicecatalog.amazonaws.com") here.
  const isIp = source !== undefined && parseIp(source) !== undefined;
  const principal = compact({
    arn: identity.arn,
    name: identity.userName ?? identity.issuerName ?? (identity.type === "Root" ? "root" : undefined),
    type: identity.type,
    accountId: identity.accountId,
    accessKeyId: identity.accessKeyId,
  });
  const actor = compact<Actor>({
    principal: Object.keys(principal).length > 0 ? principal : undefined,
    ip: isIp ? source : undefined,
    domain: isIp ? undefined : source,
    userAgent: str("userAgent"),
  });

  return {
    record,
    path,
    eventSource,
    eventName,
    time,
    accountId,
    region,
    partition: /^arn:([^:]+):/.exec(identity.arn ?? "")?.[1] ?? "aws",
    sourceId: eventId ?? [time, eventName, requestId ?? "no-request-id"].join("/"),
    eventId,
    identity,
    actor,
    errorCode: str("errorCode"),
    errorMessage: str("errorMessage"),
  };
}

// ── Resources ──────────────────────────────────────────────────────────────────────────────────────

const accountResource = (f: RecordFacts): Resource => ({
  type: "aws-account",
  id: f.accountId,
  accountId: f.accountId,
});

function principalResource(f: RecordFacts): Resource | undefined {
  const id = f.identity;
  const resourceId = id.arn ?? usable(id.principalId) ?? usable(id.userName);
  if (resourceId === undefined) return undefined;
  return compact({
    type: "iam-principal" as const,
    id: resourceId,
    arn: id.arn,
    accountId: id.accountId ?? f.accountId,
    principalType: id.type,
    name: id.userName ?? id.issuerName ?? (id.type === "Root" ? "root" : undefined),
  });
}

const ARN = /^arn:[^:]+:([^:]+):([^:]*):([^:]*):(.+)$/;
const parseArn = (text: string) => {
  const m = ARN.exec(text);
  return m ? { service: m[1]!, region: m[2]!, accountId: m[3]!, resource: m[4]! } : undefined;
};

function securityGroupResource(f: RecordFacts, ctx: ReadContext): Resource | undefined {
  const params = section(f.record, "requestParameters");
  const response = section(f.record, "responseElements");
  const createdRule = listOf(member(response, "securityGroupRuleSet"))[0];
  const groupId =
    scalar(member(params, "groupId")) ??
    scalar(member(response, "groupId")) ??
    scalar(member(createdRule, "groupId"));
  const name = scalar(member(params, "groupName"));
  const id = groupId ?? name;
  if (id === undefined) return undefined;
  let ingress: IngressRule[] | undefined;
  if (f.eventName === "AuthorizeSecurityGroupIngress") ingress = ingressRulesOf(f.record, ctx, f.path);
  return compact({
    type: "security-group" as const,
    id,
    accountId: f.accountId,
    region: f.region,
    name,
    vpcId: scalar(member(params, "vpcId")),
    ingress,
  });
}

function bucketResource(f: RecordFacts): Resource | undefined {
  const name = scalar(member(section(f.record, "requestParameters"), "bucketName"));
  if (name === undefined) return undefined;
  return { type: "s3-bucket", id: name, arn: `arn:${f.partition}:s3:::${name}`, accountId: f.accountId };
}

/** The key's ARN says where it lives, which may differ from awsRegion (cross-region calls by ARN). */
function kmsKeyResource(f: RecordFacts, ctx: ReadContext): Resource | undefined {
  const listedArns = optionalArray(f.record.resources, childPath(f.path, "resources"), ctx).map((r) =>
    scalar(member(r, "ARN")),
  );
  const requested = scalar(member(section(f.record, "requestParameters"), "keyId"));
  const candidates = [
    ...listedArns,
    scalar(member(section(f.record, "responseElements"), "keyId")),
    requested,
  ].filter((c): c is string => c !== undefined);
  for (const candidate of candidates) {
    const arn = parseArn(candidate);
    if (arn?.service === "kms" && arn.resource.startsWith("key/"))
      return compact({
        type: "kms-key" as const,
        id: arn.resource.slice("key/".length),
        arn: candidate,
        accountId: arn.accountId || f.accountId,
        region: arn.region || undefined,
      });
  }
  if (requested === undefined) return undefined;
  return { type: "kms-key", id: requested, accountId: f.accountId, region: f.region };
}

/** Trails are named by name or ARN; the name is the id so both spellings correlate. */
function trailResource(f: RecordFacts): Resource | undefined {
  const response = section(f.record, "responseElements");
  const given =
    scalar(member(section(f.record, "requestParameters"), "name")) ?? scalar(member(response, "name"));
  const arnText = [given, scalar(member(response, "trailARN"))].find(
    (t) => t !== undefined && parseArn(t)?.service === "cloudtrail",
  );
  const arn = arnText === undefined ? undefined : parseArn(arnText);
  const id = arn?.resource.replace(/^trail\//, "") ?? given;
  if (id === undefined) return undefined;
  return compact({
    type: "cloudtrail-trail" as const,
    id,
    arn: arnText,
    accountId: arn?.accountId || f.accountId,
    region: arn?.region || f.region,
  });
}

/** The one instance the call is about, when it names exactly one. */
function instanceResource(f: RecordFacts): Resource | undefined {
  const params = section(f.record, "requestParameters");
  const ids = new Set([
    ...scalarsOf(params, "instanceId"),
    ...scalarsOf(params, "instanceIds"),
    ...listOf(member(params, "instancesSet")).flatMap((i) => scalarsOf(i, "instanceId")),
  ]);
  if (ids.size !== 1) return undefined;
  return {
    type: "ec2-instance",
    id: [...ids][0]!,
    accountId: f.accountId,
    region: f.region,
    networkInterfaces: [],
    securityGroups: [],
  };
}

function primaryResource(detection: CloudTrailDetection, f: RecordFacts, ctx: ReadContext): Resource {
  const pick = detection.resource;
  let resource: Resource | undefined;
  switch (pick) {
    case "principal":
      resource = principalResource(f);
      break;
    case "security-group":
      resource = securityGroupResource(f, ctx);
      break;
    case "bucket":
      resource = bucketResource(f);
      break;
    case "kms-key":
      resource = kmsKeyResource(f, ctx);
      break;
    case "trail":
      resource = trailResource(f);
      break;
    case "subject":
      resource = instanceResource(f);
      break;
    default: {
      const never: never = pick;
      throw new Error(`unknown resource pick ${String(never)}`);
    }
  }
  if (resource === undefined && pick !== "subject")
    ctx.warn(
      "resource_not_found",
      f.path,
      `no ${pick} named in ${f.eventName}; the finding is about the account`,
    );
  return resource ?? accountResource(f);
}

function relatedResources(related: readonly RelatedResource[], f: RecordFacts): Resource[] {
  return related.flatMap((rel) => {
    const body = section(f.record, rel.from === "response" ? "responseElements" : "requestParameters");
    const ids = [...new Set(rel.params.flatMap((p) => scalarsOf(body, p)))];
    return ids.map((id): Resource => {
      const base = { id, accountId: f.accountId, region: f.region };
      if (rel.as === "cloudwatch-alarm") return { type: "cloudwatch-alarm", ...base };
      if (rel.as === "access-key")
        return compact({
          type: "access-key" as const,
          ...base,
          region: undefined,
          userName: f.identity.userName,
          userType: f.identity.type,
        });
      return { type: "other", ...base, sourceType: rel.as.sourceType };
    });
  });
}

// ── Findings ───────────────────────────────────────────────────────────────────────────────────────

const describeRule = (r: IngressRule) => {
  const ports =
    r.fromPort === undefined
      ? ""
      : r.toPort === r.fromPort
        ? ` port ${r.fromPort}`
        : ` ports ${r.fromPort}-${r.toPort}`;
  return `${r.protocol === "-1" ? "all traffic" : r.protocol}${ports} from ${r.cidr}${r.worldOpen ? " (the whole internet)" : ""}`;
};

function describeFinding(detection: CloudTrailDetection, f: RecordFacts, resources: Resource[]): string {
  const primary = resources[0]!;
  const parts = [
    `${detection.description} ${f.eventName} (${f.eventSource}) was called by ${describeCaller(f.identity)}`,
    (f.actor.ip ?? f.actor.domain) ? ` from ${f.actor.ip ?? f.actor.domain}` : "",
    ` in ${f.region} at ${f.time}`,
    f.errorCode ? `; it failed with ${f.errorCode}${f.errorMessage ? ` (${f.errorMessage})` : ""}` : "",
    // Sign-in failures carry only errorMessage ("Failed authentication", "No username found…").
    !f.errorCode && f.errorMessage ? `: ${f.errorMessage}` : "",
    ".",
    primary.type === "aws-account" ? "" : ` Resource: ${primary.type} ${primary.id}.`,
  ];
  if (primary.type === "security-group" && primary.ingress?.length)
    parts.push(` Ingress added: ${primary.ingress.map(describeRule).join("; ")}.`);
  const target = ["userName", "roleName", "groupName", "policyArn", "policyName"].flatMap((key) => {
    const value = scalar(member(section(f.record, "requestParameters"), key));
    return value === undefined ? [] : [`${key} ${value}`];
  });
  if (target.length > 0 && f.eventSource === "iam.amazonaws.com")
    parts.push(` Target: ${target.join(", ")}.`);
  return parts.join("");
}

function findingFor(
  detection: CloudTrailDetection,
  f: RecordFacts,
  ctx: ReadContext,
  shared: Finding["warnings"],
) {
  const mark = ctx.warnings.length;
  const primary = primaryResource(detection, f, ctx);
  const related = relatedResources(detection.related ?? [], f).filter(
    (r) => !(r.type === primary.type && r.id === primary.id),
  );
  const resources = [primary, ...related];
  const failed = f.errorCode ? ` (failed: ${f.errorCode})` : "";
  return buildFinding({
    source: "cloudtrail",
    identity: findingIdentity("cloudtrail", f.accountId, f.sourceId, detection.id),
    kind: "detection",
    type: detection.id,
    category: detection.category,
    title: `${detection.title}: ${f.eventName} by ${describeCaller(f.identity)}${failed}`,
    description: describeFinding(detection, f, resources),
    severity: fromLabel(severityFor(detection, f.eventName)),
    accountId: f.accountId,
    region: f.region,
    firstSeenAt: f.time,
    lastSeenAt: f.time,
    updatedAt: f.time,
    count: 1,
    archived: false,
    resources,
    actor: f.actor,
    origin: {
      product: "CloudTrail",
      sourceId: f.sourceId,
      cloudTrail: compact({ eventName: f.eventName, eventSource: f.eventSource, eventId: f.eventId }),
      rawRef: ctx.rawRef,
      rawPath: f.path,
    },
    warnings: [...shared, ...ctx.since(mark)],
  });
}

/** One CloudTrail record at `path` → a finding per matched detection. Throws only InputError. */
export function readCloudTrailRecord(
  record: Json,
  path: string,
  ctx: ReadContext,
  fallback: Fallback = {},
  catalog: readonly CloudTrailDetection[] = CLOUDTRAIL_DETECTIONS,
): Finding[] {
  if (!isObject(record))
    throw new InputError("wrong_type", `${path} must be a CloudTrail record object`, path);
  const mark = ctx.warnings.length;
  const eventSource = requireString(record.eventSource, childPath(path, "eventSource"));
  const eventName = requireString(record.eventName, childPath(path, "eventName"));
  const detections = matchDetections(record, eventSource, eventName, catalog);
  if (detections.length === 0) return [];
  const facts = readFacts(record, path, eventSource, eventName, ctx, fallback);
  const shared = ctx.since(mark);
  return detections.map((detection) => findingFor(detection, facts, ctx, shared));
}

export const cloudTrailNormalizer: SourceNormalizer = {
  name: "cloudtrail",
  detailTypes: CLOUDTRAIL_DETAIL_TYPES,
  fromEnvelope: (envelope: Envelope, ctx: ReadContext) =>
    readCloudTrailRecord(envelope.detail, "$.detail", ctx, {
      account: envelope.account,
      region: envelope.region,
      time: envelope.time,
    }),
  bare: {
    matches: isCloudTrailRecord,
    read: (doc, path, ctx) => readCloudTrailRecord(doc, path, ctx),
  },
};
