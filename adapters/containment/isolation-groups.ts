/**
 * The two security groups isolation uses in each VPC, found by tag or created once and shared by every
 * incident in that VPC:
 * - the isolation group: no rules at all, so nothing new gets in or out;
 * - the drain group: allow-all both ways for IPv4 and IPv6. EC2 stops tracking flows that an allow-all
 *   rule permits in both directions, so moving ENIs here first turns their established (tracked)
 *   connections into untracked ones; the later move to the isolation group then cuts them at once,
 *   where a direct move would let tracked connections live on (AWS Security Incident Response Guide,
 *   "connection tracking"). The instance is wide open while in this group: keep the drain short.
 *
 * Invariants:
 * - One group of each kind per VPC, tagged `ir:isolation` = `true` | `drain`, with a fixed name, so a
 *   re-run or a concurrent run finds it (a name clash on create adopts the tagged winner).
 * - Groups are reconciled, not trusted: an isolation group holding a world-open rule (say a crash before
 *   the default egress was revoked) loses it; narrower rules responders added for forensic access stay.
 *   A drain group missing part of allow-all gets it back.
 */
import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Io } from "./aws-io";
import { ALL_TRAFFIC_V4, allowsAllTraffic, worldOpenParts } from "./ip-permissions";
import { DRAIN_VALUE, ISOLATION_VALUE, TAGS, tagMap } from "./tags";

export type GroupKind = "isolation" | "drain";

const KINDS: Record<GroupKind, { value: string; name: string; description: string }> = {
  isolation: {
    value: ISOLATION_VALUE,
    name: "ir-isolation",
    description: "Incident response isolation: no rules, no traffic in or out",
  },
  drain: {
    value: DRAIN_VALUE,
    name: "ir-isolation-drain",
    description:
      "Incident response drain: allow-all so tracked connections become untracked before isolation",
  },
};

export const kindOf = (group: SecurityGroup): GroupKind | null => {
  const value = tagMap(group.Tags)[TAGS.isolation];
  return value === ISOLATION_VALUE ? "isolation" : value === DRAIN_VALUE ? "drain" : null;
};

