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
import type { CloudTrailDetection, RelatedResource } from "../detections/cloudtrail-catalog";
import {
  ingressRulesOf,
  listOf,
  matchDetections,
  member,
  scalarMember,
  scalarsOf,
  section,
  severityFor,
} from "../detections/cloudtrail-match";
import { InputError } from "../errors";
import { buildFinding } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Actor, Finding } from "../findings/finding";
import type { IngressRule, Resource, ResourceOf } from "../findings/resource";
import { fromLabel } from "../findings/severity";
import { parseIp } from "../net/cidr";
import type { Envelope } from "./envelope";
import {
  childPath,
  isObject,
  type Json,
  objectAt,
  optionalArray,
  optionalTime,
  type ReadContext,
  requiredStringAt,
  stringAt,
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

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** Values that name no one: the sign-in mask, and the all-zero ids scrubbed samples carry. */
const usable = (value: string | undefined): string | undefined =>
  value === undefined || value === HIDDEN_USER_NAME || value === ZERO_UUID ? undefined : value;

/** Same members (and so the same object shape) as a read identity. */
const NO_IDENTITY: Identity = {
  type: undefined,
  arn: undefined,
  principalId: undefined,
  accountId: undefined,
  accessKeyId: undefined,
  userName: undefined,
  invokedBy: undefined,
  issuerName: undefined,
};

/** `userIdentity`, read in the order its warnings are recorded: the session objects, then the strings. */
function readIdentity(record: Json, recordPath: string, ctx: ReadContext): Identity {
  const obj = objectAt(record, "userIdentity", recordPath, ctx);
  if (!obj) return NO_IDENTITY;
  // Paths of fixed identifier keys, written out: the dotted form childPath would build.
  const path = `${recordPath}.userIdentity`;
  const session = objectAt(obj, "sessionContext", path, ctx);
  const sessionPath = `${path}.sessionContext`;
  const issuer = session ? objectAt(session, "sessionIssuer", sessionPath, ctx) : undefined;
  return {
    type: stringAt(obj, "type", path, ctx),
    arn: stringAt(obj, "arn", path, ctx),
    principalId: stringAt(obj, "principalId", path, ctx),
    accountId: stringAt(obj, "accountId", path, ctx),
    accessKeyId: stringAt(obj, "accessKeyId", path, ctx),
    userName: stringAt(obj, "userName", path, ctx),
    invokedBy: stringAt(obj, "invokedBy", path, ctx),
    issuerName: issuer ? stringAt(issuer, "userName", `${sessionPath}.sessionIssuer`, ctx) : undefined,
  };
}

const describeCaller = (id: Identity): string =>
  id.arn ??
  (id.userName !== undefined ? `${id.type ?? "user"} ${id.userName}` : undefined) ??
  id.principalId ??
  id.invokedBy ??
  id.type ??
  "an unknown caller";

const principalName = (id: Identity): string | undefined =>
  id.userName ?? id.issuerName ?? (id.type === "Root" ? "root" : undefined);

/**
 * For a plain dotted quad (four parts of 1–3 digits): whether it is an IPv4 address, i.e. every part is at
 * most 255. Undefined for any other text. (A char loop: it runs for every record.)
 */
function dottedQuadIsIp(text: string): boolean | undefined {
  let parts = 0;
  let digits = 0;
  let octet = 0;
  let inRange = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last part like a dot
    if (c === 46) {
      if (digits === 0) return undefined;
      if (octet > 255) inRange = false;
      parts++;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      digits++;
      octet = octet * 10 + (c - 48);
    } else return undefined;
  }
  return parts === 4 ? inRange : undefined;
}

/** `parseIp(text) !== undefined`, answering the usual dotted quad without parseIp's bigint arithmetic. */
const isIpAddress = (text: string): boolean => dottedQuadIsIp(text) ?? parseIp(text) !== undefined;

/** The caller as the finding's actor; members in a fixed order, absent ones left out. */
function actorOf(identity: Identity, source: string | undefined, userAgent: string | undefined): Actor {
  const actor: Actor = {};
  const name = principalName(identity);
  const { arn, type, accountId, accessKeyId } = identity;
  if (
    arn !== undefined ||
    name !== undefined ||
    type !== undefined ||
    accountId !== undefined ||
    accessKeyId !== undefined
  ) {
    const principal: NonNullable<Actor["principal"]> = {};
    if (arn !== undefined) principal.arn = arn;
    if (name !== undefined) principal.name = name;
    if (type !== undefined) principal.type = type;
    if (accountId !== undefined) principal.accountId = accountId;
    if (accessKeyId !== undefined) principal.accessKeyId = accessKeyId;
    actor.principal = principal;
  }
  if (source !== undefined) {
    // Services calling on a user's behalf log their own name ("servicecatalog.amazonaws.com") here.
    if (isIpAddress(source)) actor.ip = source;
    else actor.domain = source;
  }
  if (userAgent !== undefined) actor.userAgent = userAgent;
  return actor;
}

