/**
 * The incident itself as an ASFF finding (BatchImportFindings), so Security Hub shows one finding per
 * incident next to the findings it came from, and insights can group incidents by phase and severity
 * (ProductFields `ir/phase`, `ir/severity`, …; Security Hub insights group by ProductFields keys).
 *
 * Invariants:
 * - Id is `<serviceName>/incident/<incidentId>` and GeneratorId is `serviceName`: stable, so every
 *   publish updates the same finding, and recognisable, so ingest can drop the "Findings - Imported"
 *   event our own import causes (no self-loop).
 * - ProductArn is the account's default product (custom findings): BatchImportFindings then requires
 *   AwsAccountId to be the calling account.
 * - Types come from the incident's category through a table of ASFF type namespaces
 *   (`namespace/category`, Security Hub's taxonomy); an unknown category maps like `generic`.
 *   Types and Severity are also sent as FindingProviderFields: after creation Security Hub takes a
 *   provider's updates to those only from there.
 * - Workflow follows the phase (detect → NEW until acknowledged, then NOTIFIED; closed → RESOLVED;
 *   suppressed → SUPPRESSED) and RecordState is ARCHIVED once the incident has ended. Security Hub only
 *   honours Workflow from BatchImportFindings when the finding is created; the tracker sets it with
 *   BatchUpdateFindings afterwards (see finding-tracker.ts).
 * - Text fields respect ASFF limits (Title 256, Description 1024, ProductFields values 2048) with
 *   visible truncation.
 */
import type { AwsSecurityFinding, Partition, WorkflowStatus } from "@aws-sdk/client-securityhub";
import { type Category, categorySchema } from "../../core/findings/categories";
import type { IncidentView } from "../../core/incident/commands";
import { type IncidentPhase, incidentPhaseSchema, RUNBOOK_SECTION } from "../../core/incident/phases";
import { truncateVisibly } from "../aws/truncate";

export const ASFF_SCHEMA_VERSION = "2018-10-08";

/** ASFF `Types` per category: `<namespace>/<category>` from Security Hub's finding-type taxonomy. */
export const INCIDENT_TYPES: Record<Category, string> = {
  "ec2-compromise": "TTPs/Execution",
  "crypto-mining": "Effects/Resource Consumption",
  reconnaissance: "TTPs/Discovery",
  "iam-credential-compromise": "TTPs/Credential Access",
  "root-account-use": "Unusual Behaviors/User",
  "s3-data-exposure": "Effects/Data Exposure",
  "logging-tampering": "TTPs/Defense Evasion",
  "security-group-exposure": "Software and Configuration Checks/AWS Security Best Practices",
  "waf-attack": "TTPs/Initial Access",
  "kubernetes-runtime": "Unusual Behaviors/Container",
  malware: "TTPs/Execution",
  "application-security": "Unusual Behaviors/Application",
  generic: "Unusual Behaviors",
};

const ENDED: Record<IncidentPhase, boolean> = {
  detect: false,
  assess: false,
  contain: false,
  eradicate: false,
  recover: false,
  postmortem: false,
  closed: true,
  suppressed: true,
};

const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;
const PRODUCT_FIELD_MAX = 2048;

export const incidentFindingId = (serviceName: string, incidentId: string): string =>
  `${serviceName}/incident/${incidentId}`;

/** arn:<partition>:securityhub:<region>:<account>:product/<account>/default */
export function defaultProductArn(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-us-iso-b";
  if (region.startsWith("us-iso-")) return "aws-us-iso";
  return "aws";
}

export function phaseOf(incident: IncidentView): IncidentPhase {
  const parsed = incidentPhaseSchema.safeParse(incident.phase);
  if (!parsed.success)
    throw new Error(`incident ${incident.incidentId} has an unknown phase "${incident.phase}"`);
  return parsed.data;
}

