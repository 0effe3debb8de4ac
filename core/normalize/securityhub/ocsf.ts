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
import { childPath, isObject, type Json, type ReadContext } from "../read";
import { parseGuardDutyFindingArn, parseProductArn } from "./arn";
import {
  accountResource,
  countOf,
  dig,
  type FindingContext,
  findingWarnings,
  numberAt,
  objectAt,
  seenTimes,
  stringAt,
  stringListAt,
  text,
} from "./common";
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
  // Paths are built only where a warning or error needs them (see the field readers in ./common).
  const infoPath = childPath(path, "finding_info");
  const info = objectAt(doc, "finding_info", path, ctx) ?? {};
  const metadata = objectAt(doc, "metadata", path, ctx) ?? {};

  let uid = stringAt(info, "uid", infoPath, ctx);
  if (uid === undefined) {
    const uidPath = childPath(infoPath, "uid");
    uid = stringAt(metadata, "uid", childPath(path, "metadata"), ctx);
    if (uid === undefined) throw new InputError("missing_field", `${uidPath} is required`, uidPath);
    ctx.warn("fallback_id", uidPath, "missing; using metadata.uid");
  }

  const read = readOcsfResources(doc, path, ctx);
  const cloud = doc.cloud;
  const cloudPath = childPath(path, "cloud");
  const cloudAccount = dig(cloud, "account");
  let accountId = isObject(cloudAccount)
    ? stringAt(cloudAccount, "uid", childPath(cloudPath, "account"), ctx)
    : undefined;
  if (accountId === undefined) {
    const accountPath = childPath(childPath(cloudPath, "account"), "uid");
    accountId = context.account ?? read.find((r) => r.accountId !== undefined)?.accountId;
    if (accountId === undefined)
      throw new InputError("missing_field", `${accountPath} is required`, accountPath);
    ctx.warn("fallback_account", accountPath, `missing; using ${accountId} from the envelope or a resource`);
  }

  const productInfo = dig(metadata, "product");
  const productUid = text(dig(productInfo, "uid"));
  const productName = text(dig(productInfo, "name"));
  const vendor = text(dig(productInfo, "vendor_name"));
  let region =
    (isObject(cloud) ? stringAt(cloud, "region", cloudPath, ctx) : undefined) ??
    read[0]?.region ??
    parseProductArn(productUid ?? "")?.region ??
    context.region;
  if (region === undefined) {
    ctx.warn("missing_region", childPath(cloudPath, "region"), "no region in the finding or its envelope");
    region = "unknown";
  }
  if (read.length === 0) read.push(accountResource(accountId, region, childPath(path, "resources"), ctx));
  const resources = orderPrimary(read);

  const product = productOf({ productArn: productUid ?? "", productName, companyName: vendor });
  const title = stringAt(info, "title", infoPath, ctx) ?? "";
  const description = stringAt(info, "desc", infoPath, ctx) ?? "";
  const types = stringListAt(info, "types", infoPath, ctx);
  const compliance = objectAt(doc, "compliance", path, ctx);
  const compliancePath = childPath(path, "compliance");
  const control = stringAt(compliance, "control", compliancePath, ctx);
  const controlId = control === undefined ? undefined : formatControlId(control);
  const complianceStatus = stringAt(compliance, "status", compliancePath, ctx);

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

  const status = stringAt(doc, "status", path, ctx);
  const statusId = numberAt(doc, "status_id", path, ctx);
  const activity = stringAt(doc, "activity_name", path, ctx);
  const activityId = numberAt(doc, "activity_id", path, ctx);
  const complianceStatusId = numberAt(compliance, "status_id", compliancePath, ctx);
  // status_id: 3 Suppressed, 4 Resolved, 5 Archived, 6 Deleted; activity_id 3 Close; compliance status_id 1 Pass.
  const archived =
    ARCHIVED_STATUS.test(status ?? "") ||
    statusId === 5 ||
    statusId === 6 ||
    CLOSE_ACTIVITY.test(activity ?? "") ||
    activityId === 3;
  const resolved =
    RESOLVED_STATUS.test(status ?? "") ||
    statusId === 3 ||
    statusId === 4 ||
    PASSED_COMPLIANCE.test(complianceStatus ?? "") ||
    complianceStatusId === 1;

  const count = countOf(numberAt(doc, "count", path, ctx), path, "count", ctx);

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
  const comment = stringAt(doc, "comment", path, ctx);

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
    firstSeenAt: times.firstSeenAt,
    lastSeenAt: times.lastSeenAt,
    updatedAt: times.updatedAt,
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
    warnings: findingWarnings(context, ctx, mark),
  });
}

const ARCHIVED_STATUS = /^(archived|deleted)$/i;
const RESOLVED_STATUS = /^(resolved|suppressed)$/i;
const CLOSE_ACTIVITY = /^close$/i;
const PASSED_COMPLIANCE = /^pass/i;
