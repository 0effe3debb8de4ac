/**
 * How a function's configuration is read from the environment: the kinds of variable, the pieces several
 * functions share, and `parseEnvironment`, which checks one function's schema. Each function's own schema
 * and typed config live next to its handler (functions/<name>/config.ts), so a function builds only its
 * own schema and loads only what that schema needs (the dispatch schema needs the Slack adapter's channel
 * schema; no other function should load Slack for it). functions/shared/config.ts gathers them all for
 * tests and tooling.
 *
 * Invariants:
 * - Every refusal is a ConfigError naming the function and every bad variable (all at once, not the first
 *   only) with what it is for — never its value: some variables are close to secrets.
 * - An empty variable counts as unset, so `IR_X=` in a template cannot pass as configured.
 * - The variables each schema reads are exactly FUNCTION_ENV's (test/functions/shared/config.test.ts).
 * - Capabilities that need several variables are all-or-nothing (FUNCTION_ENV `together`).
 */
import * as z from "zod";
import type { ResponseConfig } from "../../app/response-config";
import { DEFAULT_ALARM_RULES } from "../../core/detections/alarm-rules";
import { containmentPolicySchema, DEFAULT_CONTAINMENT_POLICY } from "../../core/incident/containment-policy";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../../core/incident/sla-policy";
import { ENV, type EnvName, FUNCTION_ENV, type FunctionName } from "./env-names";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export type Env = Readonly<Record<string, string | undefined>>;

// ─── Variable kinds ──────────────────────────────────────────────────────────────────────────────────────

const unsetIfEmpty = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const setting = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "is not set" : "must be text") }).trim();

export const text = () => setting().min(1);
export const httpsUrl = () =>
  setting().pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }));
export const wholeNumber = (min: number, max: number) =>
  setting()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
export const flag = () =>
  setting()
    .pipe(z.enum(["true", "false"], { error: 'must be "true" or "false"' }))
    .transform((value) => value === "true");
export const json = <T extends z.ZodType>(schema: T) =>
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

export const required = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema);
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());

// ─── Shared pieces ───────────────────────────────────────────────────────────────────────────────────────

/** The SLA and containment policies (IR_RESPONSE_CONFIG), for the functions that run the workflow. */
export const responseConfigSchema = () =>
  z.strictObject({
    slaPolicy: slaPolicySchema.prefault({}),
    containmentPolicy: containmentPolicySchema.prefault({}),
  });

/** The variables every function reads. */
export const baseVariables = () => ({
  [ENV.tableName]: required(text()),
  [ENV.serviceName]: optional(text().max(100)),
});

/**
 * app/response-config's DEFAULT_RESPONSE_CONFIG, composed here from the same parts: importing it loads
 * every normalizer (its `normalize` default lives in core/normalize/index.ts), which only ingest and
 * advance use. test/functions/shared/config.test.ts holds the two equal.
 */
export const DEFAULT_FUNCTION_RESPONSE_CONFIG: ResponseConfig = {
  serviceName: "incident-response",
  slaPolicy: DEFAULT_SLA_POLICY,
  containmentPolicy: DEFAULT_CONTAINMENT_POLICY,
  normalize: { alarmRules: DEFAULT_ALARM_RULES },
};

export interface BaseConfig {
  tableName: string;
  response: ResponseConfig;
}

export function responseConfig(
  serviceName: string | undefined,
  raw: z.infer<ReturnType<typeof responseConfigSchema>> | undefined,
): ResponseConfig {
  return {
    ...DEFAULT_FUNCTION_RESPONSE_CONFIG,
    serviceName: serviceName ?? DEFAULT_FUNCTION_RESPONSE_CONFIG.serviceName,
    ...(raw ? { slaPolicy: raw.slaPolicy, containmentPolicy: raw.containmentPolicy } : {}),
  };
}

// ─── Parsing ─────────────────────────────────────────────────────────────────────────────────────────────

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

/** `fn`'s environment through its schema, or one ConfigError naming every problem. */
export function parseEnvironment<S extends z.ZodObject>(fn: FunctionName, schema: S, env: Env): z.output<S> {
  const parsed = schema.safeParse(env);
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
  return parsed.data;
}

/** Memoizes a builder: the first call builds, later calls reuse; a failed build is retried next time. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
