/**
 * One ASFF finding (AWS Security Finding Format) → Finding, for every product Security Hub carries.
 *
 * Invariants: a GuardDuty copy has the GuardDuty identity and type, so it merges with its original; any other
 * finding is `securityhub:<Id>`. `origin.securityHub` always carries Id and ProductArn for BatchUpdateFindings.
 * Only a missing Id, ProductArn or account (with no envelope or Id ARN to fall back on) is refused.
 */
import { categoryForSecurityHub } from "../../detections/securityhub-categories";
import { InputError } from "../../errors";
import { buildFinding } from "../../findings/build";
import { findingIdentity, guardDutyIdentity } from "../../findings/correlation";
import type { Finding } from "../../findings/finding";
import { childPath, isObject, type Json, type ReadContext } from "../read";
import { parseArn, parseGuardDutyFindingArn, parseProductArn } from "./arn";
import { readActor, readProductFields, readSeverity, withInspectorNetwork } from "./asff-parts";
import { readAsffResources } from "./asff-resources";
import {
  accountResource,
  countOf,
  type FindingContext,
  findingWarnings,
  objectAt,
  requiredStringAt,
  seenTimes,
  stringAt,
  stringListAt,
  timeAt,
} from "./common";
import { guardDutyTypeFromTypes } from "./guardduty-type";
import { controlIdOf, productOf } from "./product";
import { orderPrimary } from "./resources";

