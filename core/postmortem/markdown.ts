/**
 * Markdown building blocks for documents that carry untrusted text (finding titles, resource ids, user
 * agents, responder notes) and are rendered on the dashboard.
 *
 * Invariants:
 * - `inline` output can never open an HTML tag or entity (`<`, `>`, `&` become entities), never start a
 *   new block (line breaks become spaces), never form a markdown link, image, code span or emphasis (`[`,
 *   `]`, `` ` ``, `*`, `~`, `\` and word-edge `_` are backslash-escaped) and never split a table cell
 *   (`|` is escaped). A bare URL may still be autolinked by GFM: it shows itself, so it cannot mislead.
 * - Everything that comes from input goes through `inline`; only our own fixed words are written raw.
 */

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const WORD = /^[\p{L}\p{N}]$/u;

/** Untrusted text made safe to place anywhere inline, including a table cell. */
export function inline(text: string, maxLength = 500): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  return cut
    .replace(/[&<>]/g, (c) => HTML[c]!)
    .replace(/[\\`*_~[\]|]/g, (c, at: number, all: string) =>
      // An underscore inside a word cannot emphasise (CommonMark), so ids like U_ALICE stay readable.
      c === "_" && WORD.test(all[at - 1] ?? "") && WORD.test(all[at + 1] ?? "") ? c : `\\${c}`,
    );
}

/** A GitHub-flavoured markdown table; cells must already be safe (built with `inline`). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => (c === "" ? " " : c)).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** `1d 2h`, `3h 05m`, `4m 30s`, `45s`: two units at most, enough to compare against budgets. */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.round(Math.abs(seconds));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${sign}${days}d ${hours}h`;
  if (hours > 0) return `${sign}${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${sign}${minutes}m${s > 0 ? ` ${pad(s)}s` : ""}`;
  return `${sign}${s}s`;
}

/** An ISO instant as `2024-05-01 10:05:00Z`; anything unreadable is shown (escaped) as given. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return inline(iso, 60);
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.000Z$/, "Z");
}
