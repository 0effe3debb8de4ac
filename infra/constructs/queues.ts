/**
 * The queues: the FIFO queue the advance function consumes (grouped by correlation key, so events for
 * one incident are applied in order) and one dead-letter queue per failure path, each watched by an
 * alarm. All encrypted at rest (SSE-SQS) and refusing plain HTTP.
 *
 * Content-based deduplication is off: the senders (ingest, slack) set MessageDeduplicationId from the
 * event's identity, so a redelivered EventBridge event or a double-clicked Slack button is queued once.
 * High-throughput FIFO (dedup and throughput per message group): incidents are independent.
 */
import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledge } from "../nag";

/** The failure paths that end in a dead-letter queue. */
export const DEAD_LETTER_PATHS = {
  rules: "EventBridge could not deliver a rule's event to its target (ingest, sweep schedule)",
  ingest: "the ingest function failed an event after its asynchronous retries",
  advance: "an advance message failed maxReceiveCount times (FIFO: its group was blocked meanwhile)",
  dispatch: "an outbox command's stream record failed every retry",
  sweep: "a sweep invocation failed after its asynchronous retries",
  pages: "SNS could not deliver a page or an alarm to a subscriber (email, HTTPS, SMS) after its retries",
} as const;
export type DeadLetterPath = keyof typeof DEAD_LETTER_PATHS;

/** Lambda's advice for SQS event sources: visibility timeout ≥ 6 × the function timeout. */
export const visibilityTimeoutFor = (functionTimeout: Duration): Duration =>
  Duration.seconds(functionTimeout.toSeconds() * 6);

export interface QueuesProps {
  /** The advance function's timeout, which sets the queue's visibility timeout. */
  advanceTimeout: Duration;
  /** Receives before a message moves to the advance DLQ. */
  maxReceiveCount?: number;
}

export class IncidentQueues extends Construct {
  readonly advanceQueue: sqs.Queue;
  readonly deadLetterQueues: Record<DeadLetterPath, sqs.Queue>;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const dlq = (path: DeadLetterPath, fifo = false) => {
      const queue = new sqs.Queue(this, `${path[0]!.toUpperCase()}${path.slice(1)}Dlq`, {
        ...(fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const reason = `This queue is itself a dead-letter queue (${DEAD_LETTER_PATHS[path]}); a DLQ of a DLQ would hide failures from its alarm.`;
      acknowledge(queue, { id: "AwsSolutions-SQS3", reason }, { id: "Serverless-SQSRedrivePolicy", reason });
      return queue;
    };
    this.deadLetterQueues = {
      rules: dlq("rules"),
      ingest: dlq("ingest"),
      advance: dlq("advance", true),
      dispatch: dlq("dispatch"),
      sweep: dlq("sweep"),
      pages: dlq("pages"),
    };
    this.advanceQueue = new sqs.Queue(this, "AdvanceQueue", {
      fifo: true,
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(props.advanceTimeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueues.advance, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}

/**
 * A DLQ for many EventBridge rules. CDK adds one queue-policy statement per rule, and an SQS policy
 * holds at most 20 statements: one statement instead allows EventBridge to send from any rule whose ARN
 * matches `ruleArnPatterns` (our rules' name prefix) in this account, and the rules get a reference
 * that CDK cannot add statements to.
 */
export function sharedRuleDeadLetterQueue(
  scope: Construct,
  id: string,
  queue: sqs.Queue,
  ruleArnPatterns: readonly string[],
): sqs.IQueue {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowOurEventRulesToDeadLetter",
      principals: [new iam.ServicePrincipal("events.amazonaws.com")],
      actions: ["sqs:SendMessage"],
      resources: [queue.queueArn],
      conditions: { ArnLike: { "aws:SourceArn": [...ruleArnPatterns] } },
    }),
  );
  return sqs.Queue.fromQueueAttributes(scope, id, { queueArn: queue.queueArn, queueUrl: queue.queueUrl });
}
