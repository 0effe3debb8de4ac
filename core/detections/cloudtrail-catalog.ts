/**
 * CloudTrail detections, as data: which API calls become which findings. It covers every monitoring
 * control of the CIS AWS Foundations Benchmark (v1.2 3.1–3.14, v1.4 4.1–4.15, Security Hub
 * CloudWatch.1–14) plus a few tampering and exposure detections the CIS list lacks.
 *
 * Invariants:
 * - Ids are unique and stable: they are the finding `type`, part of the finding identity, and what
 *   runbooks and suppression rules refer to.
 * - A record may match several entries (root + IAM policy change): each match is its own finding.
 * - Event name lists are the CIS filter lists, verbatim. Unlike the CIS filters we also pin the event
 *   source, because several names recur in other services (CreatePolicy/AttachPolicy in Organizations
 *   and IoT, CreateRoute/DeleteRoute in API Gateway v2, DisassociateFromMasterAccount in both GuardDuty
 *   and Security Hub); CIS v1.4 itself pins the source for S3, KMS, Config, route tables and Organizations.
 *
 * Severity policy (the label is a band midpoint, core/findings/severity.ts):
 * - CRITICAL: a long-term access key for root — permanent, unrestricted credentials.
 * - HIGH: root use; anything that blinds the account (trail stopped or deleted, Config recorder stopped,
 *   GuardDuty or Security Hub disabled); KMS key disabled or scheduled for deletion (data unreadable at
 *   once, or forever); a security group opened to the whole internet; leaving the organization or
 *   turning its policies off (escapes SCPs and org-wide security services).
 * - MEDIUM: changes that widen access or reduce visibility but are routine in well-run accounts
 *   (IAM and bucket policies, console sign-in without MFA, MFA removed, flow logs or alarms deleted).
 * - LOW: single events that are noise on their own and only mean something in a burst (one access
 *   denied, one failed sign-in) and routine network changes (security groups, NACLs, gateways, routes, VPCs).
 */
import type { Category } from "../findings/categories";
import type { SeverityLabel } from "../findings/severity";

/** A field of the record, as a dotted path. `requestParameters.*` / `responseElements.*` are read tolerantly. */
export type RecordField =
  | "eventType"
  | "errorCode"
  | "errorMessage"
  | "userIdentity.type"
  | "userIdentity.invokedBy"
  | "additionalEventData.MFAUsed"
  | `requestParameters.${string}`
  | `responseElements.${string}`;

/**
 * One test on the record. Values compare as strings (`false` reads as "false"). `notIn` holds when the
 * field is absent (as CIS `!=` is meant: `eventType != AwsServiceEvent` must hold for old records).
 * `like` is a glob with `*` (the CloudWatch filter syntax: `*UnauthorizedOperation`, `AccessDenied*`).
 */
export type Condition =
  | { field: RecordField; in: readonly string[] }
  | { field: RecordField; notIn: readonly string[] }
  | { field: RecordField; like: readonly string[] }
  | { field: RecordField; absent: true }
  /** At least one ingress permission in the request is open to 0.0.0.0/0 or ::/0 (any spelling). */
  | { worldOpenIngress: true };

export interface DetectionPredicate {
  eventSources: readonly string[] | "any";
  eventNames: readonly string[] | "any";
  /** Every condition must hold. */
  all?: readonly Condition[];
  /** At least one condition must hold (when given). */
  any?: readonly Condition[];
  /** Further conditions for particular event names only (all must hold). */
  byEvent?: Readonly<Record<string, readonly Condition[]>>;
}

/**
 * How to pick the primary resource (the thing the incident is about; findings on it correlate):
 * - principal: the caller (iam-principal by ARN); the account when the caller cannot be identified.
 * - security-group / bucket / kms-key / trail: the object the call changed, from the request.
 * - subject: the instance when the call names exactly one instance, else the account.
 */
export type ResourcePick = "principal" | "security-group" | "bucket" | "kms-key" | "trail" | "subject";

/**
 * Members of the request (or response) that name secondary resources worth listing: alarms deleted,
 * flow logs, the access key created. Paths are dotted (`accessKey.accessKeyId`).
 */
export interface RelatedResource {
  from?: "request" | "response";
  params: readonly string[];
  as: "cloudwatch-alarm" | "access-key" | { sourceType: string };
}

