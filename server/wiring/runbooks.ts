/**
 * The runbooks as web pages: `GET /runbooks/` lists them, `GET /runbooks/<id>.md` serves one rendered to
 * HTML (marked), so the links in Slack messages, SNS pages, postmortems and the dashboard
 * (`<base>/runbooks/<id>.md#<section>`, core/runbooks/runbook-url.ts) open a readable page at the section.
 *
 * Invariants:
 * - Heading ids are core/runbooks `anchorOf` of the heading text — the anchor every link is built with —
 *   so `#detect` lands on `## Detect`. A repeated heading (`### Checklist` in every phase) gets `-1`, `-2`…
 *   as GitHub does; the phase sections are unique (parseRunbook refuses duplicates), so they keep theirs.
 * - The files are our own, yet raw HTML in them is shown as text, and every page carries a strict CSP
 *   (no script at all; the one inline style allowed by its hash), nosniff, no framing, no referrer.
 * - Files are read, parsed and rendered once, at startup (adapters/runbooks/load-runbooks.ts); a request
 *   costs a map look-up.
 */
import { createHash } from "node:crypto";
import { Marked, type Tokens } from "marked";
import type { LoadedRunbook } from "../../adapters/runbooks/load-runbooks";
import { anchorOf, type Runbook } from "../../core/runbooks/parse-runbook";
import type { Mount } from "../http/app";

const escapeHtml = (text: string): string =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

const STYLE = `
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 860px; margin: 24px auto; padding: 0 16px; color: #1f2328; }
nav { font-size: 13px; margin-bottom: 16px; }
h1, h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h2 { margin-top: 32px; }
h2:target, h3:target { background: #fff8c5; }
pre { background: #f6f8fa; padding: 12px; overflow: auto; border-radius: 6px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
ul:has(> li > input[type="checkbox"]) { list-style: none; padding-left: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; color: #59636e; }
dl.meta dd { margin: 0; }
`.trim();

/** The only style the pages may use: CSP allows exactly this text by its hash. */
const STYLE_HASH = createHash("sha256").update(STYLE, "utf8").digest("base64");

export const RUNBOOK_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/** Markdown (without front matter) → HTML with anchorOf heading ids and raw HTML shown as text. */
export function renderRunbookMarkdown(markdown: string): string {
  const seen = new Map<string, number>();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      heading(
        this: { parser: { parseInline(tokens: Tokens.Heading["tokens"]): string } },
        token: Tokens.Heading,
      ) {
        const base = anchorOf(token.text);
        const repeats = seen.get(base) ?? 0;
        seen.set(base, repeats + 1);
        const id = repeats === 0 ? base : `${base}-${repeats}`;
        return `<h${token.depth} id="${escapeHtml(id)}">${this.parser.parseInline(token.tokens)}</h${token.depth}>\n`;
      },
      html(token: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(token.text);
      },
    },
  });
  return marked.parse(markdown) as string;
}

/** The text after the front matter (parseRunbook has already checked it is there). */
const bodyOf = (text: string): string => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === "---");
  return lines.slice(end + 1).join("\n");
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<nav><a href="/runbooks/">All runbooks</a> · <a href="/">Dashboard</a></nav>
${body}
</body>
</html>
`;
}

function metaList(runbook: Runbook): string {
  const { id, owner, lastReviewed, covers } = runbook.frontMatter;
  const row = (name: string, value: string) => `<dt>${name}</dt><dd>${value}</dd>`;
  return `<dl class="meta">${[
    row("Runbook", `<code>${escapeHtml(id)}</code>`),
    row("Owner", escapeHtml(owner)),
    row("Last reviewed", escapeHtml(lastReviewed)),
    row("Covers", covers.map((c) => `<code>${escapeHtml(c)}</code>`).join(", ")),
  ].join("")}</dl>`;
}

export interface RunbookSite {
  /** Runbook ids, sorted. */
  ids(): string[];
  /** The whole page for `<id>.md`, or undefined. */
  pageOf(id: string): string | undefined;
  /** The index page. */
  indexPage(): string;
  /** The parsed runbooks (for the dashboard's section view). */
  runbooks(): Runbook[];
}

export function runbookSite(loaded: readonly LoadedRunbook[]): RunbookSite {
  const sorted = [...loaded].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const pages = new Map(
    sorted.map(({ text, runbook }) => [
      runbook.frontMatter.id,
      page(
        runbook.frontMatter.title,
        `<article>\n${metaList(runbook)}\n${renderRunbookMarkdown(bodyOf(text))}</article>`,
      ),
    ]),
  );
  const rows = sorted.map(({ runbook: { frontMatter: f } }) => {
    const href = `/runbooks/${encodeURIComponent(f.id)}.md`;
    return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(f.title)}</a></td><td><code>${escapeHtml(f.id)}</code></td><td>${escapeHtml(f.owner)}</td><td>${escapeHtml(f.lastReviewed)}</td></tr>`;
  });
  const index = page(
    "Runbooks",
    `<h1>Runbooks</h1>\n${
      rows.length === 0
        ? "<p>No runbooks are loaded.</p>"
        : `<table><thead><tr><th>Runbook</th><th>Id</th><th>Owner</th><th>Last reviewed</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`
    }`,
  );
  return {
    ids: () => [...pages.keys()],
    pageOf: (id) => pages.get(id),
    indexPage: () => index,
    runbooks: () => sorted.map((r) => r.runbook),
  };
}

export function runbooksMount(site: RunbookSite): Mount {
  return (app) => {
    app.get("/runbooks", (c) => c.redirect("/runbooks/", 301));
    app.get("/runbooks/", (c) => c.body(site.indexPage(), 200, RUNBOOK_PAGE_HEADERS));
    app.get("/runbooks/:file", (c) => {
      const file = c.req.param("file");
      const html = file.endsWith(".md") ? site.pageOf(file.slice(0, -3)) : undefined;
      if (html !== undefined) return c.body(html, 200, RUNBOOK_PAGE_HEADERS);
      const missing = page(
        "No such runbook",
        `<h1>No such runbook</h1>\n<p>There is no runbook <code>${escapeHtml(file)}</code>.</p>`,
      );
      return c.body(missing, 404, RUNBOOK_PAGE_HEADERS);
    });
  };
}
