/**
 * Least-privilege statements with their reasons attached. A grant names exact actions; a wildcard in an
 * action or a resource is refused unless the grant says why (the API has no resource-level permission,
 * or the resource is only known at incident time), and that reason becomes the cdk-nag acknowledgement
 * of exactly that wildcard. So a wildcard cannot enter a policy without its written reason.
 */
import * as iam from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";
import { acknowledge, iam5 } from "./nag";

export interface Grant {
  sid: string;
  actions: readonly string[];
  resources: readonly string[];
  conditions?: Record<string, Record<string, unknown>>;
  /** Required when an action or resource holds `*`: why it cannot be narrower. */
  wildcardReason?: string;
  effect?: "Allow" | "Deny";
}

const hasWildcard = (value: string): boolean => value.includes("*");

export function statementOf(grant: Grant): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: grant.sid,
    effect: grant.effect === "Deny" ? iam.Effect.DENY : iam.Effect.ALLOW,
    actions: [...grant.actions],
    resources: [...grant.resources],
    ...(grant.conditions ? { conditions: grant.conditions } : {}),
  });
}

/** The cdk-nag findings a grant's wildcards raise (none for Deny statements, which only narrow). */
export function wildcardFindings(grant: Grant): string[] {
  if (grant.effect === "Deny") return [];
  const findings = [
    ...grant.actions.filter(hasWildcard).map((action) => iam5(`Action::${action}`)),
    ...grant.resources.filter(hasWildcard).map((resource) => iam5(`Resource::${resource}`)),
  ];
  if (findings.length > 0 && !grant.wildcardReason)
    throw new Error(`grant ${grant.sid} uses a wildcard without saying why: ${findings.join(", ")}`);
  return findings;
}

/** Adds the grants to a principal's policy and acknowledges each wildcard on `nagScope` with its reason. */
export function applyGrants(principal: iam.IPrincipal, nagScope: IConstruct, grants: readonly Grant[]): void {
  for (const grant of grants) {
    const findings = wildcardFindings(grant);
    principal.addToPrincipalPolicy(statementOf(grant));
    for (const id of findings) acknowledge(nagScope, { id, reason: `${grant.sid}: ${grant.wildcardReason}` });
  }
}
