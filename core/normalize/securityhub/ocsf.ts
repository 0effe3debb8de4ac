/**
 * One OCSF finding from Security Hub's "Findings Imported V2" events → Finding.
 *
 * The fields read: finding_info (uid, title, desc, types, first/last seen, modified, created), metadata
 * (uid, product name/uid/vendor), cloud (account.uid, region), severity_id / severity, status, activity,
 * compliance (control, status), resources[], evidences[], count.
 * Invariants as for ASFF: GuardDuty findings take the GuardDuty identity (so the OCSF copy merges with the
 * GuardDuty original), others `securityhub:<finding_info.uid>` — the same id an ASFF copy has, so both merge.
 * `origin.securityHub` carries (finding_info.uid, metadata.product.uid), which with the account is the
 * OCSF finding identifier BatchUpdateFindingsV2 takes.
 */
import { categoryForSecurityHub } from "../../detections/securityhub-categories";
import { InputError } from "../../errors";
import { buildFinding } from "../../findings/build";
import { findingIdentity, guardDutyIdentity } from "../../findings/correlation";
import type { Finding } from "../../findings/finding";
import {
  childPath,
  type Json,
  optionalNumber,
  optionalObject,
  optionalString,
  type ReadContext,
} from "../read";
import { parseGuardDutyFindingArn, parseProductArn } from "./arn";
import { accountResource, countOf, dig, type FindingContext, seenTimes, stringList, text } from "./common";
import { guardDutyTypeFromTypes } from "./guardduty-type";
import { ocsfTime, readOcsfActor, readOcsfResources, readOcsfSeverity } from "./ocsf-parts";
import { formatControlId, productOf } from "./product";
import { orderPrimary } from "./resources";

/** A bare OCSF finding (GetFindingsV2 output element) or an element of a V2 event. */
export const isOcsfFinding = (doc: Json): boolean =>
  typeof doc.finding_info === "object" &&
  doc.finding_info !== null &&
  ("metadata" in doc || "class_uid" in doc);

