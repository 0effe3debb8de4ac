/**
 * GuardDuty Extended Threat Detection attack sequences (`AttackSequence:*`): the finding's own
 * `resource` is just `{resourceType: "AttackSequence"}`; what was involved is listed in
 * `service.detection.sequence` as ResourceV2 entries (`uid`, `resourceType` EC2_INSTANCE, S3_BUCKET,
 * ACCESS_KEY…, `data`), actors and endpoints.
 *
 * Invariants: resources keep the order GuardDuty lists them in (the first is the primary); network
 * interfaces are folded into the instance that lists them; actors become IAM principals only when the
 * sequence lists no resources, so there is always something to correlate on.
 */
import type { Actor } from "../../findings/finding";
import type { NetworkInterface, Resource } from "../../findings/resource";
import { uniqueGroups } from "./resource-details";
import { compact, mapDefined, type View } from "./view";

export const sequenceOf = (service: View | undefined): View | undefined =>
  service?.obj("detection")?.obj("sequence");

function eniOf(entry: View, uid: string): NetworkInterface {
  const data = entry.obj("data")?.obj("ec2NetworkInterface");
  return compact({
    id: uid,
    privateIp: data?.strings("privateIpAddresses")[0],
    publicIp: data?.str("publicIp"),
    // ResourceV2 spells it subNetId.
    subnetId: data?.str("subNetId") ?? data?.str("subnetId"),
    vpcId: data?.str("vpcId"),
    securityGroups: data
      ? mapDefined(data.list("securityGroups"), (sg) => {
          const id = sg.str("groupId");
          return id ? compact({ id, name: sg.str("groupName") }) : undefined;
        })
      : [],
  });
}

const lastSegment = (uid: string) => uid.split(/[/:]/).filter(Boolean).pop() ?? uid;

type V2Reader = (entry: View, uid: string, enis: ReadonlyMap<string, NetworkInterface>) => Resource;

const RESOURCE_V2: Record<string, V2Reader> = {
  EC2_INSTANCE: (entry, uid, enis) => {
    const data = entry.obj("data")?.obj("ec2Instance");
    const mine = mapDefined(data?.strings("ec2NetworkInterfaceUids") ?? [], (id) => enis.get(id));
    return compact({
      type: "ec2-instance" as const,
      id: lastSegment(uid),
      arn: uid.startsWith("arn:") ? uid : undefined,
      accountId: entry.str("accountId"),
      region: entry.str("region"),
      tags: entry.tags("tags"),
      instanceType: data?.str("instanceType"),
      state: data?.str("instanceState"),
      availabilityZone: data?.str("availabilityZone"),
      instanceProfileArn: data?.obj("iamInstanceProfile")?.str("arn"),
      vpcId: mine[0]?.vpcId,
      subnetId: mine[0]?.subnetId,
      networkInterfaces: mine,
      securityGroups: uniqueGroups(mine),
    });
  },
  S3_BUCKET: (entry, uid) =>
    compact({
      type: "s3-bucket" as const,
      id: entry.str("name") ?? uid.replace(/^arn:[^:]+:s3:::/, ""),
      arn: uid.startsWith("arn:") ? uid : undefined,
      accountId: entry.str("accountId"),
      tags: entry.tags("tags"),
    }),
  ACCESS_KEY: (entry, uid) => {
    const data = entry.obj("data")?.obj("accessKey");
    return compact({
      type: "access-key" as const,
      id: uid,
      accountId: entry.str("accountId"),
      principalId: data?.str("principalId"),
      userName: data?.str("userName"),
      userType: data?.str("userType"),
    });
  },
  EKS_CLUSTER: (entry, uid) =>
    compact({
      type: "eks-cluster" as const,
      id: entry.str("name") ?? lastSegment(uid),
      arn: uid.startsWith("arn:") ? uid : undefined,
      accountId: entry.str("accountId"),
      region: entry.str("region"),
      tags: entry.tags("tags"),
    }),
  ECS_CLUSTER: (entry, uid) =>
    compact({
      type: "ecs-cluster" as const,
      id: entry.str("name") ?? lastSegment(uid),
      arn: uid.startsWith("arn:") ? uid : undefined,
      accountId: entry.str("accountId"),
      region: entry.str("region"),
      tags: entry.tags("tags"),
    }),
  CONTAINER: (entry, uid) => {
    const data = entry.obj("data")?.obj("container");
    return compact({
      type: "container" as const,
      id: uid,
      name: entry.str("name") ?? data?.str("name"),
      image: data?.str("image"),
    });
  },
};

