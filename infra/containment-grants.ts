/**
 * What containment may do in one account, as grants (DESIGN §5): isolate an EC2 instance (swap every
 * ENI's security groups for an isolation group, detach its instance profile, snapshot its volumes first),
 * lock down a security group opened to the world, deactivate an access key — and undo each. The actions
 * are exactly the adapter's call table (adapters/containment/aws-actions.ts; a test keeps them equal),
 * every change is scoped to the account and the watched regions, and a Deny keeps the role off anything
 * tagged `ir:protected` (unless the tag says "false"), the same rule the policy applies in code.
 *
 * Used twice: by the member accounts' containment role and, for the home account, by the dispatch role.
 */
import { PROTECTED_TAG } from "../core/incident/containment-policy";
import type { Grant } from "./policy";

/** ec2 Describe* calls: no resource-level permissions exist for them. */
export const CONTAINMENT_READS = [
  "ec2:DescribeInstances",
  "ec2:DescribeSnapshots",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeIamInstanceProfileAssociations",
] as const;

export const CONTAINMENT_IAM = [
  "iam:GetAccessKeyLastUsed",
  "iam:ListUserTags",
  "iam:UpdateAccessKey",
] as const;

export const CONTAINMENT_EC2_CHANGES = [
  "ec2:ModifyInstanceAttribute",
  "ec2:CreateSnapshot",
  "ec2:CreateSecurityGroup",
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:ModifyNetworkInterfaceAttribute",
  "ec2:CreateTags",
  "ec2:DeleteTags",
  "ec2:DisassociateIamInstanceProfile",
  "ec2:AssociateIamInstanceProfile",
] as const;

/** Every IAM action containment's procedures call (AssociateIamInstanceProfile also needs iam:PassRole). */
export const CONTAINMENT_ACTIONS = [...CONTAINMENT_READS, ...CONTAINMENT_IAM, ...CONTAINMENT_EC2_CHANGES];

export interface ContainmentScope {
  partition: string;
  account: string;
  regions: readonly string[];
}

const ARRIVES_AT_INCIDENT_TIME =
  "the instance, group, interface, volume or user to contain is named by the finding at incident time, so the grant covers that resource type in this account and the watched regions only";

export function containmentGrants({ partition, account, regions }: ContainmentScope): Grant[] {
  const ec2 = (type: string, owner = account) =>
    regions.map((region) => `arn:${partition}:ec2:${region}:${owner}:${type}/*`);
  const inRegions = { StringEquals: { "aws:RequestedRegion": [...regions] } };
  return [
    {
      sid: "DescribeForContainment",
      actions: CONTAINMENT_READS,
      resources: ["*"],
      conditions: inRegions,
      wildcardReason:
        "EC2 Describe* actions support no resource-level permissions (AWS requires Resource *); limited to the watched regions",
    },
    {
      sid: "IsolateInstances",
      actions: [
        "ec2:ModifyInstanceAttribute",
        "ec2:DisassociateIamInstanceProfile",
        "ec2:AssociateIamInstanceProfile",
      ],
      resources: [...ec2("instance"), ...ec2("security-group")],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "SwapInterfaceSecurityGroups",
      actions: ["ec2:ModifyNetworkInterfaceAttribute"],
      resources: [...ec2("network-interface"), ...ec2("security-group"), ...ec2("instance")],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "PreserveEvidence",
      actions: ["ec2:CreateSnapshot"],
      // Snapshot ARNs carry no account: the snapshot does not exist until this call creates it.
      resources: [...ec2("volume"), ...ec2("snapshot", "")],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "IsolationAndLockdownGroups",
      actions: [
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
      ],
      resources: [...ec2("security-group"), ...ec2("security-group-rule"), ...ec2("vpc")],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "RecordContainmentOnTags",
      actions: ["ec2:CreateTags", "ec2:DeleteTags"],
      resources: [
        ...ec2("instance"),
        ...ec2("security-group"),
        ...ec2("network-interface"),
        ...ec2("volume"),
        ...ec2("snapshot", ""),
      ],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "DeactivateAccessKeys",
      actions: CONTAINMENT_IAM,
      resources: [`arn:${partition}:iam::${account}:user/*`],
      wildcardReason: ARRIVES_AT_INCIDENT_TIME,
    },
    {
      sid: "RestoreInstanceProfile",
      actions: ["iam:PassRole"],
      resources: [`arn:${partition}:iam::${account}:role/*`],
      conditions: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      wildcardReason:
        "undoing isolation re-associates the instance's original instance profile, whose role is only known at incident time; PassRole is limited to EC2",
    },
    {
      sid: "NeverTouchProtectedResources",
      effect: "Deny",
      actions: CONTAINMENT_EC2_CHANGES,
      resources: ["*"],
      conditions: {
        Null: { [`aws:ResourceTag/${PROTECTED_TAG}`]: "false" },
        StringNotEqualsIgnoreCase: { [`aws:ResourceTag/${PROTECTED_TAG}`]: "false" },
      },
    },
  ];
}
