/**
 * The GuardDuty normalizer: "GuardDuty Finding" events, bare GetFindings elements (camelCase as the API and
 * EventBridge write them, or PascalCase as the AWS CLI prints them), S3 malware scan results and runtime
 * coverage changes.
 *
 * A bare document is a GuardDuty finding only if it has a string `type`, a `resource` object with a string
 * `resourceType`, and either `service.serviceName` "guardduty" or a GuardDuty ARN — so ASFF findings
 * (`Types`, `Resources[]`), CloudTrail records and WAF logs never match.
 * Pieces live in ./guardduty/: finding, resources (+ resource-details, attack-sequence), actor,
 * malware-scan, runtime-coverage, and the case-tolerant view they all read through.
 */
import { InputError } from "../errors";
import type { Envelope } from "./envelope";
import { readGuardDutyFinding } from "./guardduty/finding";
import { readObjectScanResult } from "./guardduty/malware-scan";
import { RUNTIME_HEALTHY, RUNTIME_UNHEALTHY, readRuntimeCoverage } from "./guardduty/runtime-coverage";
import { fieldValue, View } from "./guardduty/view";
import { isObject, type Json, type ReadContext } from "./read";
import type { SourceNormalizer } from "./source-normalizer";

export const GUARDDUTY_FINDING = "GuardDuty Finding";
export const MALWARE_OBJECT_SCAN_RESULT = "GuardDuty Malware Protection Object Scan Result";

export function isBareGuardDutyFinding(doc: Json): boolean {
  if ("detail-type" in doc || "detail" in doc) return false;
  // Tests that rule out other sources' documents first (every bare ASFF finding is asked): the predicate
  // reads nothing with side effects, so the order only changes how soon the answer is known.
  const resource = fieldValue(doc, "resource");
  if (!isObject(resource) || typeof fieldValue(resource, "resourceType") !== "string") return false;
  if (typeof fieldValue(doc, "type") !== "string") return false;
  const service = fieldValue(doc, "service");
  if (isObject(service) && String(fieldValue(service, "serviceName")).toLowerCase() === "guardduty")
    return true;
  const arn = fieldValue(doc, "arn");
  return typeof arn === "string" && arn.includes(":guardduty:");
}

function fromEnvelope(envelope: Envelope, ctx: ReadContext) {
  // One document, one finding: the envelope's own warnings (read before we were called) belong to it.
  const detail = new View(envelope.detail, "$.detail", ctx);
  switch (envelope.detailType) {
    case MALWARE_OBJECT_SCAN_RESULT:
      return readObjectScanResult(detail, envelope, 0);
    case RUNTIME_UNHEALTHY:
    case RUNTIME_HEALTHY:
      return readRuntimeCoverage(detail, envelope, 0);
    case GUARDDUTY_FINDING:
      return [
        readGuardDutyFinding(
          detail,
          { account: envelope.account, region: envelope.region, time: envelope.time },
          0,
        ),
      ];
    default:
      throw new InputError(
        "unknown_event",
        `the GuardDuty normalizer does not read "${envelope.detailType}"`,
        '$["detail-type"]',
      );
  }
}

export const guardDutyNormalizer: SourceNormalizer = {
  name: "guardduty",
  detailTypes: [GUARDDUTY_FINDING, MALWARE_OBJECT_SCAN_RESULT, RUNTIME_UNHEALTHY, RUNTIME_HEALTHY],
  fromEnvelope,
  bare: {
    matches: isBareGuardDutyFinding,
    read: (doc, path, ctx) => [readGuardDutyFinding(new View(doc, path, ctx), {}, ctx.warnings.length)],
  },
};