/** The resources an attack sequence lists, first one first. */
export function sequenceResources(sequence: View): Resource[] {
  const entries = mapDefined(sequence.list("resources"), (entry) => {
    const uid = entry.str("uid");
    if (!uid) {
      entry.ctx.warn("missing_resource_id", entry.path, "sequence resource has no uid; skipped");
      return undefined;
    }
    return { entry, uid, kind: entry.str("resourceType") ?? "unknown" };
  });
  const enis = new Map(
    entries.filter((e) => e.kind === "EC2_NETWORK_INTERFACE").map((e) => [e.uid, eniOf(e.entry, e.uid)]),
  );
  const folded = new Set<string>();
  for (const e of entries)
    if (e.kind === "EC2_INSTANCE")
      for (const id of e.entry.obj("data")?.obj("ec2Instance")?.strings("ec2NetworkInterfaceUids") ?? [])
        folded.add(id);
  return mapDefined(entries, ({ entry, uid, kind }): Resource | undefined => {
    if (kind === "EC2_NETWORK_INTERFACE" && folded.has(uid)) return undefined;
    const read = Object.hasOwn(RESOURCE_V2, kind) ? RESOURCE_V2[kind] : undefined;
    if (read) return read(entry, uid, enis);
    return compact({ type: "other" as const, id: uid, sourceType: kind, accountId: entry.str("accountId") });
  });
}

/** Sequence actors (users) as IAM principals: the fallback primary when no resource is listed. */
export function sequenceActorPrincipals(sequence: View): Resource[] {
  return mapDefined(sequence.list("actors"), (actor): Resource | undefined => {
    const user = actor.obj("user");
    const id = user?.str("uid") ?? user?.str("name") ?? actor.str("id");
    if (!id) return undefined;
    return compact({
      type: "iam-principal" as const,
      id,
      arn: id.startsWith("arn:") ? id : undefined,
      accountId: user?.obj("account")?.str("uid"),
      principalType: user?.str("type"),
      name: user?.str("name"),
    });
  });
}

/** The first sequence actor and endpoint, as the finding's actor. */
export function sequenceActor(sequence: View): Actor | undefined {
  const user = sequence.list("actors")[0]?.obj("user");
  const endpoint = sequence.list("endpoints")[0];
  const location = endpoint?.obj("location");
  const as = endpoint?.obj("autonomousSystem");
  const uid = user?.str("uid");
  const principal = user
    ? compact({
        arn: uid?.startsWith("arn:") ? uid : undefined,
        name: user.str("name"),
        type: user.str("type"),
        accountId: user.obj("account")?.str("uid"),
        accessKeyId: user.str("credentialUid"),
      })
    : undefined;
  const loc =
    location || as
      ? compact({
          country: location?.str("country"),
          city: location?.str("city"),
          org: as?.str("name"),
          asn: as?.text("number"),
        })
      : undefined;
  const actor = compact({
    principal: principal && Object.keys(principal).length > 0 ? principal : undefined,
    ip: endpoint?.str("ip"),
    domain: endpoint?.str("domain"),
    location: loc && Object.keys(loc).length > 0 ? loc : undefined,
  });
  return Object.keys(actor).length > 0 ? actor : undefined;
}
