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
import { compact, type View } from "./view";

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

function location(ip: View): Actor["location"] {
  const org = ip.obj("organization");
  const loc = compact({
    country: ip.obj("country")?.str("countryName") ?? ip.obj("country")?.str("countryCode"),
    city: ip.obj("city")?.str("cityName"),
    org: org?.str("org") ?? org?.str("asnOrg") ?? org?.str("isp"),
    asn: org?.text("asn"),
  });
  return Object.keys(loc).length > 0 ? loc : undefined;
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
    const p = compact({
      arn: who?.arn,
      name: key?.userName ?? who?.name,
      type: key?.userType ?? who?.principalType,
      accessKeyId: key?.id,
      accountId: block?.obj("remoteAccountDetails")?.text("accountId"),
    });
    return Object.keys(p).length > 0 ? p : undefined;
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
  const actor = compact({
    principal: principal(blockName, block, resource, resources),
    ip: ip?.str("ipAddressV4") ?? ip?.str("ipAddressV6") ?? block?.strings("sourceIPs")[0],
    userAgent:
      block?.str("userAgent") ?? service?.obj("additionalInfo")?.obj("userAgent")?.str("fullUserAgent"),
    location: ip ? location(ip) : undefined,
    domain: block?.str("domain") ?? block?.obj("domainDetails")?.str("domain"),
  });
  return Object.keys(actor).length > 0 ? actor : undefined;
}
