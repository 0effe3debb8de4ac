/**
 * The one finding model every source normalizes into.
 *
 * Invariants:
 * - `identity` is the dedupe key (DESIGN §5): (source family, finding id). A GuardDuty finding and its
 *   Security Hub copy share the GuardDuty identity, so they are one finding.
 * - `resources[0]` is the primary resource; `correlationKey` is account + region + primary resource, so
 *   findings about the same thing join the same open incident.
 * - Times are ISO-8601 UTC strings. `updatedAt` and `count` order re-publications of one finding.
 * - Whatever was tolerated while reading (numbers as strings, epoch times…) is listed in `warnings`.
 */
import * as z from "zod";
import { categorySchema } from "./categories";
import { resourceSchema } from "./resource";
import { severitySchema } from "./severity";

export const SOURCES = [
  "guardduty",
  "securityhub",
  "cloudtrail",
  "cloudwatch",
  "application",
  "waf",
] as const;
export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

export const warningSchema = z.object({
  code: z.string(),
  /** JSON path in the input, e.g. `$.detail.service.count`. */
  path: z.string(),
  message: z.string(),
});
export type Warning = z.infer<typeof warningSchema>;

export const actorSchema = z.object({
  principal: z
    .object({
      arn: z.string().optional(),
      name: z.string().optional(),
      type: z.string().optional(),
      accountId: z.string().optional(),
      accessKeyId: z.string().optional(),
    })
    .optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  location: z
    .object({
      country: z.string().optional(),
      city: z.string().optional(),
      org: z.string().optional(),
      asn: z.string().optional(),
    })
    .optional(),
  domain: z.string().optional(),
});
export type Actor = z.infer<typeof actorSchema>;

/** Source-specific facts the workflow and adapters need later (Security Hub sync, self-loop, feedback). */
export const findingOriginSchema = z.object({
  /** The product that produced it: GuardDuty, Inspector, Security Hub, Macie, Prowler… */
  product: z.string(),
  /** The id the source itself uses (GuardDuty finding id, ASFF Id, CloudTrail eventID, alarm ARN…). */
  sourceId: z.string(),
  /** ASFF identifiers, for BatchUpdateFindings. */
  securityHub: z
    .object({
      id: z.string(),
      productArn: z.string(),
      generatorId: z.string().optional(),
      workflowStatus: z.string().optional(),
      recordState: z.string().optional(),
      complianceStatus: z.string().optional(),
      /** Note.UpdatedBy: lets correlation ignore events caused by our own updates. */
      noteUpdatedBy: z.string().optional(),
      noteText: z.string().optional(),
    })
    .optional(),
  /** GuardDuty detector and finding id, for feedback and archiving. */
  guardDuty: z.object({ detectorId: z.string().optional(), findingId: z.string() }).optional(),
  /** CloudTrail event name and source, for API-call detections. */
  cloudTrail: z
    .object({ eventName: z.string(), eventSource: z.string(), eventId: z.string().optional() })
    .optional(),
  /** Security Hub custom action that carried this finding ("Open incident", "Isolate instance"). */
  customAction: z
    .object({ name: z.string(), arn: z.string().optional(), description: z.string().optional() })
    .optional(),
  /** Where the raw event can be found: its EventBridge envelope id, else the stored input it came in (caller-given). */
  rawRef: z.string(),
  /** JSON path of this finding inside the raw input (e.g. `$.detail.findings[1]`). */
  rawPath: z.string(),
});
export type FindingOrigin = z.infer<typeof findingOriginSchema>;

export const findingSchema = z.object({
  source: sourceSchema,
  /** Dedupe identity, e.g. `guardduty:123456789012:us-east-1:<id>`. */
  identity: z.string().min(1),
  /** `detection` opens or feeds incidents; `recovery` (alarm back to OK, SH finding resolved) only hints. */
  kind: z.enum(["detection", "recovery"]),
  /** Source type: GuardDuty type, ASFF first type or control id, CloudTrail detection id, alarm rule… */
  type: z.string().min(1),
  category: categorySchema,
  runbookId: z.string().min(1),
  title: z.string(),
  description: z.string(),
  severity: severitySchema,
  accountId: z.string(),
  region: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  updatedAt: z.string(),
  count: z.number().int().min(1),
  archived: z.boolean(),
  resources: z.array(resourceSchema).min(1),
  actor: actorSchema.optional(),
  correlationKey: z.string().min(1),
  origin: findingOriginSchema,
  warnings: z.array(warningSchema),
});
export type Finding = z.infer<typeof findingSchema>;

export const primaryResource = (finding: Finding) => finding.resources[0]!;
