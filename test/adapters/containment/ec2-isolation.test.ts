/**
 * EC2 isolation through the AwsContainment adapter, against aws-sdk-client-mock: the exact ordered
 * requests of step one for an instance with 2 ENIs and 2 volumes, idempotent re-runs, protected
 * instances, step two, and restore putting each ENI's original groups back.
 */
import {
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsContainment } from "../../../adapters/containment/aws-containment";
import { isolationResultSchema } from "../../../core/incident/commands";
import { RetryLaterError } from "../../../core/ports/command-executor";
import type { JsonObject } from "../../../core/ports/incident-store";
import {
  ASSOCIATION_ID,
  actions,
  DRAIN_GROUP,
  describedInstances,
  ENI_0,
  ENI_1,
  HOME_ACCOUNT,
  INSTANCE_ID,
  ISOLATION_GROUP,
  instanceInGroup,
  instanceWith,
  loadState,
  makeInstanceTarget,
  ourGroups,
  PROFILE_ARN,
  READ_ACTIONS,
  requests,
  VOLUMES,
  VPC_ID,
} from "./support";

const ec2 = mockClient(EC2Client);
const COMMAND = "inc-42:3:0";
const target = makeInstanceTarget();
const ORIGINAL = {
  [ENI_0]: ["sg-0aa11bb22cc33dd44", "sg-0ee55ff66aa77bb88"],
  [ENI_1]: ["sg-0cc99dd00ee11ff22"],
};

const adapter = (detachInstanceProfile = true) =>
  new AwsContainment({ homeAccountId: HOME_ACCOUNT, detachInstanceProfile });

/** A VPC that has never seen an isolation: no groups, no snapshots, the profile still attached. */
function givenFreshVpc() {
  ec2.on(DescribeInstancesCommand).resolves(describedInstances());
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  ec2
    .on(DescribeIamInstanceProfileAssociationsCommand)
    .resolves(loadState("describe-iam-instance-profile-associations"));
  ec2.on(CreateSnapshotCommand, { VolumeId: VOLUMES[0] }).resolves({ SnapshotId: "snap-0new0000000000001" });
  ec2.on(CreateSnapshotCommand, { VolumeId: VOLUMES[1] }).resolves({ SnapshotId: "snap-0new0000000000002" });
  ec2.on(CreateSecurityGroupCommand, { GroupName: "ir-isolation" }).resolves({ GroupId: ISOLATION_GROUP });
  ec2.on(CreateSecurityGroupCommand, { GroupName: "ir-isolation-drain" }).resolves({ GroupId: DRAIN_GROUP });
}

const snapshotTags = (volume: string, device: string) => ({
  VolumeId: volume,
  Description: `Evidence for incident inc-42: ${volume} (${device}) of ${INSTANCE_ID}`,
  TagSpecifications: [
    {
      ResourceType: "snapshot",
      Tags: [
        { Key: "ir:incident", Value: "inc-42" },
        { Key: "ir:command", Value: COMMAND },
        { Key: "ir:instance", Value: INSTANCE_ID },
        { Key: "Name", Value: `ir inc-42 ${INSTANCE_ID} ${device}` },
      ],
    },
  ],
});

const groupsFilter = {
  Filters: [
    { Name: "vpc-id", Values: [VPC_ID] },
    { Name: "tag:ir:isolation", Values: ["true", "drain"] },
  ],
};

beforeEach(() => {
  ec2.reset();
});

