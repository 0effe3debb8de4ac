/**
 * The five Lambda functions (DESIGN §4) — ingest, advance, dispatch, slack, sweep — bundled from
 * functions/<name>/handler.ts with the local esbuild (infra/bundling.ts), nodejs22.x on arm64.
 *
 * Invariants:
 * - Each function has its own role with inline, least-privilege statements built from a capability table
 *   (FUNCTION_CAPABILITIES): no managed policies, no `*` action; a wildcard resource only with its reason.
 * - Each function's environment holds exactly the variables its contract lists (core/contracts/
 *   function-env.ts), every required one set, and fits Lambda's 4 KB limit (checked at synth).
 * - Every asynchronous path ends in a dead-letter queue: ingest and sweep (EventBridge invokes them
 *   asynchronously) have an on-failure destination queue; advance's FIFO queue redrives to a FIFO DLQ;
 *   dispatch's stream mapping sends failed records' metadata to an on-failure queue. Slack is invoked
 *   synchronously through its Function URL: Slack itself retries, and there is nothing to dead-letter.
 * - Active X-Ray tracing, JSON logs: one request can be followed from ingest to dispatch.
 * - Logs go to one log group per function with the configured retention, kept on stack deletion.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import * as sources from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import {
  type DeploymentConfig,
  responseConfigOf,
  slackRespondersOf,
  watchedRegions,
} from "../../core/config/deployment-config";
import {
  ENV,
  type EnvName,
  FUNCTION_ENV,
  FUNCTION_NAMES,
  type FunctionName,
} from "../../core/contracts/function-env";
import { OUTBOX_STREAM_FILTER } from "../../core/contracts/incident-table";
import { BUNDLE, entryOf, LOCK_FILE, REPO_ROOT, TSCONFIG } from "../bundling";
import { containmentGrants } from "../containment-grants";
import { acknowledge, iam5 } from "../nag";
import {
  dispatchRoleName,
  partitionOf,
  pascal,
  roleArn,
  securityHubHubArn,
  securityHubProductArn,
} from "../naming";
import { applyGrants, type Grant } from "../policy";
import type { IncidentTable } from "./incident-table";
import type { DeadLetterPath, IncidentQueues } from "./queues";

/** Lambda refuses a function whose variables (names + values) exceed 4 KB. */
export const LAMBDA_ENV_LIMIT_BYTES = 4096;
/** What a deploy-time token (table name, queue URL, ARN) is counted as when sizing the environment. */
const TOKEN_ALLOWANCE = 200;

export interface FunctionSettings {
  description: string;
  memorySize: number;
  timeout: Duration;
  /** Asynchronous invocation (EventBridge): retries, age limit and the DLQ that catches what is left. */
  async?: { retryAttempts: number; maxEventAge: Duration; deadLetter: DeadLetterPath };
}

