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
import {
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalNumber,
  optionalObject,
  optionalString,
  type ReadContext,
  readTags,
} from "../read";
import { kindOfType, type RawResource, toResource } from "./resources";

function ingressFromPermissions(value: unknown, path: string, ctx: ReadContext): IngressRule[] {
  return optionalArray(value, path, ctx).flatMap((permission, i) => {
    const at = childPath(path, i);
    if (!isObject(permission)) {
      ctx.warn("ignored_field", at, "permission is not an object; ignored");
      return [];
    }
    const protocol = optionalString(permission.IpProtocol, childPath(at, "IpProtocol"), ctx) ?? "-1";
    const fromPort = optionalNumber(permission.FromPort, childPath(at, "FromPort"), ctx);
    const toPort = optionalNumber(permission.ToPort, childPath(at, "ToPort"), ctx);
    const cidrs = [
      ...cidrsOf(permission.IpRanges, "CidrIp", childPath(at, "IpRanges"), ctx),
      ...cidrsOf(permission.Ipv6Ranges, "CidrIpv6", childPath(at, "Ipv6Ranges"), ctx),
    ];
    return cidrs.map((cidr) => ({ protocol, fromPort, toPort, cidr, worldOpen: isWorldOpen(cidr) }));
  });
}

function cidrsOf(value: unknown, key: string, path: string, ctx: ReadContext): string[] {
  return optionalArray(value, path, ctx).flatMap((range, i) => {
    const cidr = isObject(range)
      ? optionalString(range[key], childPath(childPath(path, i), key), ctx)
      : undefined;
    return cidr === undefined ? [] : [cidr];
  });
}

/** `ipPermissions:<n>/<field>` keys of the flattened `Details.Other` map, grouped per permission. */
function ingressFromFlattened(other: Json): IngressRule[] {
  const permissions = new Map<string, { fields: Map<string, string>; cidrs: string[] }>();
  for (const [key, value] of Object.entries(other)) {
    const match = /^ipPermissions:(\d+)\/(.+)$/.exec(key);
    if (!match || (typeof value !== "string" && typeof value !== "number")) continue;
    const [, index = "", field = ""] = match;
    const entry = permissions.get(index) ?? { fields: new Map<string, string>(), cidrs: [] as string[] };
    permissions.set(index, entry);
    if (/^(ipRanges:\d+|ipv4Ranges:\d+\/cidrIp|ipv6Ranges:\d+\/cidrIpv6)$/.test(field)) {
      if (!entry.cidrs.includes(String(value))) entry.cidrs.push(String(value));
    } else entry.fields.set(field, String(value));
  }
  return [...permissions.values()].flatMap(({ fields, cidrs }) => {
    const port = (name: string) => {
      const n = Number(fields.get(name));
      return fields.has(name) && Number.isFinite(n) ? n : undefined;
    };
    const protocol = fields.get("ipProtocol") ?? "-1";
    return cidrs.map((cidr) => ({
      protocol,
      fromPort: port("fromPort"),
      toPort: port("toPort"),
      cidr,
      worldOpen: isWorldOpen(cidr),
    }));
  });
}

function readAsffResource(value: unknown, path: string, ctx: ReadContext): Resource | undefined {
  if (!isObject(value)) {
    ctx.warn("ignored_field", path, "resource is not an object; ignored");
    return undefined;
  }
  const rawId = optionalString(value.Id, childPath(path, "Id"), ctx);
  if (rawId === undefined) {
    ctx.warn("ignored_field", childPath(path, "Id"), "resource has no Id; ignored");
    return undefined;
  }
  const sourceType = optionalString(value.Type, childPath(path, "Type"), ctx) ?? "Other";
  const detailsPath = childPath(path, "Details");
  const allDetails = optionalObject(value.Details, detailsPath, ctx) ?? {};
  const typedPath = childPath(detailsPath, sourceType);
  const typed = optionalObject(allDetails[sourceType], typedPath, ctx);
  const other = optionalObject(allDetails.Other, childPath(detailsPath, "Other"), ctx);
  const details: Json = typed ?? flattenedDetails(other) ?? {};

  let ingress: IngressRule[] | undefined;
  if (kindOfType(sourceType) === "security-group") {
    if (typed && "IpPermissions" in typed)
      ingress = ingressFromPermissions(typed.IpPermissions, childPath(typedPath, "IpPermissions"), ctx);
    else if (other) ingress = ingressFromFlattened(other);
  }
  const raw: RawResource = {
    detailsPath: typed ? typedPath : detailsPath,
    sourceType,
    rawId,
    region: optionalString(value.Region, childPath(path, "Region"), ctx),
    partition: optionalString(value.Partition, childPath(path, "Partition"), ctx),
    tags: readTags(value.Tags, childPath(path, "Tags"), ctx),
    details,
    ingress,
  };
  return toResource(raw, ctx);
}

/** The flattened `Other` map uses camelCase keys; lift the ones the typed readers know. */
function flattenedDetails(other: Json | undefined): Json | undefined {
  if (!other) return undefined;
  const lift: Record<string, string> = { groupId: "GroupId", groupName: "GroupName", vpcId: "VpcId" };
  const details: Json = {};
  for (const [from, to] of Object.entries(lift))
    if (typeof other[from] === "string") details[to] = other[from];
  return details;
}

export function readAsffResources(value: unknown, path: string, ctx: ReadContext): Resource[] {
  return optionalArray(value, path, ctx).flatMap((resource, i) => {
    const read = readAsffResource(resource, childPath(path, i), ctx);
    return read === undefined ? [] : [read];
  });
}
