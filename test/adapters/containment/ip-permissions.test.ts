/**
 * Rule matching and rebuilding for security-group lockdown: any spelling of "the whole internet" and of
 * the protocol finds the rule EC2 stores; nothing that is not world-open ever matches; a stored rule
 * turned back into a permission is held again by the group it came from.
 */
import type { SecurityGroupRule } from "@aws-sdk/client-ec2";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  holdsRule,
  matchesIngressRule,
  normalizeProtocol,
  permissionOf,
  storedRule,
  worldOpenParts,
} from "../../../adapters/containment/ip-permissions";
import { incidentIdOf } from "../../../adapters/containment/tags";
import { originalGroupsOf, undoParts } from "../../../adapters/containment/undo";
import type { IngressRule } from "../../../core/findings/resource";
import { isWorldOpen } from "../../../core/net/cidr";

const ssh4: SecurityGroupRule = {
  SecurityGroupRuleId: "sgr-01",
  IsEgress: false,
  IpProtocol: "tcp",
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: "0.0.0.0/0",
};

const wanted = (overrides: Partial<IngressRule> = {}): IngressRule => ({
  protocol: "tcp",
  fromPort: 22,
  toPort: 22,
  cidr: "0.0.0.0/0",
  worldOpen: true,
  ...overrides,
});

const protocols = fc.constantFrom("tcp", "udp", "icmp", "-1", "6", "17", "1", "all", "TCP");
const port = fc.integer({ min: -1, max: 65535 });
const cidrs = fc.constantFrom(
  "0.0.0.0/0",
  "::/0",
  "10.0.0.0/8",
  "192.168.1.0/24",
  "2001:db8::/32",
  "0.0.0.0/1",
);
const ruleArb = fc.record({
  SecurityGroupRuleId: fc.string({ minLength: 1, maxLength: 6 }).map((s) => `sgr-${s}`),
  IsEgress: fc.boolean(),
  IpProtocol: protocols,
  FromPort: port,
  ToPort: port,
  cidr: cidrs,
});
type RuleInput = Omit<SecurityGroupRule, "CidrIpv4" | "CidrIpv6"> & { cidr: string };
const toRule = (r: RuleInput): SecurityGroupRule => {
  const { cidr, ...rest } = r;
  return { ...rest, ...(cidr.includes(":") ? { CidrIpv6: cidr } : { CidrIpv4: cidr }) };
};
const wantedArb = fc.record({
  protocol: protocols,
  fromPort: fc.option(port, { nil: undefined }),
  toPort: fc.option(port, { nil: undefined }),
  cidr: fc.constantFrom("0.0.0.0/0", "0/0", "::/0", "0:0:0:0:0:0:0:0/0", "::0/0", "10.0.0.0/8"),
  worldOpen: fc.constant(true),
});

describe("matchesIngressRule", () => {
  it.each([
    ["0/0", "tcp"],
    ["0.0.0.0/0", "6"],
    ["0.0.0.0/0", "TCP"],
  ])("finds the stored IPv4 rule from %s / %s", (cidr, protocol) => {
    expect(matchesIngressRule(wanted({ cidr, protocol }), ssh4)).toBe(true);
  });

  it("keeps IPv4 and IPv6 apart, and ports exact", () => {
    expect(matchesIngressRule(wanted({ cidr: "::/0" }), ssh4)).toBe(false);
    expect(matchesIngressRule(wanted({ fromPort: 0, toPort: 65535 }), ssh4)).toBe(false);
    expect(matchesIngressRule(wanted(), { ...ssh4, IsEgress: true })).toBe(false);
  });

  it("matches a rule id even when the finding spelled the rest differently", () => {
    expect(matchesIngressRule(wanted({ ruleId: "sgr-01", fromPort: 80, toPort: 80 }), ssh4)).toBe(true);
  });

  it("never matches a rule that is not world-open, or an egress rule (property)", () => {
    fc.assert(
      fc.property(wantedArb, ruleArb, (w, r) => {
        const rule = toRule(r);
        const matched = matchesIngressRule(w, rule);
        if (matched) {
          expect(rule.IsEgress).toBe(false);
          expect(isWorldOpen(rule.CidrIpv4 ?? rule.CidrIpv6 ?? "")).toBe(true);
          expect(normalizeProtocol(rule.IpProtocol)).toBe(normalizeProtocol(w.protocol));
        }
      }),
    );
  });
});

describe("permissionOf / holdsRule", () => {
  it("a stored ingress rule is held again by the rules it came from (property)", () => {
    fc.assert(
      fc.property(ruleArb, (r) => {
        const rule = toRule({ ...r, IsEgress: false });
        const stored = storedRule(rule);
        const permission = permissionOf(stored);
        expect(holdsRule([rule], stored)).toBe(true);
        expect(permission.IpProtocol).toBe(rule.IpProtocol);
        expect([...(permission.IpRanges ?? []), ...(permission.Ipv6Ranges ?? [])]).toHaveLength(1);
      }),
    );
  });

  it("omits ports for all-protocol rules", () => {
    const stored = storedRule({ IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv6: "::/0" });
    expect(permissionOf(stored)).toEqual({ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] });
  });
});

describe("worldOpenParts", () => {
  it("keeps only the world-open ranges of each permission", () => {
    const parts = worldOpenParts([
      {
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "10.1.0.0/16" }, { CidrIp: "0.0.0.0/0", Description: "oops" }],
      },
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.9/32" }] },
    ]);
    expect(parts).toEqual([
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ]);
  });
});

describe("undo and ids", () => {
  it("reads originals from nested { first, second } results, earliest first", () => {
    const parts = undoParts({
      first: { originalGroups: { "eni-a": ["sg-1"] } },
      second: { originalGroups: { "eni-a": ["sg-drain"], "eni-b": ["sg-2"] } },
    });
    expect(originalGroupsOf(parts)).toEqual({ "eni-a": ["sg-1"], "eni-b": ["sg-2"] });
    expect(undoParts(null)).toEqual([]);
  });

  it("takes the incident id from a command id, colons in the incident id included", () => {
    expect(incidentIdOf("inc-42:3:0")).toBe("inc-42");
    expect(incidentIdOf("aws:111122223333:inc-9:12:4")).toBe("aws:111122223333:inc-9");
  });
});
