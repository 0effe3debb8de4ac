/**
 * What the service needs in another account or region:
 * - in each member account (once, in the home region: IAM is global), the cross-account containment
 *   role. It trusts ONLY the service's dispatch role, by ARN, and only with the configured ExternalId;
 *   its permissions are the containment grants for this account and the watched regions, nothing else.
 * - optionally (`parts.eventForwarding`), in each watched region of each account other than the home
 *   account's home region, forwarding rules: the core rules' patterns on the local default bus, sending
 *   to the home default bus (EventBridge's default retries: 24 h), with a DLQ. The DLQ's alarm has no action here: its state change is itself
 *   a CloudWatch alarm event, which the forwarders carry to the service like any other.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { type DeploymentConfig, watchedRegions } from "../../core/config/deployment-config";
import { busKindOf, deployedRuleName } from "../constructs/event-rules";
import { sharedRuleDeadLetterQueue } from "../constructs/queues";
import { containmentGrants } from "../containment-grants";
import { acknowledge } from "../nag";
import { dispatchRoleName, partitionOf, pascal, roleArn } from "../naming";
import { applyGrants } from "../policy";
import { rulesFor } from "./incident-response-stack";

export interface MemberAccountStackProps extends StackProps {
  config: DeploymentConfig;
  /** Create the containment role (once per member account). */
  containmentRole: boolean;
  /** Create the forwarding rules (per watched region). */
  forwardEvents: boolean;
}

/** STS session length for containment: commands are short; an hour covers retries. */
export const CONTAINMENT_SESSION = Duration.hours(1);

export class MemberAccountStack extends Stack {
  readonly role?: iam.Role;
  readonly forwarders: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, props);
    const { config } = props;
    const partition = partitionOf(config.home.region);
    const account = this.account;

    if (props.containmentRole) {
      const externalId = config.containment.externalId;
      if (externalId === undefined)
        throw new Error("a member account's containment role needs containment.externalId");
      const dispatchRole = roleArn(partition, config.home.account, dispatchRoleName(config.serviceName));
      this.role = new iam.Role(this, "ContainmentRole", {
        roleName: config.containment.roleName,
        description: `${config.serviceName}: contains resources in this account for incidents; assumed only by ${dispatchRole}`,
        assumedBy: new iam.ArnPrincipal(dispatchRole).withConditions({
          StringEquals: { "sts:ExternalId": externalId },
        }),
        maxSessionDuration: CONTAINMENT_SESSION,
      });
      applyGrants(
        this.role,
        this.role,
        containmentGrants({ partition, account, regions: watchedRegions(config) }),
      );
    }

    if (props.forwardEvents) {
      const homeBus = events.EventBus.fromEventBusArn(
        this,
        "HomeBus",
        `arn:${partition}:events:${config.home.region}:${config.home.account}:event-bus/default`,
      );
      const deadLetterQueue = new sqs.Queue(this, "ForwardingDlq", {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const reason =
        "This queue is itself the forwarders' dead-letter queue; a DLQ of a DLQ would hide failures from its alarm";
      acknowledge(
        deadLetterQueue,
        { id: "AwsSolutions-SQS3", reason },
        { id: "Serverless-SQSRedrivePolicy", reason },
      );
      new cloudwatch.Alarm(this, "ForwardingDlqNotEmpty", {
        alarmDescription: `${config.serviceName}: events from this account/region could not be forwarded to the home bus.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: "Maximum",
          period: Duration.minutes(1),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const forwardingDlq = sharedRuleDeadLetterQueue(this, "ForwardingDlqRef", deadLetterQueue, [
        `arn:${partition}:events:${this.region}:${account}:rule/${config.serviceName}-*`,
      ]);
      const role = new iam.Role(this, "ForwardingRole", {
        assumedBy: new iam.ServicePrincipal("events.amazonaws.com"),
        description: `${config.serviceName}: forwards watched events to the home default bus`,
      });
      for (const rule of rulesFor(config).filter((r) => busKindOf(r) === "default")) {
        const forwarder = new events.Rule(this, pascal(rule.name), {
          ruleName: deployedRuleName(config.serviceName, rule),
          description: `Forwards to ${config.home.account}/${config.home.region}: ${rule.description}`.slice(
            0,
            512,
          ),
          eventPattern: structuredClone(rule.pattern) as events.EventPattern,
        });
        forwarder.addTarget(new targets.EventBus(homeBus, { role, deadLetterQueue: forwardingDlq }));
        this.forwarders.push(forwarder);
      }
    }
  }
}
