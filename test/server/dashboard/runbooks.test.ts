/**
 * Runbook sections rendered for the dashboard from the repository's real runbooks, escaped.
 */
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRunbooks } from "../../../adapters/runbooks/load-runbooks";
import { renderSectionMarkdown, runbookHtmlFrom } from "../../../server/dashboard/runbooks";

const RUNBOOKS = fileURLToPath(new URL("../../../runbooks/", import.meta.url));

/** The dashboard's runbookHtml over the real runbooks, as the local server builds it; load errors collected. */
async function loadRunbookHtml(dir: string, onError: (error: unknown) => void = () => {}) {
  const loaded = await loadRunbooks(dir).catch((error: unknown) => {
    onError(error);
    return [];
  });
  return runbookHtmlFrom(loaded.map(({ runbook }) => runbook));
}

describe("runbookHtmlFrom over the repository's runbooks", () => {
  it("renders the real ec2-compromise Assess section: checklist, automated steps, manual fallback", async () => {
    // Prepare
    const errors: unknown[] = [];
    const runbookHtml = await loadRunbookHtml(RUNBOOKS, (error) => errors.push(error));

    // Act
    const html = runbookHtml("ec2-compromise", "Assess") ?? "";

    // Assess
    expect(errors).toEqual([]);
    expect(html).toContain("<h4>Checklist</h4>");
    expect(html).toContain(
      '<li><span class="box">☐</span> Confirm by T0+30 min: is the behaviour real (flow logs, DNS logs, process list if an agent runs)?</li>',
    );
    expect(html).toContain("<li><code>postThreadReply</code> — each finding that joins");
    expect(html).toContain('<pre class="json">aws ec2 describe-iam-instance-profile-associations');
    expect(html).not.toContain("## Contain");
  });

  it("finds sections by phase name or heading, and nothing for unknown runbooks or sections", async () => {
    // Prepare
    const runbookHtml = await loadRunbookHtml(RUNBOOKS);

    // Act / Assess
    expect(runbookHtml("ec2-compromise", "detect")).toBe(runbookHtml("ec2-compromise", "Detect"));
    expect(runbookHtml("ec2-compromise", "Detect")).toContain("within 15 minutes");
    expect(runbookHtml("no-such-runbook", "Detect")).toBeUndefined();
    expect(runbookHtml("ec2-compromise", "Nonexistent")).toBeUndefined();
  });
});

describe("renderSectionMarkdown", () => {
  it("escapes markup in items, code spans and code blocks", () => {
    // Act
    const html = renderSectionMarkdown(
      "- [ ] <script>alert(1)</script> `<img src=x onerror=alert(1)>`\n```\n</pre><script>x</script>\n```",
    );

    // Assess
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("<code>&lt;img src=x onerror=alert(1)&gt;</code>");
  });

  it("never lets arbitrary markdown produce a script or image tag (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom("- [ ] ", "- ", "### ", "```", "`", "<script>", "<img src=x>", "\n"),
          ),
        ),
        (parts) => {
          // Act
          const html = renderSectionMarkdown(parts.join(""));

          // Assess
          expect(html).not.toMatch(/<(script|img)/i);
        },
      ),
    );
  });
});
