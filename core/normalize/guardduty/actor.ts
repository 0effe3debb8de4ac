/**
 * Who acted, from a GuardDuty `service.action`: the remote IP with its location and network, the user
 * agent, the domain, and for API calls the principal whose credentials were used.
 *
 * GuardDuty puts the remote side in a different block per action type; they all share the
 * `remoteIpDetails` shape, so one reader serves them all. Port probes list several probers: the first
 * is taken. Absent blocks give an absent actor, never an empty one.
 */
import type { Actor } from "../../findings/finding";
import type { Resource, ResourceOf } from "../../findings/resource";
import type { View } from "./view";

/** Action blocks that carry a remote party, in the order GuardDuty documents them. */
const REMOTE_BLOCKS = [
  "networkConnectionAction",
  "awsApiCallAction",
  "portProbeAction",
  "kubernetesApiCallAction",
  "rdsLoginAttemptAction",
  "dnsRequestAction",
] as const;

function remoteIp(block: View): View | undefined {
  return block.obj("remoteIpDetails") ?? block.list("portProbeDetails")[0]?.obj("remoteIpDetails");
}

// Speed: actors are built member by member, absent ones left out, in the order `compact` would keep them,
// rather than compacting a literal (its copy, key by key, was a visible cost of every GuardDuty finding).

function location(ip: View): Actor["location"] {
  const org = ip.obj("organization");
  const country = ip.obj("country")?.str("countryName") ?? ip.obj("country")?.str("countryCode");
  const city = ip.obj("city")?.str("cityName");
  const orgName = org?.str("org") ?? org?.str("asnOrg") ?? org?.str("isp");
  const asn = org?.text("asn");
  if (country === undefined && city === undefined && orgName === undefined && asn === undefined)
    return undefined;
  const loc: NonNullable<Actor["location"]> = {};
  if (country !== undefined) loc.country = country;
  if (city !== undefined) loc.city = city;
  if (orgName !== undefined) loc.org = orgName;
  if (asn !== undefined) loc.asn = asn;
  return loc;
}

function principal(
  blockName: string | undefined,
  block: View | undefined,
  resource: View,
  resources: readonly Resource[],
): Actor["principal"] {
  if (blockName === "awsApiCallAction") {
    // The caller is the key GuardDuty reports in the resource (IAM findings) or, for cross-account
    // callers, only its account.
    const key = resources.find((r): r is ResourceOf<"access-key"> => r.type === "access-key");
    const who = resources.find((r): r is ResourceOf<"iam-principal"> => r.type === "iam-principal");
    const arn = who?.arn;
    const name = key?.userName ?? who?.name;
    const type = key?.userType ?? who?.principalType;
    const accessKeyId = key?.id;
    const accountId = block?.obj("remoteAccountDetails")?.text("accountId");
    if (
      arn === undefined &&
      name === undefined &&
      type === undefined &&
      accessKeyId === undefined &&
      accountId === undefined
    )
      return undefined;
    const p: NonNullable<Actor["principal"]> = {};
    if (arn !== undefined) p.arn = arn;
    if (name !== undefined) p.name = name;
    if (type !== undefined) p.type = type;
    if (accessKeyId !== undefined) p.accessKeyId = accessKeyId;
    if (accountId !== undefined) p.accountId = accountId;
    return p;
  }
  if (blockName === "kubernetesApiCallAction") {
    const name = resource.obj("kubernetesDetails")?.obj("kubernetesUserDetails")?.str("username");
    return name ? { name, type: "KubernetesUser" } : undefined;
  }
  if (blockName === "rdsLoginAttemptAction") {
    const name = resource.obj("rdsDbUserDetails")?.str("user");
    return name ? { name, type: "DatabaseUser" } : undefined;
  }
  return undefined;
}

export function actionActor(
  service: View | undefined,
  resource: View,
  resources: readonly Resource[],
): Actor | undefined {
  const action = service?.obj("action");
  if (!action) return undefined;
  let blockName: string | undefined;
  let block: View | undefined;
  // Every block is read, not only up to the first present one, so a malformed later block still warns.
  for (const name of REMOTE_BLOCKS) {
    const found = action.obj(name);
    if (found && !block) {
      block = found;
      blockName = name;
    }
  }
  const ip = block ? remoteIp(block) : undefined;
  const who = principal(blockName, block, resource, resources);
  const address = ip?.str("ipAddressV4") ?? ip?.str("ipAddressV6") ?? block?.strings("sourceIPs")[0];
  const userAgent =
    block?.str("userAgent") ?? service?.obj("additionalInfo")?.obj("userAgent")?.str("fullUserAgent");
  const where = ip ? location(ip) : undefined;
  const domain = block?.str("domain") ?? block?.obj("domainDetails")?.str("domain");
  if (
    who === undefined &&
    address === undefined &&
    userAgent === undefined &&
    where === undefined &&
    domain === undefined
  )
    return undefined;
  const actor: Actor = {};
  if (who !== undefined) actor.principal = who;
  if (address !== undefined) actor.ip = address;
  if (userAgent !== undefined) actor.userAgent = userAgent;
  if (where !== undefined) actor.location = where;
  if (domain !== undefined) actor.domain = domain;
  return actor;
}