describe("isolateInstance (step one)", () => {
  it("makes exactly these requests, in this order, for 2 ENIs and 2 volumes in a fresh VPC", async () => {
    // Prepare
    givenFreshVpc();

    // Act
    await adapter().isolateInstance(COMMAND, { target });

    // Assess
    expect(requests(ec2)).toEqual([
      { action: "DescribeInstances", input: { InstanceIds: [INSTANCE_ID] } },
      {
        action: "DescribeSnapshots",
        input: {
          OwnerIds: ["self"],
          Filters: [
            { Name: "tag:ir:incident", Values: ["inc-42"] },
            { Name: "tag:ir:command", Values: [COMMAND] },
          ],
        },
      },
      { action: "DescribeSecurityGroups", input: groupsFilter },
      {
        action: "DescribeIamInstanceProfileAssociations",
        input: {
          Filters: [
            { Name: "instance-id", Values: [INSTANCE_ID] },
            { Name: "state", Values: ["associated"] },
          ],
        },
      },
      {
        action: "ModifyInstanceAttribute",
        input: { InstanceId: INSTANCE_ID, DisableApiTermination: { Value: true } },
      },
      {
        action: "ModifyInstanceAttribute",
        input: { InstanceId: INSTANCE_ID, DisableApiStop: { Value: true } },
      },
      { action: "CreateSnapshot", input: snapshotTags(VOLUMES[0], "/dev/xvda") },
      { action: "CreateSnapshot", input: snapshotTags(VOLUMES[1], "/dev/sdf") },
      {
        action: "CreateSecurityGroup",
        input: {
          GroupName: "ir-isolation",
          Description: "Incident response isolation: no rules, no traffic in or out",
          VpcId: VPC_ID,
          TagSpecifications: [
            {
              ResourceType: "security-group",
              Tags: [
                { Key: "ir:isolation", Value: "true" },
                { Key: "Name", Value: "ir-isolation" },
              ],
            },
          ],
        },
      },
      {
        action: "RevokeSecurityGroupEgress",
        input: {
          GroupId: ISOLATION_GROUP,
          IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        },
      },
      {
        action: "CreateSecurityGroup",
        input: {
          GroupName: "ir-isolation-drain",
          Description:
            "Incident response drain: allow-all so tracked connections become untracked before isolation",
          VpcId: VPC_ID,
          TagSpecifications: [
            {
              ResourceType: "security-group",
              Tags: [
                { Key: "ir:isolation", Value: "drain" },
                { Key: "Name", Value: "ir-isolation-drain" },
              ],
            },
          ],
        },
      },
      {
        action: "AuthorizeSecurityGroupIngress",
        input: {
          GroupId: DRAIN_GROUP,
          IpPermissions: [
            { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
          ],
        },
      },
      {
        action: "AuthorizeSecurityGroupEgress",
        input: {
          GroupId: DRAIN_GROUP,
          IpPermissions: [{ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }],
        },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_0, Groups: [DRAIN_GROUP] },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_1, Groups: [DRAIN_GROUP] },
      },
      {
        action: "CreateTags",
        input: {
          Resources: [INSTANCE_ID],
          Tags: [
            { Key: "ir:isolated", Value: "inc-42" },
            { Key: "ir:instance-profile", Value: PROFILE_ARN },
          ],
        },
      },
      { action: "DisassociateIamInstanceProfile", input: { AssociationId: ASSOCIATION_ID } },
    ]);
  });

  it("returns what step two and restore need: follow-up, original groups per ENI, groups, snapshots", async () => {
    // Prepare
    givenFreshVpc();

    // Act
    const result = await adapter().isolateInstance(COMMAND, { target });

    // Assess
    expect(isolationResultSchema.parse(result).followUp).toBe("completeIsolation");
    expect(result).toMatchObject({
      instanceId: INSTANCE_ID,
      originalGroups: ORIGINAL,
      isolationGroupId: ISOLATION_GROUP,
      drainGroupId: DRAIN_GROUP,
      groupsByVpc: { [VPC_ID]: { isolation: ISOLATION_GROUP, drain: DRAIN_GROUP } },
      snapshots: [
        {
          volumeId: VOLUMES[0],
          deviceName: "/dev/xvda",
          snapshotId: "snap-0new0000000000001",
          reused: false,
        },
        { volumeId: VOLUMES[1], deviceName: "/dev/sdf", snapshotId: "snap-0new0000000000002", reused: false },
      ],
      protections: { disableApiTermination: true, disableApiStop: true, refused: [] },
      instanceProfile: { arn: PROFILE_ARN, associationId: ASSOCIATION_ID },
      drained: [ENI_0, ENI_1],
    });
    expect(result.metadata).toMatchObject({
      instanceType: "t3.medium",
      privateIpAddress: "10.0.1.23",
      publicIpAddress: "54.210.33.7",
      launchTime: "2024-05-01T09:12:44.000Z",
      tags: { Name: "web-1", env: "prod" },
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("a second run creates no snapshot, no group and moves no ENI", async () => {
    // Prepare: everything the first run did is in place, the profile is gone, our tags are on
    ec2
      .on(DescribeInstancesCommand)
      .resolves(
        instanceInGroup(DRAIN_GROUP, { "ir:isolated": "inc-42", "ir:instance-profile": PROFILE_ARN }),
      );
    ec2.on(DescribeSnapshotsCommand).resolves(loadState("describe-snapshots-existing"));
    ec2.on(DescribeSecurityGroupsCommand).resolves(ourGroups());
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });

    // Act
    const result = await adapter().isolateInstance(COMMAND, { target });

    // Assess: only the (idempotent) protection calls change anything
    expect(actions(ec2).filter((a) => !READ_ACTIONS.test(a))).toEqual([
      "ModifyInstanceAttribute",
      "ModifyInstanceAttribute",
    ]);
    expect(result).toMatchObject({
      snapshots: [
        { volumeId: VOLUMES[0], snapshotId: "snap-0aaa1111bbbb2222c", reused: true },
        { volumeId: VOLUMES[1], snapshotId: "snap-0ddd3333eeee4444f", reused: true },
      ],
      // Our own drain group is never mistaken for an original: detection's record is used instead.
      originalGroups: ORIGINAL,
      recoveredFromTarget: [ENI_0, ENI_1],
      instanceProfile: { arn: PROFILE_ARN, associationId: null },
      drained: [],
    });
  });

  it("reuses existing groups but strips a world-open egress left on the isolation group", async () => {
    // Prepare
    const groups = ourGroups();
    groups.SecurityGroups![0]!.IpPermissionsEgress = [
      { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ];
    ec2.on(DescribeInstancesCommand).resolves(describedInstances());
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeSecurityGroupsCommand).resolves(groups);
    ec2.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-0new0000000000009" });

    // Act
    await adapter(false).isolateInstance(COMMAND, { target });

    // Assess
    const changes = requests(ec2).filter((r) => !READ_ACTIONS.test(r.action));
    expect(changes.map((r) => r.action)).not.toContain("CreateSecurityGroup");
    expect(changes).toContainEqual({
      action: "RevokeSecurityGroupEgress",
      input: {
        GroupId: ISOLATION_GROUP,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
    });
    expect(actions(ec2)).not.toContain("DescribeIamInstanceProfileAssociations");
  });

  it("adopts the group a concurrent run created when CreateSecurityGroup says Duplicate", async () => {
    // Prepare
    givenFreshVpc();
    ec2.on(CreateSecurityGroupCommand, { GroupName: "ir-isolation" }).rejects(
      new EC2ServiceException({
        name: "InvalidGroup.Duplicate",
        $fault: "client",
        $metadata: {},
        message: "The security group 'ir-isolation' already exists for VPC",
      }),
    );
    ec2
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: "vpc-id", Values: [VPC_ID] },
          { Name: "group-name", Values: ["ir-isolation"] },
        ],
      })
      .resolves({ SecurityGroups: [ourGroups().SecurityGroups![0]!] });

    // Act
    const result = await adapter(false).isolateInstance(COMMAND, { target });

    // Assess
    expect(result.isolationGroupId).toBe(ISOLATION_GROUP);
    expect(actions(ec2).filter((a) => a === "RevokeSecurityGroupEgress")).toEqual([]);
  });

  it("records a protection the instance cannot have and isolates it anyway", async () => {
    // Prepare: a Spot instance refuses stop protection
    givenFreshVpc();
    ec2.on(ModifyInstanceAttributeCommand, { DisableApiStop: { Value: true } }).rejects(
      new EC2ServiceException({
        name: "UnsupportedOperation",
        $fault: "client",
        $metadata: {},
        message: "Stop protection is not supported for Spot Instances.",
      }),
    );

    // Act
    const result = await adapter().isolateInstance(COMMAND, { target });

    // Assess
    expect(result.protections).toEqual({
      disableApiTermination: true,
      disableApiStop: false,
      refused: ["UnsupportedOperation"],
    });
    expect(result.drained).toEqual([ENI_0, ENI_1]);
  });

  it("touches nothing on an instance tagged ir:protected", async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves(
      instanceWith((i) => {
        i.Tags = [...(i.Tags ?? []), { Key: "ir:protected", Value: "yes" }];
      }),
    );

    // Act
    const result = await adapter().isolateInstance(COMMAND, { target });

    // Assess
    expect(actions(ec2)).toEqual(["DescribeInstances"]);
    expect(result).toEqual({ skipped: "protected", instanceId: INSTANCE_ID });
    expect(isolationResultSchema.parse(result).followUp).toBeUndefined();
  });

  it("turns throttling into RetryLaterError and names any other failed call", async () => {
    // Prepare
    givenFreshVpc();
    const throttled = adapter();
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(
        new EC2ServiceException({
          name: "RequestLimitExceeded",
          $fault: "client",
          $metadata: {},
          message: "Request limit exceeded.",
        }),
      )
      .resolves(describedInstances());
    ec2.on(ModifyNetworkInterfaceAttributeCommand).rejects(
      new EC2ServiceException({
        name: "UnauthorizedOperation",
        $fault: "client",
        $metadata: {},
        message: "not allowed",
      }),
    );

    // Act
    const first = throttled.isolateInstance(COMMAND, { target });
    const firstError = await first.catch((e: unknown) => e);
    const second = await throttled.isolateInstance(COMMAND, { target }).catch((e: unknown) => e);

    // Assess
    expect(firstError).toBeInstanceOf(RetryLaterError);
    expect(second).not.toBeInstanceOf(RetryLaterError);
    expect((second as Error).message).toMatch(
      /^ec2 ModifyNetworkInterfaceAttribute failed: UnauthorizedOperation/,
    );
  });
});

