/**
 * Readers for the detail blocks of a GuardDuty `resource` (instanceDetails, accessKeyDetails,
 * s3BucketDetails, eksClusterDetails…), each turning one block into typed resources.
 *
 * Invariants: a block without the id its resource needs yields nothing (with a warning), never a resource
 * with a made-up id; fields GuardDuty does not give stay absent.
 */
import type { NetworkInterface, Resource, ResourceOf, SecurityGroupRef } from "../../findings/resource";
import { compact, mapDefined, UNKNOWN, type View } from "./view";

/** What the resource readers need to know about the finding around them. */
export interface ResourceScope {
  partition: string;
  accountId: string;
  region: string;
}

/** ARNs are built only from a known account and region: never `arn:aws:iam::unknown:…`. */
const knownPlace = (scope: ResourceScope) => scope.accountId !== UNKNOWN && scope.region !== UNKNOWN;

function missingId(block: View, what: string): undefined {
  block.ctx.warn("missing_resource_id", block.path, `${what} has no id; resource skipped`);
  return undefined;
}

function securityGroups(owner: View, key: string): SecurityGroupRef[] {
  return mapDefined(owner.list(key), (sg) => {
    const id = sg.str("groupId");
    if (!id) return missingId(sg, "security group");
    const name = sg.str("groupName");
    return name === undefined ? { id } : { id, name };
  });
}

/** The security groups of some network interfaces, each once: the first listing of an id wins. */
export function uniqueGroups(enis: readonly NetworkInterface[]): SecurityGroupRef[] {
  const groups: SecurityGroupRef[] = [];
  const seen = new Set<string>();
  for (const eni of enis)
    for (const group of eni.securityGroups)
      if (!seen.has(group.id)) {
        seen.add(group.id);
        groups.push(group);
      }
  return groups;
}

// Speed: instances and their network interfaces (most GuardDuty findings have them, and they usually lack
// a field or two) are built member by member, absent ones left out, in the order `compact` would keep them,
// rather than compacting a literal: its copy, key by key, was a visible cost of every finding.

function networkInterface(eni: View): NetworkInterface | undefined {
  const id = eni.str("networkInterfaceId");
  if (!id) return missingId(eni, "network interface");
  const privateIp = eni.str("privateIpAddress");
  const publicIp = eni.str("publicIp");
  const subnetId = eni.str("subnetId");
  const vpcId = eni.str("vpcId");
  const read = { id } as NetworkInterface;
  if (privateIp !== undefined) read.privateIp = privateIp;
  if (publicIp !== undefined) read.publicIp = publicIp;
  if (subnetId !== undefined) read.subnetId = subnetId;
  if (vpcId !== undefined) read.vpcId = vpcId;
  read.securityGroups = securityGroups(eni, "securityGroups");
  return read;
}

/** instanceDetails → the instance with every ENI; its security groups are the union over its ENIs. */
export function ec2Instance(details: View, scope: ResourceScope): ResourceOf<"ec2-instance"> | undefined {
  const id = details.str("instanceId");
  if (!id) return missingId(details, "instanceDetails");
  const enis = mapDefined(details.list("networkInterfaces"), networkInterface);
  const tags = details.tags("tags");
  const instanceType = details.str("instanceType");
  const imageId = details.str("imageId");
  const state = details.str("instanceState");
  // The first ENI listed is the primary one (device index 0): its subnet and VPC are the instance's.
  const vpcId = enis[0]?.vpcId;
  const subnetId = enis[0]?.subnetId;
  const availabilityZone = details.str("availabilityZone");
  const instanceProfileArn = details.obj("iamInstanceProfile")?.str("arn");
  const instance = { type: "ec2-instance", id } as ResourceOf<"ec2-instance">;
  if (knownPlace(scope))
    instance.arn = `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:instance/${id}`;
  if (tags !== undefined) instance.tags = tags;
  if (instanceType !== undefined) instance.instanceType = instanceType;
  if (imageId !== undefined) instance.imageId = imageId;
  if (state !== undefined) instance.state = state;
  if (vpcId !== undefined) instance.vpcId = vpcId;
  if (subnetId !== undefined) instance.subnetId = subnetId;
  if (availabilityZone !== undefined) instance.availabilityZone = availabilityZone;
  if (instanceProfileArn !== undefined) instance.instanceProfileArn = instanceProfileArn;
  instance.networkInterfaces = enis;
  instance.securityGroups = uniqueGroups(enis);
  return instance;
}

/** ARN of the IAM principal an access key belongs to, when GuardDuty's user type says which kind it is. */
function principalArn(userType: string | undefined, name: string | undefined, scope: ResourceScope) {
  if (scope.accountId === UNKNOWN) return undefined;
  const iam = `arn:${scope.partition}:iam::${scope.accountId}`;
  switch (userType) {
    case "Root":
      return `${iam}:root`;
    case "IAMUser":
      return name ? `${iam}:user/${name}` : undefined;
    // GuardDuty names the role (not the session) for assumed-role credentials: the role is what to act on.
    case "Role":
    case "AssumedRole":
      return name ? `${iam}:role/${name}` : undefined;
    case "FederatedUser":
      return name ? `arn:${scope.partition}:sts::${scope.accountId}:federated-user/${name}` : undefined;
    default:
      return undefined;
  }
}