export function readAsffFinding(doc: Json, path: string, ctx: ReadContext, context: FindingContext): Finding {
  const mark = ctx.warnings.length;
  // Paths are built only where a warning or error needs them (see the field readers in ../read); the few
  // built up front are written as childPath's dotted form of their identifier key, skipping its key check.
  const id = requiredStringAt(doc, "Id", path);
  const productArn = requiredStringAt(doc, "ProductArn", path);
  const fields = readProductFields(doc, path, ctx);

  let accountId = stringAt(doc, "AwsAccountId", path, ctx);
  if (accountId === undefined) {
    const accountPath = childPath(path, "AwsAccountId");
    accountId = context.account ?? (parseArn(id)?.account || undefined);
    if (accountId === undefined)
      throw new InputError("missing_field", `${accountPath} is required`, accountPath);
    ctx.warn("fallback_account", accountPath, `missing; using ${accountId} from the envelope or Id`);
  }

  const generatorId = stringAt(doc, "GeneratorId", path, ctx);
  const title = stringAt(doc, "Title", path, ctx) ?? "";
  const description = stringAt(doc, "Description", path, ctx) ?? "";
  let types = stringListAt(doc, "Types", path, ctx);
  if (types.length === 0) {
    const providerFields = doc.FindingProviderFields;
    if (isObject(providerFields))
      types = stringListAt(providerFields, "Types", childPath(path, "FindingProviderFields"), ctx);
  }
  const parsedProductArn = parseProductArn(productArn);
  const product = productOf(
    {
      productArn,
      productName: stringAt(doc, "ProductName", path, ctx) ?? fields["aws/securityhub/ProductName"],
      companyName: stringAt(doc, "CompanyName", path, ctx) ?? fields["aws/securityhub/CompanyName"],
      generatorId,
      providerName: fields.ProviderName,
    },
    parsedProductArn,
  );

  const resourcesPath = `${path}.Resources`;
  const read = readAsffResources(doc.Resources, resourcesPath, ctx);
  let region =
    stringAt(doc, "Region", path, ctx) ??
    parsedProductArn?.region ??
    (parseArn(id)?.region || undefined) ??
    read[0]?.region ??
    context.region;
  if (region === undefined) {
    ctx.warn("missing_region", childPath(path, "Region"), "no region in the finding or its envelope");
    region = "unknown";
  }
  if (read.length === 0) read.push(accountResource(accountId, region, resourcesPath, ctx));
  const resources = orderPrimary(product.family === "inspector" ? withInspectorNetwork(read, fields) : read);

  const compliance = objectAt(doc, "Compliance", path, ctx);
  const compliancePath = `${path}.Compliance`;
  const complianceStatus = stringAt(compliance, "Status", compliancePath, ctx);
  const controlId = controlIdOf(
    [stringAt(compliance, "SecurityControlId", compliancePath, ctx), fields.ControlId, fields.RuleId],
    product.family === "security-hub" ? generatorId : undefined,
  );

  const guardDuty = product.family === "guardduty";
  const guardDutyArn = guardDuty
    ? (parseGuardDutyFindingArn(id) ?? parseGuardDutyFindingArn(fields["aws/securityhub/FindingId"] ?? ""))
    : undefined;
  if (guardDuty && guardDutyArn === undefined)
    ctx.warn(
      "unmatched_guardduty_id",
      childPath(path, "Id"),
      "GuardDuty finding without a GuardDuty finding ARN; kept as a Security Hub finding",
    );
  const guardDutyType = guardDuty ? guardDutyTypeFromTypes(types) : undefined;
  if (guardDuty && guardDutyType === undefined)
    ctx.warn(
      "unmapped_guardduty_type",
      childPath(path, "Types"),
      "no GuardDuty finding type in Types; using the ASFF type",
    );
  const type =
    guardDutyType ??
    controlId ??
    (product.family === "prowler" ? generatorId : undefined) ??
    types[0] ??
    generatorId ??
    (title || "unknown");

  const workflow = doc.Workflow;
  const workflowStatus =
    (isObject(workflow) ? stringAt(workflow, "Status", `${path}.Workflow`, ctx) : undefined) ??
    stringAt(doc, "WorkflowState", path, ctx);
  const recordState = stringAt(doc, "RecordState", path, ctx);
  const archived =
    isIgnoringCase(recordState, "ARCHIVED") ||
    (guardDuty && fields["aws/guardduty/service/archived"] === "true");
  const resolved = RESOLVED_WORKFLOW.test(workflowStatus ?? "") || isIgnoringCase(complianceStatus, "PASSED");

  const countText = guardDuty ? fields["aws/guardduty/service/count"] : undefined;
  const count =
    countText === undefined
      ? 1
      : countOf(Number(countText), childPath(path, "ProductFields"), "aws/guardduty/service/count", ctx);

  const times = seenTimes(
    {
      first: timeAt(doc, "FirstObservedAt", path, ctx),
      last: timeAt(doc, "LastObservedAt", path, ctx),
      updated: timeAt(doc, "UpdatedAt", path, ctx),
      created: timeAt(doc, "CreatedAt", path, ctx),
    },
    context.time,
    path,
    ctx,
  );
  const severity = readSeverity(doc, fields, product, path, ctx);
  const note = objectAt(doc, "Note", path, ctx);
  const notePath = `${path}.Note`;

  return buildFinding({
    source: "securityhub",
    identity:
      guardDutyArn !== undefined
        ? guardDutyIdentity(accountId, guardDutyArn.region || region, guardDutyArn.findingId)
        : findingIdentity("securityhub", id),
    kind: archived || resolved ? "recovery" : "detection",
    type,
    category: categoryForSecurityHub({
      product: product.family,
      type,
      controlId,
      title,
      types,
      primaryResource: resources[0]!.type,
    }),
    title,
    description,
    severity,
    accountId,
    region,
    firstSeenAt: times.firstSeenAt,
    lastSeenAt: times.lastSeenAt,
    updatedAt: times.updatedAt,
    count,
    archived,
    resources,
    actor: readActor(doc, fields),
    origin: {
      product: product.name,
      sourceId: id,
      securityHub: {
        id,
        productArn,
        generatorId,
        workflowStatus,
        recordState,
        complianceStatus,
        noteUpdatedBy: stringAt(note, "UpdatedBy", notePath, ctx),
        noteText: stringAt(note, "Text", notePath, ctx),
      },
      guardDuty:
        guardDutyArn === undefined
          ? undefined
          : {
              detectorId: fields["aws/guardduty/service/detectorId"] ?? guardDutyArn.detectorId,
              findingId: guardDutyArn.findingId,
            },
      customAction: context.customAction,
      rawRef: ctx.rawRef,
      rawPath: path,
    },
    warnings: findingWarnings(context, ctx, mark),
  });
}

const RESOLVED_WORKFLOW = /^(RESOLVED|SUPPRESSED)$/i;

/**
 * `text?.toUpperCase() === upper` for an upper-case ASCII `upper`, without the upper-cased copy: an ASCII
 * text is compared letter by letter; any other is upper-cased as before (some letters upper-case to two).
 */
function isIgnoringCase(text: string | undefined, upper: string): boolean {
  if (text === undefined) return false;
  if (text === upper) return true;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return text.toUpperCase() === upper;
  if (text.length !== upper.length) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122 ? c - 32 : c) !== upper.charCodeAt(i)) return false;
  }
  return true;
}
