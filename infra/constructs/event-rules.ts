/**
 * One EventBridge rule per core rule (core/rules/rules.ts), with the core pattern as is: the local router
 * and AWS match the very same JSON. Rules whose pattern names no `source` take events from any sender,
 * so they live on the service's own bus (applications PutEvents there); the others watch the default bus,
 * where AWS services deliver. Every target retries, ages out, and dead-letters what it cannot deliver.
 */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Rule } from "../../core/rules/rules";
import { pascal } from "../naming";

/** EventBridge's limits on rule names and descriptions. */
export const RULE_NAME_MAX = 64;
export const RULE_DESCRIPTION_MAX = 512;

export type BusKind = "default" | "service";

/** Which bus a rule belongs on: AWS sources on the default bus, open patterns on the service's bus. */
export const busKindOf = (rule: Rule): BusKind => (rule.pattern.source === undefined ? "service" : "default");

/** Deployed name: `<service>-<core name>`, so two deployments in one account never collide. */
export const deployedRuleName = (serviceName: string, rule: Rule): string => `${serviceName}-${rule.name}`;

export interface TargetDelivery {
  deadLetterQueue: sqs.IQueue;
  retryAttempts: number;
  maxEventAge: Duration;
}

/** EventBridge → ingest: retried for up to 6 h (throttling, a broken deploy), then dead-lettered. */
export const INGEST_DELIVERY = { retryAttempts: 20, maxEventAge: Duration.hours(6) } as const;

export interface EventRulesProps {
  serviceName: string;
  rules: readonly Rule[];
  defaultBus: events.IEventBus;
  serviceBus: events.IEventBus;
  target: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
}

export class EventRules extends Construct {
  readonly rules: Record<string, events.Rule> = {};

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);
    for (const rule of props.rules) {
      const ruleName = deployedRuleName(props.serviceName, rule);
      if (ruleName.length > RULE_NAME_MAX)
        throw new Error(`rule name ${ruleName} is longer than EventBridge's ${RULE_NAME_MAX} characters`);
      const cdkRule = new events.Rule(this, pascal(rule.name), {
        ruleName,
        description: rule.description.slice(0, RULE_DESCRIPTION_MAX),
        eventBus: busKindOf(rule) === "service" ? props.serviceBus : props.defaultBus,
        // The pattern goes through verbatim (CDK only renames camel-case detailType): JSON-only copy.
        eventPattern: structuredClone(rule.pattern) as events.EventPattern,
      });
      cdkRule.addTarget(
        new targets.LambdaFunction(props.target, {
          deadLetterQueue: props.deadLetterQueue,
          ...INGEST_DELIVERY,
        }),
      );
      this.rules[rule.name] = cdkRule;
    }
  }
}
