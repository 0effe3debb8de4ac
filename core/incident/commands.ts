/**
 * The outbox vocabulary (DESIGN §3): imperatives the workflow asks the world to carry out. A dispatcher
 * executes each one through its adapter after the commit and reports back `command.succeeded` /
 * `command.failed`.
 *
 * Invariants:
 * - Params are plain JSON (no class instances, no `undefined`: absent values are `null`), so a command
 *   round-trips through any store unchanged.
 * - `id` is `<incidentId>:<version>:<n>`, deterministic: it is the idempotency key in every adapter.
 * - Each command carries what its adapter needs, so the dispatcher never has to re-read the incident.
 */
import * as z from "zod";
import { severityLabelSchema } from "../findings/severity";
import type { OutboxCommand } from "../ports/incident-store";
import {
  containmentActionSchema,
  containmentModeSchema,
  containmentTargetSchema,
} from "./containment-policy";

/** EventBridge `detail-type`s of the lifecycle events the service publishes about its own incidents. */
export const LIFECYCLE_DETAIL_TYPES = [
  "Incident Opened",
  "Incident Phase Changed",
  "Incident SLA Warning",
  "Incident SLA Breached",
  "Incident Escalated",
  "Containment Completed",
  "Incident Closed",
] as const;
export const lifecycleDetailTypeSchema = z.enum(LIFECYCLE_DETAIL_TYPES);
export type LifecycleDetailType = z.infer<typeof lifecycleDetailTypeSchema>;

export const SECURITY_HUB_STATUSES = ["NOTIFIED", "RESOLVED", "SUPPRESSED"] as const;
export const GUARDDUTY_FEEDBACK = ["USEFUL", "NOT_USEFUL"] as const;
export const PAGE_REASONS = ["sla-breached", "re-escalation", "manual"] as const;

/**
 * A clock as messages show it. `running` / `warned` / `breached` are open (the phase is still under way);
 * `met` / `late` are stopped (in time or after the deadline).
 */
export const CLOCK_VIEW_STATES = ["running", "warned", "breached", "met", "late"] as const;
export const clockViewStateSchema = z.enum(CLOCK_VIEW_STATES);
export type ClockViewState = z.infer<typeof clockViewStateSchema>;
export const OPEN_CLOCK_STATES: readonly ClockViewState[] = ["running", "warned", "breached"];

export const clockViewSchema = z.object({
  phase: z.string(),
  /** ISO instants: when the clock warns (80 % of its budget by default) and when it breaches. */
  warnAt: z.string(),
  deadline: z.string(),
  state: clockViewStateSchema,
});
export type ClockView = z.infer<typeof clockViewSchema>;

/** A missed deadline: when the breach was found and the escalation level paged for it so far. */
export const breachViewSchema = z.object({
  phase: z.string(),
  deadline: z.string(),
  at: z.string(),
  level: z.number().int().min(0),
});
export type BreachView = z.infer<typeof breachViewSchema>;

/** An affected resource (untrusted text: adapters escape it). */
export const resourceViewSchema = z.object({ type: z.string(), id: z.string() });
export type ResourceView = z.infer<typeof resourceViewSchema>;

/** How many resources a view lists; `resourceCount` says how many there are in all. */
export const MAX_VIEW_RESOURCES = 10;

/**
 * What chat messages, pages and the postmortem show about an incident.
 *
 * `clocks`, `breaches`, `resources` and `resourceCount` are always filled by the workflow (the output type
 * requires them); their defaults only let an outbox row written before they existed still parse.
 */
export const incidentViewSchema = z.object({
  incidentId: z.string(),
  title: z.string(),
  severity: severityLabelSchema,
  score: z.number(),
  phase: z.string(),
  runbookId: z.string(),
  category: z.string(),
  correlationKey: z.string(),
  accountId: z.string(),
  region: z.string(),
  openedAt: z.string(),
  owner: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  containment: z.string(),
  findingCount: z.number().int(),
  /** Every clock of the incident, oldest first (one per phase entered). */
  clocks: z.array(clockViewSchema).default(() => []),
  /** Every missed deadline, oldest first. */
  breaches: z.array(breachViewSchema).default(() => []),
  /** Distinct affected resources, the incident's primary resource first, at most MAX_VIEW_RESOURCES. */
  resources: z
    .array(resourceViewSchema)
    .max(MAX_VIEW_RESOURCES)
    .default(() => []),
  resourceCount: z.number().int().min(0).default(0),
});
export type IncidentView = z.infer<typeof incidentViewSchema>;

/** Which runbook section a message links to: `runbooks/<id>.md#<section>`. */
export const runbookRefSchema = z.object({ id: z.string(), section: z.string() });

/** A Security Hub finding as BatchUpdateFindings wants it. */
export const securityHubRefSchema = z.object({ id: z.string(), productArn: z.string() });
export type SecurityHubRef = z.infer<typeof securityHubRefSchema>;