/** Everything the findings of one record share. */
interface RecordFacts {
  record: Json;
  path: string;
  eventSource: string;
  eventName: string;
  time: string;
  accountId: string;
  region: string;
  sourceId: string;
  eventId?: string;
  identity: Identity;
  caller: string;
  actor: Actor;
  errorCode?: string;
  /** What was called, by whom, from where, when and with what outcome: every description's middle. */
  summary: string;
  /** " Target: userName …." for IAM calls that name one, else "": every description's end. */
  iamTarget: string;
}

function readFacts(
  record: Json,
  path: string,
  eventSource: string,
  eventName: string,
  ctx: ReadContext,
  fallback: Fallback,
): RecordFacts {
  const timePath = `${path}.eventTime`; // childPath's dotted form for an identifier key
  let time = optionalTime(record.eventTime, timePath, ctx);
  if (time === undefined && fallback.time !== undefined) {
    ctx.warn("fallback_time", timePath, "no readable eventTime; used the envelope's time");
    time = fallback.time;
  }
  if (time === undefined)
    throw new InputError(
      record.eventTime === undefined ? "missing_field" : "invalid_value",
      `${timePath} must be a readable time`,
      timePath,
    );

  const identity = readIdentity(record, path, ctx);
  let accountId = stringAt(record, "recipientAccountId", path, ctx) ?? identity.accountId ?? fallback.account;
  if (accountId === undefined) {
    ctx.warn(
      "missing_field",
      childPath(path, "recipientAccountId"),
      "no account id in the record or envelope",
    );
    accountId = "unknown";
  }
  let region = stringAt(record, "awsRegion", path, ctx) ?? fallback.region;
  if (region === undefined) {
    ctx.warn("missing_field", childPath(path, "awsRegion"), "no region in the record or envelope");
    region = "unknown";
  }

  const rawEventId = stringAt(record, "eventID", path, ctx);
  const eventId = usable(rawEventId);
  if (rawEventId !== undefined && eventId === undefined)
    ctx.warn(
      "placeholder_id",
      childPath(path, "eventID"),
      `eventID "${rawEventId}" is a placeholder; not used as identity`,
    );
  const requestId = usable(stringAt(record, "requestID", path, ctx));
  const source = stringAt(record, "sourceIPAddress", path, ctx);
  const actor = actorOf(identity, source, stringAt(record, "userAgent", path, ctx));
  const errorCode = stringAt(record, "errorCode", path, ctx);
  const errorMessage = stringAt(record, "errorMessage", path, ctx);
  const caller = describeCaller(identity);

  // Built once per record, not per finding: a record can yield several findings.
  const from = actor.ip ?? actor.domain;
  let summary = `${eventName} (${eventSource}) was called by ${caller}`;
  if (from) summary += ` from ${from}`;
  summary += ` in ${region} at ${time}`;
  if (errorCode) summary += `; it failed with ${errorCode}${errorMessage ? ` (${errorMessage})` : ""}`;
  // Sign-in failures carry only errorMessage ("Failed authentication", "No username found…").
  else if (errorMessage) summary += `: ${errorMessage}`;
  summary += ".";

  return {
    record,
    path,
    eventSource,
    eventName,
    time,
    accountId,
    region,
    sourceId: eventId ?? `${time}/${eventName}/${requestId ?? "no-request-id"}`,
    eventId,
    identity,
    caller,
    actor,
    errorCode,
    summary,
    iamTarget: eventSource === "iam.amazonaws.com" ? describeIamTarget(record) : "",
  };
}

/** IAM request members that say whom or what a call targets, in the order the description lists them. */
const IAM_TARGET_KEYS = ["userName", "roleName", "groupName", "policyArn", "policyName"] as const;

function describeIamTarget(record: Json): string {
  const target: string[] = [];
  const request = section(record, "requestParameters");
  for (const key of IAM_TARGET_KEYS) {
    const value = scalarMember(request, key);
    if (value !== undefined) target.push(`${key} ${value}`);
  }
  return target.length > 0 ? ` Target: ${target.join(", ")}.` : "";
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
  const resource: ResourceOf<"iam-principal"> = { type: "iam-principal", id: resourceId };
  if (id.arn !== undefined) resource.arn = id.arn;
  resource.accountId = id.accountId ?? f.accountId;
  if (id.type !== undefined) resource.principalType = id.type;
  const name = principalName(id);
  if (name !== undefined) resource.name = name;
  return resource;
}

