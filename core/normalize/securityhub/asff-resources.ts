/**
 * ASFF `Resources[]` → typed resources, including security group ingress rules.
 *
 * Ingress comes from `Details.AwsEc2SecurityGroup.IpPermissions` (IpRanges[].CidrIp, Ipv6Ranges[].CidrIpv6)
 * or from the older flattened `Details.Other` map (`ipPermissions:0/ipv4Ranges:0/cidrIp`…) that Security
 * Hub used before typed details existed. `worldOpen` is decided by isWorldOpen, so 0.0.0.0/0, ::/0 and
 * their odd spellings all count. A resource without an id is skipped with a warning.
 */

import type { IngressRule, Resource } from "../../findings/resource";
import { isWorldOpen } from "../../net/cidr";
import { childPath, isObject, type Json, optionalArray, type ReadContext, readTags } from "../read";
import { arrayAt, numberAt, objectAt, stringAt } from "./common";
import { kindOfType, type RawResource, toResource } from "./resources";

function ingressFromPermissions(value: unknown, path: string, ctx: ReadContext): IngressRule[] {
  const rules: IngressRule[] = [];
  const permissions = optionalArray(value, path, ctx);
  for (let i = 0; i < permissions.length; i++) {
    const permission = permissions[i];
    const at = childPath(path, i);
    if (!isObject(permission)) {
      ctx.warn("ignored_field", at, "permission is not an object; ignored");
      continue;
    }
    const protocol = stringAt(permission, "IpProtocol", at, ctx) ?? "-1";
    const fromPort = numberAt(permission, "FromPort", at, ctx);
    const toPort = numberAt(permission, "ToPort", at, ctx);
    const cidrs = [
      ...cidrsOf(permission, "IpRanges", "CidrIp", at, ctx),
      ...cidrsOf(permission, "Ipv6Ranges", "CidrIpv6", at, ctx),
    ];
    for (const cidr of cidrs) rules.push({ protocol, fromPort, toPort, cidr, worldOpen: isWorldOpen(cidr) });
  }
  return rules;
}

/** `permission[listKey][i][key]` for each range that states one. */
function cidrsOf(permission: Json, listKey: string, key: string, path: string, ctx: ReadContext): string[] {
  const cidrs: string[] = [];
  const ranges = arrayAt(permission, listKey, path, ctx);
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i];
    if (!isObject(range)) continue;
    const cidr = stringAt(range, key, childPath(childPath(path, listKey), i), ctx);
    if (cidr !== undefined) cidrs.push(cidr);
  }
  return cidrs;
}

const FLATTENED_PERMISSION_KEY = /^ipPermissions:(\d+)\/(.+)$/;
const FLATTENED_CIDR_FIELD = /^(ipRanges:\d+|ipv4Ranges:\d+\/cidrIp|ipv6Ranges:\d+\/cidrIpv6)$/;

/** `ipPermissions:<n>/<field>` keys of the flattened `Details.Other` map, grouped per permission. */
function ingressFromFlattened(other: Json): IngressRule[] {
  const permissions = new Map<string, { fields: Map<string, string>; cidrs: string[] }>();
  for (const key in other) {
    const value = other[key];
    const match = key.startsWith("ipPermissions:") ? FLATTENED_PERMISSION_KEY.exec(key) : null;
    if (!match || (typeof value !== "string" && typeof value !== "number")) continue;
    const index = match[1]!;
    const field = match[2]!;
    let entry = permissions.get(index);
    if (entry === undefined) {
      entry = { fields: new Map<string, string>(), cidrs: [] };
      permissions.set(index, entry);
    }
    if (FLATTENED_CIDR_FIELD.test(field)) {
      if (!entry.cidrs.includes(String(value))) entry.cidrs.push(String(value));
    } else entry.fields.set(field, String(value));
  }
  const rules: IngressRule[] = [];
  for (const { fields, cidrs } of permissions.values()) {
    const protocol = fields.get("ipProtocol") ?? "-1";
    for (const cidr of cidrs)
      rules.push({
        protocol,
        fromPort: portOf(fields, "fromPort"),
        toPort: portOf(fields, "toPort"),
        cidr,
        worldOpen: isWorldOpen(cidr),
      });
  }
  return rules;
}

function portOf(fields: Map<string, string>, name: string): number | undefined {
  const n = Number(fields.get(name));
  return fields.has(name) && Number.isFinite(n) ? n : undefined;
}

function readAsffResource(value: unknown, path: string, ctx: ReadContext): Resource | undefined {
  if (!isObject(value)) {
    ctx.warn("ignored_field", path, "resource is not an object; ignored");
    return undefined;
  }
  const rawId = stringAt(value, "Id", path, ctx);
  if (rawId === undefined) {
    ctx.warn("ignored_field", childPath(path, "Id"), "resource has no Id; ignored");
    return undefined;
  }
  const sourceType = stringAt(value, "Type", path, ctx) ?? "Other";
  const kind = kindOfType(sourceType);
  const detailsPath = `${path}.Details`; // childPath's dotted form of an identifier key
  const allDetails = objectAt(value, "Details", path, ctx) ?? {};
  const typed = objectAt(allDetails, sourceType, detailsPath, ctx);
  const typedPath = typed ? childPath(detailsPath, sourceType) : detailsPath;
  const other = objectAt(allDetails, "Other", detailsPath, ctx);
  const details: Json = typed ?? flattenedDetails(other) ?? {};

  let ingress: IngressRule[] | undefined;
  if (kind === "security-group") {
    if (typed && "IpPermissions" in typed)
      ingress = ingressFromPermissions(typed.IpPermissions, childPath(typedPath, "IpPermissions"), ctx);
    else if (other) ingress = ingressFromFlattened(other);
  }
  const tags = value.Tags;
  const raw: RawResource = {
    detailsPath: typedPath,
    sourceType,
    kind,
    rawId,
    region: stringAt(value, "Region", path, ctx),
    partition: stringAt(value, "Partition", path, ctx),
    tags: tags === undefined || tags === null ? undefined : readTags(tags, `${path}.Tags`, ctx),
    details,
    ingress,
  };
  return toResource(raw, ctx);
}

/** The flattened `Other` map's camelCase keys the typed readers know, and their typed names. */
const LIFTED_FROM_OTHER: readonly (readonly [string, string])[] = [
  ["groupId", "GroupId"],
  ["groupName", "GroupName"],
  ["vpcId", "VpcId"],
];

/** The flattened `Other` map uses camelCase keys; lift the ones the typed readers know. */
function flattenedDetails(other: Json | undefined): Json | undefined {
  if (!other) return undefined;
  const details: Json = {};
  for (const [from, to] of LIFTED_FROM_OTHER) if (typeof other[from] === "string") details[to] = other[from];
  return details;
}

export function readAsffResources(value: unknown, path: string, ctx: ReadContext): Resource[] {
  const resources: Resource[] = [];
  const list = optionalArray(value, path, ctx);
  for (let i = 0; i < list.length; i++) {
    const read = readAsffResource(list[i], childPath(path, i), ctx);
    if (read !== undefined) resources.push(read);
  }
  return resources;
}
