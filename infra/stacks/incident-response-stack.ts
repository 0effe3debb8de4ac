/**
 * The service in its home account and region (DESIGN §4): EventBridge rules generated from the core
 * rules → ingest → SQS FIFO → advance → DynamoDB (+ outbox stream) → dispatch; Slack through a Function
 * URL; a sweep every minute; the security topic, alarms, dashboard and Security Hub parts; optionally the
 * CIS trail. Resources that hold state (table, keys, logs) are retained when the stack is deleted.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { type DeploymentConfig, watchedRegions } from "../../core/config/deployment-config";
import type { FunctionName } from "../../core/contracts/function-env";
import { SLACK_SECRET_KEYS } from "../../core/contracts/function-env";
import { buildRules, type Rule } from "../../core/rules/rules";
import { CisCloudTrail } from "../constructs/cis-cloudtrail";
import { EscalationTopic } from "../constructs/escalation-topic";
import { EventRules } from "../constructs/event-rules";
import { FUNCTION_SETTINGS, IncidentFunctions } from "../constructs/incident-functions";
import { IncidentTable } from "../constructs/incident-table";
import { Observability } from "../constructs/observability";
import { IncidentQueues, sharedRuleDeadLetterQueue } from "../constructs/queues";
import { SecurityHubParts } from "../constructs/security-hub";
import { acknowledge } from "../nag";
import { partitionOf } from "../naming";

export interface IncidentResponseStackProps extends StackProps {
  config: DeploymentConfig;
  /** Where each function's entry point is (default functions/<name>/handler.ts). */
  entryFor?: (name: FunctionName) => string;
}

/** The sweep schedule: clocks are checked every minute (DESIGN §3). */
export const SWEEP_RATE = Duration.minutes(1);
/** A sweep older than its successor is worthless: EventBridge gives up after 2 minutes. */
export const SWEEP_DELIVERY = { retryAttempts: 2, maxEventAge: Duration.minutes(2) } as const;

/** Core rules for the config's thresholds: the one source of the patterns deployed here. */
export const rulesFor = (config: DeploymentConfig): readonly Rule[] => buildRules(config.rules);

/** The accounts whose forwarders may put events on the home default bus. */
export const forwardingAccounts = (config: DeploymentConfig): string[] =>
  config.parts.eventForwarding ? config.memberAccounts.map((member) => member.account) : [];

export class IncidentResponseStack extends Stack {
  readonly table: IncidentTable;
  readonly queues: IncidentQueues;
  readonly escalation: EscalationTopic;
  readonly bus: events.EventBus;
  readonly functions: IncidentFunctions;
  readonly rules: EventRules;
  readonly sweepSchedule: events.Rule;
  readonly observability: Observability;
  readonly securityHub?: SecurityHubParts;
  readonly cisTrail?: CisCloudTrail;

