/**
 * The one configuration file of an AWS deployment (config/example.json): where the service runs, which
 * accounts and regions it watches, who responds and where chat goes, the SLA and containment policies,
 * and which optional parts are deployed. The CDK app validates it before building anything and hands
 * the runtime part (policies, responders, channels) to the functions through their environment
 * (core/contracts/function-env.ts).
 *
 * Invariants:
 * - Unknown keys are errors at every level, so a typo never passes silently.
 * - Everything but `home` has a default: `{ "home": { "account": "…", "region": "…" } }` is a complete file
 *   (no Slack: incidents run, page and sync to Security Hub without chat).
 * - The home account never appears among the member accounts, account ids and regions are unique, and
 *   member accounts require an ExternalId (the containment role trusts the dispatch role only with it).
 * - Escalation level names used by subscriptions and Slack mentions exist in the SLA policy.
 * - No secrets here: the Slack bot token and signing secret live in Secrets Manager, never in this file.
 */
import * as z from "zod";
import { SEVERITY_LABELS, type SeverityLabel, severityLabelSchema } from "../findings/severity";
import { containmentPolicySchema } from "../incident/containment-policy";
import { ACTIVE_PHASES } from "../incident/phases";
import { DEFAULT_BUDGETS, type PhaseBudgets, type SlaPolicy, slaPolicySchema } from "../incident/sla-policy";

export const DEFAULT_SERVICE_NAME = "incident-response";
export const DEFAULT_CONTAINMENT_ROLE_NAME = "IncidentResponseContainment";

/**
 * Lower-case, digits and hyphens, 3–24 characters: the name prefixes resource names (an EventBridge rule
 * is `<serviceName>-<core rule name>`, at most 64 characters), is the EventBridge `source` of our
 * lifecycle events and the GeneratorId of our Security Hub findings.
 */
export const SERVICE_NAME_MAX = 24;
const serviceNameSchema = z
  .string()
  .regex(
    new RegExp(`^[a-z][a-z0-9-]{1,${SERVICE_NAME_MAX - 2}}[a-z0-9]$`),
    `3–${SERVICE_NAME_MAX} characters: lower-case letters, digits and hyphens`,
  );

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const logRetentionSchema = z
  .number()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")} days`,
  });

export const accountIdSchema = z.string().regex(/^\d{12}$/, "an AWS account id is 12 digits");
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "an AWS region name such as eu-west-1");

/** Channel ids (C…, G…), not names: Slack reports actions by id, and names can be renamed. */
const slackChannelSchema = z.string().regex(/^[CG][A-Z0-9]{6,20}$/, "a Slack channel id (C0123ABCD)");
const slackUserIdSchema = z.string().regex(/^[UW][A-Z0-9]{6,20}$/, "a Slack user id (U0123ABCD)");
const slackGroupIdSchema = z.string().regex(/^S[A-Z0-9]{6,20}$/, "a Slack user group id (S0123ABCD)");

/** ExternalId as STS accepts it: 2–1224 characters of `[\w+=,.@:/-]`. */
const externalIdSchema = z
  .string()
  .regex(/^[\w+=,.@:/-]{2,1224}$/, "2–1224 characters of letters, digits and +=,.@:/-");

const roleNameSchema = z.string().regex(/^[\w+=,.@-]{1,64}$/, "an IAM role name (1–64 of [\\w+=,.@-])");

export const responderSchema = z.strictObject({
  /** How the responder is named on the timeline. */
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  slackUserId: slackUserIdSchema,
  email: z.string().min(3).max(320).optional(),
  roles: z.array(z.string().min(1).max(100)).default([]),
});
export type Responder = z.output<typeof responderSchema>;

const channelsSchema = z.strictObject({
  /** Where incidents of a severity without its own channel go. */
  default: slackChannelSchema,
  ...(Object.fromEntries(SEVERITY_LABELS.map((label) => [label, slackChannelSchema.optional()])) as Record<
    SeverityLabel,
    z.ZodOptional<typeof slackChannelSchema>
  >),
});

const slackSchema = z.strictObject({
  channels: channelsSchema,
  /** People who may act on incidents from Slack. */
  responders: z.array(responderSchema).default([]),
  /** Members of these user groups may act too. */
  responderGroups: z.array(slackGroupIdSchema).default([]),
  /** Who is mentioned per escalation level (the SLA policy's level names): a user (U…) or group (S…). */
  mentions: z
    .record(z.string().min(1), z.string().regex(/^[USW][A-Z0-9]{6,20}$/, "a Slack user or group id"))
    .default({}),
  /** Use this Secrets Manager secret instead of creating one (same JSON keys, see function-env). */
  existingSecretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, "a Secrets Manager secret ARN")
    .optional(),
  /** Slack Web API base URL, for GovSlack; Slack's own when omitted. */
  apiUrl: z.url({ protocol: /^https$/ }).optional(),
});

