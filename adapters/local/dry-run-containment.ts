/**
 * Containment without AWS credentials (DESIGN §4): every action records and returns the exact API calls
 * it would make, marked `dryRun: true`, and changes nothing anywhere.
 *
 * Invariants:
 * - Results have the shape the real adapter's have (isolation asks for its second step, restores read the
 *   undo data), so the workflow walks every containment state locally exactly as it would in AWS.
 * - Isolation is planned the connection-tracking-aware way: evidence first (termination protection,
 *   snapshots, tags), then every ENI moves to a group that allows all traffic (so tracked flows become
 *   untracked and drain), then — second step — to the no-traffic isolation group.
 * - Deterministic: the same command gives the same result (idempotent on the command id trivially).
 */
import type { CommandParams } from "../../core/incident/commands";
import type { ContainmentAction, ContainmentTarget } from "../../core/incident/containment-policy";
import type { Containment, ContainmentPlan, PlannedCall } from "../../core/ports/containment";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";

export interface DryRunRecord {
  /** null for `plan`, which has no command of its own. */
  commandId: string | null;
  step: "plan" | ContainmentAction | "completeIsolation" | "restore";
  calls: PlannedCall[];
}

export type ContainmentLog = (msg: string, fields: Record<string, unknown>) => void;

type Target<T extends ContainmentTarget["resourceType"]> = Extract<ContainmentTarget, { resourceType: T }>;

const call = (service: PlannedCall["service"], action: string, input: JsonObject, purpose: string) => ({
  service,
  action,
  input,
  purpose,
});

/** Placeholders for groups the real adapter finds or creates per VPC. */
const untrackGroup = (vpcId: string | null) => `ir-untrack(${vpcId ?? "default-vpc"})`;
const isolationGroup = (vpcId: string | null) => `ir-isolation(${vpcId ?? "default-vpc"})`;

function need<T extends ContainmentTarget["resourceType"]>(target: ContainmentTarget, type: T): Target<T> {
  if (target.resourceType !== type)
    throw new Error(`this step needs a ${type} target, got a ${target.resourceType}`);
  return target as Target<T>;
}

function isolationFirstStep(t: Target<"ec2-instance">): PlannedCall[] {
  return [
    call(
      "ec2",
      "ModifyInstanceAttribute",
      { InstanceId: t.instanceId, DisableApiTermination: { Value: true } },
      "preserve evidence: nobody can terminate the instance",
    ),
    call(
      "ec2",
      "CreateSnapshots",
      {
        InstanceSpecification: { InstanceId: t.instanceId },
        Description: `ir evidence ${t.instanceId}`,
        CopyTagsFromSource: "volume",
      },
      "preserve evidence: snapshot every attached volume before touching the network",
    ),
    call(
      "ec2",
      "CreateTags",
      { Resources: [t.instanceId], Tags: [{ Key: "ir:isolation", Value: "in-progress" }] },
      "mark the instance as under isolation",
    ),
    ...t.networkInterfaces.map((eni) =>
      call(
        "ec2",
        "ModifyNetworkInterfaceAttribute",
        { NetworkInterfaceId: eni.id, Groups: [untrackGroup(t.vpcId)] },
        `step 1: ${eni.id} to an allow-all group so its tracked connections become untracked (was ${eni.securityGroupIds.join(", ") || "no groups"})`,
      ),
    ),
  ];
}

function isolationSecondStep(t: Target<"ec2-instance">): PlannedCall[] {
  return t.networkInterfaces.map((eni) =>
    call(
      "ec2",
      "ModifyNetworkInterfaceAttribute",
      { NetworkInterfaceId: eni.id, Groups: [isolationGroup(t.vpcId)] },
      `step 2: ${eni.id} to the no-traffic isolation group`,
    ),
  );
}

const permission = (rule: Target<"security-group">["rules"][number]): JsonObject => ({
  IpProtocol: rule.protocol,
  ...(rule.fromPort === undefined ? {} : { FromPort: rule.fromPort }),
  ...(rule.toPort === undefined ? {} : { ToPort: rule.toPort }),
  ...(rule.cidr.includes(":")
    ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr }] }
    : { IpRanges: [{ CidrIp: rule.cidr }] }),
});

function lockDown(t: Target<"security-group">): PlannedCall[] {
  return t.rules.map((rule) =>
    call(
      "ec2",
      "RevokeSecurityGroupIngress",
      rule.ruleId
        ? { GroupId: t.groupId, SecurityGroupRuleIds: [rule.ruleId] }
        : { GroupId: t.groupId, IpPermissions: [permission(rule)] },
      `revoke ${rule.protocol} ${rule.fromPort ?? "*"}-${rule.toPort ?? "*"} from ${rule.cidr} (open to the world)`,
    ),
  );
}

const accessKeyStatus = (t: Target<"access-key">, status: "Active" | "Inactive", purpose: string) =>
  call(
    "iam",
    "UpdateAccessKey",
    { AccessKeyId: t.accessKeyId, ...(t.userName ? { UserName: t.userName } : {}), Status: status },
    purpose,
  );