const ARN = /^arn:[^:]+:([^:]+):([^:]*):([^:]*):(.+)$/;
const parseArn = (text: string) => {
  const m = ARN.exec(text);
  return m ? { service: m[1]!, region: m[2]!, accountId: m[3]!, resource: m[4]! } : undefined;
};

const PARTITION = /^arn:([^:]+):/;

function securityGroupResource(f: RecordFacts, ctx: ReadContext): Resource | undefined {
  const params = section(f.record, "requestParameters");
  const response = section(f.record, "responseElements");
  const createdRule = listOf(member(response, "securityGroupRuleSet"))[0];
  const groupId =
    scalarMember(params, "groupId") ??
    scalarMember(response, "groupId") ??
    scalarMember(createdRule, "groupId");
  const name = scalarMember(params, "groupName");
  const id = groupId ?? name;
  if (id === undefined) return undefined;
  const resource: ResourceOf<"security-group"> = {
    type: "security-group",
    id,
    accountId: f.accountId,
    region: f.region,
  };
  if (name !== undefined) resource.name = name;
  const vpcId = scalarMember(params, "vpcId");
  if (vpcId !== undefined) resource.vpcId = vpcId;
  if (f.eventName === "AuthorizeSecurityGroupIngress")
    resource.ingress = ingressRulesOf(f.record, ctx, f.path);
  return resource;
}

function bucketResource(f: RecordFacts): Resource | undefined {
  const name = scalarMember(section(f.record, "requestParameters"), "bucketName");
  if (name === undefined) return undefined;
  const partition = PARTITION.exec(f.identity.arn ?? "")?.[1] ?? "aws";
  return { type: "s3-bucket", id: name, arn: `arn:${partition}:s3:::${name}`, accountId: f.accountId };
}

/** The key's ARN says where it lives, which may differ from awsRegion (cross-region calls by ARN). */
function kmsKeyResource(f: RecordFacts, ctx: ReadContext): Resource | undefined {
  const listed = f.record.resources;
  const resources = Array.isArray(listed)
    ? listed
    : optionalArray(listed, childPath(f.path, "resources"), ctx);
  const requested = scalarMember(section(f.record, "requestParameters"), "keyId");
  const candidates = resources.map((r) => scalarMember(r, "ARN"));
  candidates.push(scalarMember(section(f.record, "responseElements"), "keyId"), requested);
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const arn = parseArn(candidate);
    // `key/` with nothing after it names no key: try the next candidate.
    if (arn?.service === "kms" && arn.resource.startsWith("key/") && arn.resource.length > "key/".length) {
      const resource: ResourceOf<"kms-key"> = {
        type: "kms-key",
        id: arn.resource.slice("key/".length),
        arn: candidate,
        accountId: arn.accountId || f.accountId,
      };
      if (arn.region) resource.region = arn.region;
      return resource;
    }
  }
  // A key id or alias as given; an ARN that stops at `key/` names nothing.
  if (requested === undefined || requested.endsWith(":key/")) return undefined;
  return { type: "kms-key", id: requested, accountId: f.accountId, region: f.region };
}