/** Our isolation and drain groups in these VPCs, in one read. */
export async function describeOurGroups(io: Io, vpcIds: readonly string[]): Promise<SecurityGroup[]> {
  if (vpcIds.length === 0) return [];
  const groups: SecurityGroup[] = [];
  let NextToken: string | undefined;
  do {
    const page = await io.read(
      "DescribeSecurityGroups",
      {
        Filters: [
          { Name: "vpc-id", Values: [...vpcIds] },
          { Name: `tag:${TAGS.isolation}`, Values: [ISOLATION_VALUE, DRAIN_VALUE] },
        ],
        ...(NextToken ? { NextToken } : {}),
      },
      "find the isolation and drain security groups of the instance's VPCs",
    );
    groups.push(...(page.SecurityGroups ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return groups;
}

export const findGroup = (groups: readonly SecurityGroup[], kind: GroupKind, vpcId: string) =>
  groups.find((g) => g.VpcId === vpcId && kindOf(g) === kind);

/** The group's id, creating and reconciling it as needed. */
export async function ensureGroup(
  io: Io,
  kind: GroupKind,
  vpcId: string,
  existing: SecurityGroup | undefined,
): Promise<string> {
  const group = existing ?? (await createGroup(io, kind, vpcId));
  const groupId = group.GroupId!;
  if (kind === "isolation") await stripWorldOpen(io, groupId, group);
  else await completeAllTraffic(io, groupId, group);
  return groupId;
}

async function createGroup(io: Io, kind: GroupKind, vpcId: string): Promise<SecurityGroup> {
  const { value, name, description } = KINDS[kind];
  const { output, tolerated } = await io.change(
    "CreateSecurityGroup",
    {
      GroupName: name,
      Description: description,
      VpcId: vpcId,
      TagSpecifications: [
        {
          ResourceType: "security-group",
          Tags: [
            { Key: TAGS.isolation, Value: value },
            { Key: "Name", Value: name },
          ],
        },
      ],
    },
    `create the ${kind} security group of ${vpcId}`,
    ["InvalidGroup.Duplicate"],
  );
  if (tolerated) return adoptByName(io, kind, vpcId);
  // A new group starts with one rule: allow all IPv4 egress.
  return {
    GroupId: io.createdId(output?.GroupId, `${kind} group in ${vpcId}`),
    VpcId: vpcId,
    IpPermissions: [],
    IpPermissionsEgress: [ALL_TRAFFIC_V4],
  };
}

/** Another run created the group between our read and our create: use it if it is ours. */
async function adoptByName(io: Io, kind: GroupKind, vpcId: string): Promise<SecurityGroup> {
  const { name } = KINDS[kind];
  const page = await io.read(
    "DescribeSecurityGroups",
    {
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: [name] },
      ],
    },
    `find the ${kind} group another run created in ${vpcId}`,
  );
  const group = page.SecurityGroups?.[0];
  if (!group?.GroupId || kindOf(group) !== kind) {
    throw new Error(
      `a security group named ${name} already exists in ${vpcId} without tag ${TAGS.isolation}=${KINDS[kind].value}`,
    );
  }
  return group;
}

async function stripWorldOpen(io: Io, groupId: string, group: SecurityGroup): Promise<void> {
  const ingress = worldOpenParts(group.IpPermissions);
  if (ingress.length > 0) {
    await io.change(
      "RevokeSecurityGroupIngress",
      { GroupId: groupId, IpPermissions: ingress },
      "the isolation group must let nothing in",
      ["InvalidPermission.NotFound"],
    );
  }
  const egress = worldOpenParts(group.IpPermissionsEgress);
  if (egress.length > 0) {
    await io.change(
      "RevokeSecurityGroupEgress",
      { GroupId: groupId, IpPermissions: egress },
      "the isolation group must let nothing out (removes the default allow-all egress)",
      ["InvalidPermission.NotFound"],
    );
  }
}

/** Allow-all for whichever IP versions are missing, as one permission. */
function missingAllTraffic(permissions: readonly IpPermission[] | undefined): IpPermission | null {
  const v4 = !allowsAllTraffic(permissions, 4);
  const v6 = !allowsAllTraffic(permissions, 6);
  if (!v4 && !v6) return null;
  return {
    IpProtocol: "-1",
    ...(v4 ? { IpRanges: [{ CidrIp: "0.0.0.0/0" }] } : {}),
    ...(v6 ? { Ipv6Ranges: [{ CidrIpv6: "::/0" }] } : {}),
  };
}

async function completeAllTraffic(io: Io, groupId: string, group: SecurityGroup): Promise<void> {
  const ingress = missingAllTraffic(group.IpPermissions);
  if (ingress) {
    await io.change(
      "AuthorizeSecurityGroupIngress",
      { GroupId: groupId, IpPermissions: [ingress] },
      "the drain group allows all inbound traffic so existing connections become untracked",
      ["InvalidPermission.Duplicate"],
    );
  }
  const egress = missingAllTraffic(group.IpPermissionsEgress);
  if (egress) {
    await io.change(
      "AuthorizeSecurityGroupEgress",
      { GroupId: groupId, IpPermissions: [egress] },
      "the drain group allows all outbound traffic (untracking needs allow-all both ways)",
      ["InvalidPermission.Duplicate"],
    );
  }
}

/** What a group looks like once `ensureGroup` is done with it: used to project the state a plan expects. */
export function groupAfterEnsure(kind: GroupKind, vpcId: string, groupId: string): SecurityGroup {
  const allTraffic: IpPermission = {
    IpProtocol: "-1",
    IpRanges: [{ CidrIp: "0.0.0.0/0" }],
    Ipv6Ranges: [{ CidrIpv6: "::/0" }],
  };
  return {
    GroupId: groupId,
    GroupName: KINDS[kind].name,
    VpcId: vpcId,
    Tags: [{ Key: TAGS.isolation, Value: KINDS[kind].value }],
    IpPermissions: kind === "drain" ? [allTraffic] : [],
    IpPermissionsEgress: kind === "drain" ? [allTraffic] : [],
  };
}
