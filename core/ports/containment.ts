/**
 * Containment: acts on compromised resources (EC2 isolation, security-group lockdown, access-key
 * deactivation) and undoes it. Every step is idempotent on the command id and returns what is needed to
 * undo it. Resources tagged `ir:protected` are never touched. `plan` is a dry run: the exact API calls
 * that would be made, with nothing changed.
 */
import type { CommandParams } from "../incident/commands";
import type { JsonObject } from "./incident-store";

export interface PlannedCall {
  service: "ec2" | "iam" | "sts";
  action: string;
  input: JsonObject;
  /** Why this call is in the plan. */
  purpose: string;
}

export interface ContainmentPlan {
  action: CommandParams<"planContainment">["action"];
  calls: PlannedCall[];
  /** Set when nothing would be done, and why (protected, already contained, unsupported…). */
  skipped?: string;
}

export interface Containment {
  plan(params: CommandParams<"planContainment">): Promise<ContainmentPlan>;
  isolateInstance(commandId: string, params: CommandParams<"isolateInstance">): Promise<JsonObject>;
  completeIsolation(commandId: string, params: CommandParams<"completeIsolation">): Promise<JsonObject>;
  lockDownSecurityGroup(
    commandId: string,
    params: CommandParams<"lockDownSecurityGroup">,
  ): Promise<JsonObject>;
  deactivateAccessKey(commandId: string, params: CommandParams<"deactivateAccessKey">): Promise<JsonObject>;
  restore(commandId: string, params: CommandParams<"restoreContainment">): Promise<JsonObject>;
}
