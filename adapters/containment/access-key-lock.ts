/**
 * Locking a long-term IAM access key: UpdateAccessKey Status=Inactive, and Active again on restore. An
 * inactive key can be re-enabled; a deleted one cannot, so containment never deletes.
 *
 * Invariants:
 * - ASIA… keys are STS session credentials: IAM cannot deactivate them, so they are skipped with no call.
 * - The key's user is named in every call: without UserName IAM would act on the caller's own user. When
 *   the finding did not say, GetAccessKeyLastUsed tells whose key it is.
 * - A user tagged `ir:protected` is never touched. UpdateAccessKey is naturally idempotent.
 */
import type { ContainmentTarget } from "../../core/incident/containment-policy";
import type { JsonObject } from "../../core/ports/incident-store";
import type { Io } from "./aws-io";
import { isProtected } from "./tags";

export type AccessKeyTarget = Extract<ContainmentTarget, { resourceType: "access-key" }>;

export const isTemporaryKey = (accessKeyId: string): boolean => accessKeyId.startsWith("ASIA");

type Status = "Active" | "Inactive";

async function ownerOf(io: Io, target: AccessKeyTarget): Promise<string> {
  if (target.userName) return target.userName;
  const out = await io.read(
    "GetAccessKeyLastUsed",
    { AccessKeyId: target.accessKeyId },
    "find the user who owns the key",
  );
  if (!out.UserName) throw new Error(`iam GetAccessKeyLastUsed: no user owns ${target.accessKeyId}`);
  return out.UserName;
}

async function userTags(io: Io, userName: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let Marker: string | undefined;
  do {
    const page = await io.read(
      "ListUserTags",
      { UserName: userName, ...(Marker ? { Marker } : {}) },
      "read the user's tags (ir:protected)",
    );
    for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? "";
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return tags;
}

async function setStatus(io: Io, target: AccessKeyTarget, status: Status): Promise<JsonObject> {
  const accessKeyId = target.accessKeyId;
  if (isTemporaryKey(accessKeyId)) return { skipped: "temporary-credentials", accessKeyId };
  const userName = await ownerOf(io, target);
  if (isProtected(await userTags(io, userName))) return { skipped: "protected", accessKeyId, userName };
  await io.change(
    "UpdateAccessKey",
    { AccessKeyId: accessKeyId, UserName: userName, Status: status },
    status === "Inactive"
      ? `deactivate ${accessKeyId} of ${userName}: requests signed with it fail from now on`
      : `reactivate ${accessKeyId} of ${userName}`,
  );
  return { accessKeyId, userName, status };
}

export const deactivateAccessKey = (io: Io, target: AccessKeyTarget) => setStatus(io, target, "Inactive");
export const reactivateAccessKey = (io: Io, target: AccessKeyTarget) => setStatus(io, target, "Active");
