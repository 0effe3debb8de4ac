/**
 * Each function's configuration, parsed from the environment with zod ONCE per container (`configFor`
 * caches it; the `load*Config(env)` functions are pure, for tests and tooling).
 *
 * Invariants:
 * - Every refusal is a ConfigError naming the function and every bad variable (all at once, not the first
 *   only) with what it is for — never its value: some variables are close to secrets.
 * - An empty variable counts as unset, so `IR_X=` in a template cannot pass as configured.
 * - The variables each schema reads are exactly FUNCTION_ENV's (test/functions/shared/config.test.ts).
 * - Capabilities that need several variables are all-or-nothing (FUNCTION_ENV `together`).
 */
import { z } from "zod";
import { slackChannelsSchema } from "../../adapters/slack/chat-ops";
import { DEFAULT_RESPONSE_CONFIG, type ResponseConfig } from "../../app/response-config";
import { containmentPolicySchema } from "../../core/incident/containment-policy";
import { slaPolicySchema } from "../../core/incident/sla-policy";
import { ENV, type EnvName, FUNCTION_ENV, type FunctionName } from "./env-names";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

// ─── Variable kinds ──────────────────────────────────────────────────────────────────────────────────────

const unsetIfEmpty = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const setting = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "is not set" : "must be text") }).trim();

const text = () => setting().min(1);
const httpsUrl = () => setting().pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }));
const wholeNumber = (min: number, max: number) =>
  setting()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const flag = () =>
  setting()
    .pipe(z.enum(["true", "false"], { error: 'must be "true" or "false"' }))
    .transform((value) => value === "true");
const json = <T extends z.ZodType>(schema: T) =>
  setting()
    .transform((raw, ctx): unknown => {
      try {
        return JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: "is not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

const required = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());

// ─── Shared pieces ───────────────────────────────────────────────────────────────────────────────────────

const responseConfigSchema = z.strictObject({
  slaPolicy: slaPolicySchema.prefault({}),
  containmentPolicy: containmentPolicySchema.prefault({}),
});

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "a Slack user id such as U0123456789");
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, "a Slack user-group id such as S0123456789");
export const slackRespondersSchema = z.strictObject({
  userIds: z.array(slackUserId).default([]),
  groupIds: z.array(slackGroupId).default([]),
});

const mentionsSchema = z.record(
  z.string().min(1),
  z.string().regex(/^[UWS][A-Z0-9]{2,}$/, "a Slack user (U…) or user-group (S…) id"),
);

const SECURITY_HUB_PRODUCT = /^arn:aws[a-z-]*:securityhub:([a-z0-9-]+):(\d{12}):product\/\d{12}\/default$/;
const securityHubProductArn = () =>
  text().regex(
    SECURITY_HUB_PRODUCT,
    "must be arn:aws:securityhub:<region>:<account>:product/<account>/default",
  );

const base = {
  [ENV.tableName]: required(text()),
  [ENV.serviceName]: optional(text().max(100)),
};

function responseConfig(
  serviceName: string | undefined,
  raw: z.infer<typeof responseConfigSchema> | undefined,
) {
  return {
    ...DEFAULT_RESPONSE_CONFIG,
    serviceName: serviceName ?? DEFAULT_RESPONSE_CONFIG.serviceName,
    ...(raw ? { slaPolicy: raw.slaPolicy, containmentPolicy: raw.containmentPolicy } : {}),
  } satisfies ResponseConfig;
}

// ─── Per function ────────────────────────────────────────────────────────────────────────────────────────

