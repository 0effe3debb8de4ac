/**
 * Locking down a security group opened to the world: revoke exactly the world-open ingress rules the
 * finding named (0.0.0.0/0 or ::/0 however written), nothing else, and keep each revoked rule as EC2 held
 * it (protocol, ports, CIDR, description) so restore can authorize the very same rule back.
 *
 * Invariants:
 * - The group is read fresh: tags (`ir:protected` → untouched) and its rules with their ids. Rules are
 *   revoked by SecurityGroupRuleIds when known, else by an IpPermission of exactly that rule.
 * - A rule already gone is not an error (re-run, or a human was faster): it is reported as `alreadyGone`.
 * - Restore authorizes only rules the group does not hold again, so it is safe to repeat.
 */
import type { IpPermission, SecurityGroupRule } from "@aws-sdk/client-ec2";
import * as z from "zod";
import type { IngressRule } from "../../core/findings/resource";
import type { ContainmentTarget } from "../../core/incident/containment-policy";
import { isWorldOpen } from "../../core/net/cidr";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";
import { type Io, toJsonObject } from "./aws-io";
import { holdsRule, matchesIngressRule, permissionOf, type StoredRule, storedRule } from "./ip-permissions";
import { isProtected, tagMap } from "./tags";
import { undoParts } from "./undo";

export type SecurityGroupTarget = Extract<ContainmentTarget, { resourceType: "security-group" }>;

const GONE_CODES = ["InvalidSecurityGroupRuleId.NotFound", "InvalidPermission.NotFound"];

async function readGroup(io: Io, groupId: string) {
  const out = await io.read(
    "DescribeSecurityGroups",
    { GroupIds: [groupId] },
    "read the group fresh: tags (ir:protected)",
  );
  const group = out.SecurityGroups?.find((g) => g.GroupId === groupId);
  if (!group) throw new Error(`ec2 DescribeSecurityGroups: security group ${groupId} not found`);
  return group;
}

async function readRules(io: Io, groupId: string): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await io.read(
      "DescribeSecurityGroupRules",
      { Filters: [{ Name: "group-id", Values: [groupId] }], ...(NextToken ? { NextToken } : {}) },
      "read the group's rules as EC2 holds them, with their ids",
    );
    rules.push(...(page.SecurityGroupRules ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return rules;
}

const describeRule = (rule: IngressRule): JsonObject =>
  toJsonObject({
    protocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidr: rule.cidr,
    ruleId: rule.ruleId,
  });

export async function lockDownSecurityGroup(io: Io, target: SecurityGroupTarget): Promise<JsonObject> {
  const groupId = target.groupId;
  const group = await readGroup(io, groupId);
  if (isProtected(tagMap(group.Tags))) return { skipped: "protected", groupId };
  const rules = await readRules(io, groupId);

  const matched: SecurityGroupRule[] = [];
  const alreadyGone: JsonObject[] = [];
  for (const wanted of target.rules.filter((r) => isWorldOpen(r.cidr))) {
    const rule = rules.find((r) => matchesIngressRule(wanted, r));
    if (!rule) alreadyGone.push(describeRule(wanted));
    else if (!matched.includes(rule)) matched.push(rule);
  }

  const withIds = matched.flatMap((r) => (r.SecurityGroupRuleId ? [r.SecurityGroupRuleId] : []));
  const withoutIds = matched.filter((r) => !r.SecurityGroupRuleId).map((r) => permissionOf(storedRule(r)));
  if (withIds.length > 0) {
    const { tolerated } = await io.change(
      "RevokeSecurityGroupIngress",
      { GroupId: groupId, SecurityGroupRuleIds: withIds },
      `revoke the world-open ingress rule${withIds.length > 1 ? "s" : ""} ${withIds.join(", ")}`,
      GONE_CODES,
    );
    // One id vanished between read and revoke, failing the batch: revoke the rest one by one.
    if (tolerated && withIds.length > 1) {
      for (const id of withIds) {
        await io.change(
          "RevokeSecurityGroupIngress",
          { GroupId: groupId, SecurityGroupRuleIds: [id] },
          `revoke the world-open ingress rule ${id}`,
          GONE_CODES,
        );
      }
    }
  }
  if (withoutIds.length > 0) {
    await revokeByPermission(io, groupId, withoutIds);
  }

  return {
    groupId,
    revoked: matched.map((r) => ({ ...storedRule(r) })),
    alreadyGone,
  };
}

async function revokeByPermission(io: Io, groupId: string, permissions: IpPermission[]): Promise<void> {
  for (const permission of permissions) {
    await io.change(
      "RevokeSecurityGroupIngress",
      { GroupId: groupId, IpPermissions: [permission] },
      "revoke the world-open ingress rule",
      GONE_CODES,
    );
  }
}

const storedRuleSchema = z.object({
  ruleId: z.string().nullable(),
  protocol: z.string(),
  fromPort: z.number().nullable(),
  toPort: z.number().nullable(),
  cidr: z.string(),
  description: z.string().nullable(),
});

/** Every rule the lockdown revoked, over all parts of the undo. */
export function revokedRulesOf(undo: JsonValue): StoredRule[] {
  return undoParts(undo).flatMap((part) => z.array(storedRuleSchema).safeParse(part.revoked).data ?? []);
}

export async function restoreSecurityGroup(
  io: Io,
  target: SecurityGroupTarget,
  undo: JsonValue,
): Promise<JsonObject> {
  const groupId = target.groupId;
  const revoked = revokedRulesOf(undo);
  const group = await readGroup(io, groupId);
  if (isProtected(tagMap(group.Tags))) return { skipped: "protected", groupId };
  const rules = await readRules(io, groupId);
  const missing = revoked.filter((rule) => !holdsRule(rules, rule));
  if (missing.length > 0) {
    await io.change(
      "AuthorizeSecurityGroupIngress",
      { GroupId: groupId, IpPermissions: missing.map(permissionOf) },
      `authorize again the ingress rule${missing.length > 1 ? "s" : ""} the lockdown revoked`,
      ["InvalidPermission.Duplicate"],
    );
  }
  return {
    groupId,
    reauthorized: missing.map((r) => ({ ...r })),
    alreadyPresent: revoked.length - missing.length,
  };
}
