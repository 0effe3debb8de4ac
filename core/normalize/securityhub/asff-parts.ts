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
import { childPath, isObject, type Json, type ReadContext } from "../read";
import { dig, labelOf, numberAt, objectAt, stringAt, text, unknownSeverity } from "./common";
import type { ProductInfo } from "./product";

/** ProductFields as read: a string map, not to be modified (it may be the input's own object). */
export type ProductFields = Readonly<Record<string, string>>;

const NO_FIELDS: ProductFields = Object.freeze({});

/**
 * ProductFields is a string map; other values are coerced (with a warning) or dropped. When every value is
 * already a non-empty string (nearly always) the input's map is used as it is: copying its many oddly named
 * keys into a new object was one of the larger costs of a finding.
 */
export function readProductFields(doc: Json, path: string, ctx: ReadContext): ProductFields {
  const value = objectAt(doc, "ProductFields", path, ctx);
  if (value === undefined) return NO_FIELDS;
  if (allNonEmptyStrings(value)) return value as ProductFields;
  const fields: Record<string, string> = {};
  const fieldsPath = childPath(path, "ProductFields");
  for (const key of Object.keys(value)) {
    const read = stringAt(value, key, fieldsPath, ctx);
    if (read !== undefined) fields[key] = read;
  }
  return fields;
}

function allNonEmptyStrings(map: Json): boolean {
  for (const key in map) {
    const value = map[key];
    if (typeof value !== "string" || value === "") return false;
  }
  return true;
}

export function readSeverity(
  doc: Json,
  fields: ProductFields,
  product: ProductInfo,
  path: string,
  ctx: ReadContext,
): Severity {
  const at = `${path}.Severity`; // childPath's dotted form of an identifier key
  const severity = objectAt(doc, "Severity", path, ctx) ?? {};
  const labelText = stringAt(severity, "Label", at, ctx);
  const label = labelOf(labelText);
  if (labelText !== undefined && label === undefined)
    ctx.warn("invalid_value", childPath(at, "Label"), `unknown severity label "${labelText}"; ignored`);
  const normalized = numberAt(severity, "Normalized", at, ctx);
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
  const native = numberAt(severity, "Product", at, ctx);
  if (native === undefined) return unknownSeverity(at, ctx);
  ctx.warn(
    "severity_from_product",
    childPath(at, "Product"),
    `no Label or Normalized; read Product ${native}`,
  );
  return product.family === "guardduty" ? fromGuardDutySeverity(native) : fromNormalizedScore(native);
}

/** GuardDuty's flattened ProductFields the actor falls back on: the first key ending with each suffix. */
const ACTOR_FIELD_SUFFIXES = {
  country: "remoteIpDetails/country/countryName",
  city: "remoteIpDetails/city/cityName",
  org: "remoteIpDetails/organization/org",
  asn: "remoteIpDetails/organization/asn",
  ip: "remoteIpDetails/ipAddressV4",
  domain: "dnsRequestAction/domain",
} as const;
type ActorField = keyof typeof ACTOR_FIELD_SUFFIXES;

interface ActorFieldSuffix {
  name: ActorField;
  suffix: string;
  lastSegmentLength: number;
}

/**
 * The suffixes by their last character (an ASCII code). A key can end with a suffix only if it ends with
 * that character and has a "/" where the suffix's last segment starts, so most keys are ruled out by two
 * character reads, with no string comparison: ProductFields can be long, and this runs for every ASFF
 * finding. (Not `lastIndexOf`: on Node 20 it is a runtime call, slower than the whole check.)
 */
const SUFFIXES_BY_LAST_CHAR: (ActorFieldSuffix[] | undefined)[] = new Array(128).fill(undefined);
for (const [name, suffix] of Object.entries(ACTOR_FIELD_SUFFIXES)) {
  const last = suffix.charCodeAt(suffix.length - 1);
  const lastSegmentLength = suffix.length - suffix.lastIndexOf("/") - 1;
  const group = SUFFIXES_BY_LAST_CHAR[last] ?? [];
  group.push({ name: name as ActorField, suffix, lastSegmentLength });
  SUFFIXES_BY_LAST_CHAR[last] = group;
}

