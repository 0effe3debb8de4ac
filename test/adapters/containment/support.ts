/**
 * Shared test support for the containment adapter: EC2 state fixtures (real response shapes, in
 * fixtures/), target factories, state mutations (an instance after step one, after step two), and the
 * exact ordered list of requests a mocked client received.
 */
import { readFileSync } from "node:fs";
import type {
  DescribeInstancesCommandOutput,
  DescribeSecurityGroupsCommandOutput,
  Instance,
} from "@aws-sdk/client-ec2";
import type { AwsStub } from "aws-sdk-client-mock";
import type { ContainmentTarget } from "../../../core/incident/containment-policy";

/** A parsed fixture, typed as the SDK output it records (dates stay ISO strings, as in the JSON). */
export const loadState = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as T;

export const INSTANCE_ID = "i-0c7d2a4e91f3b5a68";
export const VPC_ID = "vpc-0e9d8c7b6a5f41302";
export const ENI_0 = "eni-0123456789abcdef0";
export const ENI_1 = "eni-0fedcba9876543210";
export const VOLUMES = ["vol-0a11b22c33d44e55f", "vol-0f66e77d88c99b00a"] as const;
export const ISOLATION_GROUP = "sg-0150150150150150a";
export const DRAIN_GROUP = "sg-0d7a1d7a1d7a1d7a1";
export const PROFILE_ARN = "arn:aws:iam::111122223333:instance-profile/web-app";
export const ASSOCIATION_ID = "iip-assoc-08049da59357d598c";
export const HOME_ACCOUNT = "111122223333";
export const OPEN_GROUP = "sg-0b0b0b0b0b0b0b0b0";

export const describedInstances = () => loadState<DescribeInstancesCommandOutput>("describe-instances");
export const ourGroups = () =>
  loadState<DescribeSecurityGroupsCommandOutput>("describe-security-groups-isolation");

type InstanceTarget = Extract<ContainmentTarget, { resourceType: "ec2-instance" }>;
type GroupTarget = Extract<ContainmentTarget, { resourceType: "security-group" }>;
type KeyTarget = Extract<ContainmentTarget, { resourceType: "access-key" }>;

/** The target the policy builds from a GuardDuty finding on the fixture instance. */
export const makeInstanceTarget = (overrides: Partial<InstanceTarget> = {}): InstanceTarget => ({
  resourceType: "ec2-instance",
  accountId: HOME_ACCOUNT,
  region: "us-east-1",
  instanceId: INSTANCE_ID,
  vpcId: VPC_ID,
  networkInterfaces: [
    { id: ENI_0, securityGroupIds: ["sg-0aa11bb22cc33dd44", "sg-0ee55ff66aa77bb88"] },
    { id: ENI_1, securityGroupIds: ["sg-0cc99dd00ee11ff22"] },
  ],
  securityGroupIds: ["sg-0aa11bb22cc33dd44", "sg-0ee55ff66aa77bb88", "sg-0cc99dd00ee11ff22"],
  ...overrides,
});

export const makeGroupTarget = (overrides: Partial<GroupTarget> = {}): GroupTarget => ({
  resourceType: "security-group",
  accountId: HOME_ACCOUNT,
  region: "us-east-1",
  groupId: OPEN_GROUP,
  vpcId: VPC_ID,
  rules: [
    { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0", worldOpen: true },
    { protocol: "6", fromPort: 22, toPort: 22, cidr: "0:0:0:0:0:0:0:0/0", worldOpen: true },
  ],
  ...overrides,
});

export const makeKeyTarget = (overrides: Partial<KeyTarget> = {}): KeyTarget => ({
  resourceType: "access-key",
  accountId: HOME_ACCOUNT,
  region: "us-east-1",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  userName: "ci-deployer",
  ...overrides,
});

/** The fixture instance changed by `edit` (a deep copy: fixtures are never shared between tests). */
export function instanceWith(edit: (instance: Instance) => void): DescribeInstancesCommandOutput {
  const out = describedInstances();
  edit(out.Reservations![0]!.Instances![0]!);
  return out;
}

/** Every ENI in `groupId`, with our tags on the instance: the state after step one (drain) or two. */
export const instanceInGroup = (groupId: string, extraTags: Record<string, string> = {}) =>
  instanceWith((instance) => {
    for (const eni of instance.NetworkInterfaces ?? []) eni.Groups = [{ GroupId: groupId }];
    instance.Tags = [
      ...(instance.Tags ?? []),
      ...Object.entries(extraTags).map(([Key, Value]) => ({ Key, Value })),
    ];
  });

export interface Request {
  action: string;
  input: unknown;
}

/** The requests a mocked client received, in order, as `{ action, input }`. */
// biome-ignore lint/suspicious/noExplicitAny: AwsStub's generics differ per client; only calls() is read
export const requests = (mock: AwsStub<any, any, any>): Request[] =>
  mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return { action: command.constructor.name.replace(/Command$/, ""), input: command.input };
  });

export const actions = (mock: Parameters<typeof requests>[0]): string[] =>
  requests(mock).map((r) => r.action);

export const READ_ACTIONS = /^(Describe|Get|List)/;