export function readOcsfFinding(doc: Json, path: string, ctx: ReadContext, context: FindingContext): Finding {
  const mark = ctx.warnings.length;
  const at = (key: string) => childPath(path, key);
  const infoPath = at("finding_info");
  const info = optionalObject(doc.finding_info, infoPath, ctx) ?? {};
  const metadata = optionalObject(doc.metadata, at("metadata"), ctx) ?? {};

  let uid = optionalString(info.uid, childPath(infoPath, "uid"), ctx);
  if (uid === undefined) {
    uid = optionalString(metadata.uid, childPath(at("metadata"), "uid"), ctx);
    if (uid === undefined)
      throw new InputError(
        "missing_field",
        `${childPath(infoPath, "uid")} is required`,
        childPath(infoPath, "uid"),
      );
    ctx.warn("fallback_id", childPath(infoPath, "uid"), "missing; using metadata.uid");
  }

  const read = readOcsfResources(doc, path, ctx);
  const accountPath = childPath(childPath(at("cloud"), "account"), "uid");
  let accountId = optionalString(dig(doc, "cloud", "account", "uid"), accountPath, ctx);
  if (accountId === undefined) {
    accountId = context.account ?? read.find((r) => r.accountId !== undefined)?.accountId;
    if (accountId === undefined)
      throw new InputError("missing_field", `${accountPath} is required`, accountPath);
    ctx.warn("fallback_account", accountPath, `missing; using ${accountId} from the envelope or a resource`);
  }

  const productUid = text(dig(metadata, "product", "uid"));
  const productName = text(dig(metadata, "product", "name"));
  const vendor = text(dig(metadata, "product", "vendor_name"));
  let region =
    optionalString(dig(doc, "cloud", "region"), childPath(at("cloud"), "region"), ctx) ??
    read[0]?.region ??
    parseProductArn(productUid ?? "")?.region ??
    context.region;
  if (region === undefined) {
    ctx.warn("missing_region", childPath(at("cloud"), "region"), "no region in the finding or its envelope");
    region = "unknown";
  }
  if (read.length === 0) read.push(accountResource(accountId, region, at("resources"), ctx));
  const resources = orderPrimary(read);

  const product = productOf({ productArn: productUid ?? "", productName, companyName: vendor });
  const title = optionalString(info.title, childPath(infoPath, "title"), ctx) ?? "";
  const description = optionalString(info.desc, childPath(infoPath, "desc"), ctx) ?? "";
  const types = stringList(info.types, childPath(infoPath, "types"), ctx);
  const compliance = optionalObject(doc.compliance, at("compliance"), ctx);
  const control = optionalString(compliance?.control, childPath(at("compliance"), "control"), ctx);
  const controlId = control === undefined ? undefined : formatControlId(control);
  const complianceStatus = optionalString(compliance?.status, childPath(at("compliance"), "status"), ctx);

  const guardDuty = product.family === "guardduty";
  const guardDutyArn = guardDuty ? parseGuardDutyFindingArn(uid) : undefined;
  const guardDutyFindingId = guardDutyArn?.findingId ?? (guardDuty ? text(info.uid_alt) : undefined);
  if (guardDuty && guardDutyFindingId === undefined)
    ctx.warn(
      "unmatched_guardduty_id",
      childPath(infoPath, "uid"),
      "GuardDuty finding without a GuardDuty finding id",
    );
  const guardDutyType = guardDuty ? guardDutyTypeFromTypes(types) : undefined;
  if (guardDuty && guardDutyType === undefined)
    ctx.warn("unmapped_guardduty_type", childPath(infoPath, "types"), "no GuardDuty finding type in types");
  const type = guardDutyType ?? controlId ?? types[0] ?? (title || text(doc.class_name) || "ocsf-finding");

  const status = optionalString(doc.status, at("status"), ctx);
  const statusId = optionalNumber(doc.status_id, at("status_id"), ctx);
  const activity = optionalString(doc.activity_name, at("activity_name"), ctx);
  const activityId = optionalNumber(doc.activity_id, at("activity_id"), ctx);
  const complianceStatusId = optionalNumber(
    compliance?.status_id,
    childPath(at("compliance"), "status_id"),
    ctx,
  );
  // status_id: 3 Suppressed, 4 Resolved, 5 Archived, 6 Deleted; activity_id 3 Close; compliance status_id 1 Pass.
  const archived =
    /^(archived|deleted)$/i.test(status ?? "") ||
    statusId === 5 ||
    statusId === 6 ||
    /^close$/i.test(activity ?? "") ||
    activityId === 3;
  const resolved =
    /^(resolved|suppressed)$/i.test(status ?? "") ||
    statusId === 3 ||
    statusId === 4 ||
    /^pass/i.test(complianceStatus ?? "") ||
    complianceStatusId === 1;

  const count = countOf(optionalNumber(doc.count, at("count"), ctx), at("count"), ctx);

  const times = seenTimes(
    {
      first: ocsfTime(info, "first_seen_time", infoPath, ctx),
      last: ocsfTime(info, "last_seen_time", infoPath, ctx),
      updated: ocsfTime(info, "modified_time", infoPath, ctx) ?? ocsfTime(doc, "time", path, ctx),
      created: ocsfTime(info, "created_time", infoPath, ctx),
    },
    context.time,
    path,
    ctx,
  );
  const severity = readOcsfSeverity(doc, path, ctx);
  const comment = optionalString(doc.comment, at("comment"), ctx);

  return buildFinding({
    source: "securityhub",
    identity:
      guardDutyFindingId !== undefined
        ? guardDutyIdentity(accountId, guardDutyArn?.region || region, guardDutyFindingId)
        : findingIdentity("securityhub", uid),
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
    actor: readOcsfActor(doc),
    origin: {
      product: productName ?? vendor ?? "Security Hub",
      sourceId: uid,
      securityHub:
        productUid === undefined
          ? undefined
          : {
              id: uid,
              productArn: productUid,
              generatorId: text(dig(info, "analytic", "uid")) ?? text(dig(info, "analytic", "name")),
              workflowStatus: status,
              complianceStatus,
              noteText: comment,
            },
      guardDuty:
        guardDutyFindingId === undefined
          ? undefined
          : { detectorId: guardDutyArn?.detectorId, findingId: guardDutyFindingId },
      customAction: context.customAction,
      rawRef: ctx.rawRef,
      rawPath: path,
    },
    warnings: [...context.baseWarnings, ...ctx.since(mark)],
  });
}