const SLASH = 47;

function actorFieldsOf(fields: ProductFields): Partial<Record<ActorField, string>> {
  // Every member present from the start (a fixed shape): written only when a key matches.
  const found: Partial<Record<ActorField, string>> = {
    country: undefined,
    city: undefined,
    org: undefined,
    asn: undefined,
    ip: undefined,
    domain: undefined,
  };
  for (const key in fields) {
    const length = key.length;
    // (Ranges checked first: charCodeAt or an array read out of range is much slower.)
    if (length === 0) continue;
    const last = key.charCodeAt(length - 1);
    if (last >= 128) continue;
    const candidates = SUFFIXES_BY_LAST_CHAR[last];
    if (candidates === undefined) continue;
    for (const { name, suffix, lastSegmentLength } of candidates) {
      const slashAt = length - 1 - lastSegmentLength;
      if (slashAt < 0 || key.charCodeAt(slashAt) !== SLASH) continue;
      if (found[name] === undefined && key.endsWith(suffix)) found[name] = fields[key];
    }
  }
  return found;
}

/** The action's remote party, from whichever action the finding has. */
function remoteIpDetails(action: unknown): Json | undefined {
  if (!isObject(action)) return undefined;
  const connection = dig(action, "NetworkConnectionAction", "RemoteIpDetails");
  if (isObject(connection)) return connection;
  const apiCall = dig(action, "AwsApiCallAction", "RemoteIpDetails");
  if (isObject(apiCall)) return apiCall;
  const probe = dig(action, "PortProbeAction", "PortProbeDetails", 0, "RemoteIpDetails");
  return isObject(probe) ? probe : undefined;
}

/** `Network` keys of each side, spelled out once instead of built per finding. */
const NETWORK_SIDE_KEYS = {
  Source: { ipV4: "SourceIpV4", ipV6: "SourceIpV6", domain: "SourceDomain" },
  Destination: { ipV4: "DestinationIpV4", ipV6: "DestinationIpV6", domain: "DestinationDomain" },
} as const;

/** The remote party: the action's remote IP, the network source (destination for outbound), or GuardDuty's fields. */
export function readActor(doc: Json, fields: ProductFields): Actor | undefined {
  const action = doc.Action;
  const remote = remoteIpDetails(action);
  const network = doc.Network;
  const side =
    NETWORK_SIDE_KEYS[text(dig(network, "Direction"))?.toUpperCase() === "OUT" ? "Destination" : "Source"];
  const field = actorFieldsOf(fields);
  const location = {
    country:
      text(dig(remote, "Country", "CountryName")) ??
      text(dig(remote, "Country", "CountryCode")) ??
      field.country,
    city: text(dig(remote, "City", "CityName")) ?? field.city,
    org: text(dig(remote, "Organization", "Org")) ?? text(dig(remote, "Organization", "AsnOrg")) ?? field.org,
    asn: text(dig(remote, "Organization", "Asn")) ?? field.asn,
  };
  const actor: Actor = {
    ip:
      text(dig(remote, "IpAddressV4")) ??
      text(dig(network, side.ipV4)) ??
      text(dig(network, side.ipV6)) ??
      field.ip,
    domain:
      text(dig(action, "AwsApiCallAction", "DomainDetails", "Domain")) ??
      text(dig(action, "DnsRequestAction", "Domain")) ??
      text(dig(network, side.domain)) ??
      field.domain,
    location:
      location.country !== undefined ||
      location.city !== undefined ||
      location.org !== undefined ||
      location.asn !== undefined
        ? location
        : undefined,
  };
  return (actor.ip ?? actor.domain ?? actor.location) ? actor : undefined;
}

/** Inspector Classic names the ENI and security group of a reachable instance only in ProductFields. */
export function withInspectorNetwork(resources: Resource[], fields: ProductFields): Resource[] {
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
    // Copy, then replace: on Node 20 `{ ...r, networkInterfaces, … }` leaves V8's fast path (~1 µs).
    const withNetwork = { ...r };
    withNetwork.networkInterfaces = networkInterfaces;
    withNetwork.securityGroups = r.securityGroups.length > 0 ? r.securityGroups : groups;
    return withNetwork;
  });
}