/** accessKeyDetails → the key (to lock) and the principal it belongs to, when GuardDuty names it. */
export function accessKey(details: View, scope: ResourceScope): Resource[] {
  const keyId = details.str("accessKeyId");
  const principalId = details.str("principalId");
  const userName = details.str("userName");
  const userType = details.str("userType");
  const arn = principalArn(userType, userName, scope);
  const principalResourceId = arn ?? principalId ?? userName;
  const resources: Resource[] = [];
  if (keyId)
    resources.push(compact({ type: "access-key" as const, id: keyId, principalId, userName, userType }));
  if (principalResourceId)
    resources.push(
      compact({
        type: "iam-principal" as const,
        id: principalResourceId,
        arn,
        principalType: userType,
        name: userName,
      }),
    );
  if (resources.length === 0) missingId(details, "accessKeyDetails");
  return resources;
}

/** True when the bucket's effective permission, or any ACL/policy flag, allows public access. */
function publiclyAccessible(bucket: View): boolean | undefined {
  const access = bucket.obj("publicAccess");
  if (!access) return undefined;
  const effective = access.str("effectivePermission");
  if (effective) return effective.toUpperCase() === "PUBLIC";
  const levels = access.obj("permissionConfiguration")?.obj("bucketLevelPermissions");
  if (!levels) return undefined;
  const grants = ["accessControlList", "bucketPolicy"].flatMap((k) => {
    const grant = levels.obj(k);
    return grant ? [grant.bool("allowsPublicReadAccess"), grant.bool("allowsPublicWriteAccess")] : [];
  });
  return grants.length === 0 ? undefined : grants.some((g) => g === true);
}

const bucketNameFromArn = (arn: string | undefined) => arn?.match(/^arn:[^:]+:s3:::([^/]+)$/)?.[1];

/** One s3-bucket per s3BucketDetails element; the first scanned object's key, for malware findings. */
export function s3Buckets(resource: View): Resource[] {
  return mapDefined(resource.list("s3BucketDetails"), (bucket) => {
    const arn = bucket.str("arn");
    const id = bucket.str("name") ?? bucketNameFromArn(arn);
    if (!id) return missingId(bucket, "S3 bucket");
    return compact({
      type: "s3-bucket" as const,
      id,
      arn,
      tags: bucket.tags("tags"),
      publiclyAccessible: publiclyAccessible(bucket),
      objectKey: bucket.list("s3ObjectDetails")[0]?.str("key"),
    });
  });
}

/** A GuardDuty Container block (ECS task containers, Kubernetes workload containers, containerDetails). */
export function container(details: View): ResourceOf<"container"> | undefined {
  const name = details.str("name");
  const id = details.str("id") ?? name;
  if (!id) return missingId(details, "container");
  return compact({ type: "container" as const, id, name, image: details.str("image") });
}

/** eksClusterDetails (+ kubernetesDetails) → the cluster, with the workload when there is one. */
export function eksCluster(resource: View): Resource[] {
  const details = resource.obj("eksClusterDetails");
  if (!details) return [];
  const arn = details.str("arn");
  const id = details.str("name") ?? arn?.match(/:cluster\/(.+)$/)?.[1];
  const workload = resource.obj("kubernetesDetails")?.obj("kubernetesWorkloadDetails");
  const containers = workload ? mapDefined(workload.list("containers"), container) : [];
  if (!id) return [...(missingId(details, "eksClusterDetails") ?? []), ...containers];
  const workloadName = workload?.str("name");
  const workloadType = workload?.str("type");
  return [
    compact({
      type: "eks-cluster" as const,
      id,
      arn: arn?.startsWith("arn:") ? arn : undefined,
      tags: details.tags("tags"),
      namespace: workload?.str("namespace"),
      workload: workloadName && workloadType ? `${workloadType}/${workloadName}` : workloadName,
    }),
    ...containers,
  ];
}

/** ecsClusterDetails → the cluster (with the task) and the task's containers. */
export function ecsCluster(details: View): Resource[] {
  const arn = details.str("arn");
  const id = details.str("name") ?? arn?.match(/:cluster\/(.+)$/)?.[1];
  const task = details.obj("taskDetails");
  const containers = task ? mapDefined(task.list("containers"), container) : [];
  if (!id) return [...(missingId(details, "ecsClusterDetails") ?? []), ...containers];
  return [
    compact({ type: "ecs-cluster" as const, id, arn, tags: details.tags("tags"), taskArn: task?.str("arn") }),
    ...containers,
  ];
}

export function rdsInstance(details: View): ResourceOf<"rds-db-instance"> | undefined {
  const arn = details.str("dbInstanceArn");
  const id = details.str("dbInstanceIdentifier") ?? arn?.match(/:db:(.+)$/)?.[1];
  if (!id) return missingId(details, "rdsDbInstanceDetails");
  return compact({
    type: "rds-db-instance" as const,
    id,
    arn,
    tags: details.tags("tags"),
    engine: details.str("engine"),
  });
}

export function lambdaFunction(details: View): ResourceOf<"lambda-function"> | undefined {
  const arn = details.str("functionArn");
  const name = details.str("functionName") ?? arn?.match(/:function:([^:]+)/)?.[1];
  if (!name) return missingId(details, "lambdaDetails");
  return compact({ type: "lambda-function" as const, id: name, arn, tags: details.tags("tags"), name });
}

/** ebsVolumeDetails.scannedVolumeDetails → the volumes a malware scan read. */
export function ebsVolumes(details: View): Resource[] {
  return mapDefined(details.list("scannedVolumeDetails"), (volume) => {
    const arn = volume.str("volumeArn");
    const id = arn?.match(/:volume\/(.+)$/)?.[1] ?? arn;
    if (!id) return missingId(volume, "scanned volume");
    return compact({ type: "ebs-volume" as const, id, arn });
  });
}
