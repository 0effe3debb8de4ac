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
import {
  childPath,
  type Json,
  optionalObject,
  optionalString,
  optionalTime,
  type ReadContext,
  requireString,
} from "../read";
import { parseArn, parseGuardDutyFindingArn, parseProductArn } from "./arn";
import { readActor, readProductFields, readSeverity, withInspectorNetwork } from "./asff-parts";
import { readAsffResources } from "./asff-resources";
import { accountResource, countOf, dig, type FindingContext, seenTimes, stringList } from "./common";
import { guardDutyTypeFromTypes } from "./guardduty-type";
import { controlIdOf, productOf } from "./product";
import { orderPrimary } from "./resources";

export function readAsffFinding(doc: Json, path: string, ctx: ReadContext, context: FindingContext): Finding {
  const mark = ctx.warnings.length;
  const at = (key: string) => childPath(path, key);
  const id = requireString(doc.Id, at("Id"));
  const productArn = requireString(doc.ProductArn, at("ProductArn"));
  const fields = readProductFields(doc.ProductFields, at("ProductFields"), ctx);
  const idArn = parseArn(id);

  let accountId = optionalString(doc.AwsAccountId, at("AwsAccountId"), ctx);
  if (accountId === undefined) {
    accountId = context.account ?? (idArn?.account || undefined);
    if (accountId === undefined)
      throw new InputError("missing_field", `${at("AwsAccountId")} is required`, at("AwsAccountId"));
    ctx.warn("fallback_account", at("AwsAccountId"), `missing; using ${accountId} from the envelope or Id`);
  }

  const generatorId = optionalString(doc.GeneratorId, at("GeneratorId"), ctx);
  const title = optionalString(doc.Title, at("Title"), ctx) ?? "";
  const description = optionalString(doc.Description, at("Description"), ctx) ?? "";
  let types = stringList(doc.Types, at("Types"), ctx);
  if (types.length === 0)
    types = stringList(
      dig(doc, "FindingProviderFields", "Types"),
      childPath(at("FindingProviderFields"), "Types"),
      ctx,
    );
  const product = productOf({
    productArn,
    productName:
      optionalString(doc.ProductName, at("ProductName"), ctx) ?? fields["aws/securityhub/ProductName"],
    companyName:
      optionalString(doc.CompanyName, at("CompanyName"), ctx) ?? fields["aws/securityhub/CompanyName"],
    generatorId,
    providerName: fields.ProviderName,
  });

  const read = readAsffResources(doc.Resources, at("Resources"), ctx);
  let region =
    optionalString(doc.Region, at("Region"), ctx) ??
    parseProductArn(productArn)?.region ??
    (idArn?.region || undefined) ??
    read[0]?.region ??
    context.region;
  if (region === undefined) {
    ctx.warn("missing_region", at("Region"), "no region in the finding or its envelope");
    region = "unknown";
  }
  if (read.length === 0) read.push(accountResource(accountId, region, at("Resources"), ctx));
  const resources = orderPrimary(product.family === "inspector" ? withInspectorNetwork(read, fields) : read);

  const compliance = optionalObject(doc.Compliance, at("Compliance"), ctx);
  const complianceStatus = optionalString(compliance?.Status, childPath(at("Compliance"), "Status"), ctx);
  const controlId = controlIdOf(
    [
      optionalString(compliance?.SecurityControlId, childPath(at("Compliance"), "SecurityControlId"), ctx),
      fields.ControlId,
      fields.RuleId,
    ],
    product.family === "security-hub" ? generatorId : undefined,
  );

  const guardDuty = product.family === "guardduty";
  const guardDutyArn = guardDuty
    ? (parseGuardDutyFindingArn(id) ?? parseGuardDutyFindingArn(fields["aws/securityhub/FindingId"] ?? ""))
    : undefined;
  if (guardDuty && guardDutyArn === undefined)
    ctx.warn(
      "unmatched_guardduty_id",
      at("Id"),
      "GuardDuty finding without a GuardDuty finding ARN; kept as a Security Hub finding",
    );
  const guardDutyType = guardDuty ? guardDutyTypeFromTypes(types) : undefined;
  if (guardDuty && guardDutyType === undefined)
    ctx.warn(
      "unmapped_guardduty_type",
      at("Types"),
      "no GuardDuty finding type in Types; using the ASFF type",
    );
  const type =
    guardDutyType ??
    controlId ??
    (product.family === "prowler" ? generatorId : undefined) ??
    types[0] ??
    generatorId ??
    (title || "unknown");

  const workflowStatus =
    optionalString(dig(doc, "Workflow", "Status"), childPath(at("Workflow"), "Status"), ctx) ??
    optionalString(doc.WorkflowState, at("WorkflowState"), ctx);
  const recordState = optionalString(doc.RecordState, at("RecordState"), ctx);
  const archived =
    recordState?.toUpperCase() === "ARCHIVED" ||
    (guardDuty && fields["aws/guardduty/service/archived"] === "true");
  const resolved =
    /^(RESOLVED|SUPPRESSED)$/i.test(workflowStatus ?? "") || complianceStatus?.toUpperCase() === "PASSED";

  const countText = guardDuty ? fields["aws/guardduty/service/count"] : undefined;
  const count = countOf(
    countText === undefined ? undefined : Number(countText),
    childPath(at("ProductFields"), "aws/guardduty/service/count"),
    ctx,
  );

  const times = seenTimes(
    {
      first: optionalTime(doc.FirstObservedAt, at("FirstObservedAt"), ctx),
      last: optionalTime(doc.LastObservedAt, at("LastObservedAt"), ctx),
      updated: optionalTime(doc.UpdatedAt, at("UpdatedAt"), ctx),
      created: optionalTime(doc.CreatedAt, at("CreatedAt"), ctx),
    },
    context.time,
    path,
    ctx,
  );
  const severity = readSeverity(doc, fields, product, path, ctx);
  const note = optionalObject(doc.Note, at("Note"), ctx);

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
    ...times,
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
        noteUpdatedBy: optionalString(note?.UpdatedBy, childPath(at("Note"), "UpdatedBy"), ctx),
        noteText: optionalString(note?.Text, childPath(at("Note"), "Text"), ctx),
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
    warnings: [...context.baseWarnings, ...ctx.since(mark)],
  });
}