describe("completeIsolation (step two)", () => {
  const firstStep = { followUp: "completeIsolation", originalGroups: ORIGINAL, drainGroupId: DRAIN_GROUP };

  it("moves every ENI from the drain group into the isolation group", async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves(instanceInGroup(DRAIN_GROUP, { "ir:isolated": "inc-42" }));
    ec2.on(DescribeSecurityGroupsCommand).resolves(ourGroups());

    // Act
    const result = await adapter().completeIsolation("inc-42:4:0", { target, firstStep });

    // Assess
    expect(requests(ec2)).toEqual([
      { action: "DescribeInstances", input: { InstanceIds: [INSTANCE_ID] } },
      { action: "DescribeSecurityGroups", input: groupsFilter },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_0, Groups: [ISOLATION_GROUP] },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_1, Groups: [ISOLATION_GROUP] },
      },
    ]);
    expect(result).toMatchObject({
      isolationGroupId: ISOLATION_GROUP,
      isolated: [ENI_0, ENI_1],
      originalGroups: {},
    });
  });

  it("skips ENIs already isolated and records the groups of an ENI attached since step one", async () => {
    // Prepare: ENI_0 done by an earlier try; ENI_1 attached after step one with its own group
    ec2.on(DescribeInstancesCommand).resolves(
      instanceWith((i) => {
        i.NetworkInterfaces![0]!.Groups = [{ GroupId: ISOLATION_GROUP }];
        i.NetworkInterfaces![1]!.Groups = [{ GroupId: "sg-0late0000000000001" }];
      }),
    );
    ec2.on(DescribeSecurityGroupsCommand).resolves(ourGroups());

    // Act
    const result = await adapter().completeIsolation("inc-42:4:0", {
      target,
      firstStep: { originalGroups: { [ENI_0]: ORIGINAL[ENI_0]! } },
    });

    // Assess
    expect(requests(ec2).filter((r) => r.action === "ModifyNetworkInterfaceAttribute")).toEqual([
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_1, Groups: [ISOLATION_GROUP] },
      },
    ]);
    expect(result).toMatchObject({
      alreadyIsolated: [ENI_0],
      isolated: [ENI_1],
      originalGroups: { [ENI_1]: ["sg-0late0000000000001"] },
    });
  });
});