/** Trails are named by name or ARN; the name is the id so both spellings correlate. */
function trailResource(f: RecordFacts): Resource | undefined {
  const response = section(f.record, "responseElements");
  const given =
    scalarMember(section(f.record, "requestParameters"), "name") ?? scalarMember(response, "name");
  const arnText = [given, scalarMember(response, "trailARN")].find(
    (t) => t !== undefined && parseArn(t)?.service === "cloudtrail",
  );
  const arn = arnText === undefined ? undefined : parseArn(arnText);
  const id = arn?.resource.replace(/^trail\//, "") || given;
  if (id === undefined) return undefined;
  const resource: ResourceOf<"cloudtrail-trail"> = { type: "cloudtrail-trail", id };
  if (arnText !== undefined) resource.arn = arnText;
  resource.accountId = arn?.accountId || f.accountId;
  resource.region = arn?.region || f.region;
  return resource;
}

/** The one instance the call is about, when it names exactly one. */
function instanceResource(f: RecordFacts): Resource | undefined {
  const params = section(f.record, "requestParameters");
  if (params === undefined) return undefined;
  const ids = new Set(scalarsOf(params, "instanceId"));
  for (const id of scalarsOf(params, "instanceIds")) ids.add(id);
  for (const item of listOf(member(params, "instancesSet")))
    for (const id of scalarsOf(item, "instanceId")) ids.add(id);
  if (ids.size !== 1) return undefined;
  const [id] = ids;
  return {
    type: "ec2-instance",
    id: id!,
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
  // Every reader above returns a named resource; an empty id would fail the finding schema, so it is
  // treated as not found rather than trusted.
  if (resource?.id === "") resource = undefined;
  if (resource === undefined && pick !== "subject")
    ctx.warn(
      "resource_not_found",
      f.path,
      `no ${pick} named in ${f.eventName}; the finding is about the account`,
    );
  return resource ?? accountResource(f);
}

const relatedType = (rel: RelatedResource): Resource["type"] =>
  rel.as === "cloudwatch-alarm" || rel.as === "access-key" ? rel.as : "other";

/** Secondary resources the detection lists, minus any that is the primary one. */
function relatedResources(
  related: readonly RelatedResource[],
  f: RecordFacts,
  primary: Resource,
): Resource[] {
  const resources: Resource[] = [];
  for (const rel of related) {
    const body = section(f.record, rel.from === "response" ? "responseElements" : "requestParameters");
    const ids = new Set<string>();
    for (const param of rel.params) for (const id of scalarsOf(body, param)) ids.add(id);
    for (const id of ids) {
      if (id === primary.id && relatedType(rel) === primary.type) continue;
      const { accountId, region } = f;
      if (rel.as === "cloudwatch-alarm") resources.push({ type: "cloudwatch-alarm", id, accountId, region });
      else if (rel.as === "access-key") {
        const key: ResourceOf<"access-key"> = { type: "access-key", id, accountId };
        if (f.identity.userName !== undefined) key.userName = f.identity.userName;
        if (f.identity.type !== undefined) key.userType = f.identity.type;
        resources.push(key);
      } else resources.push({ type: "other", id, accountId, region, sourceType: rel.as.sourceType });
    }
  }
  return resources;
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

function describeFinding(detection: CloudTrailDetection, f: RecordFacts, primary: Resource): string {
  let text = `${detection.description} ${f.summary}`;
  if (primary.type !== "aws-account") text += ` Resource: ${primary.type} ${primary.id}.`;
  if (primary.type === "security-group" && primary.ingress?.length)
    text += ` Ingress added: ${primary.ingress.map(describeRule).join("; ")}.`;
  return text + f.iamTarget;
}

function findingFor(
  detection: CloudTrailDetection,
  f: RecordFacts,
  ctx: ReadContext,
  shared: Finding["warnings"],
) {
  const mark = ctx.warnings.length;
  const primary = primaryResource(detection, f, ctx);
  const resources =
    detection.related === undefined
      ? [primary]
      : [primary, ...relatedResources(detection.related, f, primary)];
  return buildFinding({
    source: "cloudtrail",
    identity: findingIdentity("cloudtrail", f.accountId, f.sourceId, detection.id),
    kind: "detection",
    type: detection.id,
    category: detection.category,
    title: `${detection.title}: ${f.eventName} by ${f.caller}${f.errorCode ? ` (failed: ${f.errorCode})` : ""}`,
    description: describeFinding(detection, f, primary),
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
      cloudTrail:
        f.eventId === undefined
          ? { eventName: f.eventName, eventSource: f.eventSource }
          : { eventName: f.eventName, eventSource: f.eventSource, eventId: f.eventId },
      rawRef: ctx.rawRef,
      rawPath: f.path,
    },
    warnings: shared.length === 0 ? ctx.since(mark) : shared.concat(ctx.since(mark)),
  });
}

const NO_FALLBACK: Fallback = {};

/** One CloudTrail record at `path` → a finding per matched detection. Throws only InputError. */
export function readCloudTrailRecord(
  record: Json,
  path: string,
  ctx: ReadContext,
  fallback: Fallback = NO_FALLBACK,
  /** Defaults to the built-in catalog (CLOUDTRAIL_DETECTIONS). */
  catalog?: readonly CloudTrailDetection[],
): Finding[] {
  if (!isObject(record))
    throw new InputError("wrong_type", `${path} must be a CloudTrail record object`, path);
  const mark = ctx.warnings.length;
  const eventSource = requiredStringAt(record, "eventSource", path);
  const eventName = requiredStringAt(record, "eventName", path);
  const detections = matchDetections(record, eventSource, eventName, catalog);
  if (detections.length === 0) return [];
  const facts = readFacts(record, path, eventSource, eventName, ctx, fallback);
  const shared = ctx.since(mark);
  const findings: Finding[] = [];
  for (const detection of detections) findings.push(findingFor(detection, facts, ctx, shared));
  return findings;
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
