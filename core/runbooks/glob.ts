/**
 * Runbook front matter lists the finding types it covers as globs (`CryptoCurrency:*`, `cis.*`).
 * `*` matches any run of characters (also none); every other character matches itself, case-sensitive.
 * No RegExp is built from the pattern, so a runbook can never cause ReDoS.
 */

/** True when `text` matches `pattern`. */
export function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split("*");
  const first = parts[0]!;
  if (parts.length === 1) return text === first;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  // Leftmost placement of each middle part is always right: a later place only leaves less room.
  const end = text.length - last.length;
  let from = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = text.indexOf(part, from);
    if (at < 0 || at + part.length > end) return false;
    from = at + part.length;
  }
  return true;
}
