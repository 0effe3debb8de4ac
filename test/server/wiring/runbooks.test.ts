/**
 * Runbook pages: /runbooks/ lists the repository's runbooks, /runbooks/<id>.md renders one with heading
 * ids equal to core/runbooks `anchorOf`, so every link built by runbookUrl lands on its section; raw HTML
 * is shown as text and every page carries a strict CSP. The dashboard gets the phase's section too.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LoadedRunbook, loadRunbooks } from "../../../adapters/runbooks/load-runbooks";
import { RUNBOOK_SECTION } from "../../../core/incident/phases";
import { runbookUrl } from "../../../core/runbooks/runbook-url";
import { renderRunbookMarkdown } from "../../../server/wiring/runbooks";
import { makeTestServer, type TestServer } from "../support/test-server";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

const idsIn = (html: string): string[] => [...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1] ?? "");

let repository: LoadedRunbook[];
beforeAll(async () => {
  repository = await loadRunbooks();
});

describe("runbook pages", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await makeTestServer();
  });
  afterAll(() => t.close());

  it("lists every runbook of the repository, each linking to its page", async () => {
    // Act
    const response = await t.app.request("/runbooks/");
    const html = await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(repository.length).toBeGreaterThan(5);
    for (const { runbook } of repository) {
      expect(html).toContain(`href="/runbooks/${runbook.frontMatter.id}.md"`);
      expect((await t.app.request(`/runbooks/${runbook.frontMatter.id}.md`)).status).toBe(200);
    }
  });

  it("renders a runbook with an element for every link runbookUrl builds to its phase sections", async () => {
    for (const { runbook } of repository) {
      // Act
      const html = await (await t.app.request(`/runbooks/${runbook.frontMatter.id}.md`)).text();
      // Assess
      const ids = idsIn(html);
      for (const section of runbook.sections) expect(ids).toContain(section.anchor);
      for (const phase of ["detect", "assess", "contain", "eradicate", "recover", "postmortem"] as const) {
        const fragment = runbookUrl("", runbook.frontMatter.id, RUNBOOK_SECTION[phase]).split("#")[1];
        expect(ids).toContain(fragment);
      }
      expect(html).toContain(`<title>${runbook.frontMatter.title}</title>`);
      expect(html).not.toMatch(/^---$/m); // front matter is shown as data, not as markdown
    }
  });

  it("shows the section content under its heading, checklists included", async () => {
    // Prepare
    const ec2 = repository.find((r) => r.runbook.frontMatter.id === "ec2-compromise")!.runbook;
    const detect = ec2.sections.find((s) => s.anchor === "detect")!;
    // Act
    const html = await (await t.app.request("/runbooks/ec2-compromise.md")).text();
    // Assess
    const start = html.indexOf('<h2 id="detect">Detect</h2>');
    const end = html.indexOf("<h2 ", start + 1);
    const section = html.slice(start, end);
    expect(start).toBeGreaterThan(0);
    expect(detect.checklist.length).toBeGreaterThan(0);
    for (const item of detect.checklist) {
      const firstWords = item.replace(/`/g, "").split(" ").slice(0, 3).join(" ");
      expect(section.replace(/<[^>]+>/g, "")).toContain(firstWords);
    }
    expect(section).toContain('type="checkbox"');
  });

  it("sends a strict CSP that allows its one style and no script, and refuses framing", async () => {
    // Act
    const page = await t.app.request("/runbooks/ec2-compromise.md");
    const index = await t.app.request("/runbooks/");
    // Assess
    for (const response of [page, index]) {
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
      expect(csp).not.toContain("script-src");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    }
  });

  it("answers 404 for an unknown runbook or a path that is not a .md file", async () => {
    // Act
    const unknown = await t.app.request("/runbooks/nope.md");
    const notMd = await t.app.request("/runbooks/ec2-compromise");
    // Assess
    expect([unknown.status, notMd.status]).toEqual([404, 404]);
    expect(await unknown.text()).toContain("There is no runbook <code>nope.md</code>");
  });

  it("gives the dashboard the section of the incident's phase", async () => {
    // Prepare
    await t.app.request("/events", { method: "POST", body: JSON.stringify(makeTorRelayEvent(1)) });
    await t.rt.scheduler.runUntilIdle();
    const incident = await t.rt.deps.store.getIncident("IR-0001");
    const ec2 = repository.find((r) => r.runbook.frontMatter.id === "ec2-compromise")!.runbook;
    const detect = ec2.sections.find((s) => s.anchor === "detect")!;
    // Act
    const html = await (await t.app.request("/incidents/IR-0001")).text();
    // Assess
    expect(incident?.phase).toBe("detect");
    expect(html).toContain('<div class="runbook">');
    expect(html).toContain(detect.checklist[0]!.split("`")[0]!.slice(0, 20));
    expect(html).toContain('href="/runbooks/ec2-compromise.md#detect"');
  });
});

describe("runbook rendering", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("numbers repeated headings as GitHub does, keeping the first one plain", () => {
    // Act
    const html = renderRunbookMarkdown("## Detect\n### Checklist\n## Assess\n### Checklist\n### Checklist\n");
    // Assess
    expect(idsIn(html)).toEqual(["detect", "checklist", "assess", "checklist-1", "checklist-2"]);
  });

  it("shows raw HTML in a runbook as text, on the served page too", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "ir-runbooks-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "evil.md"),
      [
        "---",
        "id: evil",
        "title: Evil <b>title</b>",
        "covers: [x]",
        "owner: secops",
        "last_reviewed: 2025-01-15",
        "---",
        "## Detect",
        "<script>alert(1)</script>",
        "",
        "Inline <img src=x onerror=alert(1)> here.",
      ].join("\n"),
    );
    const server = await makeTestServer({ runbooksDir: dir });
    try {
      // Act
      const html = await (await server.app.request("/runbooks/evil.md")).text();
      // Assess
      expect(html).not.toMatch(/<script|<img|<b>/i);
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(html).toContain("<title>Evil &lt;b&gt;title&lt;/b&gt;</title>");
    } finally {
      await server.close();
    }
  });

  it("never lets a tag through from arbitrary markdown", () => {
    const tag = fc.constantFrom(
      "<script>x</script>",
      "<img src=x onerror=y>",
      "<iframe src=z>",
      "<svg onload=1>",
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), tag, fc.constantFrom("## ", "\n", "`", "```\n", "- [ ] "))),
        (parts) => {
          // Act
          const html = renderRunbookMarkdown(parts.join(""));
          // Assess
          expect(html).not.toMatch(/<(script|img|iframe|svg)\b/i);
        },
      ),
      { numRuns: 300 },
    );
  });
});
