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
import { childPath, type Json, optionalArray, optionalString, type ReadContext } from "../read";
import { lastSegment, parseArn, resourceName } from "./arn";

export interface RawResource {
  /** JSON path of the resource's details (ASFF `Details.<Type>`, OCSF `data`), for warnings. */
  detailsPath: string;
  /** The source's type name: ASFF `AwsEc2Instance`, OCSF `AWS::EC2::Instance`. */
  sourceType: string;
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

/** Keyed by the type name lower-cased without punctuation: `AwsEc2Instance` and `AWS::EC2::Instance` meet. */
const KIND_BY_TYPE: Record<string, Kind> = {
  awsec2instance: "ec2-instance",
  awsec2securitygroup: "security-group",
  awss3bucket: "s3-bucket",
  awsiamaccesskey: "access-key",
  awsiamuser: "iam-principal",
  awsiamrole: "iam-principal",
  awsekscluster: "eks-cluster",
  awsecscluster: "ecs-cluster",
  awslambdafunction: "lambda-function",
  awsrdsdbinstance: "rds-db-instance",
  awsec2volume: "ebs-volume",
  awskmskey: "kms-key",
  awscloudtrailtrail: "cloudtrail-trail",
  awswafwebacl: "waf-web-acl",
  awswafv2webacl: "waf-web-acl",
  awswafregionalwebacl: "waf-web-acl",
  awsaccount: "aws-account",
  container: "container",
};

export const kindOfType = (sourceType: string): Kind =>
  KIND_BY_TYPE[sourceType.toLowerCase().replace(/[^a-z0-9]/g, "")] ?? "other";

/** Resources a responder can contain: preferred as primary over a bare account. */
const CONTAINABLE: ReadonlySet<ResourceType> = new Set(["ec2-instance", "security-group", "access-key"]);

/** The first resource is primary, unless it is only the account and something containable follows. */
export function orderPrimary(resources: Resource[]): Resource[] {
  if (resources[0]?.type !== "aws-account") return resources;
  const index = resources.findIndex((r) => CONTAINABLE.has(r.type));
  if (index < 0) return resources;
  return [resources[index]!, ...resources.filter((_, i) => i !== index)];
}

/** First of `keys` present in `details` as a string. */
function detail(raw: RawResource, ctx: ReadContext, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = optionalString(raw.details[key], childPath(raw.detailsPath, key), ctx);
    if (value !== undefined) return value;
  }
  return undefined;
}

function networkInterfaces(raw: RawResource, ctx: ReadContext): NetworkInterface[] {
  const path = childPath(raw.detailsPath, "NetworkInterfaces");
  return optionalArray(raw.details.NetworkInterfaces, path, ctx).flatMap((eni, i) => {
    const id =
      typeof eni === "object" && eni !== null && !Array.isArray(eni)
        ? optionalString(
            (eni as Json).NetworkInterfaceId,
            childPath(childPath(path, i), "NetworkInterfaceId"),
            ctx,
          )
        : undefined;
    return id === undefined ? [] : [{ id, securityGroups: [] }];
  });
}

const ACCOUNT_PSEUDO_ID = /^AWS::::Account:(.+)$/;

