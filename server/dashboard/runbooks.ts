/**
 * Runbook sections as dashboard HTML, for `DashboardDeps.runbookHtml`: the repository's runbooks
 * (runbooks/<id>.md, parsed by core/runbooks/parse-runbook) rendered from the small markdown subset they
 * use — `###` headings, checklists, bullet lists, fenced code, paragraphs, inline code spans.
 *
 * Invariants: every piece of text goes through the escaping `h` template (a runbook is repository
 * content, but escaping costs nothing and keeps the "trusted HTML" door narrow). Reading the files is
 * adapters/runbooks' job (loadRunbooks); this module only renders what was parsed.
 */
import { anchorOf, type Runbook } from "../../core/runbooks/parse-runbook";
import { type Html, h } from "./views/html";

const FENCE = /^\s*(```|~~~)/;
const CHECK_ITEM = /^\s*[-*] \[([ xX])\]\s+(.*)$/;
const LIST_ITEM = /^\s*[-*]\s+(.*)$/;
const HEADING = /^(#{3,6})\s+(.*)$/;

/** Inline `code` spans become <code>; everything else is text. */
function inline(text: string): Html {
  const parts = text.split("`");
  return h`${parts.map((part, i) => (i % 2 === 1 ? h`<code>${part}</code>` : part))}`;
}

/** One section's markdown (without its `##` heading) as HTML. */
export function renderSectionMarkdown(markdown: string): string {
  const out: Html[] = [];
  let list: Html[] = [];
  let listClass = "";
  let code: string[] | null = null;
  const flushList = () => {
    if (list.length > 0) out.push(h`<ul class="${listClass}">${list}</ul>`);
    list = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (code) {
      if (FENCE.test(line)) {
        out.push(h`<pre class="json">${code.join("\n")}</pre>`);
        code = null;
      } else code.push(line);
      continue;
    }
    if (FENCE.test(line)) {
      flushList();
      code = [];
      continue;
    }
    const check = CHECK_ITEM.exec(line);
    const item = check ? null : LIST_ITEM.exec(line);
    if (check || item) {
      const kind = check ? "checklist" : "bullets";
      if (listClass !== kind) flushList();
      listClass = kind;
      list.push(
        check
          ? h`<li><span class="box">${check[1] === " " ? "☐" : "☑"}</span> ${inline(check[2] ?? "")}</li>`
          : h`<li>${inline(item?.[1] ?? "")}</li>`,
      );
      continue;
    }
    flushList();
    const heading = HEADING.exec(line);
    if (heading) out.push(h`<h4>${inline(heading[2] ?? "")}</h4>`);
    else if (line.trim() !== "") out.push(h`<p>${inline(line.trim())}</p>`);
  }
  flushList();
  if (code) out.push(h`<pre class="json">${code.join("\n")}</pre>`);
  return h`${out}`.toString();
}

/** The `runbookHtml` function over already parsed runbooks. */
export function runbookHtmlFrom(
  runbooks: readonly Runbook[],
): (id: string, section: string) => string | undefined {
  const byId = new Map(runbooks.map((runbook) => [runbook.frontMatter.id, runbook]));
  return (id, section) => {
    const anchor = anchorOf(section);
    const found = byId.get(id)?.sections.find((s) => s.anchor === anchor);
    return found ? renderSectionMarkdown(found.markdown) : undefined;
  };
}
