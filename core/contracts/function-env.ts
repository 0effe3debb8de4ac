/**
 * The environment each Lambda function reads: the contract between infra/ (which sets the variables) and
 * functions/shared/config.ts (which parses them once per container). It lives in core/contracts because
 * infra/ may import core/ only; functions/shared/env-names.ts re-exports it, so there is one list.
 * test/infra/function-config.test.ts feeds each synthesized function's environment to the functions' own
 * config loaders.
 *
 * Names are stable: renaming one is a breaking change for every deployed stack. Lambda itself sets
 * AWS_REGION; Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL.
 */

/** The JSON keys of the Slack secret (`{ "botToken": "xoxb-…", "signingSecret": "…" }`). */
export const SLACK_SECRET_KEYS = { botToken: "botToken", signingSecret: "signingSecret" } as const;

export const ENV = {
  /** The DynamoDB incident table (adapters/dynamodb/table.ts): incidents, outbox, quarantine, Slack dedupe. */
  tableName: "IR_TABLE_NAME",
  /** URL of the SQS FIFO queue the advance function consumes (ingest and slack send to it). */
  advanceQueueUrl: "IR_ADVANCE_QUEUE_URL",
  /** Our name: EventBridge `source` of lifecycle events, Security Hub Note.UpdatedBy / GeneratorId. */
  serviceName: "IR_SERVICE_NAME",
  /** JSON `{ "slaPolicy": {...}, "containmentPolicy": {...} }` (both optional; defaults: the response plan). */
  responseConfig: "IR_RESPONSE_CONFIG",
  /** Days quarantined input is kept (DynamoDB TTL). Default 30. */
  quarantineRetentionDays: "IR_QUARANTINE_RETENTION_DAYS",
  /** Secrets Manager secret (ARN or name) holding JSON `{ "botToken": "xoxb-…", "signingSecret": "…" }`. */
  slackSecretArn: "IR_SLACK_SECRET_ARN",
  /** Slack Web API base URL. Default https://slack.com/api/ (GovSlack and tests set their own). */
  slackApiUrl: "IR_SLACK_API_URL",
  /** JSON `{ "default": "C…", "CRITICAL": "C…", … }`: the channel per severity (channel ids, not names). */
  slackChannels: "IR_SLACK_CHANNELS",
  /** JSON `{ "<escalation level>": "U…|S…" }`: who is mentioned per escalation level. */
  slackMentions: "IR_SLACK_MENTIONS",
  /** JSON `{ "userIds": ["U…"], "groupIds": ["S…"] }`: who may act from Slack. */
  slackResponders: "IR_SLACK_RESPONDERS",
  /** Where runbooks are published; Slack messages, pages and lifecycle events link into it. */
  runbookBaseUrl: "IR_RUNBOOK_BASE_URL",
  /** Where an incident can be looked at (`<base>/<incidentId>`); optional. */
  incidentBaseUrl: "IR_INCIDENT_BASE_URL",
  /** SNS topic for pages (pageOnCall). Absent: paging commands fail visibly. */
  alertTopicArn: "IR_ALERT_TOPIC_ARN",
  /** EventBridge bus for our lifecycle events. Absent: publishIncidentEvent commands fail visibly. */
  eventBusName: "IR_EVENT_BUS_NAME",
  /** arn:aws:securityhub:<region>:<account>:product/<account>/default. Absent: Security Hub commands fail. */
  securityHubProductArn: "IR_SECURITY_HUB_PRODUCT_ARN",
  /** The role containment assumes in other accounts (default IncidentResponseContainment). */
  containmentRoleName: "IR_CONTAINMENT_ROLE_NAME",
  /** ExternalId sent with that AssumeRole, when the target accounts' trust policies require one. */
  containmentExternalId: "IR_CONTAINMENT_EXTERNAL_ID",
  /** The account the service runs in (else learned once with sts:GetCallerIdentity). */
  homeAccountId: "IR_HOME_ACCOUNT_ID",
  /** "true": archive GuardDuty findings marked false positive (administrator account only). Default false. */
  guardDutyArchiveFalsePositives: "IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES",
  /** Due incidents per sweep batch (default 100). */
  sweepBatchSize: "IR_SWEEP_BATCH_SIZE",
  /** Batches per sweep invocation (default 20): bounds one invocation; the next minute takes the rest. */
  sweepMaxBatches: "IR_SWEEP_MAX_BATCHES",
} as const;

export type EnvKey = keyof typeof ENV;
export type EnvName = (typeof ENV)[EnvKey];

export const FUNCTION_NAMES = ["ingest", "advance", "dispatch", "slack", "sweep"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface FunctionEnv {
  required: readonly EnvName[];
  optional: readonly EnvName[];
  /** Set together or not at all (the first one enables a capability, the rest are then required). */
  together?: ReadonlyArray<readonly EnvName[]>;
}

/** What infra must set on each function. */
export const FUNCTION_ENV: Record<FunctionName, FunctionEnv> = {
  ingest: {
    required: [ENV.tableName, ENV.advanceQueueUrl],
    optional: [ENV.serviceName, ENV.quarantineRetentionDays],
  },
  advance: {
    required: [ENV.tableName],
    optional: [ENV.serviceName, ENV.responseConfig, ENV.quarantineRetentionDays],
  },
  dispatch: {
    required: [ENV.tableName],
    optional: [
      ENV.serviceName,
      ENV.responseConfig,
      ENV.slackSecretArn,
      ENV.slackApiUrl,
      ENV.slackChannels,
      ENV.slackMentions,
      ENV.runbookBaseUrl,
      ENV.incidentBaseUrl,
      ENV.alertTopicArn,
      ENV.eventBusName,
      ENV.securityHubProductArn,
      ENV.containmentRoleName,
      ENV.containmentExternalId,
      ENV.homeAccountId,
      ENV.guardDutyArchiveFalsePositives,
    ],
    together: [[ENV.slackSecretArn, ENV.slackChannels, ENV.runbookBaseUrl]],
  },
  slack: {
    required: [ENV.tableName, ENV.advanceQueueUrl, ENV.slackSecretArn, ENV.slackResponders],
    optional: [ENV.serviceName, ENV.slackApiUrl],
  },
  sweep: {
    required: [ENV.tableName],
    optional: [ENV.serviceName, ENV.responseConfig, ENV.sweepBatchSize, ENV.sweepMaxBatches],
  },
};
