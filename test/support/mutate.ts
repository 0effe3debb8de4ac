/**
 * Structural mutation of JSON documents for property tests: every path into a document, and a mutator
 * that replaces or deletes nodes at fast-check-chosen paths (the root stays an object).
 */
type Json = Record<string | number, unknown>;
type Path = (string | number)[];
export const DELETE = Symbol("delete");

export function allPaths(value: unknown, at: Path = []): Path[] {
  const here: Path[] = [at];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => allPaths(v, [...at, i])));
  if (typeof value === "object" && value !== null)
    return here.concat(...Object.entries(value).map(([k, v]) => allPaths(v, [...at, k])));
  return here;
}

/** Replaces or deletes nodes below the root (the dispatcher refuses non-object documents before us). */
export function mutate(doc: unknown, edits: [number, unknown][]): unknown {
  const root = structuredClone(doc);
  for (const [pick, replacement] of edits) {
    const paths = allPaths(root).slice(1);
    if (paths.length === 0) break;
    const path = paths[pick % paths.length]!;
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Json)[key], root) as Json;
    const key = path[path.length - 1]!;
    if (replacement === DELETE && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (replacement === DELETE) delete parent[key];
    else parent[key] = structuredClone(replacement); // fast-check reuses generated values
  }
  return root;
}
