/**
 * Security-group lockdown and its restore through AwsContainment: exactly the world-open rules the
 * finding named are revoked (IPv4 and IPv6, any spelling), other rules stay, a re-run is quiet, a
 * protected group is untouched, and restore authorizes the very same rules back.
 */
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  EC2ServiceException,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsContainment } from "../../../adapters/containment/aws-containment";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { actions, HOME_ACCOUNT, loadState, makeGroupTarget, OPEN_GROUP, requests } from "./support";

const ec2 = mockClient(EC2Client);
const adapter = () => new AwsContainment({ homeAccountId: HOME_ACCOUNT });
const COMMAND = "inc-7:2:0";
const SSH4 = "sgr-05a4e1c0f3b2d1a01";
const SSH6 = "sgr-05a4e1c0f3b2d1a02";

const rules = () =>
  loadState<{ SecurityGroupRules: SecurityGroupRule[] }>("describe-security-group-rules-open");
const withoutSsh = () => {
  const out = rules();
  out.SecurityGroupRules = out.SecurityGroupRules.filter((r) => r.FromPort !== 22);
  return out;
};

function givenOpenGroup(ruleState = rules()) {
  ec2.on(DescribeSecurityGroupsCommand).resolves(loadState("describe-security-groups-open"));
  ec2.on(DescribeSecurityGroupRulesCommand).resolves(ruleState);
}

beforeEach(() => {
  ec2.reset();
});

describe("lockDownSecurityGroup", () => {
  it("revokes exactly the world-open SSH rules (IPv4 and IPv6) by rule id and leaves the rest", async () => {
    // Prepare: the finding spelled IPv6 as 0:0:0:0:0:0:0:0/0 and the protocol as 6
    givenOpenGroup();

    // Act
    const result = await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });

    // Assess
    expect(requests(ec2)).toEqual([
      { action: "DescribeSecurityGroups", input: { GroupIds: [OPEN_GROUP] } },
      {
        action: "DescribeSecurityGroupRules",
        input: { Filters: [{ Name: "group-id", Values: [OPEN_GROUP] }] },
      },
      {
        action: "RevokeSecurityGroupIngress",
        input: { GroupId: OPEN_GROUP, SecurityGroupRuleIds: [SSH4, SSH6] },
      },
    ]);
    expect(result).toEqual({
      groupId: OPEN_GROUP,
      revoked: [
        {
          ruleId: SSH4,
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidr: "0.0.0.0/0",
          description: "ssh from anywhere",
        },
        { ruleId: SSH6, protocol: "tcp", fromPort: 22, toPort: 22, cidr: "::/0", description: null },
      ],
      alreadyGone: [],
    });
  });

  it("ignores rules of the target that are not world-open", async () => {
    // Prepare
    givenOpenGroup();
    const target = makeGroupTarget({
      rules: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidr: "10.0.0.0/8", worldOpen: false }],
    });

    // Act
    const result = await adapter().lockDownSecurityGroup(COMMAND, { target });

    // Assess
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(result.revoked).toEqual([]);
  });

  it("on a re-run finds the rules gone and calls nothing that changes", async () => {
    // Prepare
    givenOpenGroup(withoutSsh());

    // Act
    const result = await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });

    // Assess
    expect(actions(ec2)).toEqual(["DescribeSecurityGroups", "DescribeSecurityGroupRules"]);
    expect(result.alreadyGone).toHaveLength(2);
  });

  it("treats a rule revoked between read and revoke as done, and revokes the others one by one", async () => {
    // Prepare
    givenOpenGroup();
    const gone = new EC2ServiceException({
      name: "InvalidSecurityGroupRuleId.NotFound",
      $fault: "client",
      $metadata: {},
      message: `The security group rule ID '${SSH6}' does not exist`,
    });
    ec2.on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: [SSH4, SSH6] }).rejects(gone);
    ec2.on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: [SSH6] }).rejects(gone);

    // Act
    await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });

    // Assess
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: OPEN_GROUP, SecurityGroupRuleIds: [SSH4, SSH6] },
      { GroupId: OPEN_GROUP, SecurityGroupRuleIds: [SSH4] },
      { GroupId: OPEN_GROUP, SecurityGroupRuleIds: [SSH6] },
    ]);
  });

  it("revokes by IpPermissions with exactly the stored rule when EC2 gives no rule id", async () => {
    // Prepare
    const noIds = rules();
    for (const rule of noIds.SecurityGroupRules) delete rule.SecurityGroupRuleId;
    givenOpenGroup(noIds);

    // Act
    await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });

    // Assess
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: OPEN_GROUP,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "ssh from anywhere" }],
          },
        ],
      },
      {
        GroupId: OPEN_GROUP,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: "::/0" }] }],
      },
    ]);
  });

  it("leaves a group tagged ir:protected alone", async () => {
    // Prepare
    const groups = loadState<{ SecurityGroups: { Tags: { Key: string; Value: string }[] }[] }>(
      "describe-security-groups-open",
    );
    groups.SecurityGroups[0]!.Tags.push({ Key: "ir:protected", Value: "true" });
    ec2.on(DescribeSecurityGroupsCommand).resolves(groups);

    // Act
    const result = await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });

    // Assess
    expect(actions(ec2)).toEqual(["DescribeSecurityGroups"]);
    expect(result).toEqual({ skipped: "protected", groupId: OPEN_GROUP });
  });

  it("turns Throttling into RetryLaterError", async () => {
    // Prepare
    ec2.on(DescribeSecurityGroupsCommand).rejects(
      new EC2ServiceException({
        name: "Throttling",
        $fault: "client",
        $metadata: {},
        message: "Rate exceeded",
      }),
    );

    // Act
    const error = await adapter()
      .lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).message).toMatch(/ec2 DescribeSecurityGroups throttled/);
  });
});

describe("restore after lockdown", () => {
  it("authorizes the revoked rules back, exactly as they were", async () => {
    // Prepare
    givenOpenGroup();
    const undo = await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });
    ec2.reset();
    givenOpenGroup(withoutSsh());

    // Act
    const result = await adapter().restore("inc-7:5:0", {
      action: "lockDownSecurityGroup",
      target: makeGroupTarget(),
      undo,
    });

    // Assess
    expect(requests(ec2).at(-1)).toEqual({
      action: "AuthorizeSecurityGroupIngress",
      input: {
        GroupId: OPEN_GROUP,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "ssh from anywhere" }],
          },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
        ],
      },
    });
    expect(result).toMatchObject({ alreadyPresent: 0 });
  });

  it("authorizes nothing when the rules are back already", async () => {
    // Prepare
    givenOpenGroup();
    const undo = await adapter().lockDownSecurityGroup(COMMAND, { target: makeGroupTarget() });
    ec2.reset();
    givenOpenGroup();

    // Act
    const result = await adapter().restore("inc-7:5:0", {
      action: "lockDownSecurityGroup",
      target: makeGroupTarget(),
      undo: { first: undo },
    });

    // Assess
    expect(actions(ec2)).toEqual(["DescribeSecurityGroups", "DescribeSecurityGroupRules"]);
    expect(result).toMatchObject({ reauthorized: [], alreadyPresent: 2 });
  });
});