export const SCHEMAS = {
  ingest: z.object({
    ...base,
    [ENV.advanceQueueUrl]: required(httpsUrl()),
    [ENV.quarantineRetentionDays]: optional(wholeNumber(1, 3650)),
  }),
  advance: z.object({
    ...base,
    [ENV.responseConfig]: optional(json(responseConfigSchema)),
    [ENV.quarantineRetentionDays]: optional(wholeNumber(1, 3650)),
  }),
  dispatch: z.object({
    ...base,
    [ENV.responseConfig]: optional(json(responseConfigSchema)),
    [ENV.slackSecretArn]: optional(text()),
    [ENV.slackApiUrl]: optional(httpsUrl()),
    [ENV.slackChannels]: optional(json(slackChannelsSchema)),
    [ENV.slackMentions]: optional(json(mentionsSchema)),
    [ENV.runbookBaseUrl]: optional(httpsUrl()),
    [ENV.incidentBaseUrl]: optional(httpsUrl()),
    [ENV.alertTopicArn]: optional(text().regex(/^arn:aws[a-z-]*:sns:/, "must be an SNS topic ARN")),
    [ENV.eventBusName]: optional(text()),
    [ENV.securityHubProductArn]: optional(securityHubProductArn()),
    [ENV.containmentRoleName]: optional(text()),
    [ENV.containmentExternalId]: optional(text()),
    [ENV.homeAccountId]: optional(text().regex(/^\d{12}$/, "must be a 12-digit account id")),
    [ENV.guardDutyArchiveFalsePositives]: optional(flag()),
  }),
  slack: z.object({
    ...base,
    [ENV.advanceQueueUrl]: required(httpsUrl()),
    [ENV.slackSecretArn]: required(text()),
    [ENV.slackApiUrl]: optional(httpsUrl()),
    [ENV.slackResponders]: required(json(slackRespondersSchema)),
  }),
  sweep: z.object({
    ...base,
    [ENV.responseConfig]: optional(json(responseConfigSchema)),
    [ENV.sweepBatchSize]: optional(wholeNumber(1, 1000)),
    [ENV.sweepMaxBatches]: optional(wholeNumber(1, 1000)),
  }),
} satisfies Record<FunctionName, z.ZodObject>;

type Env = Readonly<Record<string, string | undefined>>;

const DESCRIPTIONS: Partial<Record<EnvName, string>> = {
  [ENV.tableName]: "the DynamoDB incident table name",
  [ENV.advanceQueueUrl]: "the advance SQS FIFO queue URL",
  [ENV.slackSecretArn]: "the Secrets Manager secret with the Slack bot token and signing secret",
  [ENV.slackResponders]: 'JSON {"userIds":[…],"groupIds":[…]}',
  [ENV.slackChannels]: 'JSON {"default":"C…"}',
  [ENV.runbookBaseUrl]: "the runbooks' base URL",
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const [variable, ...rest] = issue.path.map(String);
  const where = rest.length > 0 ? `${variable}.${rest.join(".")}` : (variable ?? "environment");
  const what = variable ? DESCRIPTIONS[variable as EnvName] : undefined;
  return `${where} ${issue.message}${what && issue.message === "is not set" ? ` (${what})` : ""}`;
}

function parse<F extends FunctionName>(fn: F, env: Env): z.output<(typeof SCHEMAS)[F]> {
  const parsed = SCHEMAS[fn].safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  for (const group of FUNCTION_ENV[fn].together ?? []) {
    const set = group.filter((name) => unsetIfEmpty(env[name]) !== undefined);
    if (set.length > 0 && set.length < group.length) {
      const missing = group.filter((name) => !set.includes(name));
      problems.push(`${missing.join(", ")} must be set with ${set.join(", ")}`);
    }
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`${fn} function configuration: ${problems.join("; ")}`);
  }
  return parsed.data as z.output<(typeof SCHEMAS)[F]>;
}

// ─── Typed configs ───────────────────────────────────────────────────────────────────────────────────────

export interface BaseConfig {
  tableName: string;
  response: ResponseConfig;
}

export interface IngestConfig extends BaseConfig {
  advanceQueueUrl: string;
  quarantineRetentionDays: number | undefined;
}

export interface AdvanceConfig extends BaseConfig {
  quarantineRetentionDays: number | undefined;
}

export interface SlackChatConfig {
  secretId: string;
  apiUrl: string | undefined;
  channels: z.output<typeof slackChannelsSchema>;
  mentions: Record<string, string>;
}

