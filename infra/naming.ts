/**
 * Names and ARNs the stacks agree on without cross-stack references: the member-account stacks trust
 * the dispatch role by name, so its name is derived from the service name alone. ARNs are built from
 * the config's plain account ids and regions (not tokens), so every policy resource is readable in the
 * template and in cdk-nag's findings.
 */
import type { FunctionName } from "../core/contracts/function-env";

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The dispatch function's role: the only principal the member accounts' containment role trusts. */
export const dispatchRoleName = (serviceName: string): string => `${serviceName}-dispatch`;

export const roleArn = (partition: string, account: string, roleName: string): string =>
  `arn:${partition}:iam::${account}:role/${roleName}`;

/** The account's default Security Hub product: where our own incident findings are imported. */
export const securityHubProductArn = (partition: string, region: string, account: string): string =>
  `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;

export const securityHubHubArn = (partition: string, region: string, account: string): string =>
  `arn:${partition}:securityhub:${region}:${account}:hub/default`;

/** PascalCase construct ids for function names. */
export const pascal = (name: FunctionName | string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