const subscriptionSchema = z.strictObject({
  protocol: z.enum(["email", "https", "sms"]),
  endpoint: z.string().min(3).max(2048),
  /** Only pages for these escalation levels (the SLA policy's level names); all when omitted. */
  levels: z.array(z.string().min(1)).min(1).optional(),
});

const rulesSchema = z.strictObject({
  /** Lowest GuardDuty severity routed (1.0–10.0). */
  guardDutyMinSeverity: z.number().min(0).max(10).default(4),
  /** Lowest Security Hub severity label routed. */
  securityHubMinLabel: severityLabelSchema.default("MEDIUM"),
});

const partsSchema = z.strictObject({
  /** Security Hub custom actions ("Open incident", "Isolate instance") and insights. */
  securityHub: z.boolean().default(true),
  /** The CloudWatch dashboard (alarms are always deployed). */
  dashboard: z.boolean().default(true),
  /** A multi-region CloudTrail trail with the CIS metric filters and alarms. */
  cisCloudTrail: z.boolean().default(false),
  /** One stack per member account with the cross-account containment role. */
  memberAccountStacks: z.boolean().default(true),
  /** Forward the watched events of member accounts and other regions to the home event bus. */
  eventForwarding: z.boolean().default(false),
});

const cloudTrailSchema = z.strictObject({
  /** Days the trail's CloudWatch Logs copy (what the CIS filters read) is kept. */
  logRetentionDays: logRetentionSchema.default(365),
  /** Days before the trail's S3 objects move to Glacier; they are never deleted by the stack. */
  archiveAfterDays: z.int().min(30).max(3650).default(90),
});

const containmentSchema = z.strictObject({
  /** The role created in each member account and assumed by the dispatch function. */
  roleName: roleNameSchema.default(DEFAULT_CONTAINMENT_ROLE_NAME),
  /** Required by the member roles' trust policy (confused-deputy protection); not a secret. */
  externalId: externalIdSchema.optional(),
  /** Let the dispatch function contain resources in the home account itself. */
  inHomeAccount: z.boolean().default(true),
});