const findings = z.array(securityHubRefSchema).min(1);
const json = z.json();

export const commandParamsSchemas = {
  postIncidentMessage: z.object({ incident: incidentViewSchema, runbook: runbookRefSchema }),
  updateIncidentMessage: z.object({ incident: incidentViewSchema, runbook: runbookRefSchema }),
  postThreadReply: z.object({
    /** What the reply is about, e.g. `phase.advanced`, `sla.warning`, `containment.awaiting-approval`. */
    topic: z.string(),
    text: z.string(),
    runbook: runbookRefSchema,
  }),
  pageOnCall: z.object({
    level: z.number().int().min(0),
    /** The escalation level's name from the SLA policy, e.g. `on-call`. */
    target: z.string(),
    reason: z.enum(PAGE_REASONS),
    phase: z.string(),
    deadline: z.string().nullable(),
    incident: incidentViewSchema,
  }),
  mentionInChat: z.object({ target: z.string(), text: z.string() }),
  updateSecurityHubFindings: z.object({
    findings,
    status: z.enum(SECURITY_HUB_STATUSES),
    note: z.string(),
  }),
  addSecurityHubNote: z.object({ findings, note: z.string() }),
  /** A dry run: what containment would do, with nothing changed. */
  planContainment: z.object({
    action: containmentActionSchema,
    mode: containmentModeSchema,
    target: containmentTargetSchema,
  }),
  /**
   * First step of the two-step swap: ENIs move to a group that keeps tracked connections alive so they
   * drain. The result may ask for `completeIsolation` (see `isolationResultSchema`).
   */
  isolateInstance: z.object({ target: containmentTargetSchema }),
  /** Second step: ENIs move to the no-traffic isolation group. */
  completeIsolation: z.object({ target: containmentTargetSchema, firstStep: json }),
  lockDownSecurityGroup: z.object({ target: containmentTargetSchema }),
  deactivateAccessKey: z.object({ target: containmentTargetSchema }),
  /** Undo containment with what the containment commands returned (original groups per ENI…). */
  restoreContainment: z.object({
    action: containmentActionSchema,
    target: containmentTargetSchema,
    undo: json,
  }),
  publishIncidentEvent: z.object({
    detailType: lifecycleDetailTypeSchema,
    detail: z.object({
      incidentId: z.string(),
      title: z.string(),
      severity: severityLabelSchema,
      phase: z.string(),
      correlationKey: z.string(),
      at: z.string(),
      /** Event-specific facts: previous phase, breached clock, escalation level, close reason… */
      facts: z.record(z.string(), json),
    }),
  }),
  generatePostmortem: z.object({ incident: incidentViewSchema, recoveredAt: z.string() }),
  sendGuardDutyFeedback: z.object({
    accountId: z.string(),
    region: z.string(),
    detectorId: z.string(),
    findingIds: z.array(z.string()).min(1),
    feedback: z.enum(GUARDDUTY_FEEDBACK),
    comments: z.string(),
  }),
} as const;

type ParamsSchemas = typeof commandParamsSchemas;
export type CommandType = keyof ParamsSchemas;
export const COMMAND_TYPES = Object.keys(commandParamsSchemas) as CommandType[];
export type CommandParams<T extends CommandType> = z.infer<ParamsSchemas[T]>;

/** A command before it has an id: what the workflow decides. */
export type CommandSpec = { [T in CommandType]: { type: T; params: CommandParams<T> } }[CommandType];

/** A command as the outbox holds it. */
export type Command = CommandSpec & { id: string; incidentId: string };

export const isCommandType = (type: string): type is CommandType => Object.hasOwn(commandParamsSchemas, type);

export const commandSchema = z.discriminatedUnion(
  "type",
  COMMAND_TYPES.map((type) =>
    z.object({
      id: z.string().min(1),
      incidentId: z.string().min(1),
      type: z.literal(type),
      params: commandParamsSchemas[type],
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** Validates an outbox row read back from a store into a typed command (throws ZodError when malformed). */
export const parseCommand = (input: unknown): Command => commandSchema.parse(input) as Command;

export const toOutboxCommand = (command: Command, createdAt: string): OutboxCommand => ({
  id: command.id,
  incidentId: command.incidentId,
  type: command.type,
  params: command.params as OutboxCommand["params"],
  createdAt,
});

/** What an isolation adapter may return; `followUp` asks the workflow for the second step of the swap. */
export const isolationResultSchema = z.looseObject({
  followUp: z.literal("completeIsolation").optional(),
});

/** `<incidentId>:<version>:<n>`: the n-th command (from 0) of the commit that made `version`. */
export const commandId = (incidentId: string, version: number, n: number): string =>
  `${incidentId}:${version}:${n}`;