export interface CisReference {
  /** CIS AWS Foundations Benchmark v1.2.0 recommendation. */
  v1_2?: string;
  /** CIS AWS Foundations Benchmark v1.4.0 recommendation. */
  v1_4?: string;
  /** The Security Hub control that checks the metric filter exists. */
  securityHub?: string;
}

export interface CloudTrailDetection {
  id: string;
  title: string;
  description: string;
  severity: SeverityLabel;
  /** Per-event severity where one control mixes routine and alarming calls (StartLogging vs StopLogging). */
  severityByEvent?: Readonly<Record<string, SeverityLabel>>;
  category: Category;
  cis?: CisReference;
  match: DetectionPredicate;
  resource: ResourcePick;
  related?: readonly RelatedResource[];
}

const EC2 = ["ec2.amazonaws.com"] as const;

export const CLOUDTRAIL_DETECTIONS = [
  {
    id: "cis.unauthorized-api-calls",
    title: "Unauthorized API call",
    description:
      "An API call was refused for lack of permission. One refusal is usually a mistake; a burst suggests someone probing what stolen credentials can do.",
    severity: "LOW",
    category: "reconnaissance",
    cis: { v1_2: "3.1", v1_4: "4.1", securityHub: "CloudWatch.2" },
    match: {
      eventSources: "any",
      eventNames: "any",
      all: [{ field: "errorCode", like: ["*UnauthorizedOperation", "AccessDenied*"] }],
    },
    // The caller is what is suspicious, so refusals by the same credentials gather in one incident.
    resource: "principal",
  },
  {
    id: "cis.console-signin-without-mfa",
    title: "Console sign-in without MFA",
    description: "An IAM user or the root user signed in to the AWS Management Console without MFA.",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    cis: { v1_2: "3.2", v1_4: "4.2", securityHub: "CloudWatch.3" },
    match: {
      eventSources: ["signin.amazonaws.com"],
      eventNames: ["ConsoleLogin"],
      // CIS v1.4 4.2's SSO-aware variant: successful IAM-user sign-ins only, since federated (SAML/SSO)
      // sign-ins report MFAUsed "No" even when the identity provider enforced MFA. We keep Root as well:
      // root without MFA is the worst case of the control, not an exemption from it.
      all: [
        { field: "additionalEventData.MFAUsed", notIn: ["Yes"] },
        { field: "responseElements.ConsoleLogin", in: ["Success"] },
        { field: "userIdentity.type", in: ["IAMUser", "Root"] },
      ],
    },
    resource: "principal",
  },
  {
    id: "cis.root-account-use",
    title: "Root account used",
    description:
      "The root user made a request. Root has unrestricted access and should only be used for the few tasks that require it.",
    severity: "HIGH",
    category: "root-account-use",
    cis: { v1_2: "3.3", v1_4: "4.3", securityHub: "CloudWatch.1" },
    match: {
      eventSources: "any",
      eventNames: "any",
      all: [
        { field: "userIdentity.type", in: ["Root"] },
        { field: "userIdentity.invokedBy", absent: true },
        { field: "eventType", notIn: ["AwsServiceEvent"] },
      ],
    },
    resource: "principal",
  },
  {
    id: "cis.iam-policy-change",
    title: "IAM policy changed",
    description: "An IAM policy was created, changed, attached, detached or deleted.",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    cis: { v1_2: "3.4", v1_4: "4.4", securityHub: "CloudWatch.4" },
    match: {
      eventSources: ["iam.amazonaws.com"],
      eventNames: [
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
      ],
    },
    resource: "principal",
  },
  {
    id: "cis.cloudtrail-config-change",
    title: "CloudTrail configuration changed",
    description: "A trail was created, updated, deleted, started or stopped.",
    severity: "MEDIUM",
    severityByEvent: { StopLogging: "HIGH", DeleteTrail: "HIGH" },
    category: "logging-tampering",
    cis: { v1_2: "3.5", v1_4: "4.5", securityHub: "CloudWatch.5" },
    match: {
      eventSources: ["cloudtrail.amazonaws.com"],
      eventNames: ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"],
    },
    resource: "trail",
  },
  {
    id: "cis.console-auth-failure",
    title: "Console sign-in failed",
    description:
      "A sign-in to the AWS Management Console failed. Repeated failures suggest password guessing.",
    severity: "LOW",
    category: "iam-credential-compromise",
    cis: { v1_2: "3.6", v1_4: "4.6", securityHub: "CloudWatch.6" },
    match: {
      eventSources: ["signin.amazonaws.com"],
      eventNames: ["ConsoleLogin"],
      // CIS matches errorMessage "Failed authentication" only; a failure for an unknown user name
      // ("No username found in supplied account") is the same attack, so the outcome decides.
      any: [
        { field: "responseElements.ConsoleLogin", in: ["Failure"] },
        { field: "errorMessage", in: ["Failed authentication"] },
      ],
    },
    resource: "principal",
  },
  {
    id: "cis.kms-key-disabled-or-deleted",
    title: "KMS key disabled or scheduled for deletion",
    description:
      "A KMS key was disabled or scheduled for deletion: data encrypted under it becomes unreadable. AWS managed keys cannot be disabled or deleted, so this is a customer managed key.",
    severity: "HIGH",
    category: "generic",
    cis: { v1_2: "3.7", v1_4: "4.7", securityHub: "CloudWatch.7" },
    match: { eventSources: ["kms.amazonaws.com"], eventNames: ["DisableKey", "ScheduleKeyDeletion"] },
    resource: "kms-key",
  },
  {
    id: "cis.s3-bucket-policy-change",
    title: "S3 bucket policy changed",
    description:
      "A bucket's ACL, policy, CORS, lifecycle or replication configuration was changed or removed.",
    severity: "MEDIUM",
    category: "s3-data-exposure",
    cis: { v1_2: "3.8", v1_4: "4.8", securityHub: "CloudWatch.8" },
    match: {
      eventSources: ["s3.amazonaws.com"],
      eventNames: [
        "PutBucketAcl",
        "PutBucketPolicy",
        "PutBucketCors",
        "PutBucketLifecycle",
        "PutBucketReplication",
        "DeleteBucketPolicy",
        "DeleteBucketCors",
        "DeleteBucketLifecycle",
        "DeleteBucketReplication",
      ],
    },
    resource: "bucket",
  },
  {
    id: "cis.config-change",
    title: "AWS Config configuration changed",
    description: "The AWS Config recorder or delivery channel was stopped, deleted or reconfigured.",
    severity: "MEDIUM",
    severityByEvent: { StopConfigurationRecorder: "HIGH", DeleteDeliveryChannel: "HIGH" },
    category: "logging-tampering",
    cis: { v1_2: "3.9", v1_4: "4.9", securityHub: "CloudWatch.9" },
    match: {
      eventSources: ["config.amazonaws.com"],
      eventNames: [
        "StopConfigurationRecorder",
        "DeleteDeliveryChannel",
        "PutDeliveryChannel",
        "PutConfigurationRecorder",
      ],
    },
    resource: "subject",
  },
  {
    id: "cis.security-group-change",
    title: "Security group changed",
    description: "A security group was created, deleted, or had rules added or removed.",
    severity: "LOW",
    category: "security-group-exposure",
    cis: { v1_2: "3.10", v1_4: "4.10", securityHub: "CloudWatch.10" },
    match: {
      eventSources: EC2,
      eventNames: [
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
      ],
    },
    resource: "security-group",
  },
  {
    id: "cis.nacl-change",
    title: "Network ACL changed",
    description: "A network ACL, one of its entries or one of its subnet associations was changed.",
    severity: "LOW",
    category: "security-group-exposure",
    cis: { v1_2: "3.11", v1_4: "4.11", securityHub: "CloudWatch.11" },
    match: {
      eventSources: EC2,
      eventNames: [
        "CreateNetworkAcl",
        "CreateNetworkAclEntry",
        "DeleteNetworkAcl",
        "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry",
        "ReplaceNetworkAclAssociation",
      ],
    },
    resource: "subject",
    related: [{ params: ["networkAclId"], as: { sourceType: "AwsEc2NetworkAcl" } }],
  },
  {
    id: "cis.network-gateway-change",
    title: "Network gateway changed",
    description: "An internet or customer gateway was created, attached, detached or deleted.",
    severity: "LOW",
    category: "security-group-exposure",
    cis: { v1_2: "3.12", v1_4: "4.12", securityHub: "CloudWatch.12" },
    match: {
      eventSources: EC2,
      eventNames: [
        "CreateCustomerGateway",
        "DeleteCustomerGateway",
        "AttachInternetGateway",
        "CreateInternetGateway",
        "DeleteInternetGateway",
        "DetachInternetGateway",
      ],
    },
    resource: "subject",
    related: [
      { params: ["internetGatewayId"], as: { sourceType: "AwsEc2InternetGateway" } },
      { params: ["customerGatewayId"], as: { sourceType: "AwsEc2CustomerGateway" } },
    ],
  },
  {
    id: "cis.route-table-change",
    title: "Route table changed",
    description: "A route table, one of its routes or one of its associations was changed.",
    severity: "LOW",
    category: "security-group-exposure",
    cis: { v1_2: "3.13", v1_4: "4.13", securityHub: "CloudWatch.13" },
    match: {
      eventSources: EC2,
      eventNames: [
        "CreateRoute",
        "CreateRouteTable",
        "ReplaceRoute",
        "ReplaceRouteTableAssociation",
        "DeleteRouteTable",
        "DeleteRoute",
        "DisassociateRouteTable",
      ],
    },
    resource: "subject",
    related: [{ params: ["routeTableId"], as: { sourceType: "AwsEc2RouteTable" } }],
  },
  {
    id: "cis.vpc-change",
    title: "VPC changed",
    description: "A VPC, a VPC peering connection or a ClassicLink setting was changed.",
    severity: "LOW",
    category: "security-group-exposure",
    cis: { v1_2: "3.14", v1_4: "4.14", securityHub: "CloudWatch.14" },
    match: {
      eventSources: EC2,
      eventNames: [
        "CreateVpc",
        "DeleteVpc",
        "ModifyVpcAttribute",
        "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc",
        "DetachClassicLinkVpc",
        "DisableVpcClassicLink",
        "EnableVpcClassicLink",
      ],
    },
    resource: "subject",
    related: [
      { params: ["vpcId"], as: { sourceType: "AwsEc2Vpc" } },
      { params: ["vpcPeeringConnectionId"], as: { sourceType: "AwsEc2VpcPeeringConnection" } },
    ],
  },
  {
    id: "cis.organizations-change",
    title: "AWS Organizations changed",
    description:
      "The organization, its accounts, organizational units or policies were changed, or the account left it.",
    severity: "MEDIUM",
    severityByEvent: {
      LeaveOrganization: "HIGH",
      RemoveAccountFromOrganization: "HIGH",
      DeleteOrganization: "HIGH",
      DisablePolicyType: "HIGH",
    },
    category: "generic",
    cis: { v1_4: "4.15" },
    match: {
      eventSources: ["organizations.amazonaws.com"],
      eventNames: [
        "AcceptHandshake",
        "AttachPolicy",
        "CreateAccount",
        "CreateOrganizationalUnit",
        "CreatePolicy",
        "DeclineHandshake",
        "DeleteOrganization",
        "DeleteOrganizationalUnit",
        "DeletePolicy",
        "DetachPolicy",
        "DisablePolicyType",
        "EnablePolicyType",
        "InviteAccountToOrganization",
        "LeaveOrganization",
        "MoveAccount",
        "RemoveAccountFromOrganization",
        "UpdatePolicy",
        "UpdateOrganizationalUnit",
      ],
    },
    resource: "subject",
  },
  {
    id: "ir.guardduty-disabled",
    title: "GuardDuty disabled or detached",
    description:
      "A GuardDuty detector was deleted or suspended, or an account stopped being monitored by its administrator.",
    severity: "HIGH",
    category: "logging-tampering",
    match: {
      eventSources: ["guardduty.amazonaws.com"],
      eventNames: [
        "DeleteDetector",
        "DisassociateFromMasterAccount",
        "DisassociateFromAdministratorAccount",
        "DisassociateMembers",
        "StopMonitoringMembers",
        "UpdateDetector",
      ],
      // UpdateDetector is routine (publishing frequency, features) unless it suspends the detector.
      byEvent: { UpdateDetector: [{ field: "requestParameters.enable", in: ["false"] }] },
    },
    resource: "subject",
    related: [{ params: ["detectorId"], as: { sourceType: "AwsGuardDutyDetector" } }],
  },
  {
    id: "ir.securityhub-disabled",
    title: "Security Hub disabled or detached",
    description:
      "Security Hub was disabled, standards were turned off, or the account left its administrator.",
    severity: "HIGH",
    category: "logging-tampering",
    match: {
      eventSources: ["securityhub.amazonaws.com"],
      eventNames: [
        "DisableSecurityHub",
        "DisassociateFromMasterAccount",
        "DisassociateFromAdministratorAccount",
        "BatchDisableStandards",
      ],
    },
    resource: "subject",
  },
  {
    id: "ir.security-group-world-open",
    title: "Security group opened to the internet",
    description: "An ingress rule was added that allows traffic from 0.0.0.0/0 or ::/0.",
    severity: "HIGH",
    category: "security-group-exposure",
    match: {
      eventSources: EC2,
      eventNames: ["AuthorizeSecurityGroupIngress"],
      // A refused call opened nothing: containment must not act on it.
      all: [{ field: "errorCode", absent: true }, { worldOpenIngress: true }],
    },
    resource: "security-group",
  },
  {
    id: "ir.root-access-key-created",
    title: "Access key created for root",
    description: "The root user created an access key for itself: long-term credentials with no limits.",
    severity: "CRITICAL",
    category: "root-account-use",
    match: {
      eventSources: ["iam.amazonaws.com"],
      eventNames: ["CreateAccessKey"],
      // With userName, root created a key for an IAM user: root use, but not a root key.
      all: [
        { field: "userIdentity.type", in: ["Root"] },
        { field: "requestParameters.userName", absent: true },
        { field: "errorCode", absent: true },
      ],
    },
    resource: "principal",
    related: [{ from: "response", params: ["accessKey.accessKeyId"], as: "access-key" }],
  },
  {
    id: "ir.mfa-device-deactivated",
    title: "MFA device deactivated",
    description: "An MFA device was deactivated or a virtual MFA device deleted, weakening sign-in.",
    severity: "MEDIUM",
    category: "iam-credential-compromise",
    match: {
      eventSources: ["iam.amazonaws.com"],
      eventNames: ["DeactivateMFADevice", "DeleteVirtualMFADevice"],
    },
    resource: "principal",
  },
  {
    id: "ir.vpc-flow-logs-deleted",
    title: "VPC flow logs deleted",
    description: "VPC flow logs were deleted: network activity is no longer recorded.",
    severity: "MEDIUM",
    category: "logging-tampering",
    match: { eventSources: EC2, eventNames: ["DeleteFlowLogs"] },
    resource: "subject",
    related: [{ params: ["flowLogId", "flowLogIds"], as: { sourceType: "AwsEc2FlowLog" } }],
  },
  {
    id: "ir.cloudwatch-alarms-deleted",
    title: "CloudWatch alarms deleted",
    description: "CloudWatch alarms were deleted: whatever they watched no longer pages anyone.",
    severity: "MEDIUM",
    category: "logging-tampering",
    match: {
      eventSources: ["monitoring.amazonaws.com"],
      eventNames: ["DeleteAlarms", "DisableAlarmActions"],
    },
    resource: "subject",
    related: [{ params: ["alarmNames"], as: "cloudwatch-alarm" }],
  },
  {
    id: "ir.log-monitoring-deleted",
    title: "Log monitoring removed",
    description:
      "A CloudWatch Logs metric filter, subscription or log group was deleted: the CIS metric filters and alarms built on them stop seeing events.",
    severity: "MEDIUM",
    category: "logging-tampering",
    match: {
      eventSources: ["logs.amazonaws.com"],
      eventNames: ["DeleteMetricFilter", "DeleteSubscriptionFilter", "DeleteLogGroup"],
    },
    resource: "subject",
  },
  {
    id: "ir.iam-persistence",
    title: "IAM identity or sign-in added",
    description:
      "A new IAM user, console password, group membership or trust policy, or a permissions boundary removed: the usual ways stolen credentials are made to last.",
    severity: "LOW",
    category: "iam-credential-compromise",
    match: {
      eventSources: ["iam.amazonaws.com"],
      eventNames: [
        "CreateUser",
        "CreateLoginProfile",
        "UpdateLoginProfile",
        "AddUserToGroup",
        "UpdateAssumeRolePolicy",
        "DeleteRolePermissionsBoundary",
        "DeleteUserPermissionsBoundary",
      ],
    },
    resource: "principal",
  },
] as const satisfies readonly CloudTrailDetection[];

export type CloudTrailDetectionId = (typeof CLOUDTRAIL_DETECTIONS)[number]["id"];
