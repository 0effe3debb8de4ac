/**
 * Parts of an ASFF finding read on their own: ProductFields, severity, the remote actor, and the network
 * facts Inspector Classic leaves in ProductFields.
 */
import type { Actor } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import {
  fromGuardDutySeverity,
  fromLabel,
  fromNormalizedScore,
  labelForScore,
  type Severity,
} from "../../findings/severity";
import {
  childPath,
  isObject,
  type Json,
  optionalNumber,
  optionalObject,
  optionalString,
  type ReadContext,
} from "../read";
import { dig, labelOf, text, unknownSeverity } from "./common";
import type { ProductInfo } from "./product";

/** ProductFields is a string map; other values are coerced (with a warning) or dropped. */
export function readProductFields(value: unknown, path: string, ctx: ReadContext): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, field] of Object.entries(optionalObject(value, path, ctx) ?? {})) {
    const read = optionalString(field, childPath(path, key), ctx);
    if (read !== undefined) fields[key] = read;
  }
  return fields;
}

export function readSeverity(
  doc: Json,
  fields: Record<string, string>,
  product: ProductInfo,
  path: string,
  ctx: ReadContext,
): Severity {
  const at = childPath(path, "Severity");
  const severity = optionalObject(doc.Severity, at, ctx) ?? {};
  const labelText = optionalString(severity.Label, childPath(at, "Label"), ctx);
  const label = labelOf(labelText);
  if (labelText !== undefined && label === undefined)
    ctx.warn("invalid_value", childPath(at, "Label"), `unknown severity label "${labelText}"; ignored`);
  const normalized = optionalNumber(severity.Normalized, childPath(at, "Normalized"), ctx);
  if (label !== undefined)
    return normalized !== undefined && labelForScore(normalized) === label
      ? fromNormalizedScore(normalized)
      : fromLabel(label);
  if (normalized !== undefined) return fromNormalizedScore(normalized);
  const otherLabel =
    labelOf(text(dig(doc, "FindingProviderFields", "Severity", "Label"))) ??
    labelOf(fields["aws/securityhub/SeverityLabel"]) ??
    labelOf(text(severity.Original));
  if (otherLabel !== undefined) return fromLabel(otherLabel);
  const native = optionalNumber(severity.Product, childPath(at, "Product"), ctx);
  if (native === undefined) return unknownSeverity(at, ctx);
  ctx.warn(
    "severity_from_product",
    childPath(at, "Product"),
    `no Label or Normalized; read Product ${native}`,
  );
  return product.family === "guardduty" ? fromGuardDutySeverity(native) : fromNormalizedScore(native);
}

/** The remote party: the action's remote IP, the network source (destination for outbound), or GuardDuty's fields. */
export function readActor(doc: Json, fields: Record<string, string>): Actor | undefined {
  const action = doc.Action;
  const remote = [
    dig(action, "NetworkConnectionAction", "RemoteIpDetails"),
    dig(action, "AwsApiCallAction", "RemoteIpDetails"),
    dig(action, "PortProbeAction", "PortProbeDetails", 0, "RemoteIpDetails"),
  ].find(isObject);
  const side = text(dig(doc, "Network", "Direction"))?.toUpperCase() === "OUT" ? "Destination" : "Source";
  const field = (suffix: string) => Object.entries(fields).find(([key]) => key.endsWith(suffix))?.[1];
  const location = {
    country:
      text(dig(remote, "Country", "CountryName")) ??
      text(dig(remote, "Country", "CountryCode")) ??
      field("remoteIpDetails/country/countryName"),
    city: text(dig(remote, "City", "CityName")) ?? field("remoteIpDetails/city/cityName"),
    org:
      text(dig(remote, "Organization", "Org")) ??
      text(dig(remote, "Organization", "AsnOrg")) ??
      field("remoteIpDetails/organization/org"),
    asn: text(dig(remote, "Organization", "Asn")) ?? field("remoteIpDetails/organization/asn"),
  };
  const actor: Actor = {
    ip:
      text(dig(remote, "IpAddressV4")) ??
      text(dig(doc, "Network", `${side}IpV4`)) ??
      text(dig(doc, "Network", `${side}IpV6`)) ??
      field("remoteIpDetails/ipAddressV4"),
    domain:
      text(dig(action, "AwsApiCallAction", "DomainDetails", "Domain")) ??
      text(dig(action, "DnsRequestAction", "Domain")) ??
      text(dig(doc, "Network", `${side}Domain`)) ??
      field("dnsRequestAction/domain"),
    location: Object.values(location).some((v) => v !== undefined) ? location : undefined,
  };
  return (actor.ip ?? actor.domain ?? actor.location) ? actor : undefined;
}

/** Inspector Classic names the ENI and security group of a reachable instance only in ProductFields. */
export function withInspectorNetwork(resources: Resource[], fields: Record<string, string>): Resource[] {
  const eni = fields["attributes/ENI"];
  const group = fields["attributes/SECURITY_GROUP"];
  const instanceId = fields["attributes/INSTANCE_ID"];
  if (eni === undefined && group === undefined) return resources;
  const groups = group === undefined ? [] : [{ id: group }];
  return resources.map((r) => {
    if (r.type !== "ec2-instance" || (instanceId !== undefined && r.id !== instanceId)) return r;
    const networkInterfaces =
      r.networkInterfaces.length > 0 || eni === undefined
        ? r.networkInterfaces
        : [{ id: eni, vpcId: fields["attributes/VPC"] ?? r.vpcId, securityGroups: groups }];
    return {
      ...r,
      networkInterfaces,
      securityGroups: r.securityGroups.length > 0 ? r.securityGroups : groups,
    };
  });
}