export function workflowStatusFor(incident: IncidentView): WorkflowStatus {
  const phase = phaseOf(incident);
  switch (phase) {
    case "detect":
      return incident.acknowledgedBy === null ? "NEW" : "NOTIFIED";
    case "assess":
    case "contain":
    case "eradicate":
    case "recover":
    case "postmortem":
      return "NOTIFIED";
    case "closed":
      return "RESOLVED";
    case "suppressed":
      return "SUPPRESSED";
    default: {
      const unreachable: never = phase;
      throw new Error(`unhandled phase ${String(unreachable)}`);
    }
  }
}

export const incidentType = (category: string): string => {
  const parsed = categorySchema.safeParse(category);
  return INCIDENT_TYPES[parsed.success ? parsed.data : "generic"];
};

export interface IncidentFindingContext {
  serviceName: string;
  productArn: string;
  awsAccountId: string;
  region: string;
  /** Link to the incident in the dashboard (SourceUrl). */
  incidentUrl: (incidentId: string) => string;
  /** When this version of the finding was made (UpdatedAt), ISO-8601. */
  updatedAt: string;
}

export function incidentFinding(incident: IncidentView, ctx: IncidentFindingContext): AwsSecurityFinding {
  const phase = phaseOf(incident);
  const types = [incidentType(incident.category)];
  const normalized = Math.min(100, Math.max(0, Math.round(incident.score)));
  const field = (value: string) => truncateVisibly(value, PRODUCT_FIELD_MAX);
  // UpdatedAt never before CreatedAt, even if the caller's clock lags the detection time.
  const updatedAt = ctx.updatedAt < incident.openedAt ? incident.openedAt : ctx.updatedAt;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: incidentFindingId(ctx.serviceName, incident.incidentId),
    ProductArn: ctx.productArn,
    GeneratorId: ctx.serviceName,
    AwsAccountId: ctx.awsAccountId,
    Types: types,
    CreatedAt: incident.openedAt,
    UpdatedAt: updatedAt,
    Severity: { Label: incident.severity, Normalized: normalized },
    Title: truncateVisibly(`Incident ${incident.incidentId}: ${incident.title}`, TITLE_MAX),
    Description: truncateVisibly(describe(incident, phase), DESCRIPTION_MAX),
    SourceUrl: ctx.incidentUrl(incident.incidentId),
    ProductFields: {
      "ir/incidentId": field(incident.incidentId),
      "ir/phase": phase,
      "ir/severity": incident.severity,
      "ir/score": String(incident.score),
      "ir/category": field(incident.category),
      "ir/owner": field(incident.owner ?? "unassigned"),
      "ir/acknowledgedBy": field(incident.acknowledgedBy ?? "none"),
      "ir/containment": field(incident.containment),
      "ir/findingCount": String(incident.findingCount),
      "ir/correlationKey": field(incident.correlationKey),
      "ir/runbook": field(`${incident.runbookId}#${RUNBOOK_SECTION[phase]}`),
      "ir/generatedBy": field(ctx.serviceName),
    },
    Resources: [
      {
        Type: "Other",
        Id: incident.correlationKey,
        Partition: partitionOf(incident.region),
        Region: incident.region,
        Details: {
          Other: { incidentAccountId: incident.accountId, category: field(incident.category) },
        },
      },
    ],
    FindingProviderFields: {
      Severity: { Label: incident.severity, Original: String(incident.score) },
      Types: types,
    },
    Workflow: { Status: workflowStatusFor(incident) },
    RecordState: ENDED[phase] ? "ARCHIVED" : "ACTIVE",
  };
}

function describe(incident: IncidentView, phase: IncidentPhase): string {
  return [
    `${incident.severity} ${incident.category} incident in phase ${phase}, opened ${incident.openedAt}.`,
    `Resource ${incident.correlationKey} in ${incident.accountId}/${incident.region}.`,
    `${incident.findingCount} finding(s); containment ${incident.containment};`,
    `owner ${incident.owner ?? "unassigned"}; runbook ${incident.runbookId} (${RUNBOOK_SECTION[phase]}).`,
  ].join(" ");
}