export function toResource(raw: RawResource, ctx: ReadContext): Resource {
  const kind = kindOfType(raw.sourceType);
  const ownArn = parseArn(raw.rawId) ? raw.rawId : undefined;
  const arnText = ownArn ?? (raw.arn !== undefined && parseArn(raw.arn) ? raw.arn : undefined);
  const arn = arnText === undefined ? undefined : parseArn(arnText);
  const base = {
    arn: arnText,
    accountId: raw.accountId ?? (arn?.account || undefined),
    region: raw.region ?? (arn?.region || undefined),
    tags: raw.tags,
  };
  const named = (prefix: string) => (arn ? resourceName(arn.resource, prefix) : undefined);

  const account = ACCOUNT_PSEUDO_ID.exec(raw.rawId)?.[1];
  if (account !== undefined) {
    if (kind !== "aws-account")
      ctx.warn(
        "resource_type_mismatch",
        raw.detailsPath,
        `resource typed ${raw.sourceType} has the account id "${raw.rawId}"; read as the account`,
      );
    return { type: "aws-account", ...base, id: account, accountId: account };
  }

  switch (kind) {
    case "ec2-instance":
      return {
        type: kind,
        ...base,
        id: named("instance") ?? raw.rawId,
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
        ...base,
        id: detail(raw, ctx, "GroupId", "group_id") ?? named("security-group") ?? raw.rawId,
        name: detail(raw, ctx, "GroupName", "group_name") ?? raw.name,
        vpcId: detail(raw, ctx, "VpcId", "vpc_uid"),
        ingress: raw.ingress,
      };
    case "s3-bucket": {
      const [bucket = raw.rawId, ...key] = arn ? arn.resource.split("/") : [raw.rawId];
      return {
        type: kind,
        ...base,
        arn: arnText ?? (raw.partition ? `arn:${raw.partition}:s3:::${bucket}` : undefined),
        accountId: base.accountId ?? detail(raw, ctx, "OwnerAccountId"),
        id: bucket === "" ? raw.rawId : bucket,
        objectKey: key.length > 0 ? key.join("/") : undefined,
      };
    }
    case "access-key":
      return {
        type: kind,
        ...base,
        id: ownArn ? raw.rawId : lastSegment(raw.rawId),
        principalId: detail(raw, ctx, "PrincipalId", "principal_id"),
        userName: detail(raw, ctx, "PrincipalName", "UserName", "user_name") ?? raw.name,
        userType: detail(raw, ctx, "PrincipalType", "user_type"),
      };
    case "iam-principal":
      return {
        type: kind,
        ...base,
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
        ...base,
        id: detail(raw, ctx, "Name") ?? named("cluster") ?? raw.name ?? raw.rawId,
      };
    case "ecs-cluster":
      return { type: kind, ...base, id: detail(raw, ctx, "ClusterName") ?? named("cluster") ?? raw.rawId };
    case "container":
      return {
        type: kind,
        ...base,
        id: raw.rawId,
        image: detail(raw, ctx, "ImageName", "ImageId", "image"),
        name: detail(raw, ctx, "Name") ?? raw.name,
      };
    case "rds-db-instance":
      return {
        type: kind,
        ...base,
        id: detail(raw, ctx, "DbInstanceIdentifier") ?? named("db") ?? raw.rawId,
        engine: detail(raw, ctx, "Engine"),
      };
    case "lambda-function": {
      const name = detail(raw, ctx, "FunctionName") ?? named("function") ?? raw.name;
      return { type: kind, ...base, id: name ?? raw.rawId, name };
    }
    case "ebs-volume":
      return { type: kind, ...base, id: named("volume") ?? raw.rawId };
    case "kms-key":
      return { type: kind, ...base, id: detail(raw, ctx, "KeyId") ?? named("key") ?? raw.rawId };
    case "cloudtrail-trail":
      return { type: kind, ...base, id: named("trail") ?? detail(raw, ctx, "Name") ?? raw.rawId };
    case "waf-web-acl": {
      // WAFv2 ARNs end in `webacl/<name>/<id>`, WAF Classic in `webacl/<id>`. The id is the ACL's name
      // where known, as WAF logs and the WebACL alarm dimension name it, so all three correlate.
      const parts = arn?.resource.split("/") ?? [];
      const at = parts.indexOf("webacl");
      const tail = at >= 0 ? parts.slice(at + 1) : [];
      const name = detail(raw, ctx, "Name") ?? (tail.length > 1 ? tail[0] : undefined) ?? raw.name;
      return {
        type: kind,
        ...base,
        id: name ?? detail(raw, ctx, "WebAclId", "Id") ?? tail.at(-1) ?? raw.rawId,
        name,
      };
    }
    case "aws-account":
      return { type: kind, ...base, id: arn?.account || raw.rawId, accountId: arn?.account || raw.rawId };
    case "other":
      return { type: kind, ...base, id: raw.rawId, sourceType: raw.sourceType };
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