export const FUNCTION_SETTINGS: Record<FunctionName, FunctionSettings> = {
  ingest: {
    description: "Validates, normalizes and deduplicates security events; queues them per correlation key.",
    memorySize: 512,
    timeout: Duration.seconds(30),
    async: { retryAttempts: 2, maxEventAge: Duration.hours(6), deadLetter: "ingest" },
  },
  advance: {
    description: "Applies queued events to incidents: load, step the workflow, commit with its outbox.",
    memorySize: 512,
    timeout: Duration.seconds(30),
  },
  dispatch: {
    description: "Executes committed outbox commands (chat, pages, Security Hub, containment) once each.",
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
  slack: {
    description: "Slack interactions and /ir commands: verifies the signature, authorizes, acks, queues.",
    memorySize: 512,
    timeout: Duration.seconds(10),
  },
  sweep: {
    description: "Every minute: finds incidents whose SLA clock is due and sends them clock checks.",
    memorySize: 512,
    timeout: Duration.seconds(60),
    // A missed sweep is superseded by the next minute's: no retries, but a failure still lands in a DLQ.
    async: { retryAttempts: 0, maxEventAge: Duration.minutes(2), deadLetter: "sweep" },
  },
};

/** Why no function-level DLQ: each failure path already ends in a queue, or there is none to catch. */
const NO_FUNCTION_DLQ: Record<FunctionName, string> = {
  ingest:
    "Asynchronous failures go to an on-failure destination (an SQS queue with an alarm), which records the error with the event, unlike a DLQ",
  sweep:
    "Asynchronous failures go to an on-failure destination (an SQS queue with an alarm), which records the error with the event, unlike a DLQ",
  advance:
    "Invoked synchronously by its SQS event source mapping: a failed message goes back to the queue and, after maxReceiveCount, to the queue's FIFO dead-letter queue",
  dispatch:
    "Invoked synchronously by its DynamoDB stream mapping: a record that fails every retry goes to the mapping's on-failure SQS destination",
  slack:
    "Invoked synchronously through its Function URL: Slack sees the error and retries, so there is no asynchronous event to dead-letter",
};

/** What each function may do; each capability is a set of grants. */
export const CAPABILITIES = [
  "table",
  "enqueue",
  "chat",
  "page",
  "publish",
  "securityHub",
  "guardDuty",
  "contain",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const FUNCTION_CAPABILITIES: Record<FunctionName, readonly Capability[]> = {
  ingest: ["table", "enqueue"],
  advance: ["table"],
  dispatch: ["table", "chat", "page", "publish", "securityHub", "guardDuty", "contain"],
  slack: ["table", "enqueue", "chat"],
  sweep: ["table"],
};

export interface IncidentFunctionsProps {
  config: DeploymentConfig;
  table: IncidentTable;
  queues: IncidentQueues;
  topic: sns.ITopic;
  topicKey: kms.IKey;
  bus: events.IEventBus;
  /** Present when Slack is configured; the slack function exists only then. */
  slackSecret?: secretsmanager.ISecret;
  /** Where each function's entry point is (default functions/<name>/handler.ts). */
  entryFor?: (name: FunctionName) => string;
}

export class IncidentFunctions extends Construct {
  readonly functions: Partial<Record<FunctionName, lambda.Function>> = {};
  readonly roles: Partial<Record<FunctionName, iam.Role>> = {};
  readonly slackUrl?: lambda.FunctionUrl;
  /** Why each role holds statements on Resource * (CDK-generated grants that AWS cannot scope). */
  private readonly starReasons: Record<FunctionName, string[]> = {
    ingest: [],
    advance: [],
    dispatch: [],
    slack: [],
    sweep: [],
  };

  constructor(
    scope: Construct,
    id: string,
    private readonly props: IncidentFunctionsProps,
  ) {
    super(scope, id);
    const names = FUNCTION_NAMES.filter((name) => name !== "slack" || props.slackSecret !== undefined);
    for (const name of names) this.createFunction(name);

    const advance = this.functions.advance!;
    advance.addEventSource(
      new sources.SqsEventSource(props.queues.advanceQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    const dispatch = this.functions.dispatch!;
    dispatch.addEventSource(
      new sources.DynamoEventSource(props.table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new sources.SqsDlq(props.queues.deadLetterQueues.dispatch),
        filters: [
          lambda.FilterCriteria.filter(structuredClone(OUTBOX_STREAM_FILTER) as Record<string, unknown>),
        ],
      }),
    );
    this.starReasons.dispatch.push(
      "dynamodb:ListStreams, added by the stream event source, has no resource-level permission; reading records is limited to this table's stream",
    );
    acknowledge(advance, {
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "SQS event source mappings take no on-failure destination: the advance queue's redrive policy moves a message that failed maxReceiveCount times to its FIFO dead-letter queue",
    });

    for (const name of names)
      acknowledge(this.roles[name]!, {
        id: iam5("Resource::*"),
        reason: `AWS requires Resource * for these actions (no resource-level permissions): ${this.starReasons[name].join("; ")}`,
      });

    const slack = this.functions.slack;
    if (slack) {
      // Slack cannot sign AWS requests: the URL is public and the function verifies Slack's signature
      // (HMAC-SHA256 over v0:timestamp:body, ±5 min) before it parses anything.
      this.slackUrl = slack.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      acknowledge(this.slackUrl, {
        id: "Serverless-LambdaFunctionUrlAuth",
        reason:
          "Slack cannot sign requests with AWS SigV4, so the URL has no IAM auth; the function verifies every request's Slack signature (HMAC-SHA256 over v0:timestamp:body, 5-minute window, constant-time compare) before parsing it and authorizes the user against the responder list",
      });
      new CfnOutput(this, "SlackRequestUrl", {
        value: this.slackUrl.url,
        description: "Slack app: Interactivity Request URL and /ir slash command URL",
      });
    }
  }

  private createFunction(name: FunctionName): void {
    const { config } = this.props;
    const settings = FUNCTION_SETTINGS[name];
    const id = pascal(name);
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${config.serviceName} ${name} function`,
      ...(name === "dispatch" ? { roleName: dispatchRoleName(config.serviceName) } : {}),
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logGroup.grantWrite(role);

    const environment = this.environmentFor(name);
    const fn = new NodejsFunction(this, id, {
      entry: (this.props.entryFor ?? entryOf)(name),
      handler: "handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      description: settings.description,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      depsLockFilePath: LOCK_FILE,
      projectRoot: REPO_ROOT,
      bundling: {
        forceDockerBundling: false,
        target: BUNDLE.target,
        format: OutputFormat.ESM,
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourceMap,
        sourcesContent: BUNDLE.sourcesContent,
        externalModules: [...BUNDLE.externalModules],
        mainFields: [...BUNDLE.mainFields],
        banner: BUNDLE.banner,
        tsconfig: TSCONFIG,
      },
      tracing: lambda.Tracing.ACTIVE,
      ...(settings.async
        ? {
            retryAttempts: settings.async.retryAttempts,
            maxEventAge: settings.async.maxEventAge,
            onFailure: new destinations.SqsDestination(
              this.props.queues.deadLetterQueues[settings.async.deadLetter],
            ),
          }
        : {}),
    });
    this.starReasons[name].push(
      "xray:PutTraceSegments and xray:PutTelemetryRecords, added by active tracing, write this function's traces",
    );
    const runtimeReason =
      "nodejs22.x is pinned on purpose (DESIGN §6): the same code runs locally on Node 20 and in Lambda, and the runtime's bundled AWS SDK is what the external @aws-sdk imports resolve to";
    acknowledge(
      fn,
      { id: "AwsSolutions-L1", reason: runtimeReason },
      { id: "Serverless-LambdaLatestVersion", reason: runtimeReason },
      { id: "Serverless-LambdaDLQ", reason: NO_FUNCTION_DLQ[name] },
    );
    applyGrants(
      role,
      role,
      FUNCTION_CAPABILITIES[name].flatMap((capability) => this.grantsFor(capability)),
    );
    this.functions[name] = fn;
    this.roles[name] = role;
  }

  /** The variables a function's contract lists, from what this deployment has; sized against Lambda's limit. */
  private environmentFor(name: FunctionName): Record<string, string> {
    const values = this.environmentValues();
    const contract = FUNCTION_ENV[name];
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: `${this.props.config.serviceName}-${name}`,
      POWERTOOLS_METRICS_NAMESPACE: this.props.config.serviceName,
      NODE_OPTIONS: "--enable-source-maps",
    };
    for (const variable of [...contract.required, ...contract.optional]) {
      const value = values[variable];
      if (value !== undefined) environment[variable] = value;
      else if (contract.required.includes(variable))
        throw new Error(`the ${name} function requires ${variable}, which this deployment does not provide`);
    }
    const bytes = Object.entries(environment).reduce(
      (sum, [key, value]) =>
        sum +
        key.length +
        (Stack.of(this).resolve(value) === value ? Buffer.byteLength(value) : TOKEN_ALLOWANCE),
      0,
    );
    if (bytes > LAMBDA_ENV_LIMIT_BYTES)
      throw new Error(
        `the ${name} function's environment needs ~${bytes} bytes, over Lambda's ${LAMBDA_ENV_LIMIT_BYTES}: shorten responders, mentions or policies in the config`,
      );
    return environment;
  }

  private environmentValues(): Partial<Record<EnvName, string>> {
    const { config, table, queues, topic, bus, slackSecret } = this.props;
    const partition = partitionOf(config.home.region);
    const slack = config.slack;
    const values: Partial<Record<EnvName, string>> = {
      [ENV.tableName]: table.table.tableName,
      [ENV.advanceQueueUrl]: queues.advanceQueue.queueUrl,
      [ENV.serviceName]: config.serviceName,
      [ENV.responseConfig]: JSON.stringify(responseConfigOf(config)),
      [ENV.quarantineRetentionDays]: String(config.quarantineRetentionDays),
      [ENV.alertTopicArn]: topic.topicArn,
      [ENV.eventBusName]: bus.eventBusName,
      [ENV.securityHubProductArn]: securityHubProductArn(partition, config.home.region, config.home.account),
      [ENV.containmentRoleName]: config.containment.roleName,
      [ENV.homeAccountId]: config.home.account,
      [ENV.guardDutyArchiveFalsePositives]: String(config.guardDuty.archiveFalsePositives),
    };
    if (config.containment.externalId !== undefined)
      values[ENV.containmentExternalId] = config.containment.externalId;
    if (config.runbookBaseUrl !== undefined) values[ENV.runbookBaseUrl] = config.runbookBaseUrl;
    if (config.incidentBaseUrl !== undefined) values[ENV.incidentBaseUrl] = config.incidentBaseUrl;
    if (slack !== undefined && slackSecret !== undefined) {
      values[ENV.slackSecretArn] = slackSecret.secretArn;
      values[ENV.slackChannels] = JSON.stringify(slack.channels);
      values[ENV.slackResponders] = JSON.stringify(slackRespondersOf(slack));
      if (Object.keys(slack.mentions).length > 0) values[ENV.slackMentions] = JSON.stringify(slack.mentions);
      if (slack.apiUrl !== undefined) values[ENV.slackApiUrl] = slack.apiUrl;
    }
    return values;
  }

  private grantsFor(capability: Capability): Grant[] {
    const { config, table, queues, topic, topicKey, bus, slackSecret } = this.props;
    const partition = partitionOf(config.home.region);
    const home = config.home.account;
    const regions = watchedRegions(config);
    switch (capability) {
      case "table":
        return [
          {
            sid: "IncidentTable",
            // TransactWriteItems is authorized per item as Put / Update / Delete / ConditionCheck.
            actions: [
              "dynamodb:GetItem",
              "dynamodb:Query",
              "dynamodb:PutItem",
              "dynamodb:UpdateItem",
              "dynamodb:DeleteItem",
              "dynamodb:ConditionCheckItem",
            ],
            resources: [table.table.tableArn, ...table.indexArns],
          },
        ];
      case "enqueue":
        return [
          {
            sid: "EnqueueForAdvance",
            actions: ["sqs:SendMessage"],
            resources: [queues.advanceQueue.queueArn],
          },
        ];
      case "chat":
        return slackSecret
          ? [
              {
                sid: "ReadSlackSecret",
                actions: ["secretsmanager:GetSecretValue"],
                resources: [slackSecret.secretArn],
              },
            ]
          : [];
      case "page":
        return [
          { sid: "PageOnCall", actions: ["sns:Publish"], resources: [topic.topicArn] },
          {
            sid: "EncryptPages",
            actions: ["kms:GenerateDataKey", "kms:Decrypt"],
            resources: [topicKey.keyArn],
          },
        ];
      case "publish":
        return [
          { sid: "PublishLifecycleEvents", actions: ["events:PutEvents"], resources: [bus.eventBusArn] },
        ];
      case "securityHub":
        return [
          {
            sid: "UpdateSourceFindings",
            actions: ["securityhub:BatchUpdateFindings"],
            resources: regions.map((region) => securityHubHubArn(partition, region, home)),
          },
          {
            sid: "ImportIncidentFindings",
            actions: ["securityhub:BatchImportFindings"],
            resources: regions.map((region) => securityHubProductArn(partition, region, home)),
          },
        ];
      case "guardDuty":
        return [
          {
            sid: "GuardDutyFeedback",
            actions: [
              "guardduty:UpdateFindingsFeedback",
              ...(config.guardDuty.archiveFalsePositives ? ["guardduty:ArchiveFindings"] : []),
            ],
            resources: regions.map((region) => `arn:${partition}:guardduty:${region}:${home}:detector/*`),
            wildcardReason:
              "GuardDuty detectors are created outside this stack and their ids are random; the command names the detector of the finding at incident time",
          },
        ];
      case "contain": {
        const members = config.memberAccounts.map((member) =>
          roleArn(partition, member.account, config.containment.roleName),
        );
        return [
          ...(config.containment.inHomeAccount
            ? containmentGrants({ partition, account: home, regions })
            : []),
          ...(members.length > 0
            ? [{ sid: "AssumeMemberContainmentRoles", actions: ["sts:AssumeRole"], resources: members }]
            : []),
        ];
      }
      default: {
        const unreachable: never = capability;
        throw new Error(`unknown capability ${String(unreachable)}`);
      }
    }
  }
}
