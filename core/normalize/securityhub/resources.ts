/**
 * Security Hub resources (ASFF `Resources[]` and OCSF `resources[]`) → typed resources.
 *
 * Both formats are first read into a `RawResource` (type name, id, details) by their own readers; this
 * module owns the type table and the id rules, so an instance is `i-…`, a bucket its name and an access key
 * its key id whichever format carried them, and the ids line up with the GuardDuty normalizer's.
 * Invariants: every resource has a non-empty id; an unknown type becomes `other` with its source type name;
 * `AWS::::Account:<id>` is an account whatever type it was filed under (a warning says so).
 */
import type { IngressRule, NetworkInterface, Resource, ResourceType } from "../../findings/resource";
import { childPath, isObject, type Json, type ReadContext } from "../read";
import { type Arn, lastSegment, parseArn, resourceName } from "./arn";
import { arrayAt, stringAt } from "./common";

export interface RawResource {
  /** JSON path of the resource's details (ASFF `Details.<Type>`, OCSF `data`), for warnings. */
  detailsPath: string;
  /** The source's type name: ASFF `AwsEc2Instance`, OCSF `AWS::EC2::Instance`. */
  sourceType: string;
  /** `kindOfType(sourceType)`, when the reader has already worked it out. */
  kind?: Kind;
  /** The source's id: an ARN, a bare id (`i-…`, `ASIA…`, bucket name) or `AWS::::Account:<id>`. */
  rawId: string;
  /** An ARN stated beside a bare id (OCSF `uid_alt`). */
  arn?: string;
  region?: string;
  partition?: string;
  /** Owner account when the source states it. */
  accountId?: string;
  name?: string;
  tags?: Record<string, string>;
  /** Type-specific details; keys are read in ASFF PascalCase or OCSF snake_case. */
  details: Json;
  /** Security group ingress rules, when the reader found any. */
  ingress?: IngressRule[];
}

type Kind = Exclude<ResourceType, "cloudwatch-alarm" | "app-resource">;

/**
 * By ASFF type name; other spellings (OCSF `AWS::EC2::Instance`, odd case) are looked up normalized. Maps,
 * not objects, so a type named like an Object property (`constructor`) finds nothing and is `other`.
 */
const KIND_BY_ASFF_TYPE = new Map<string, Kind>([
  ["AwsEc2Instance", "ec2-instance"],
  ["AwsEc2SecurityGroup", "security-group"],
  ["AwsS3Bucket", "s3-bucket"],
  ["AwsIamAccessKey", "access-key"],
  ["AwsIamUser", "iam-principal"],
  ["AwsIamRole", "iam-principal"],
  ["AwsEksCluster", "eks-cluster"],
  ["AwsEcsCluster", "ecs-cluster"],
  ["AwsLambdaFunction", "lambda-function"],
  ["AwsRdsDbInstance", "rds-db-instance"],
  ["AwsEc2Volume", "ebs-volume"],
  ["AwsKmsKey", "kms-key"],
  ["AwsCloudTrailTrail", "cloudtrail-trail"],
  ["AwsWafWebAcl", "waf-web-acl"],
  ["AwsWafv2WebAcl", "waf-web-acl"],
  ["AwsWafRegionalWebAcl", "waf-web-acl"],
  ["AwsAccount", "aws-account"],
  ["Container", "container"],
]);

const TYPE_PUNCTUATION = /[^a-z0-9]/g;

/** Lower-cased without punctuation, so `AwsEc2Instance` and `AWS::EC2::Instance` meet. */
const normalizedTypeName = (sourceType: string): string =>
  sourceType.toLowerCase().replace(TYPE_PUNCTUATION, "");

const KIND_BY_NORMALIZED_TYPE = new Map(
  [...KIND_BY_ASFF_TYPE].map(([sourceType, kind]) => [normalizedTypeName(sourceType), kind]),
);

/** The exact ASFF name is tried first: normalizing every type name cost more than the lookup. */
export const kindOfType = (sourceType: string): Kind =>
  KIND_BY_ASFF_TYPE.get(sourceType) ?? KIND_BY_NORMALIZED_TYPE.get(normalizedTypeName(sourceType)) ?? "other";

