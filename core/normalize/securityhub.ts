/**
 * The Security Hub normalizer: "Security Hub Findings - Imported" and "- Custom Action" events (ASFF, every
 * product), "Findings Imported V2" events (OCSF), and bare ASFF / OCSF findings (GetFindings /
 * GetFindingsV2 elements; the dispatcher unwraps `{"Findings":[...]}`).
 *
 * Invariants: each element of `detail.findings[]` becomes one finding with rawPath `$.detail.findings[i]`;
 * an event with no findings is refused (`$.detail.findings`); every finding of a custom action carries
 * `origin.customAction`; warnings read from the envelope are carried by every finding of the event.
 * Pieces live in ./securityhub/: asff (+ asff-parts, asff-resources), ocsf (+ ocsf-parts), resources, product,
 * guardduty-type, arn, common.
 */
import { InputError } from "../errors";
import type { Finding, FindingOrigin, Warning } from "../findings/finding";
import type { Envelope } from "./envelope";
import { describeType, isObject, type Json, optionalString, type ReadContext } from "./read";
import { lastSegment } from "./securityhub/arn";
import { readAsffFinding } from "./securityhub/asff";
import type { FindingContext } from "./securityhub/common";
import { isOcsfFinding, readOcsfFinding } from "./securityhub/ocsf";
import type { SourceNormalizer } from "./source-normalizer";

export const SECURITY_HUB_IMPORTED = "Security Hub Findings - Imported";
export const SECURITY_HUB_CUSTOM_ACTION = "Security Hub Findings - Custom Action";
export const SECURITY_HUB_IMPORTED_V2 = "Findings Imported V2";

const FINDINGS_PATH = "$.detail.findings";

/** A bare ASFF finding: what GetFindings returns per element. */
export const isAsffFinding = (doc: Json): boolean =>
  typeof doc.SchemaVersion === "string" &&
  "Id" in doc &&
  "ProductArn" in doc &&
  ("Types" in doc || "Resources" in doc);

function findingsOf(detail: Json): unknown[] {
  const findings = detail.findings;
  if (findings === undefined)
    throw new InputError("missing_field", `${FINDINGS_PATH} is required`, FINDINGS_PATH);
  if (!Array.isArray(findings))
    throw new InputError(
      "wrong_type",
      `${FINDINGS_PATH} must be an array, got ${describeType(findings)}`,
      FINDINGS_PATH,
    );
  if (findings.length === 0) throw new InputError("empty", `${FINDINGS_PATH} is empty`, FINDINGS_PATH);
  return findings;
}

function readCustomAction(envelope: Envelope, ctx: ReadContext): NonNullable<FindingOrigin["customAction"]> {
  const arn = envelope.resources[0];
  const name = optionalString(envelope.detail.actionName, "$.detail.actionName", ctx);
  const description = optionalString(envelope.detail.actionDescription, "$.detail.actionDescription", ctx);
  if (name === undefined)
    ctx.warn("missing_field", "$.detail.actionName", "custom action without a name; named after its ARN");
  return { name: name ?? (arn ? lastSegment(arn) : "custom action"), arn, description };
}

/** An element in the other format than its event promises (hand-built events): the warning it carries. */
function otherFormat(doc: Json, path: string, ocsf: boolean): Warning | undefined {
  const other = ocsf ? isAsffFinding(doc) && !isOcsfFinding(doc) : isOcsfFinding(doc) && !("Id" in doc);
  if (!other) return undefined;
  const [event, read] = ocsf ? ["V2 (OCSF)", "ASFF"] : ["ASFF", "OCSF"];
  return { code: "unexpected_format", path, message: `${read} finding in a ${event} event; read as ${read}` };
}

function fromEnvelope(envelope: Envelope, ctx: ReadContext): Finding[] {
  const ocsf = envelope.detailType === SECURITY_HUB_IMPORTED_V2;
  if (
    !ocsf &&
    envelope.detailType !== SECURITY_HUB_IMPORTED &&
    envelope.detailType !== SECURITY_HUB_CUSTOM_ACTION
  )
    throw new InputError(
      "unknown_event",
      `the Security Hub normalizer does not read "${envelope.detailType}"`,
      '$["detail-type"]',
    );
  const findings = findingsOf(envelope.detail);
  const customAction =
    envelope.detailType === SECURITY_HUB_CUSTOM_ACTION ? readCustomAction(envelope, ctx) : undefined;
  const context: FindingContext = {
    account: envelope.account,
    region: envelope.region,
    time: envelope.time,
    customAction,
    baseWarnings: ctx.since(0),
  };
  const read: Finding[] = [];
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i];
    const path = `${FINDINGS_PATH}[${i}]`; // childPath of an index
    if (!isObject(finding))
      throw new InputError("wrong_type", `${path} must be an object, got ${describeType(finding)}`, path);
    const switched = otherFormat(finding, path, ocsf);
    const own = switched ? { ...context, baseWarnings: [...context.baseWarnings, switched] } : context;
    read.push(
      (switched ? !ocsf : ocsf)
        ? readOcsfFinding(finding, path, ctx, own)
        : readAsffFinding(finding, path, ctx, own),
    );
  }
  return read;
}

export const securityHubNormalizer: SourceNormalizer = {
  name: "securityhub",
  detailTypes: [SECURITY_HUB_IMPORTED, SECURITY_HUB_CUSTOM_ACTION, SECURITY_HUB_IMPORTED_V2],
  fromEnvelope,
  bare: {
    matches: (doc) => !("detail-type" in doc) && (isAsffFinding(doc) || isOcsfFinding(doc)),
    read: (doc, path, ctx) => {
      const context: FindingContext = { baseWarnings: ctx.since(0) };
      return [
        isAsffFinding(doc)
          ? readAsffFinding(doc, path, ctx, context)
          : readOcsfFinding(doc, path, ctx, context),
      ];
    },
  },
};
