/**
 * Narrowing a containment target to the kind an action needs. A mismatch is a bug upstream (the policy
 * pairs actions with targets), so it throws an error naming both rather than guessing.
 */
import type { ContainmentTarget } from "../../core/incident/containment-policy";
import type { AccessKeyTarget } from "./access-key-lock";
import type { InstanceTarget } from "./ec2-isolation";
import type { SecurityGroupTarget } from "./security-group-lockdown";

function narrow<T extends ContainmentTarget["resourceType"]>(
  target: ContainmentTarget,
  resourceType: T,
  action: string,
): Extract<ContainmentTarget, { resourceType: T }> {
  if (target.resourceType !== resourceType) {
    throw new Error(`${action} needs a target of type ${resourceType}, got ${target.resourceType}`);
  }
  return target as Extract<ContainmentTarget, { resourceType: T }>;
}

export const asInstance = (target: ContainmentTarget, action: string): InstanceTarget =>
  narrow(target, "ec2-instance", action);
export const asSecurityGroup = (target: ContainmentTarget, action: string): SecurityGroupTarget =>
  narrow(target, "security-group", action);
export const asAccessKey = (target: ContainmentTarget, action: string): AccessKeyTarget =>
  narrow(target, "access-key", action);
