/**
 * Containment policy (DESIGN §5): what, if anything, the service may do to a finding's primary resource.
 *
 * Invariants:
 * - `mode` is a ceiling, off < dry-run < approval < auto. A rule can lower the mode for matching findings
 *   but never raise it above the ceiling; `auto` only ever comes from a rule that lists the finding type
 *   (glob) at or above its minimum severity, so an unlisted finding under `auto` waits for approval.
 * - A resource tagged `ir:protected` is never touched (any tag value but "false"), and the reason is kept.
 * - The action depends on the primary resource only: an EC2 instance is isolated, a security group open to
 *   the world is locked down, a long-term access key is deactivated; anything else has no action.
 * - Targets are plain JSON and carry what the adapter needs (every ENI with its security groups), so the
 *   plan, the command and its undo can be replayed without the original finding.
 */
import * as z from "zod";
import type { Finding } from "../findings/finding";
import { ingressRuleSchema, type Resource } from "../findings/resource";
import { severityLabelSchema, severityRank } from "../findings/severity";

export const CONTAINMENT_MODES = ["off", "dry-run", "approval", "auto"] as const;
export const containmentModeSchema = z.enum(CONTAINMENT_MODES);
export type ContainmentMode = z.infer<typeof containmentModeSchema>;

export const CONTAINMENT_ACTIONS = [
  "isolateInstance",
  "lockDownSecurityGroup",
  "deactivateAccessKey",
] as const;
export const containmentActionSchema = z.enum(CONTAINMENT_ACTIONS);
export type ContainmentAction = z.infer<typeof containmentActionSchema>;

export const PROTECTED_TAG = "ir:protected";

export const containmentRuleSchema = z.object({
  /** Finding type globs: `*` matches any run of characters, `?` one character, e.g. `UnauthorizedAccess:EC2/*`. */
  findingTypes: z.array(z.string().min(1)).min(1),
  minSeverity: severityLabelSchema.default("HIGH"),
  /** The mode for matching findings, still capped by the policy's `mode`. */
  mode: containmentModeSchema.default("auto"),
});
export type ContainmentRule = z.output<typeof containmentRuleSchema>;

export const containmentPolicySchema = z.object({
  mode: containmentModeSchema.default("approval"),
  /** First matching rule wins. */
  rules: z.array(containmentRuleSchema).default([]),
});
export type ContainmentPolicyInput = z.input<typeof containmentPolicySchema>;
export type ContainmentPolicy = z.output<typeof containmentPolicySchema>;

export const DEFAULT_CONTAINMENT_POLICY: ContainmentPolicy = containmentPolicySchema.parse({});

const common = { accountId: z.string(), region: z.string() };

export const containmentTargetSchema = z.discriminatedUnion("resourceType", [
  z.object({
    resourceType: z.literal("ec2-instance"),
    ...common,
    instanceId: z.string(),
    vpcId: z.string().nullable(),
    /** Every ENI with its current security groups: what isolation swaps and what restore puts back. */
    networkInterfaces: z.array(z.object({ id: z.string(), securityGroupIds: z.array(z.string()) })),
    securityGroupIds: z.array(z.string()),
  }),
  z.object({
    resourceType: z.literal("security-group"),
    ...common,
    groupId: z.string(),
    vpcId: z.string().nullable(),
    /** The world-open ingress rules to revoke. */
    rules: z.array(ingressRuleSchema),
  }),
  z.object({
    resourceType: z.literal("access-key"),
    ...common,
    accessKeyId: z.string(),
    userName: z.string().nullable(),
  }),
]);
export type ContainmentTarget = z.infer<typeof containmentTargetSchema>;

export interface ContainmentDecision {
  mode: ContainmentMode;
  action: ContainmentAction | "none";
  target: ContainmentTarget | null;
  /** Why: shown on the timeline and in chat. */
  reason: string;
}

/** True when the decision lets the service do anything at all (plan or act). */
export const canContain = (decision: Pick<ContainmentDecision, "mode" | "action">): boolean =>
  decision.mode !== "off" && decision.action !== "none";

