/**
 * Reading what containment results left for undo. The workflow keeps the first result as is and wraps
 * later ones as `{ first, second }` (containment-decisions recordContainmentResult), so an isolation's
 * undo may be the isolateInstance result alone or nested with the completeIsolation result. Earlier
 * parts win: they saw the resource before containment touched it.
 */
import * as z from "zod";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The result objects inside an undo value, oldest first. */
export function undoParts(undo: JsonValue | undefined): JsonObject[] {
  if (!isObject(undo)) return [];
  const keys = Object.keys(undo);
  if (keys.length > 0 && keys.every((k) => k === "first" || k === "second")) {
    return [...undoParts(undo.first), ...undoParts(undo.second)];
  }
  return [undo];
}

const groupsByEni = z.record(z.string(), z.array(z.string()));

/** Each ENI's groups before isolation, merged over all parts (earliest wins). */
export function originalGroupsOf(parts: readonly JsonObject[]): Record<string, string[]> {
  const merged: Record<string, string[]> = {};
  for (const part of parts) {
    const parsed = groupsByEni.safeParse(part.originalGroups);
    if (!parsed.success) continue;
    for (const [eni, groups] of Object.entries(parsed.data)) {
      if (!(eni in merged) && groups.length > 0) merged[eni] = groups;
    }
  }
  return merged;
}

/** The first string found at `key` in one of an undo's parts (possibly inside an object at `key`). */
export function firstString(parts: readonly JsonObject[], key: string, field?: string): string | null {
  for (const part of parts) {
    const value = part[key];
    const found = field && isObject(value) ? value[field] : value;
    if (typeof found === "string" && found !== "") return found;
  }
  return null;
}