describe("restore after isolation", () => {
  it("puts each ENI's original groups back, re-associates the profile, untags, keeps protection", async () => {
    // Prepare: the undo the workflow keeps after both steps
    const undo = {
      first: {
        followUp: "completeIsolation",
        originalGroups: ORIGINAL,
        instanceProfile: { arn: PROFILE_ARN, associationId: ASSOCIATION_ID },
      },
      second: { isolated: [ENI_0, ENI_1], originalGroups: {} },
    } satisfies JsonObject;
    ec2
      .on(DescribeInstancesCommand)
      .resolves(
        instanceInGroup(ISOLATION_GROUP, { "ir:isolated": "inc-42", "ir:instance-profile": PROFILE_ARN }),
      );
    ec2.on(DescribeNetworkInterfacesCommand).resolves(loadState("describe-network-interfaces-isolated"));
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });

    // Act
    const result = await adapter().restore("inc-42:9:0", { action: "isolateInstance", target, undo });

    // Assess
    expect(requests(ec2)).toEqual([
      { action: "DescribeInstances", input: { InstanceIds: [INSTANCE_ID] } },
      {
        action: "DescribeNetworkInterfaces",
        input: { Filters: [{ Name: "network-interface-id", Values: [ENI_0, ENI_1] }] },
      },
      {
        action: "DescribeIamInstanceProfileAssociations",
        input: {
          Filters: [
            { Name: "instance-id", Values: [INSTANCE_ID] },
            { Name: "state", Values: ["associating", "associated"] },
          ],
        },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_0, Groups: ORIGINAL[ENI_0] },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { NetworkInterfaceId: ENI_1, Groups: ORIGINAL[ENI_1] },
      },
      {
        action: "AssociateIamInstanceProfile",
        input: { InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: PROFILE_ARN } },
      },
      {
        action: "DeleteTags",
        input: { Resources: [INSTANCE_ID], Tags: [{ Key: "ir:isolated" }, { Key: "ir:instance-profile" }] },
      },
    ]);
    expect(result).toMatchObject({ restoredGroups: ORIGINAL, instanceProfile: PROFILE_ARN, missing: [] });
    expect(result.kept).toMatch(/termination and stop protection stay on/);
  });

  it("restores from the step-one result alone, skips ENIs already back and reports ENIs gone", async () => {
    // Prepare: ENI_0 already restored by hand; ENI_1 deleted
    const interfaces = loadState<{ NetworkInterfaces: { Groups: { GroupId: string }[] }[] }>(
      "describe-network-interfaces-isolated",
    );
    interfaces.NetworkInterfaces[0]!.Groups = ORIGINAL[ENI_0]!.map((GroupId) => ({ GroupId }));
    interfaces.NetworkInterfaces.pop();
    ec2.on(DescribeInstancesCommand).resolves(instanceInGroup(ISOLATION_GROUP));
    ec2.on(DescribeNetworkInterfacesCommand).resolves(interfaces);

    // Act
    const result = await adapter().restore("inc-42:9:0", {
      action: "isolateInstance",
      target,
      undo: { followUp: "completeIsolation", originalGroups: ORIGINAL, instanceProfile: null },
    });

    // Assess
    expect(actions(ec2)).toEqual(["DescribeInstances", "DescribeNetworkInterfaces"]);
    expect(result).toMatchObject({ unchanged: [ENI_0], missing: [ENI_1], restoredGroups: {}, untagged: [] });
  });
});
