/**
 * The AWS API calls containment may make, as one table: name → service and SDK command. Reads
 * (Describe/Get/List) change nothing and also run while planning; changes run only for real. The table
 * is also the list of IAM permissions the containment role needs, so keep it short and exact.
 */
import type * as Ec2 from "@aws-sdk/client-ec2";
import type { $Command } from "@aws-sdk/client-ec2";
import type * as Iam from "@aws-sdk/client-iam";

interface Sdk {
  ec2: typeof Ec2;
  iam: typeof Iam;
}

/**
 * The SDK packages, imported on the first call rather than with the module: containment is rare, and
 * EC2's client is too big (~550 KB minified) to bundle into the dispatch function or to load on every
 * cold start. The Lambda bundle leaves both to the runtime's SDK (infra/bundling.ts).
 */
const SDK: { [S in keyof Sdk]: () => Promise<Sdk[S]> } = {
  ec2: () => import("@aws-sdk/client-ec2"),
  iam: () => import("@aws-sdk/client-iam"),
};

type Service_ = keyof Sdk;
type CommandName<S extends Service_> = Extract<keyof Sdk[S], `${string}Command`>;
const call = <S extends Service_, C extends CommandName<S>>(service: S, command: C) => ({ service, command });

export const READS = {
  DescribeInstances: call("ec2", "DescribeInstancesCommand"),
  DescribeSnapshots: call("ec2", "DescribeSnapshotsCommand"),
  DescribeSecurityGroups: call("ec2", "DescribeSecurityGroupsCommand"),
  DescribeSecurityGroupRules: call("ec2", "DescribeSecurityGroupRulesCommand"),
  DescribeNetworkInterfaces: call("ec2", "DescribeNetworkInterfacesCommand"),
  DescribeIamInstanceProfileAssociations: call("ec2", "DescribeIamInstanceProfileAssociationsCommand"),
  GetAccessKeyLastUsed: call("iam", "GetAccessKeyLastUsedCommand"),
  ListUserTags: call("iam", "ListUserTagsCommand"),
} as const;

export const CHANGES = {
  ModifyInstanceAttribute: call("ec2", "ModifyInstanceAttributeCommand"),
  CreateSnapshot: call("ec2", "CreateSnapshotCommand"),
  CreateSecurityGroup: call("ec2", "CreateSecurityGroupCommand"),
  AuthorizeSecurityGroupIngress: call("ec2", "AuthorizeSecurityGroupIngressCommand"),
  AuthorizeSecurityGroupEgress: call("ec2", "AuthorizeSecurityGroupEgressCommand"),
  RevokeSecurityGroupIngress: call("ec2", "RevokeSecurityGroupIngressCommand"),
  RevokeSecurityGroupEgress: call("ec2", "RevokeSecurityGroupEgressCommand"),
  ModifyNetworkInterfaceAttribute: call("ec2", "ModifyNetworkInterfaceAttributeCommand"),
  CreateTags: call("ec2", "CreateTagsCommand"),
  DeleteTags: call("ec2", "DeleteTagsCommand"),
  DisassociateIamInstanceProfile: call("ec2", "DisassociateIamInstanceProfileCommand"),
  AssociateIamInstanceProfile: call("ec2", "AssociateIamInstanceProfileCommand"),
  UpdateAccessKey: call("iam", "UpdateAccessKeyCommand"),
} as const;

export const ACTIONS = { ...READS, ...CHANGES };

export type ReadAction = keyof typeof READS;
export type ChangeAction = keyof typeof CHANGES;
export type Action = ReadAction | ChangeAction;
export type Service = (typeof ACTIONS)[Action]["service"];

type CommandOf<A extends Action> = {
  [S in Service_]: (typeof ACTIONS)[A] extends { service: S; command: infer C extends keyof Sdk[S] }
    ? Extract<Sdk[S][C], abstract new (...args: never) => unknown>
    : never;
}[Service_];
export type InputOf<A extends Action> = ConstructorParameters<CommandOf<A>>[0];
export type OutputOf<A extends Action> =
  InstanceType<CommandOf<A>> extends $Command<infer _I, infer O, infer _C, infer _SI, infer _SO> ? O : never;

/** A command instance any SDK client's `send` accepts (the service is chosen from the table). */
export type AnyCommand = InstanceType<CommandOf<Action>>;

export const newCommand = async <A extends Action>(action: A, input: InputOf<A>): Promise<AnyCommand> => {
  const { service, command } = ACTIONS[action];
  const sdk = (await SDK[service]()) as unknown as Record<string, new (input: InputOf<A>) => AnyCommand>;
  return new sdk[command]!(input);
};

export const isReadAction = (action: string): action is ReadAction => Object.hasOwn(READS, action);
