/**
 * Identity and correlation keys (DESIGN §5). Keys are plain strings so stores can index them.
 */
import type { Resource } from "./resource";

/** Dedupe identity: one finding across re-publications and across its Security Hub copy. */
export function findingIdentity(family: string, ...parts: string[]): string {
  let identity = family;
  for (const part of parts) identity += `:${part}`;
  return identity;
}

/** Account + region + primary resource: findings about the same thing share an incident. */
export function correlationKeyFor(
  accountId: string,
  region: string,
  primary: Pick<Resource, "type" | "id">,
): string {
  // IAM, S3 bucket names and account-wide resources are global: region does not split them.
  const global =
    primary.type === "iam-principal" ||
    primary.type === "access-key" ||
    primary.type === "s3-bucket" ||
    primary.type === "aws-account";
  return `${accountId}|${global ? "global" : region}|${primary.type}:${primary.id}`;
}

/**
 * GuardDuty identity, shared by the GuardDuty normalizer and Security Hub copies of GuardDuty findings
 * (whose ASFF Id is the GuardDuty finding ARN `arn:aws:guardduty:<region>:<account>:detector/<d>/finding/<id>`).
 */
export const guardDutyIdentity = (accountId: string, region: string, findingId: string): string =>
  findingIdentity("guardduty", accountId, region, findingId);
