/**
 * Dry-run plans: a plan changes nothing, and lists exactly the calls (action and input, in order) that
 * the real commands then make for the same state, step two of an isolation included.
 */
import {
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { IAMClient, ListUserTagsCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsContainment } from "../../../adapters/containment/aws-containment";
import { toJson } from "../../../adapters/containment/aws-io";
import type { PlannedCall } from "../../../core/ports/containment";
import {
  DRAIN_GROUP,
  describedInstances,
  HOME_ACCOUNT,
  ISOLATION_GROUP,
  instanceInGroup,
  instanceWith,
  loadState,
  makeGroupTarget,
  makeInstanceTarget,
  makeKeyTarget,
  ourGroups,
  READ_ACTIONS,
  type Request,
  requests,
  VPC_ID,
} from "./support";

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const COMMAND = "inc-42:3:0";
const adapter = () => new AwsContainment({ homeAccountId: HOME_ACCOUNT, detachInstanceProfile: true });
const target = makeInstanceTarget();

const shape = (calls: readonly PlannedCall[]) => calls.map((c) => ({ action: c.action, input: c.input }));
const asJson = (calls: readonly Request[]) =>
  calls.map((c) => ({ action: c.action, input: toJson(c.input) }));

function givenInstance(groups: "fresh" | "existing") {
  ec2.on(DescribeInstancesCommand).resolves(describedInstances());
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(DescribeSecurityGroupsCommand).resolves(groups === "fresh" ? { SecurityGroups: [] } : ourGroups());
  ec2
    .on(DescribeIamInstanceProfileAssociationsCommand)
    .resolves(loadState("describe-iam-instance-profile-associations"));
  ec2.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-0new0000000000001" });
  ec2.on(CreateSecurityGroupCommand, { GroupName: "ir-isolation" }).resolves({ GroupId: ISOLATION_GROUP });
  ec2.on(CreateSecurityGroupCommand, { GroupName: "ir-isolation-drain" }).resolves({ GroupId: DRAIN_GROUP });
}

/** Runs both isolation steps for real, step two against the state step one left. */
async function isolateForReal(): Promise<Request[]> {
  ec2.resetHistory();
  const first = await adapter().isolateInstance(COMMAND, { target });
  ec2.on(DescribeInstancesCommand).resolves(instanceInGroup(DRAIN_GROUP, { "ir:isolated": "inc-42" }));
  ec2.on(DescribeSecurityGroupsCommand).resolves(ourGroups());
  await adapter().completeIsolation("inc-42:4:0", { target, firstStep: first });
  return requests(ec2);
}

beforeEach(() => {
  ec2.reset();
  iam.reset();
});

describe("plan", () => {
  it("lists exactly the calls both isolation steps make, when the groups exist", async () => {
    // Prepare
    givenInstance("existing");

    // Act
    const plan = await adapter().plan(
      { action: "isolateInstance", mode: "approval", target },
      { commandId: COMMAND },
    );
    const planReads = requests(ec2).map((r) => r.action);
    const ran = await isolateForReal();

    // Assess
    expect(planReads.every((a) => READ_ACTIONS.test(a))).toBe(true);
    expect(shape(plan.calls)).toEqual(asJson(ran));
    expect(plan.skipped).toBeUndefined();
    expect(plan.calls.filter((c) => c.purpose.startsWith("step two")).map((c) => c.action)).toEqual([
      "DescribeInstances",
      "DescribeSecurityGroups",
      "ModifyNetworkInterfaceAttribute",
      "ModifyNetworkInterfaceAttribute",
    ]);
  });

  it("shows groups it would create as placeholders, otherwise the same calls as the real run", async () => {
    // Prepare
    givenInstance("fresh");

    // Act
    const plan = await adapter().plan(
      { action: "isolateInstance", mode: "approval", target },
      { commandId: COMMAND },
    );
    const ran = await isolateForReal();

    // Assess
    const resolved = JSON.parse(
      JSON.stringify(shape(plan.calls))
        .replaceAll(`<new isolation group in ${VPC_ID}>`, ISOLATION_GROUP)
        .replaceAll(`<new drain group in ${VPC_ID}>`, DRAIN_GROUP),
    );
    expect(resolved).toEqual(asJson(ran));
    expect(JSON.stringify(plan.calls)).toContain(`<new drain group in ${VPC_ID}>`);
  });

  it("uses placeholders for ids it cannot know before approval", async () => {
    // Prepare
    givenInstance("existing");

    // Act
    const plan = await adapter().plan({ action: "isolateInstance", mode: "approval", target });

    // Assess
    const snapshot = plan.calls.find((c) => c.action === "CreateSnapshot");
    expect(JSON.stringify(snapshot?.input)).toContain('"Value":"<isolateInstance command id>"');
    expect(JSON.stringify(snapshot?.input)).toContain('"Value":"<incident id>"');
  });

  it("says why nothing would be done for a protected instance", async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves(
      instanceWith((i) => {
        i.Tags = [{ Key: "ir:protected", Value: "" }];
      }),
    );

    // Act
    const plan = await adapter().plan({ action: "isolateInstance", mode: "auto", target });

    // Assess
    expect(plan).toEqual({
      action: "isolateInstance",
      skipped: "protected",
      calls: [expect.objectContaining({ service: "ec2", action: "DescribeInstances" })],
    });
  });

  it("lists the same calls the security-group lockdown makes", async () => {
    // Prepare
    ec2.on(DescribeSecurityGroupsCommand).resolves(loadState("describe-security-groups-open"));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves(loadState("describe-security-group-rules-open"));
    const groupTarget = makeGroupTarget();

    // Act
    const plan = await adapter().plan({
      action: "lockDownSecurityGroup",
      mode: "approval",
      target: groupTarget,
    });
    ec2.resetHistory();
    await adapter().lockDownSecurityGroup("inc-7:2:0", { target: groupTarget });

    // Assess
    expect(shape(plan.calls)).toEqual(asJson(requests(ec2)));
    expect(plan.calls.at(-1)).toMatchObject({ service: "ec2", action: "RevokeSecurityGroupIngress" });
  });

  it("lists the same calls the access-key lock makes, and says when nothing is left to do", async () => {
    // Prepare
    iam.on(ListUserTagsCommand).resolves({ Tags: [] });

    // Act
    const plan = await adapter().plan({
      action: "deactivateAccessKey",
      mode: "auto",
      target: makeKeyTarget(),
    });
    iam.resetHistory();
    await adapter().deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget() });
    ec2.on(DescribeSecurityGroupsCommand).resolves(loadState("describe-security-groups-open"));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    const nothing = await adapter().plan({
      action: "lockDownSecurityGroup",
      mode: "approval",
      target: makeGroupTarget(),
    });

    // Assess
    expect(shape(plan.calls)).toEqual(asJson(requests(iam)));
    expect(plan.calls.map((c) => c.service)).toEqual(["iam", "iam"]);
    expect(nothing.skipped).toBe("already contained: nothing to change");
  });

  it("refuses a target that does not fit the action", async () => {
    // Act
    const error = await adapter()
      .plan({ action: "isolateInstance", mode: "approval", target: makeKeyTarget() })
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe(
      "isolateInstance needs a target of type ec2-instance, got access-key",
    );
    expect(ec2.calls()).toHaveLength(0);
  });
});
