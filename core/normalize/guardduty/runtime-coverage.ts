/**
 * "GuardDuty Runtime Protection Unhealthy" / "… Healthy": the runtime agent's coverage of an EKS cluster,
 * ECS cluster or EC2 instance changed. Unhealthy is a coverage gap — GuardDuty is blind there, which is
 * what an intruder who deleted the agent wants — so it is a logging-tampering detection: MEDIUM when the
 * agent or add-on was deleted, LOW otherwise. Healthy is the matching recovery hint.
 *
 * Identity: coverage events have no id; (resource, status, lastUpdatedAt) names one status change, so a
 * redelivered event is the same finding and the next change is a new one. Correlation (same account,
 * region and primary resource) ties the recovery to the gap.
 */
import { buildFinding } from "../../findings/build";
import { guardDutyIdentity } from "../../findings/correlation";
import type { Finding } from "../../findings/finding";
import type { Resource } from "../../findings/resource";
import { fromLabel } from "../../findings/severity";
import type { Envelope } from "../envelope";
import { EPOCH, firstOf, UNKNOWN, type View } from "./view";

export const RUNTIME_UNHEALTHY = "GuardDuty Runtime Protection Unhealthy";
export const RUNTIME_HEALTHY = "GuardDuty Runtime Protection Healthy";

/** resourceDetails.resourceType → where the covered resource's id is. */
const COVERED: Record<string, (details: View) => Resource | undefined> = {
  EKS: (d) => {
    const id = d.obj("eksClusterDetails")?.str("clusterName");
    return id ? { type: "eks-cluster", id } : undefined;
  },
  ECS: (d) => {
    const id = d.obj("ecsClusterDetails")?.str("clusterName");
    return id ? { type: "ecs-cluster", id } : undefined;
  },
  EC2: (d) => {
    const id = d.obj("ec2InstanceDetails")?.str("instanceId");
    return id ? { type: "ec2-instance", id, networkInterfaces: [], securityGroups: [] } : undefined;
  },
};

function coveredResource(details: View | undefined, accountId: string): Resource {
  const kind = details?.str("resourceType") ?? "unknown";
  const known = details && Object.hasOwn(COVERED, kind) ? COVERED[kind]?.(details) : undefined;
  if (known) return known;
  details?.ctx.warn("missing_resource_id", details.path, `cannot tell which ${kind} resource lost coverage`);
  // Keyed on the account: one open coverage gap per account until the resource is known.
  return { type: "aws-account", id: accountId };
}

const DELETED = /^(DELETED|DELETING|REMOVED)$/i;

export function readRuntimeCoverage(detail: View, envelope: Envelope, warningsFrom: number): Finding[] {
  const healthy = envelope.detailType === RUNTIME_HEALTHY;
  const accountId = firstOf(
    detail,
    { key: "accountId" },
    "account",
    UNKNOWN,
    detail.str("accountId"),
    envelope.account,
  );
  const region = firstOf(detail, "$.region", "region", UNKNOWN, envelope.region);
  const at = firstOf(
    detail,
    { key: "lastUpdatedAt" },
    "time",
    EPOCH,
    detail.time("lastUpdatedAt"),
    envelope.time,
  );
  const details = detail.obj("resourceDetails");
  const resource = coveredResource(details, accountId);
  const addon = details?.obj("eksClusterDetails")?.obj("addonDetails");
  const addonStatus = addon?.str("addonStatus");
  const issue = detail.str("issue");
  const previous = detail.str("previousStatus");
  const current = detail.str("currentStatus") ?? (healthy ? "Healthy" : "Unhealthy");
  const what = `${resource.type} ${resource.id}`;
  const change = `${previous ? `${previous} → ` : ""}${current}`;
  // Warnings last: everything read above is this finding's.
  const finding = buildFinding({
    source: "guardduty",
    identity: guardDutyIdentity(
      accountId,
      region,
      `runtime-coverage/${resource.type}/${resource.id}/${current}@${at}`,
    ),
    kind: healthy ? "recovery" : "detection",
    type: envelope.detailType,
    category: "logging-tampering",
    title: healthy
      ? `GuardDuty runtime monitoring restored on ${what}`
      : `GuardDuty runtime monitoring lost on ${what}`,
    description: [
      `Runtime coverage of ${what} changed: ${change}.`,
      addonStatus ? `GuardDuty agent add-on status: ${addonStatus}.` : undefined,
      issue ? `Issue: ${issue}` : undefined,
    ]
      .filter(Boolean)
      .join(" "),
    severity: fromLabel(
      healthy ? "INFORMATIONAL" : addonStatus && DELETED.test(addonStatus) ? "MEDIUM" : "LOW",
    ),
    accountId,
    region,
    firstSeenAt: at,
    lastSeenAt: at,
    updatedAt: at,
    count: 1,
    archived: false,
    resources: [resource],
    origin: {
      product: "GuardDuty",
      sourceId: envelope.id ?? `${resource.type}/${resource.id}@${at}`,
      rawRef: detail.ctx.rawRef,
      rawPath: detail.path,
    },
    warnings: detail.ctx.since(warningsFrom),
  });
  return [finding];
}