export interface DispatchConfig extends BaseConfig {
  /** Absent: chat commands fail visibly ("no chat configured"). */
  slack: SlackChatConfig | undefined;
  runbookBaseUrl: string | undefined;
  incidentBaseUrl: string | undefined;
  alertTopicArn: string | undefined;
  eventBusName: string | undefined;
  securityHub: { productArn: string; region: string; accountId: string } | undefined;
  containment: { roleName?: string; externalId?: string; homeAccountId?: string };
  guardDutyArchiveFalsePositives: boolean;
}

export interface SlackConfig extends BaseConfig {
  advanceQueueUrl: string;
  secretId: string;
  apiUrl: string | undefined;
  responders: z.output<typeof slackRespondersSchema>;
}

export interface SweepConfig extends BaseConfig {
  batchSize: number;
  maxBatches: number;
}

export const DEFAULT_SWEEP_BATCH_SIZE = 100;
export const DEFAULT_SWEEP_MAX_BATCHES = 20;

export function loadIngestConfig(env: Env): IngestConfig {
  const e = parse("ingest", env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, undefined),
    advanceQueueUrl: e.IR_ADVANCE_QUEUE_URL,
    quarantineRetentionDays: e.IR_QUARANTINE_RETENTION_DAYS,
  };
}

export function loadAdvanceConfig(env: Env): AdvanceConfig {
  const e = parse("advance", env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    quarantineRetentionDays: e.IR_QUARANTINE_RETENTION_DAYS,
  };
}

export function loadDispatchConfig(env: Env): DispatchConfig {
  const e = parse("dispatch", env);
  const hub = e.IR_SECURITY_HUB_PRODUCT_ARN?.match(SECURITY_HUB_PRODUCT);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    slack:
      e.IR_SLACK_SECRET_ARN && e.IR_SLACK_CHANNELS
        ? {
            secretId: e.IR_SLACK_SECRET_ARN,
            apiUrl: e.IR_SLACK_API_URL,
            channels: e.IR_SLACK_CHANNELS,
            mentions: e.IR_SLACK_MENTIONS ?? {},
          }
        : undefined,
    runbookBaseUrl: e.IR_RUNBOOK_BASE_URL,
    incidentBaseUrl: e.IR_INCIDENT_BASE_URL,
    alertTopicArn: e.IR_ALERT_TOPIC_ARN,
    eventBusName: e.IR_EVENT_BUS_NAME,
    securityHub:
      hub && e.IR_SECURITY_HUB_PRODUCT_ARN
        ? { productArn: e.IR_SECURITY_HUB_PRODUCT_ARN, region: hub[1]!, accountId: hub[2]! }
        : undefined,
    containment: {
      ...(e.IR_CONTAINMENT_ROLE_NAME ? { roleName: e.IR_CONTAINMENT_ROLE_NAME } : {}),
      ...(e.IR_CONTAINMENT_EXTERNAL_ID ? { externalId: e.IR_CONTAINMENT_EXTERNAL_ID } : {}),
      ...(e.IR_HOME_ACCOUNT_ID ? { homeAccountId: e.IR_HOME_ACCOUNT_ID } : {}),
    },
    guardDutyArchiveFalsePositives: e.IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES ?? false,
  };
}

export function loadSlackConfig(env: Env): SlackConfig {
  const e = parse("slack", env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, undefined),
    advanceQueueUrl: e.IR_ADVANCE_QUEUE_URL,
    secretId: e.IR_SLACK_SECRET_ARN,
    apiUrl: e.IR_SLACK_API_URL,
    responders: e.IR_SLACK_RESPONDERS,
  };
}

export function loadSweepConfig(env: Env): SweepConfig {
  const e = parse("sweep", env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    batchSize: e.IR_SWEEP_BATCH_SIZE ?? DEFAULT_SWEEP_BATCH_SIZE,
    maxBatches: e.IR_SWEEP_MAX_BATCHES ?? DEFAULT_SWEEP_MAX_BATCHES,
  };
}

/** Memoizes a builder: the first call builds, later calls reuse; a failed build is retried next time. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