/** Resources a responder can contain: preferred as primary over a bare account. */
const CONTAINABLE: ReadonlySet<ResourceType> = new Set(["ec2-instance", "security-group", "access-key"]);

/** The first resource is primary, unless it is only the account and something containable follows. */
export function orderPrimary(resources: Resource[]): Resource[] {
  if (resources[0]?.type !== "aws-account") return resources;
  const index = resources.findIndex((r) => CONTAINABLE.has(r.type));
  if (index < 0) return resources;
  return [resources[index]!, ...resources.filter((_, i) => i !== index)];
}

/**
 * First of the keys present in `details` as a string. Up to four keys as parameters rather than a rest
 * parameter: an array allocated per call otherwise, and a resource reads several details.
 */
function detail(
  raw: RawResource,
  ctx: ReadContext,
  k1: string,
  k2?: string,
  k3?: string,
  k4?: string,
): string | undefined {
  const { details, detailsPath } = raw;
  let value = stringAt(details, k1, detailsPath, ctx);
  if (value !== undefined || k2 === undefined) return value;
  value = stringAt(details, k2, detailsPath, ctx);
  if (value !== undefined || k3 === undefined) return value;
  value = stringAt(details, k3, detailsPath, ctx);
  if (value !== undefined || k4 === undefined) return value;
  return stringAt(details, k4, detailsPath, ctx);
}

function networkInterfaces(raw: RawResource, ctx: ReadContext): NetworkInterface[] {
  const enis = arrayAt(raw.details, "NetworkInterfaces", raw.detailsPath, ctx);
  const read: NetworkInterface[] = [];
  for (let i = 0; i < enis.length; i++) {
    const eni = enis[i];
    if (!isObject(eni)) continue;
    const id = stringAt(
      eni,
      "NetworkInterfaceId",
      childPath(childPath(raw.detailsPath, "NetworkInterfaces"), i),
      ctx,
    );
    if (id !== undefined) read.push({ id, securityGroups: [] });
  }
  return read;
}

const ACCOUNT_PREFIX = "AWS::::Account:";
const ACCOUNT_PSEUDO_ID = /^AWS::::Account:(.+)$/;

/** The name after `prefix` in the ARN's resource part (`instance/i-0abc` → `i-0abc`). */
const nameIn = (arn: Arn | undefined, prefix: string): string | undefined =>
  arn ? resourceName(arn.resource, prefix) : undefined;