  constructor(scope: Construct, id: string, props: IncidentResponseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const partition = partitionOf(config.home.region);
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
    Tags.of(this).add("service", config.serviceName);

    this.table = new IncidentTable(this, "Incidents");
    this.queues = new IncidentQueues(this, "Queues", { advanceTimeout: FUNCTION_SETTINGS.advance.timeout });
    this.escalation = new EscalationTopic(this, "Security", {
      serviceName: config.serviceName,
      subscriptions: config.escalation.subscriptions,
      deadLetterQueue: this.queues.deadLetterQueues.pages,
    });
    this.bus = new events.EventBus(this, "Bus", {
      eventBusName: config.serviceName,
      description: `${config.serviceName}: application security events in, incident lifecycle events out`,
    });

    const slackSecret = config.slack ? this.slackSecret(config) : undefined;
    this.functions = new IncidentFunctions(this, "Functions", {
      config,
      table: this.table,
      queues: this.queues,
      topic: this.escalation.topic,
      topicKey: this.escalation.key,
      bus: this.bus,
      ...(slackSecret ? { slackSecret } : {}),
      ...(props.entryFor ? { entryFor: props.entryFor } : {}),
    });
    const { ingest, sweep } = this.functions.functions;

    const defaultBus = events.EventBus.fromEventBusName(this, "DefaultBus", "default");
    const rulePrefix = `arn:${partition}:events:${config.home.region}:${config.home.account}:rule`;
    const rulesDlq = sharedRuleDeadLetterQueue(this, "RulesDlqRef", this.queues.deadLetterQueues.rules, [
      `${rulePrefix}/${config.serviceName}-*`,
      `${rulePrefix}/${config.serviceName}/${config.serviceName}-*`,
    ]);
    this.rules = new EventRules(this, "Rules", {
      serviceName: config.serviceName,
      rules: rulesFor(config),
      defaultBus,
      serviceBus: this.bus,
      target: ingest!,
      deadLetterQueue: rulesDlq,
    });
    this.sweepSchedule = new events.Rule(this, "SweepSchedule", {
      ruleName: `${config.serviceName}-sweep`,
      description: "Checks due SLA clocks every minute.",
      schedule: events.Schedule.rate(SWEEP_RATE),
    });
    this.sweepSchedule.addTarget(
      new targets.LambdaFunction(sweep!, {
        deadLetterQueue: rulesDlq,
        ...SWEEP_DELIVERY,
      }),
    );

    for (const account of forwardingAccounts(config))
      new events.CfnEventBusPolicy(this, `AcceptForwardedEventsFrom${account}`, {
        eventBusName: "default",
        statementId: `${config.serviceName}-forwarded-from-${account}`,
        statement: {
          Effect: "Allow",
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: "events:PutEvents",
          Resource: `arn:${partition}:events:${config.home.region}:${config.home.account}:event-bus/default`,
        },
      });

    if (config.parts.securityHub)
      this.securityHub = new SecurityHubParts(this, "SecurityHub", { serviceName: config.serviceName });
    this.observability = new Observability(this, "Observability", {
      serviceName: config.serviceName,
      functions: this.functions.functions,
      deadLetterQueues: this.queues.deadLetterQueues,
      advanceQueue: this.queues.advanceQueue,
      topic: this.escalation.topic,
      dashboard: config.parts.dashboard,
    });
    if (config.parts.cisCloudTrail)
      this.cisTrail = new CisCloudTrail(this, "CisTrail", {
        serviceName: config.serviceName,
        partition,
        topic: this.escalation.topic,
        logRetentionDays: config.cloudTrail.logRetentionDays,
        archiveAfterDays: config.cloudTrail.archiveAfterDays,
      });

    new CfnOutput(this, "TableName", { value: this.table.table.tableName });
    new CfnOutput(this, "AdvanceQueueUrl", { value: this.queues.advanceQueue.queueUrl });
    new CfnOutput(this, "SecurityTopicArn", { value: this.escalation.topic.topicArn });
    new CfnOutput(this, "EventBusName", {
      value: this.bus.eventBusName,
      description:
        'Applications PutEvents here (detail-type "Security Event"); lifecycle events are published here',
    });
    new CfnOutput(this, "DispatchRoleArn", {
      value: this.functions.roles.dispatch!.roleArn,
      description: "The only principal the member accounts' containment role trusts",
    });
    new CfnOutput(this, "WatchedRegions", { value: watchedRegions(config).join(",") });
  }

  private slackSecret(config: DeploymentConfig): secretsmanager.ISecret {
    const existing = config.slack?.existingSecretArn;
    if (existing) return secretsmanager.Secret.fromSecretCompleteArn(this, "SlackSecret", existing);
    const secret = new secretsmanager.Secret(this, "SlackSecret", {
      description: `${config.serviceName}: Slack bot token and signing secret; put the real values with put-secret-value`,
      // Placeholders only: until the real values are set, every Slack request fails verification (fail closed).
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ [SLACK_SECRET_KEYS.botToken]: "xoxb-replace-me" }),
        generateStringKey: SLACK_SECRET_KEYS.signingSecret,
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(secret, {
      id: "AwsSolutions-SMG4",
      reason:
        "Slack issues the bot token and signing secret; they are rotated in the Slack app and then put here, so a rotation Lambda has nothing to generate",
    });
    return secret;
  }
}
