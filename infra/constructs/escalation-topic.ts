/**
 * The security SNS topic: pages (pageOnCall commands), the service's own alarms and the CIS alarms all
 * go here, encrypted with a customer-managed KMS key (rotated yearly) whose policy lets CloudWatch alarms
 * publish. Subscriptions come from the config. One limited to some escalation levels filters on the
 * `target` message attribute the alerter sets (adapters/sns/alerter.ts): it gets those pages only, since
 * alarm notifications carry no attributes and reach unfiltered subscriptions alone.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { DeploymentConfig } from "../../core/config/deployment-config";

/** The message attribute the SNS alerter sets to the escalation level's name. */
export const PAGE_TARGET_ATTRIBUTE = "target";

export interface EscalationTopicProps {
  serviceName: string;
  subscriptions: DeploymentConfig["escalation"]["subscriptions"];
  /** Where SNS puts what it could not deliver to a subscriber (a missed page must not vanish). */
  deadLetterQueue: sqs.IQueue;
}

export class EscalationTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EscalationTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, "Key", {
      description: `${props.serviceName}: encrypts the security topic (pages and alarms)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets the service use it.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.topic = new sns.Topic(this, "Topic", {
      displayName: `${props.serviceName} security`,
      masterKey: this.key,
      enforceSSL: true,
    });
    props.subscriptions.forEach((subscription) => {
      const filterPolicy = subscription.levels
        ? { [PAGE_TARGET_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: subscription.levels }) }
        : undefined;
      this.topic.addSubscription(subscriptionFor(subscription, filterPolicy, props.deadLetterQueue));
    });
  }
}

function subscriptionFor(
  subscription: EscalationTopicProps["subscriptions"][number],
  filterPolicy: Record<string, sns.SubscriptionFilter> | undefined,
  deadLetterQueue: sqs.IQueue,
): sns.ITopicSubscription {
  const options = { deadLetterQueue, ...(filterPolicy ? { filterPolicy } : {}) };
  switch (subscription.protocol) {
    case "email":
      return new subscriptions.EmailSubscription(subscription.endpoint, options);
    case "https":
      return new subscriptions.UrlSubscription(subscription.endpoint, {
        ...options,
        protocol: sns.SubscriptionProtocol.HTTPS,
      });
    case "sms":
      return new subscriptions.SmsSubscription(subscription.endpoint, options);
    default: {
      const unreachable: never = subscription.protocol;
      throw new Error(`unknown subscription protocol ${String(unreachable)}`);
    }
  }
}
