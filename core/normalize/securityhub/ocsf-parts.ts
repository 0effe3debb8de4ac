/**
 * Pieces of an OCSF finding (Security Hub "Findings Imported V2", OCSF 1.x Detection / Compliance /
 * Vulnerability / Data Security Finding): resources, severity, times and the actor from evidences.
 * OCSF timestamps are epoch milliseconds by definition, so reading one is not worth a warning;
 * the `<name>_dt` ISO twin is preferred when present.
 */
import type { Actor } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import { fromLabel, type Severity, type SeverityLabel } from "../../findings/severity";
import { childPath, isObject, type Json, optionalTime, ReadContext } from "../read";
import { arrayAt, dig, labelOf, numberAt, objectAt, stringAt, text, timeAt, unknownSeverity } from "./common";
import { toResource } from "./resources";

/** OCSF `tags` are `[{name, value}]`. */
function ocsfTags(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of value)
    if (isObject(tag) && typeof tag.name === "string") tags[tag.name] = String(tag.value ?? "");
  return Object.keys(tags).length > 0 ? tags : undefined;
}

function readOcsfResource(value: unknown, path: string, ctx: ReadContext): Resource | undefined {
  if (!isObject(value)) {
    ctx.warn("ignored_field", path, "resource is not an object; ignored");
    return undefined;
  }
  const rawId =
    stringAt(value, "uid", path, ctx) ??
    stringAt(value, "uid_alt", path, ctx) ??
    stringAt(value, "name", path, ctx);
  if (rawId === undefined) {
    ctx.warn("ignored_field", childPath(path, "uid"), "resource has no uid; ignored");
    return undefined;
  }
  return toResource(
    {
      detailsPath: childPath(path, "data"),
      sourceType: stringAt(value, "type", path, ctx) ?? "Other",
      rawId,
      arn: text(value.uid_alt),
      region: stringAt(value, "region", path, ctx),
      partition: text(value.cloud_partition),
      accountId: text(dig(value, "owner", "account", "uid")),
      name: text(value.name) ?? text(dig(value, "user", "name")),
      tags: ocsfTags(value.tags),
      details: objectAt(value, "data", path, ctx) ?? {},
    },
    ctx,
  );
}

/** `resources[]`, with a Data Security Finding's `databucket` first: Macie is about the bucket. */
export function readOcsfResources(doc: Json, path: string, ctx: ReadContext): Resource[] {
  const resources: Resource[] = [];
  const list = arrayAt(doc, "resources", path, ctx);
  for (let i = 0; i < list.length; i++) {
    const read = readOcsfResource(list[i], childPath(childPath(path, "resources"), i), ctx);
    if (read !== undefined) resources.push(read);
  }
  const bucket = objectAt(doc, "databucket", path, ctx);
  const bucketId = text(bucket?.uid) ?? text(bucket?.name);
  if (bucket === undefined || bucketId === undefined) return resources;
  const read = toResource(
    {
      detailsPath: childPath(path, "databucket"),
      sourceType: "AWS::S3::Bucket",
      rawId: bucketId,
      region: text(bucket.region),
      details: {},
    },
    ctx,
  );
  return [read, ...resources];
}

const LABEL_BY_SEVERITY_ID: Record<number, SeverityLabel> = {
  1: "INFORMATIONAL",
  2: "LOW",
  3: "MEDIUM",
  4: "HIGH",
  5: "CRITICAL",
  6: "CRITICAL",
};

/** `severity_id` (1 Informational … 5 Critical, 6 Fatal), else the `severity` caption, else the vendor's. */
export function readOcsfSeverity(doc: Json, path: string, ctx: ReadContext): Severity {
  const id = numberAt(doc, "severity_id", path, ctx);
  const label =
    (id === undefined ? undefined : LABEL_BY_SEVERITY_ID[id]) ??
    labelOf(stringAt(doc, "severity", path, ctx)) ??
    labelOf(text(dig(doc, "vendor_attributes", "severity")));
  return label === undefined ? unknownSeverity(childPath(path, "severity_id"), ctx) : fromLabel(label);
}

export function ocsfTime(obj: Json, key: string, path: string, ctx: ReadContext): string | undefined {
  const iso = timeAt(obj, `${key}_dt`, path, ctx);
  if (iso !== undefined) return iso;
  const value = obj[key];
  if (typeof value !== "number") return timeAt(obj, key, path, ctx);
  const scratch = new ReadContext(ctx.rawRef);
  const time = optionalTime(value, childPath(path, key), scratch);
  for (const w of scratch.warnings) if (w.code !== "epoch_time") ctx.warn(w.code, w.path, w.message);
  return time;
}

/** The first evidence naming a remote endpoint or a user: who did it, from where. */
export function readOcsfActor(doc: Json): Actor | undefined {
  for (const evidence of Array.isArray(doc.evidences) ? doc.evidences : []) {
    const endpoint = dig(evidence, "src_endpoint");
    const user = dig(evidence, "actor", "user");
    const location = {
      country: text(dig(endpoint, "location", "country")),
      city: text(dig(endpoint, "location", "city")),
      org: text(dig(endpoint, "autonomous_system", "name")),
      asn: text(dig(endpoint, "autonomous_system", "number")),
    };
    const principal = {
      arn: text(dig(user, "uid")),
      name: text(dig(user, "name")),
      type: text(dig(user, "type")),
      accountId: text(dig(user, "account", "uid")),
      accessKeyId: text(dig(user, "credential_uid")),
    };
    const actor: Actor = {
      ip: text(dig(endpoint, "ip")),
      domain: text(dig(endpoint, "domain")) ?? text(dig(endpoint, "hostname")),
      userAgent: text(dig(evidence, "http_request", "user_agent")),
      location: Object.values(location).some((v) => v !== undefined) ? location : undefined,
      principal: Object.values(principal).some((v) => v !== undefined) ? principal : undefined,
    };
    if (Object.values(actor).some((v) => v !== undefined)) return actor;
  }
  return undefined;
}
