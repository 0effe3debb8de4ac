/**
 * The tags containment reads and writes. `ir:protected` (core's PROTECTED_TAG) keeps a resource out of
 * reach; the rest mark what containment made or did, so a re-run finds its own work instead of redoing it
 * (snapshots by command id, isolation groups by VPC) and a restore knows what to undo.
 */
import type { Tag } from "@aws-sdk/client-ec2";
import { PROTECTED_TAG } from "../../core/incident/containment-policy";

export const TAGS = {
  protected: PROTECTED_TAG,
  /** On an isolated instance: the incident that isolated it. */
  isolated: "ir:isolated",
  /** On an instance whose profile was removed: the profile ARN, so a crashed run can still restore it. */
  instanceProfile: "ir:instance-profile",
  /** On our security groups: `true` for the no-traffic isolation group, `drain` for the drain group. */
  isolation: "ir:isolation",
  /** On evidence snapshots. */
  incident: "ir:incident",
  command: "ir:command",
  instance: "ir:instance",
} as const;

export const ISOLATION_VALUE = "true";
export const DRAIN_VALUE = "drain";

/** EC2 rejects tag values over 256 characters. */
export const MAX_TAG_VALUE = 256;

export const tagMap = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? ""]])));

/** Same rule as the containment policy: any value but "false" protects. */
export const isProtected = (tags: Record<string, string>): boolean => {
  const value = tags[PROTECTED_TAG];
  return value !== undefined && value.trim().toLowerCase() !== "false";
};

/** `<incidentId>:<version>:<n>` → `<incidentId>` (incident ids may themselves hold colons). */
export function incidentIdOf(commandId: string): string {
  const parts = commandId.split(":");
  return parts.length >= 3 ? parts.slice(0, -2).join(":") : commandId;
}