const MODE_RANK: Record<ContainmentMode, number> = { off: 0, "dry-run": 1, approval: 2, auto: 3 };
const lower = (a: ContainmentMode, b: ContainmentMode): ContainmentMode =>
  MODE_RANK[a] <= MODE_RANK[b] ? a : b;

export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

export const matchesGlob = (glob: string, value: string): boolean => globToRegExp(glob).test(value);

function ruleFor(policy: ContainmentPolicy, finding: Finding): ContainmentRule | undefined {
  return policy.rules.find(
    (rule) =>
      severityRank(finding.severity.label) >= severityRank(rule.minSeverity) &&
      rule.findingTypes.some((glob) => matchesGlob(glob, finding.type)),
  );
}

function modeFor(policy: ContainmentPolicy, finding: Finding): { mode: ContainmentMode; why: string } {
  const rule = ruleFor(policy, finding);
  if (rule) {
    const mode = lower(policy.mode, rule.mode);
    return { mode, why: `rule ${rule.findingTypes.join(", ")} (≥ ${rule.minSeverity}) gives ${mode}` };
  }
  const mode = lower(policy.mode, "approval");
  return {
    mode,
    why: `policy mode ${policy.mode}${policy.mode === "auto" ? " (type not listed for auto)" : ""}`,
  };
}

const isProtected = (resource: Resource): boolean => {
  const value = resource.tags?.[PROTECTED_TAG];
  return value !== undefined && value.trim().toLowerCase() !== "false";
};

type Planned = { action: ContainmentAction; target: ContainmentTarget } | { action: "none"; reason: string };

function planFor(finding: Finding, resource: Resource): Planned {
  const accountId = resource.accountId ?? finding.accountId;
  const region = resource.region ?? finding.region;
  switch (resource.type) {
    case "ec2-instance":
      return {
        action: "isolateInstance",
        target: {
          resourceType: "ec2-instance",
          accountId,
          region,
          instanceId: resource.id,
          vpcId: resource.vpcId ?? null,
          networkInterfaces: resource.networkInterfaces.map((eni) => ({
            id: eni.id,
            securityGroupIds: eni.securityGroups.map((group) => group.id),
          })),
          securityGroupIds: resource.securityGroups.map((group) => group.id),
        },
      };
    case "security-group": {
      const rules = (resource.ingress ?? []).filter((rule) => rule.worldOpen);
      if (rules.length === 0)
        return { action: "none", reason: `security group ${resource.id} is not open to the world` };
      return {
        action: "lockDownSecurityGroup",
        target: {
          resourceType: "security-group",
          accountId,
          region,
          groupId: resource.id,
          vpcId: resource.vpcId ?? null,
          rules,
        },
      };
    }
    case "access-key":
      // ASIA… keys are STS session credentials: DeactivateAccessKey cannot touch them.
      if (resource.id.startsWith("ASIA")) {
        return { action: "none", reason: `access key ${resource.id} is a temporary session credential` };
      }
      return {
        action: "deactivateAccessKey",
        target: {
          resourceType: "access-key",
          accountId,
          region,
          accessKeyId: resource.id,
          userName: resource.userName ?? null,
        },
      };
    default:
      return { action: "none", reason: `no automatic containment for a ${resource.type}` };
  }
}

export function decideContainment(policy: ContainmentPolicy, finding: Finding): ContainmentDecision {
  const resource = finding.resources[0]!;
  if (isProtected(resource)) {
    return {
      mode: "off",
      action: "none",
      target: null,
      reason: `${resource.type} ${resource.id} is tagged ${PROTECTED_TAG}: never touched`,
    };
  }
  const planned = planFor(finding, resource);
  if (planned.action === "none") return { mode: "off", action: "none", target: null, reason: planned.reason };
  const { mode, why } = modeFor(policy, finding);
  return {
    mode,
    action: planned.action,
    target: planned.target,
    reason: `${planned.action} ${resource.id}: ${why}`,
  };
}
