/**
 * Optional (config `parts.cisCloudTrail`): a multi-region CloudTrail trail set up as the CIS AWS
 * Foundations Benchmark asks — log file validation, KMS encryption, CloudWatch Logs delivery, a private
 * bucket with access logging — and the benchmark's monitoring controls (v1.4.0 4.1–4.15; Security Hub
 * CloudWatch.1–14) as metric filters with alarms to the security topic.
 *
 * The filter patterns are the benchmark's own text. Each names the core rule that watches the same
 * events on EventBridge (core/rules/rules.ts); a test checks every event name a filter lists is in that
 * rule, so the two detections cannot drift. The alarms' state changes also reach the service through the
 * `cloudwatch-alarm-state-changes` rule.
 */
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudtrail from "aws-cdk-lib/aws-cloudtrail";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { acknowledge } from "../nag";

export interface CisFilter {
  /** Construct id and metric name. */
  id: string;
  /** CIS AWS Foundations Benchmark v1.4.0 control. */
  cis: string;
  title: string;
  pattern: string;
  /** The core EventBridge rule that watches the same events. */
  coreRule: string;
}

export const CIS_FILTERS: readonly CisFilter[] = [
  {
    id: "UnauthorizedApiCalls",
    cis: "4.1",
    title: "Unauthorized API calls",
    pattern:
      '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    coreRule: "cloudtrail-unauthorized-calls",
  },
  {
    id: "ConsoleSignInWithoutMfa",
    cis: "4.2",
    title: "Management console sign-in without MFA",
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    coreRule: "cloudtrail-console-sign-in",
  },
  {
    id: "RootAccountUsage",
    cis: "4.3",
    title: "Usage of the root account",
    pattern:
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    coreRule: "cloudtrail-root-activity",
  },
  {
    id: "IamPolicyChanges",
    cis: "4.4",
    title: "IAM policy changes",
    pattern:
      "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }",
    coreRule: "cloudtrail-iam-changes",
  },
  {
    id: "CloudTrailChanges",
    cis: "4.5",
    title: "CloudTrail configuration changes",
    pattern:
      "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    coreRule: "cloudtrail-trail-changes",
  },
  {
    id: "ConsoleAuthenticationFailures",
    cis: "4.6",
    title: "Management console authentication failures",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    coreRule: "cloudtrail-console-sign-in",
  },
  {
    id: "KmsKeyDisableOrDeletion",
    cis: "4.7",
    title: "Disabling or scheduled deletion of customer-created KMS keys",
    pattern:
      "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    coreRule: "cloudtrail-kms-changes",
  },
  {
    id: "S3BucketPolicyChanges",
    cis: "4.8",
    title: "S3 bucket policy changes",
    pattern:
      "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    coreRule: "cloudtrail-s3-policy-changes",
  },
  {
    id: "ConfigChanges",
    cis: "4.9",
    title: "AWS Config configuration changes",
    pattern:
      "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }",
    coreRule: "cloudtrail-config-changes",
  },
  {
    id: "SecurityGroupChanges",
    cis: "4.10",
    title: "Security group changes",
    pattern:
      "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    coreRule: "cloudtrail-network-changes",
  },
  {
    id: "NetworkAclChanges",
    cis: "4.11",
    title: "Network ACL changes",
    pattern:
      "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    coreRule: "cloudtrail-network-changes",
  },
  {
    id: "NetworkGatewayChanges",
    cis: "4.12",
    title: "Network gateway changes",
    pattern:
      "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    coreRule: "cloudtrail-network-changes",
  },
  {
    id: "RouteTableChanges",
    cis: "4.13",
    title: "Route table changes",
    pattern:
      "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    coreRule: "cloudtrail-network-changes",
  },
  {
    id: "VpcChanges",
    cis: "4.14",
    title: "VPC changes",
    pattern:
      "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    coreRule: "cloudtrail-network-changes",
  },
  {
    id: "OrganizationsChanges",
    cis: "4.15",
    title: "AWS Organizations changes",
    pattern:
      '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    coreRule: "cloudtrail-organizations-changes",
  },
];

export interface CisCloudTrailProps {
  serviceName: string;
  partition: string;
  topic: sns.ITopic;
  logRetentionDays: number;
  archiveAfterDays: number;
}

export class CisCloudTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly logGroup: logs.LogGroup;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: CisCloudTrailProps) {
    super(scope, id);
    // Access-log delivery through a bucket policy, not the legacy LogDeliveryWrite ACL (ACLs stay disabled).
    this.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
    const { account, region } = Stack.of(this);
    const trailName = `${props.serviceName}-cis`;
    const trailArn = `arn:${props.partition}:cloudtrail:${region}:${account}:trail/${trailName}`;
    const trailContext = `arn:${props.partition}:cloudtrail:*:${account}:trail/*`;

    // CIS 3.7: logs encrypted with a customer-managed key; the key policy is CloudTrail's documented one.
    const key = new kms.Key(this, "Key", {
      description: `${props.serviceName}: encrypts the CIS CloudTrail trail's log files`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudtrailPrincipal = new iam.ServicePrincipal("cloudtrail.amazonaws.com");
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudTrailToEncryptLogs",
        principals: [cloudtrailPrincipal],
        actions: ["kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: {
          StringEquals: { "aws:SourceArn": trailArn },
          StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trailContext },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudTrailToDescribeKey",
        principals: [cloudtrailPrincipal],
        actions: ["kms:DescribeKey"],
        resources: ["*"],
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowAccountToReadLogs",
        principals: [new iam.AccountRootPrincipal()],
        actions: ["kms:Decrypt", "kms:ReEncryptFrom"],
        resources: ["*"],
        conditions: {
          StringEquals: { "kms:CallerAccount": account },
          StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trailContext },
        },
      }),
    );

    const accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, {
      id: "AwsSolutions-S1",
      reason:
        "This bucket receives the trail bucket's server access logs (CIS 3.6); logging the log bucket itself would only log the logging",
    });
    const bucket = new s3.Bucket(this, "Logs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: "trail-bucket/",
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          transitions: [
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.archiveAfterDays) },
          ],
        },
      ],
    });

    this.logGroup = new logs.LogGroup(this, "TrailLogs", {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.trail = new cloudtrail.Trail(this, "Trail", {
      trailName,
      bucket,
      encryptionKey: key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });

    this.metricNamespace = `${props.serviceName}/CIS`;
    const notify = new actions.SnsAction(props.topic);
    for (const filter of CIS_FILTERS) {
      const metricFilter = new logs.MetricFilter(this, `${filter.id}Filter`, {
        logGroup: this.logGroup,
        filterPattern: logs.FilterPattern.literal(filter.pattern),
        metricNamespace: this.metricNamespace,
        metricName: filter.id,
        metricValue: "1",
      });
      const alarm = new cloudwatch.Alarm(this, `${filter.id}Alarm`, {
        alarmName: `${props.serviceName}-cis-${filter.cis}-${filter.id}`,
        alarmDescription: `CIS ${filter.cis}: ${filter.title}.`,
        metric: metricFilter.metric({ statistic: "Sum", period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      this.alarms.push(alarm);
    }
  }
}
