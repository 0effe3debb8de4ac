/**
 * Security-group rules as EC2 states them, compared the way EC2 does: protocols by number or name
 * (`tcp` = `6`, `all` = `-1`), ports ignored for all-protocol rules, and "the whole internet" however the
 * CIDR is spelled (core/net/cidr.ts). Revokes need the exact stored values, so matching always returns the
 * rule as EC2 holds it, never the spelling from the finding.
 */
import type { IpPermission, SecurityGroupRule } from "@aws-sdk/client-ec2";
import type { IngressRule } from "../../core/findings/resource";
import { isWorldOpen, parseCidr } from "../../core/net/cidr";

const PROTOCOL_NAMES: Record<string, string> = {
  "-1": "-1",
  all: "-1",
  "1": "icmp",
  icmp: "icmp",
  "6": "tcp",
  tcp: "tcp",
  "17": "udp",
  udp: "udp",
  "58": "icmpv6",
  icmpv6: "icmpv6",
};

export const normalizeProtocol = (protocol: string | undefined): string => {
  const p = (protocol ?? "-1").trim().toLowerCase();
  return PROTOCOL_NAMES[p] ?? p;
};

const portOf = (port: number | undefined): number => port ?? -1;

/** Allow-all in one direction for one IP version: what makes EC2 stop tracking a flow. */
export const ALL_TRAFFIC_V4: IpPermission = { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] };
export const ALL_TRAFFIC_V6: IpPermission = { IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] };

export const allowsAllTraffic = (permissions: readonly IpPermission[] | undefined, version: 4 | 6) =>
  (permissions ?? []).some(
    (p) =>
      normalizeProtocol(p.IpProtocol) === "-1" &&
      (version === 4
        ? (p.IpRanges ?? []).some((r) => isWorldOpen(r.CidrIp ?? ""))
        : (p.Ipv6Ranges ?? []).some((r) => isWorldOpen(r.CidrIpv6 ?? ""))),
  );

/** The world-open part of each permission: what a no-traffic group must not keep. */
export function worldOpenParts(permissions: readonly IpPermission[] | undefined): IpPermission[] {
  return (permissions ?? []).flatMap((p) => {
    const v4 = (p.IpRanges ?? []).filter((r) => isWorldOpen(r.CidrIp ?? ""));
    const v6 = (p.Ipv6Ranges ?? []).filter((r) => isWorldOpen(r.CidrIpv6 ?? ""));
    if (v4.length === 0 && v6.length === 0) return [];
    return [
      {
        IpProtocol: p.IpProtocol,
        ...(p.FromPort === undefined ? {} : { FromPort: p.FromPort }),
        ...(p.ToPort === undefined ? {} : { ToPort: p.ToPort }),
        ...(v4.length ? { IpRanges: v4.map((r) => ({ CidrIp: r.CidrIp })) } : {}),
        ...(v6.length ? { Ipv6Ranges: v6.map((r) => ({ CidrIpv6: r.CidrIpv6 })) } : {}),
      },
    ];
  });
}

const ruleCidr = (rule: SecurityGroupRule): string => rule.CidrIpv4 ?? rule.CidrIpv6 ?? "";

/**
 * True when `rule` (as EC2 holds it) is the world-open ingress rule the finding named: same rule id when
 * the finding knew it, else same IP version, protocol and ports with a world-open CIDR.
 */
export function matchesIngressRule(wanted: IngressRule, rule: SecurityGroupRule): boolean {
  if (rule.IsEgress) return false;
  if (wanted.ruleId !== undefined && rule.SecurityGroupRuleId === wanted.ruleId) return true;
  const cidr = ruleCidr(rule);
  if (!isWorldOpen(cidr) || !isWorldOpen(wanted.cidr)) return false;
  if (parseCidr(cidr)?.version !== parseCidr(wanted.cidr)?.version) return false;
  const protocol = normalizeProtocol(wanted.protocol);
  if (protocol !== normalizeProtocol(rule.IpProtocol)) return false;
  if (protocol === "-1") return true;
  return portOf(wanted.fromPort) === portOf(rule.FromPort) && portOf(wanted.toPort) === portOf(rule.ToPort);
}

/** An ingress rule as stored, kept JSON-only so a restore can put it back exactly. */
export interface StoredRule {
  ruleId: string | null;
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  cidr: string;
  description: string | null;
}

export const storedRule = (rule: SecurityGroupRule): StoredRule => ({
  ruleId: rule.SecurityGroupRuleId ?? null,
  protocol: rule.IpProtocol ?? "-1",
  fromPort: rule.FromPort ?? null,
  toPort: rule.ToPort ?? null,
  cidr: ruleCidr(rule),
  description: rule.Description ?? null,
});

/** The permission that authorizes (or revokes) exactly one stored rule. */
export function permissionOf(rule: StoredRule): IpPermission {
  const allProtocols = normalizeProtocol(rule.protocol) === "-1";
  const description = rule.description === null ? {} : { Description: rule.description };
  const v6 = parseCidr(rule.cidr)?.version === 6;
  return {
    IpProtocol: rule.protocol,
    ...(allProtocols || rule.fromPort === null ? {} : { FromPort: rule.fromPort }),
    ...(allProtocols || rule.toPort === null ? {} : { ToPort: rule.toPort }),
    ...(v6
      ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr, ...description }] }
      : { IpRanges: [{ CidrIp: rule.cidr, ...description }] }),
  };
}

/** True when the group already holds `rule` (same version, protocol, ports and CIDR). */
export const holdsRule = (rules: readonly SecurityGroupRule[], rule: StoredRule): boolean =>
  rules.some(
    (r) =>
      !r.IsEgress &&
      ruleCidr(r) === rule.cidr &&
      normalizeProtocol(r.IpProtocol) === normalizeProtocol(rule.protocol) &&
      (normalizeProtocol(rule.protocol) === "-1" ||
        (portOf(r.FromPort) === (rule.fromPort ?? -1) && portOf(r.ToPort) === (rule.toPort ?? -1))),
  );