export const deploymentConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    serviceName: serviceNameSchema.default(DEFAULT_SERVICE_NAME),
    /** Where the service runs. */
    home: z.strictObject({ account: accountIdSchema, region: regionSchema }),
    /** Other regions watched (events forwarded to the home region; containment allowed there). */
    regions: z.array(regionSchema).default([]),
    memberAccounts: z
      .array(
        z.strictObject({
          account: accountIdSchema,
          /** A label for stack names and docs. */
          name: z
            .string()
            .regex(/^[A-Za-z0-9-]{1,40}$/, "letters, digits and hyphens")
            .optional(),
        }),
      )
      .default([]),
    /** Chat from Slack; without it, incidents run without chat (no Slack function, no secret). */
    slack: slackSchema.optional(),
    escalation: z.strictObject({ subscriptions: z.array(subscriptionSchema).default([]) }).prefault({}),
    slaPolicy: slaPolicySchema.prefault({}),
    containmentPolicy: containmentPolicySchema.prefault({}),
    containment: containmentSchema.prefault({}),
    rules: rulesSchema.prefault({}),
    /** Runbook links in messages: `<base>/runbooks/<id>.md#<section>`. Required with Slack. */
    runbookBaseUrl: z.url({ protocol: /^https$/ }).optional(),
    /** Where an incident can be looked at (`<base>/<incidentId>`). */
    incidentBaseUrl: z.url({ protocol: /^https$/ }).optional(),
    guardDuty: z
      .strictObject({
        /** Archive GuardDuty findings marked false positive (works in the administrator account only). */
        archiveFalsePositives: z.boolean().default(false),
      })
      .prefault({}),
    /** Days quarantined input is kept before DynamoDB's TTL removes it. */
    quarantineRetentionDays: z.int().min(1).max(3653).default(30),
    parts: partsSchema.prefault({}),
    cloudTrail: cloudTrailSchema.prefault({}),
    /** Days the functions' logs are kept. */
    logRetentionDays: logRetentionSchema.default(365),
    /** Tags put on every resource. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  })
  .superRefine((config, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const seen = new Set<string>();
    config.memberAccounts.forEach((member, i) => {
      if (member.account === config.home.account)
        issue(
          ["memberAccounts", i, "account"],
          "the home account is not a member account (containment there uses the dispatch role)",
        );
      if (seen.has(member.account))
        issue(["memberAccounts", i, "account"], `duplicate member account ${member.account}`);
      seen.add(member.account);
    });
    config.regions.forEach((region, i) => {
      if (region === config.home.region || config.regions.indexOf(region) !== i)
        issue(["regions", i], `region ${region} is listed twice (the home region is always watched)`);
    });
    if (config.memberAccounts.length > 0 && config.containment.externalId === undefined)
      issue(
        ["containment", "externalId"],
        "member accounts need an externalId: their containment role trusts the dispatch role with it",
      );
    const levels = new Set(config.slaPolicy.escalation.levels);
    const knownLevel = (level: string, path: PropertyKey[]) => {
      if (!levels.has(level))
        issue(path, `unknown escalation level ${level} (levels: ${[...levels].join(", ")})`);
    };
    config.escalation.subscriptions.forEach((subscription, i) => {
      subscription.levels?.forEach((level, j) => {
        knownLevel(level, ["escalation", "subscriptions", i, "levels", j]);
      });
    });
    const slack = config.slack;
    if (slack === undefined) return;
    if (config.runbookBaseUrl === undefined)
      issue(["runbookBaseUrl"], "Slack messages link runbooks: set runbookBaseUrl when slack is configured");
    if (slack.responders.length === 0 && slack.responderGroups.length === 0)
      issue(["slack", "responders"], "name who may act from Slack: responders or responderGroups");
    const responderIds = new Set<string>();
    slack.responders.forEach((responder, i) => {
      if (responderIds.has(responder.id))
        issue(["slack", "responders", i, "id"], `duplicate responder ${responder.id}`);
      responderIds.add(responder.id);
    });
    for (const level of Object.keys(slack.mentions)) knownLevel(level, ["slack", "mentions", level]);
  });

export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;

/** A config error with one line per problem, each with its path in the file. */
export class DeploymentConfigError extends Error {
  override readonly name = "DeploymentConfigError";
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? "(top level)"
    : path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");

/** Validates parsed config JSON; `source` names it in errors. */
export function parseDeploymentConfig(json: unknown, source = "deployment config"): DeploymentConfig {
  const parsed = deploymentConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`);
  throw new DeploymentConfigError(
    `invalid ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    problems,
  );
}

/** Every region the service watches, home first. */
export const watchedRegions = (config: DeploymentConfig): string[] => [config.home.region, ...config.regions];

/** The Slack channel for a severity: its own, or the default. */
export const channelFor = (config: DeploymentConfig, severity: SeverityLabel): string | undefined =>
  config.slack && (config.slack.channels[severity] ?? config.slack.channels.default);

/** Every account the service watches, home first. */
export const watchedAccounts = (config: DeploymentConfig): string[] => [
  config.home.account,
  ...config.memberAccounts.map((member) => member.account),
];

/**
 * The SLA budgets that differ from the plan's defaults, as `slaPolicySchema` input: the functions' whole
 * environment must fit Lambda's 4 KB, so the response config carries overrides only.
 */
function budgetOverrides(policy: SlaPolicy): Partial<Record<SeverityLabel, Partial<PhaseBudgets>>> {
  const overrides: Partial<Record<SeverityLabel, Partial<PhaseBudgets>>> = {};
  for (const label of SEVERITY_LABELS) {
    const changed = ACTIVE_PHASES.filter(
      (phase) => policy.budgets[label][phase] !== DEFAULT_BUDGETS[label][phase],
    );
    if (changed.length > 0)
      overrides[label] = Object.fromEntries(changed.map((phase) => [phase, policy.budgets[label][phase]]));
  }
  return overrides;
}

/** The functions' IR_RESPONSE_CONFIG value: `{ slaPolicy, containmentPolicy }`, parsed again at run time. */
export function responseConfigOf(config: DeploymentConfig) {
  const { budgets: _merged, ...sla } = config.slaPolicy;
  return {
    slaPolicy: { ...sla, budgets: budgetOverrides(config.slaPolicy) },
    containmentPolicy: config.containmentPolicy,
  };
}

/** The functions' IR_SLACK_RESPONDERS value: who may act from Slack. */
export const slackRespondersOf = (slack: NonNullable<DeploymentConfig["slack"]>) => ({
  userIds: slack.responders.map((responder) => responder.slackUserId),
  groupIds: slack.responderGroups,
});