function actionCalls(action: ContainmentAction, target: ContainmentTarget): PlannedCall[] {
  switch (action) {
    case "isolateInstance": {
      const t = need(target, "ec2-instance");
      return [...isolationFirstStep(t), ...isolationSecondStep(t)];
    }
    case "lockDownSecurityGroup":
      return lockDown(need(target, "security-group"));
    case "deactivateAccessKey":
      return [accessKeyStatus(need(target, "access-key"), "Inactive", "stop the key from signing requests")];
    default: {
      const unknown: never = action;
      throw new Error(`unknown containment action ${String(unknown)}`);
    }
  }
}

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The groups each ENI had before isolation, as the first isolation step recorded them (the undo is that
 * result, or `{ first, second }` once the second step ran); the target's groups when nothing was recorded.
 */
function originalGroups(undo: JsonValue, t: Target<"ec2-instance">): Array<{ id: string; groups: string[] }> {
  const first = isJsonObject(undo) && isJsonObject(undo.first) ? undo.first : undo;
  const recorded = isJsonObject(first) && Array.isArray(first.originalGroups) ? first.originalGroups : null;
  if (!recorded) return t.networkInterfaces.map((eni) => ({ id: eni.id, groups: eni.securityGroupIds }));
  return recorded.filter(isJsonObject).map((entry) => ({
    id: String(entry.networkInterfaceId),
    groups: Array.isArray(entry.groupIds) ? entry.groupIds.map(String) : [],
  }));
}

function restoreCalls(action: ContainmentAction, target: ContainmentTarget, undo: JsonValue): PlannedCall[] {
  switch (action) {
    case "isolateInstance": {
      const t = need(target, "ec2-instance");
      return [
        ...originalGroups(undo, t).map((eni) =>
          call(
            "ec2",
            "ModifyNetworkInterfaceAttribute",
            { NetworkInterfaceId: eni.id, Groups: eni.groups },
            `put back ${eni.id}'s original groups`,
          ),
        ),
        call(
          "ec2",
          "DeleteTags",
          { Resources: [t.instanceId], Tags: [{ Key: "ir:isolation" }] },
          "the instance is no longer isolated",
        ),
      ];
    }
    case "lockDownSecurityGroup": {
      const t = need(target, "security-group");
      return t.rules.map((rule) =>
        call(
          "ec2",
          "AuthorizeSecurityGroupIngress",
          { GroupId: t.groupId, IpPermissions: [permission(rule)] },
          `re-open ${rule.protocol} ${rule.fromPort ?? "*"}-${rule.toPort ?? "*"} from ${rule.cidr}`,
        ),
      );
    }
    case "deactivateAccessKey":
      return [accessKeyStatus(need(target, "access-key"), "Active", "re-activate the key")];
    default: {
      const unknown: never = action;
      throw new Error(`unknown containment action ${String(unknown)}`);
    }
  }
}

const MAX_RECORDS = 1000;

export class DryRunContainment implements Containment {
  /** What was "run", newest last (bounded). */
  readonly records: DryRunRecord[] = [];

  constructor(private readonly log: ContainmentLog = () => {}) {}

  async plan(params: CommandParams<"planContainment">): Promise<ContainmentPlan> {
    const calls = actionCalls(params.action, params.target);
    this.record(null, "plan", calls);
    return { action: params.action, calls, dryRun: true } as ContainmentPlan;
  }

  async isolateInstance(commandId: string, params: CommandParams<"isolateInstance">): Promise<JsonObject> {
    const t = need(params.target, "ec2-instance");
    const calls = isolationFirstStep(t);
    this.record(commandId, "isolateInstance", calls);
    return {
      dryRun: true,
      followUp: "completeIsolation",
      instanceId: t.instanceId,
      originalGroups: t.networkInterfaces.map((eni) => ({
        networkInterfaceId: eni.id,
        groupIds: eni.securityGroupIds,
      })),
      calls: calls as unknown as JsonObject[],
    };
  }

  async completeIsolation(
    commandId: string,
    params: CommandParams<"completeIsolation">,
  ): Promise<JsonObject> {
    const calls = isolationSecondStep(need(params.target, "ec2-instance"));
    this.record(commandId, "completeIsolation", calls);
    return { dryRun: true, calls: calls as unknown as JsonObject[] };
  }

  async lockDownSecurityGroup(
    commandId: string,
    params: CommandParams<"lockDownSecurityGroup">,
  ): Promise<JsonObject> {
    const t = need(params.target, "security-group");
    const calls = lockDown(t);
    this.record(commandId, "lockDownSecurityGroup", calls);
    return { dryRun: true, groupId: t.groupId, revoked: t.rules, calls: calls as unknown as JsonObject[] };
  }

  async deactivateAccessKey(
    commandId: string,
    params: CommandParams<"deactivateAccessKey">,
  ): Promise<JsonObject> {
    const calls = actionCalls("deactivateAccessKey", params.target);
    this.record(commandId, "deactivateAccessKey", calls);
    return { dryRun: true, calls: calls as unknown as JsonObject[] };
  }

  async restore(commandId: string, params: CommandParams<"restoreContainment">): Promise<JsonObject> {
    const calls = restoreCalls(params.action, params.target, params.undo as JsonValue);
    this.record(commandId, "restore", calls);
    return { dryRun: true, restored: params.action, calls: calls as unknown as JsonObject[] };
  }

  private record(commandId: string | null, step: DryRunRecord["step"], calls: PlannedCall[]): void {
    this.records.push({ commandId, step, calls });
    if (this.records.length > MAX_RECORDS) this.records.shift();
    this.log("containment.dry-run", { commandId, step, calls: calls.map((c) => `${c.service}:${c.action}`) });
  }
}
