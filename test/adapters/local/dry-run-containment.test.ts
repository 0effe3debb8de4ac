/**
 * Dry-run containment: every step returns (and records) the exact API calls it would make, marked dry
 * run, in the order a real isolation needs them — evidence first, then the connection-tracking-aware
 * two-step swap of every ENI — and restore puts back exactly what the first step recorded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DryRunContainment } from "../../../adapters/local/dry-run-containment";
import type { ContainmentTarget } from "../../../core/incident/containment-policy";
import type { JsonValue } from "../../../core/ports/incident-store";
import { asksForFollowUp } from "../../../workflows/incident/containment-decisions";

type Instance = Extract<ContainmentTarget, { resourceType: "ec2-instance" }>;

const instance = (enis: Array<[string, string[]]>): Instance => ({
  resourceType: "ec2-instance",
  accountId: "111111111111",
  region: "eu-west-2",
  instanceId: "i-0abc",
  vpcId: "vpc-1",
  networkInterfaces: enis.map(([id, securityGroupIds]) => ({ id, securityGroupIds })),
  securityGroupIds: [...new Set(enis.flatMap(([, groups]) => groups))],
});

const openGroup: ContainmentTarget = {
  resourceType: "security-group",
  accountId: "111111111111",
  region: "eu-west-2",
  groupId: "sg-open",
  vpcId: "vpc-1",
  rules: [
    { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0", worldOpen: true },
    { protocol: "tcp", fromPort: 3389, toPort: 3389, cidr: "::/0", worldOpen: true, ruleId: "sgr-9" },
  ],
};

const names = (calls: JsonValue | undefined) => (calls as Array<{ action: string }>).map((c) => c.action);

describe("DryRunContainment", () => {
  it("plans isolation with evidence preserved before any network change", async () => {
    // Prepare
    const containment = new DryRunContainment();
    const target = instance([
      ["eni-1", ["sg-web", "sg-shared"]],
      ["eni-2", ["sg-shared"]],
    ]);
    // Act
    const plan = await containment.plan({ action: "isolateInstance", mode: "approval", target });
    // Assess
    const actions = plan.calls.map((c) => c.action);
    const firstNetworkChange = actions.indexOf("ModifyNetworkInterfaceAttribute");
    expect(actions.indexOf("CreateSnapshots")).toBeLessThan(firstNetworkChange);
    expect(actions.indexOf("ModifyInstanceAttribute")).toBeLessThan(firstNetworkChange);
    const moved = plan.calls
      .filter((c) => c.action === "ModifyNetworkInterfaceAttribute")
      .map((c) => c.input.NetworkInterfaceId);
    expect(moved).toEqual(["eni-1", "eni-2", "eni-1", "eni-2"]);
    expect(plan).toMatchObject({ action: "isolateInstance", dryRun: true });
    expect(containment.records.map((r) => r.step)).toEqual(["plan"]);
  });

  it("asks for the second isolation step, and restore puts back the groups the first step recorded", async () => {
    // Prepare
    const containment = new DryRunContainment();
    const target = instance([
      ["eni-1", ["sg-web"]],
      ["eni-2", ["sg-db", "sg-admin"]],
    ]);
    // Act
    const first = await containment.isolateInstance("IR-1:3:0", { target });
    const second = await containment.completeIsolation("IR-1:4:0", { target, firstStep: first });
    const restored = await containment.restore("IR-1:5:0", {
      action: "isolateInstance",
      target: instance([["eni-1", ["changed-since"]]]),
      undo: { first, second },
    });
    // Assess
    expect(asksForFollowUp(first)).toBe(true);
    expect(asksForFollowUp(second)).toBe(false);
    const groupsPutBack = (restored.calls as Array<{ action: string; input: Record<string, unknown> }>)
      .filter((c) => c.action === "ModifyNetworkInterfaceAttribute")
      .map((c) => [c.input.NetworkInterfaceId, c.input.Groups]);
    expect(groupsPutBack).toEqual([
      ["eni-1", ["sg-web"]],
      ["eni-2", ["sg-db", "sg-admin"]],
    ]);
    expect([first.dryRun, second.dryRun, restored.dryRun]).toEqual([true, true, true]);
    expect(containment.records.map((r) => [r.commandId, r.step])).toEqual([
      ["IR-1:3:0", "isolateInstance"],
      ["IR-1:4:0", "completeIsolation"],
      ["IR-1:5:0", "restore"],
    ]);
  });

  it("revokes each world-open rule (IPv6 by its own range, known rule ids by id) and re-authorizes on restore", async () => {
    // Prepare
    const containment = new DryRunContainment();
    // Act
    const locked = await containment.lockDownSecurityGroup("IR-2:2:0", { target: openGroup });
    const restored = await containment.restore("IR-2:3:0", {
      action: "lockDownSecurityGroup",
      target: openGroup,
      undo: locked,
    });
    // Assess
    const inputs = (locked.calls as Array<{ input: Record<string, unknown> }>).map((c) => c.input);
    expect(inputs).toEqual([
      {
        GroupId: "sg-open",
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
      { GroupId: "sg-open", SecurityGroupRuleIds: ["sgr-9"] },
    ]);
    expect(names(restored.calls)).toEqual(["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupIngress"]);
  });

  it("deactivates and re-activates an access key", async () => {
    // Prepare
    const containment = new DryRunContainment();
    const target: ContainmentTarget = {
      resourceType: "access-key",
      accountId: "111111111111",
      region: "us-east-1",
      accessKeyId: "AKIAEXAMPLE",
      userName: "ci-bot",
    };
    // Act
    const off = await containment.deactivateAccessKey("IR-3:2:0", { target });
    const on = await containment.restore("IR-3:3:0", { action: "deactivateAccessKey", target, undo: off });
    // Assess
    const status = (r: Record<string, JsonValue>) =>
      (r.calls as Array<{ input: { Status: string; UserName: string } }>).map((c) => [
        c.input.Status,
        c.input.UserName,
      ]);
    expect(status(off)).toEqual([["Inactive", "ci-bot"]]);
    expect(status(on)).toEqual([["Active", "ci-bot"]]);
  });

  it("refuses a step whose target is the wrong kind of resource", async () => {
    // Prepare
    const containment = new DryRunContainment();
    // Act
    const attempt = containment.isolateInstance("IR-4:2:0", { target: openGroup });
    // Assess
    await expect(attempt).rejects.toThrow(/needs a ec2-instance target, got a security-group/);
    expect(containment.records).toEqual([]);
  });

  it("for any instance, moves every ENI twice and restores each to exactly its original groups", async () => {
    const eniArb = fc.tuple(
      fc.stringMatching(/^eni-[0-9a-f]{4,8}$/),
      fc.array(fc.stringMatching(/^sg-[0-9a-f]{4,8}$/), { maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(eniArb, { selector: ([id]) => id, maxLength: 6 }), async (enis) => {
        // Prepare
        const containment = new DryRunContainment();
        const target = instance(enis);
        // Act
        const first = await containment.isolateInstance("c1", { target });
        const second = await containment.completeIsolation("c2", { target, firstStep: first });
        const restored = await containment.restore("c3", {
          action: "isolateInstance",
          target: instance([]),
          undo: { first, second },
        });
        // Assess
        const moves = [first, second].flatMap((r) =>
          (r.calls as Array<{ action: string; input: { NetworkInterfaceId?: string } }>)
            .filter((c) => c.action === "ModifyNetworkInterfaceAttribute")
            .map((c) => c.input.NetworkInterfaceId),
        );
        expect(moves).toEqual([...enis.map(([id]) => id), ...enis.map(([id]) => id)]);
        const back = (
          restored.calls as Array<{
            action: string;
            input: { NetworkInterfaceId?: string; Groups?: string[] };
          }>
        )
          .filter((c) => c.action === "ModifyNetworkInterfaceAttribute")
          .map((c) => [c.input.NetworkInterfaceId, c.input.Groups]);
        expect(back).toEqual(enis);
      }),
      { numRuns: 50 },
    );
  });
});
