/**
 * A short, stable reference to raw input that has no id of its own (bare findings, log records):
 * FNV-1a (64-bit, as two 32-bit halves) over the exact text. Not a security hash — it names, it does not protect.
 */
export function contentRef(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `fnv:${(h1 >>> 0).toString(16).padStart(8, "0")}${(h2 >>> 0).toString(16).padStart(8, "0")}`;
}