export function toResource(raw: RawResource, ctx: ReadContext): Resource {
  const kind = raw.kind ?? kindOfType(raw.sourceType);
  const ownParsed = parseArn(raw.rawId);
  const ownArn = ownParsed ? raw.rawId : undefined;
  const arn = ownParsed ?? (raw.arn === undefined ? undefined : parseArn(raw.arn));
  const arnText = ownArn ?? (arn ? raw.arn : undefined);
  // The members every resource starts with (after `type`), written into each literal rather than spread
  // from a shared object: on Node 20 a spread in a literal leaves V8's fast path, and this runs per resource.
  const accountId = raw.accountId ?? (arn?.account || undefined);
  const region = raw.region ?? (arn?.region || undefined);
  const tags = raw.tags;

  // (The prefix first: most ids are not account pseudo-ids, and a failed startsWith is cheaper than a regex.)
  const account = raw.rawId.startsWith(ACCOUNT_PREFIX) ? ACCOUNT_PSEUDO_ID.exec(raw.rawId)?.[1] : undefined;
  if (account !== undefined) {
    if (kind !== "aws-account")
      ctx.warn(
        "resource_type_mismatch",
        raw.detailsPath,
        `resource typed ${raw.sourceType} has the account id "${raw.rawId}"; read as the account`,
      );
    return { type: "aws-account", arn: arnText, accountId: account, region, tags, id: account };
  }

  switch (kind) {
    case "ec2-instance":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: nameIn(arn, "instance") ?? raw.rawId,
        instanceType: detail(raw, ctx, "Type", "instance_type"),
        imageId: detail(raw, ctx, "ImageId", "image_id"),
        vpcId: detail(raw, ctx, "VpcId", "vpc_uid"),
        subnetId: detail(raw, ctx, "SubnetId", "subnet_uid"),
        instanceProfileArn: detail(raw, ctx, "IamInstanceProfileArn"),
        networkInterfaces: networkInterfaces(raw, ctx),
        securityGroups: [],
      };
    case "security-group":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: detail(raw, ctx, "GroupId", "group_id") ?? nameIn(arn, "security-group") ?? raw.rawId,
        name: detail(raw, ctx, "GroupName", "group_name") ?? raw.name,
        vpcId: detail(raw, ctx, "VpcId", "vpc_uid"),
        ingress: raw.ingress,
      };
    case "s3-bucket": {
      const parts = arn ? arn.resource.split("/") : [raw.rawId];
      const bucket = parts[0]!; // split always yields a first part
      const key = parts.slice(1);
      return {
        type: kind,
        arn: arnText ?? (raw.partition ? `arn:${raw.partition}:s3:::${bucket}` : undefined),
        accountId: accountId ?? detail(raw, ctx, "OwnerAccountId"),
        region,
        tags,
        id: bucket === "" ? raw.rawId : bucket,
        objectKey: key.length > 0 ? key.join("/") : undefined,
      };
    }
    case "access-key":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: ownArn ? raw.rawId : lastSegment(raw.rawId),
        principalId: detail(raw, ctx, "PrincipalId", "principal_id"),
        userName: detail(raw, ctx, "PrincipalName", "UserName", "user_name") ?? raw.name,
        userType: detail(raw, ctx, "PrincipalType", "user_type"),
      };
    case "iam-principal":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: raw.rawId,
        name:
          detail(raw, ctx, "UserName", "RoleName", "user_name", "role_name") ??
          raw.name ??
          (arn ? lastSegment(arn.resource) : undefined),
        principalType: /role/i.test(raw.sourceType) ? "Role" : "IAMUser",
      };
    case "eks-cluster":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: detail(raw, ctx, "Name") ?? nameIn(arn, "cluster") ?? raw.name ?? raw.rawId,
      };
    case "ecs-cluster":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: detail(raw, ctx, "ClusterName") ?? nameIn(arn, "cluster") ?? raw.rawId,
      };
    case "container":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: raw.rawId,
        image: detail(raw, ctx, "ImageName", "ImageId", "image"),
        name: detail(raw, ctx, "Name") ?? raw.name,
      };
    case "rds-db-instance":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: detail(raw, ctx, "DbInstanceIdentifier") ?? nameIn(arn, "db") ?? raw.rawId,
        engine: detail(raw, ctx, "Engine"),
      };
    case "lambda-function": {
      const name = detail(raw, ctx, "FunctionName") ?? nameIn(arn, "function") ?? raw.name;
      return { type: kind, arn: arnText, accountId, region, tags, id: name ?? raw.rawId, name };
    }
    case "ebs-volume":
      return { type: kind, arn: arnText, accountId, region, tags, id: nameIn(arn, "volume") ?? raw.rawId };
    case "kms-key":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: detail(raw, ctx, "KeyId") ?? nameIn(arn, "key") ?? raw.rawId,
      };
    case "cloudtrail-trail":
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: nameIn(arn, "trail") ?? detail(raw, ctx, "Name") ?? raw.rawId,
      };
    case "waf-web-acl": {
      // WAFv2 ARNs end in `webacl/<name>/<id>`, WAF Classic in `webacl/<id>`. The id is the ACL's name
      // where known, as WAF logs and the WebACL alarm dimension name it, so all three correlate.
      const parts = arn?.resource.split("/") ?? [];
      const at = parts.indexOf("webacl");
      const tail = at >= 0 ? parts.slice(at + 1) : [];
      const name = detail(raw, ctx, "Name") ?? (tail.length > 1 ? tail[0] : undefined) ?? raw.name;
      return {
        type: kind,
        arn: arnText,
        accountId,
        region,
        tags,
        id: name ?? detail(raw, ctx, "WebAclId", "Id") ?? tail.at(-1) ?? raw.rawId,
        name,
      };
    }
    case "aws-account":
      return {
        type: kind,
        arn: arnText,
        accountId: arn?.account || raw.rawId,
        region,
        tags,
        id: arn?.account || raw.rawId,
      };
    case "other":
      return { type: kind, arn: arnText, accountId, region, tags, id: raw.rawId, sourceType: raw.sourceType };
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
