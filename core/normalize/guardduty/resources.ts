/**
 * The resources of a GuardDuty finding, primary first.
 *
 * `resource.resourceType` says which detail block holds the primary resource — what a responder would
 * contain: the instance, the access key (so the credential lock can act on it, its principal second), the
 * bucket, the cluster… Every other detail block present follows in a fixed order, so nothing GuardDuty
 * reported is dropped. Attack sequences take the resources the sequence lists, first one first.
 *
 * Invariants: never empty; the primary is never borrowed from another block (an Instance finding without
 * instanceDetails gets an `other` placeholder keyed on the finding id, not the access key that happens to
 * be there), so containment never acts on the wrong kind of thing; unknown resource types are kept as
 * `other` with a warning.
 */
import type { Resource } from "../../findings/resource";
import { sequenceActorPrincipals, sequenceOf, sequenceResources } from "./attack-sequence";
import {
  accessKey,
  container,
  ebsVolumes,
  ec2Instance,
  ecsCluster,
  eksCluster,
  lambdaFunction,
  type ResourceScope,
  rdsInstance,
  s3Buckets,
} from "./resource-details";
import { compact, type View } from "./view";

type Block =
  | "sequence"
  | "instance"
  | "accessKey"
  | "buckets"
  | "eks"
  | "ecs"
  | "container"
  | "rds"
  | "lambda";

/** GuardDuty resourceType → the block holding the primary resource. */
const PRIMARY_BLOCK: Readonly<Record<string, Block>> = {
  Instance: "instance",
  AccessKey: "accessKey",
  S3Bucket: "buckets",
  S3Object: "buckets",
  EKSCluster: "eks",
  ECSCluster: "ecs",
  Container: "container",
  RDSDBInstance: "rds",
  Lambda: "lambda",
  AttackSequence: "sequence",
};

/** Secondary blocks, in the order they follow the primary. */
const SECONDARY_ORDER: readonly Block[] = [
  "instance",
  "accessKey",
  "buckets",
  "eks",
  "ecs",
  "container",
  "rds",
  "lambda",
];

/** Appends the resources of one block to `out` (appending, not returning lists: this runs for every block). */
type BlockReader = (resource: View, service: View | undefined, scope: ResourceScope, out: Resource[]) => void;

const pushDefined = (out: Resource[], item: Resource | undefined): void => {
  if (item !== undefined) out.push(item);
};

const pushAll = (out: Resource[], items: readonly Resource[]): void => {
  for (const item of items) out.push(item);
};

const READERS: Readonly<Record<Block, BlockReader>> = {
  sequence: (_resource, service, _scope, out) => {
    const sequence = sequenceOf(service);
    if (!sequence) return;
    const listed = sequenceResources(sequence);
    pushAll(out, listed.length > 0 ? listed : sequenceActorPrincipals(sequence));
  },
  // EC2 malware scans add the volumes that were scanned.
  instance: (resource, _service, scope, out) => {
    const details = resource.obj("instanceDetails");
    const instance = details ? ec2Instance(details, scope) : undefined;
    const volumes = resource.obj("ebsVolumeDetails");
    pushDefined(out, instance);
    if (volumes) pushAll(out, ebsVolumes(volumes));
  },
  accessKey: (resource, _service, scope, out) => {
    const details = resource.obj("accessKeyDetails");
    if (details) pushAll(out, accessKey(details, scope));
  },
  buckets: (resource, _service, _scope, out) => pushAll(out, s3Buckets(resource)),
  eks: (resource, _service, _scope, out) => pushAll(out, eksCluster(resource)),
  ecs: (resource, _service, _scope, out) => {
    const details = resource.obj("ecsClusterDetails");
    if (details) pushAll(out, ecsCluster(details));
  },
  container: (resource, _service, _scope, out) => {
    const details = resource.obj("containerDetails");
    if (details) pushDefined(out, container(details));
  },
  rds: (resource, _service, _scope, out) => {
    const details = resource.obj("rdsDbInstanceDetails");
    if (details) pushDefined(out, rdsInstance(details));
  },
  lambda: (resource, _service, _scope, out) => {
    const details = resource.obj("lambdaDetails");
    if (details) pushDefined(out, lambdaFunction(details));
  },
};

const ID_KEYS = ["arn", "name", "id", "uid"];

/** An unknown resource type: the first id-like field of its first `*Details` block, else the finding id. */
function unknownResource(resource: View, resourceType: string, fallbackId: string): Resource {
  for (const key of Object.keys(resource.json).filter((k) => /Details$/i.test(k))) {
    const details = resource.obj(key);
    if (!details) continue;
    const idKey =
      ID_KEYS.find((k) => details.has(k)) ??
      Object.keys(details.json).find((k) => /(Identifier|Arn|Id)$/.test(k));
    const id = idKey ? details.text(idKey) : undefined;
    if (id)
      return compact({
        type: "other" as const,
        id,
        arn: id.startsWith("arn:") ? id : undefined,
        sourceType: resourceType,
      });
  }
  return { type: "other", id: fallbackId, sourceType: resourceType };
}

const keyOf = (r: Resource) => `${r.type}:${r.id}`;

/** Past this many resources, duplicates are found through a key index instead of a scan. */
const SCAN_LIMIT = 16;

/**
 * Each (type, id) once, in order, the first listing kept. A finding lists a handful of resources, which
 * are compared directly (no key strings); a document listing thousands of buckets is indexed instead, so
 * this never goes quadratic.
 */
/** Whether `resources` has one of the same type and id as `r` (a loop: no closure per resource). */
function listed(resources: readonly Resource[], r: Resource): boolean {
  for (const u of resources) if (u.type === r.type && u.id === r.id) return true;
  return false;
}

function uniqueResources(all: readonly Resource[]): Resource[] {
  if (all.length > SCAN_LIMIT) {
    const seen = new Set<string>();
    return all.filter((r) => !seen.has(keyOf(r)) && seen.add(keyOf(r)));
  }
  const unique: Resource[] = [];
  for (const r of all) if (!listed(unique, r)) unique.push(r);
  return unique;
}

export function readResources(
  resource: View,
  service: View | undefined,
  scope: ResourceScope & { findingId: string; findingType: string },
): Resource[] {
  const resourceType = resource.requireStr("resourceType");
  const primaryBlock = scope.findingType.startsWith("AttackSequence:")
    ? "sequence"
    : Object.hasOwn(PRIMARY_BLOCK, resourceType)
      ? PRIMARY_BLOCK[resourceType]
      : undefined; // own keys only: "constructor" or "__proto__" is an unknown type, not a function
  const all: Resource[] = [];
  if (primaryBlock === undefined) {
    resource.ctx.warn(
      "unknown_resource_type",
      resource.pathOf("resourceType"),
      `unknown GuardDuty resource type "${resourceType}"; kept as "other"`,
    );
    all.push(unknownResource(resource, resourceType, scope.findingId));
  } else {
    READERS[primaryBlock](resource, service, scope, all);
    if (all.length === 0) {
      resource.ctx.warn(
        "missing_resource_details",
        resource.path,
        `no details for the ${resourceType} resource; the finding is keyed on its own id`,
      );
      all.push({ type: "other", id: scope.findingId, sourceType: resourceType });
    }
  }
  for (const block of SECONDARY_ORDER)
    if (block !== primaryBlock) READERS[block](resource, service, scope, all);
  return uniqueResources(all);
}
