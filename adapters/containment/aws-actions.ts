/**
 * The AWS API calls containment may make, as one table: name → service and SDK command. Reads
 * (Describe/Get/List) change nothing and also run while planning; changes run only for real. The table
 * is also the list of IAM permissions the containment role needs, so keep it short and exact.
 */
import {
  type $Command,
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  GetAccessKeyLastUsedCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";

export const READS = {
  DescribeInstances: { service: "ec2", command: DescribeInstancesCommand },
  DescribeSnapshots: { service: "ec2", command: DescribeSnapshotsCommand },
  DescribeSecurityGroups: { service: "ec2", command: DescribeSecurityGroupsCommand },
  DescribeSecurityGroupRules: { service: "ec2", command: DescribeSecurityGroupRulesCommand },
  DescribeNetworkInterfaces: { service: "ec2", command: DescribeNetworkInterfacesCommand },
  DescribeIamInstanceProfileAssociations: {
    service: "ec2",
    command: DescribeIamInstanceProfileAssociationsCommand,
  },
  GetAccessKeyLastUsed: { service: "iam", command: GetAccessKeyLastUsedCommand },
  ListUserTags: { service: "iam", command: ListUserTagsCommand },
} as const;

export const CHANGES = {
  ModifyInstanceAttribute: { service: "ec2", command: ModifyInstanceAttributeCommand },
  CreateSnapshot: { service: "ec2", command: CreateSnapshotCommand },
  CreateSecurityGroup: { service: "ec2", command: CreateSecurityGroupCommand },
  AuthorizeSecurityGroupIngress: { service: "ec2", command: AuthorizeSecurityGroupIngressCommand },
  AuthorizeSecurityGroupEgress: { service: "ec2", command: AuthorizeSecurityGroupEgressCommand },
  RevokeSecurityGroupIngress: { service: "ec2", command: RevokeSecurityGroupIngressCommand },
  RevokeSecurityGroupEgress: { service: "ec2", command: RevokeSecurityGroupEgressCommand },
  ModifyNetworkInterfaceAttribute: { service: "ec2", command: ModifyNetworkInterfaceAttributeCommand },
  CreateTags: { service: "ec2", command: CreateTagsCommand },
  DeleteTags: { service: "ec2", command: DeleteTagsCommand },
  DisassociateIamInstanceProfile: { service: "ec2", command: DisassociateIamInstanceProfileCommand },
  AssociateIamInstanceProfile: { service: "ec2", command: AssociateIamInstanceProfileCommand },
  UpdateAccessKey: { service: "iam", command: UpdateAccessKeyCommand },
} as const;

export const ACTIONS = { ...READS, ...CHANGES };

export type ReadAction = keyof typeof READS;
export type ChangeAction = keyof typeof CHANGES;
export type Action = ReadAction | ChangeAction;
export type Service = (typeof ACTIONS)[Action]["service"];

type CommandOf<A extends Action> = (typeof ACTIONS)[A]["command"];
export type InputOf<A extends Action> = ConstructorParameters<CommandOf<A>>[0];
export type OutputOf<A extends Action> =
  InstanceType<CommandOf<A>> extends $Command<infer _I, infer O, infer _C, infer _SI, infer _SO> ? O : never;

/** A command instance any SDK client's `send` accepts (the service is chosen from the table). */
export type AnyCommand = InstanceType<CommandOf<Action>>;

export const newCommand = <A extends Action>(action: A, input: InputOf<A>): AnyCommand => {
  const Command = ACTIONS[action].command as unknown as new (input: InputOf<A>) => AnyCommand;
  return new Command(input);
};

export const isReadAction = (action: string): action is ReadAction => Object.hasOwn(READS, action);
