import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { anchorOf, parseRunbook, runbookCovers, sectionFor } from "../../../core/runbooks/parse-runbook";

const RUNBOOK = `---
id: sample-runbook
title: "Sample: runbook"
owner: security-oncall
last_reviewed: 2026-01-15
# a comment line is ignored
covers:
  - "Backdoor:EC2/*"
  - cis.root-account-use
---
# Sample

Intro text.

## Detect

### Checklist
- [ ] Acknowledge within 15 minutes.
- [x] Read the finding.

### Automated steps
- \`postIncidentMessage\` — announced.
- \`pageOnCall\` — if nobody acknowledges.
- not a command item

### Manual fallback
\`\`\`bash
# comments are not commands
aws ec2 describe-instances \\
  --instance-ids i-0123
aws guardduty list-detectors
\`\`\`

## Contain

\`\`\`markdown
## Not a section: inside a fence
- [ ] not a checklist item either
\`\`\`

### Checklist
- [ ] Isolate.
`;

describe("parseRunbook", () => {
  it("reads the front matter, quoted and plain values, lists and the review date", () => {
    // Act
    const { frontMatter } = parseRunbook(RUNBOOK);
    // Assess
    expect(frontMatter).toEqual({
      id: "sample-runbook",
      title: "Sample: runbook",
      owner: "security-oncall",
      lastReviewed: "2026-01-15",
      covers: ["Backdoor:EC2/*", "cis.root-account-use"],
    });
  });

  it("splits sections at ## headings, ignoring headings and checklists inside fenced code", () => {
    const { sections } = parseRunbook(RUNBOOK);
    expect(sections.map((s) => [s.heading, s.anchor])).toEqual([
      ["Detect", "detect"],
      ["Contain", "contain"],
    ]);
    expect(sections[1]!.checklist).toEqual(["Isolate."]);
  });

  it("extracts checklist items, automated command names and joined manual commands", () => {
    const detect = parseRunbook(RUNBOOK).sections[0]!;
    expect(detect.checklist).toEqual(["Acknowledge within 15 minutes.", "Read the finding."]);
    expect(detect.automatedSteps).toEqual(["postIncidentMessage", "pageOnCall"]);
    expect(detect.manualFallback).toEqual([
      "aws ec2 describe-instances --instance-ids i-0123",
      "aws guardduty list-detectors",
    ]);
  });

  it("accepts inline lists and CRLF line endings", () => {
    const text = RUNBOOK.replace(
      'covers:\n  - "Backdoor:EC2/*"\n  - cis.root-account-use',
      "covers: [a.*, b]",
    ).replace(/\n/g, "\r\n");
    const runbook = parseRunbook(text);
    expect(runbook.frontMatter.covers).toEqual(["a.*", "b"]);
    expect(runbook.sections).toHaveLength(2);
  });

  it.each([
    ["no front matter", "# Title\n## Detect\n", "missing_field"],
    ["unclosed front matter", "---\nid: x\n", "invalid_shape"],
    [
      "a line that is not key: value",
      RUNBOOK.replace("owner: security-oncall", "owner security-oncall"),
      "invalid_shape",
    ],
    ["an unknown key (a typo)", RUNBOOK.replace("covers:", "cover:"), "invalid_value"],
    ["a missing owner", RUNBOOK.replace("owner: security-oncall\n", ""), "missing_field"],
    ["an invalid review date", RUNBOOK.replace("2026-01-15", "last week"), "invalid_value"],
    ["an id with capitals", RUNBOOK.replace("id: sample-runbook", "id: Sample"), "invalid_value"],
    [
      "an empty covers list",
      RUNBOOK.replace('  - "Backdoor:EC2/*"\n  - cis.root-account-use\n', ""),
      "invalid_value",
    ],
    ["a key given twice", RUNBOOK.replace("owner: security-oncall", "owner: a\nowner: b"), "invalid_value"],
    ["a section given twice", `${RUNBOOK}\n## Detect\n`, "invalid_value"],
  ])("refuses %s with an InputError", (_name, text, code) => {
    expect(() => parseRunbook(text)).toThrow(InputError);
    try {
      parseRunbook(text);
    } catch (error) {
      expect((error as InputError).code).toBe(code);
    }
  });

  it("never throws anything but InputError, whatever the text", () => {
    const lines = fc.array(
      fc.oneof(
        fc.constantFrom(
          "---",
          "## Detect",
          "### Automated steps",
          "```",
          "- [ ] x",
          "covers:",
          "  - a",
          "id: x",
        ),
        fc.string(),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(lines, (parts) => {
        try {
          const runbook = parseRunbook(parts.join("\n"));
          expect(runbook.frontMatter.covers.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
    );
  });
});

describe("sectionFor / anchorOf / runbookCovers", () => {
  it("finds the section a phase links to, including the end phases", () => {
    const runbook = parseRunbook(RUNBOOK);
    expect(sectionFor(runbook, "detect")?.heading).toBe("Detect");
    expect(sectionFor(runbook, "suppressed")?.heading).toBe("Detect");
    expect(sectionFor(runbook, "contain")?.heading).toBe("Contain");
    expect(sectionFor(runbook, "recover")).toBeUndefined();
  });

  it("gives headings the anchors markdown renderers give them", () => {
    expect(anchorOf("Detect")).toBe("detect");
    expect(anchorOf("Phases and SLA")).toBe("phases-and-sla");
    expect(anchorOf("What to improve?")).toBe("what-to-improve");
  });

  it("matches covered types by glob", () => {
    const runbook = parseRunbook(RUNBOOK);
    expect(runbookCovers(runbook, "Backdoor:EC2/C&CActivity.B!DNS")).toBe(true);
    expect(runbookCovers(runbook, "cis.root-account-use")).toBe(true);
    expect(runbookCovers(runbook, "Backdoor:Runtime/C&CActivity.B")).toBe(false);
  });
});
