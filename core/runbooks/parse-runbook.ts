/**
 * Runbooks (runbooks/<id>.md) as data: front matter plus one section per response phase.
 *
 * Format (a small, strict subset of YAML front matter, so no YAML library is needed):
 *
 *   ---
 *   id: ec2-compromise
 *   title: EC2 instance compromise
 *   owner: security-oncall
 *   last_reviewed: 2025-01-15
 *   covers:
 *     - "Backdoor:EC2/*"
 *     - cis.security-group-change
 *   ---
 *   ## Detect            ← one `##` section per phase, named as RUNBOOK_SECTION names them
 *   ### Checklist        ← `- [ ] …` items
 *   ### Automated steps  ← `- \`commandType\` …`: what the service does by itself (COMMAND_TYPES)
 *   ### Manual fallback  ← fenced code blocks of AWS CLI commands, for when automation is off or failed
 *
 * Invariants:
 * - Pure: takes the markdown text, never a path. Refusals are InputError with the place they are about.
 * - Unknown front-matter keys are refused (a misspelt `covers` would silently route nothing).
 * - Headings inside fenced code blocks are code, not sections.
 */
import * as z from "zod";
import { InputError } from "../errors";
import { type IncidentPhase, RUNBOOK_SECTION } from "../incident/phases";
import { globMatches } from "./glob";

export const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "id must be lowercase letters, digits and hyphens"),
  title: z.string().min(1),
  /** Finding types and detection ids (globs with `*`) that this runbook is written for. */
  covers: z.array(z.string().min(1)).min(1),
  /** The role that keeps the runbook true (not a person: people move on). */
  owner: z.string().min(1),
  last_reviewed: z.iso.date(),
});

export interface RunbookFrontMatter {
  id: string;
  title: string;
  covers: string[];
  owner: string;
  lastReviewed: string;
}

export interface RunbookSection {
  /** The heading text, e.g. `Detect`. */
  heading: string;
  /** The link fragment renderers give the heading, e.g. `detect`. */
  anchor: string;
  /** The section's markdown, without its heading. */
  markdown: string;
  /** `- [ ] …` items, in order. */
  checklist: string[];
  /** Command types named (first code span of each item) under `### Automated steps`. */
  automatedSteps: string[];
  /** Commands in fenced code blocks under `### Manual fallback` (continuation lines joined). */
  manualFallback: string[];
}

export interface Runbook {
  frontMatter: RunbookFrontMatter;
  sections: RunbookSection[];
}

const FENCE = /^\s*(```|~~~)/;
const FRONT_MATTER_KEY = /^([A-Za-z_][\w-]*):(.*)$/;
const LIST_ITEM = /^\s+-\s+(.*)$/;
const CHECKLIST_ITEM = /^\s*[-*] \[[ xX]\]\s+(.+)$/;
const AUTOMATED_ITEM = /^\s*[-*]\s+`([^`]+)`/;

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
export const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

const unquote = (value: string): string => {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))))
    return v.slice(1, -1);
  return v;
};

function splitFrontMatter(text: string): { header: string[]; body: string[]; bodyLine: number } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines[0]?.trim() !== "---")
    throw new InputError(
      "missing_field",
      "a runbook must open with front matter between --- lines",
      "line 1",
    );
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === "---");
  if (end < 0) throw new InputError("invalid_shape", "front matter is not closed by a --- line", "line 1");
  return { header: lines.slice(1, end), body: lines.slice(end + 1), bodyLine: end + 2 };
}

/** `key: value`, `key: [a, b]` and `key:` followed by `  - item` lines. */
function readFrontMatter(header: readonly string[]): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  let list: string[] | undefined;
  header.forEach((line, i) => {
    const where = `front matter line ${i + 2}`;
    if (line.trim() === "" || line.trim().startsWith("#")) return;
    const item = LIST_ITEM.exec(line);
    if (item) {
      if (!list) throw new InputError("invalid_shape", "a list item must follow a `key:` line", where);
      list.push(unquote(item[1]!));
      return;
    }
    const field = FRONT_MATTER_KEY.exec(line);
    if (!field)
      throw new InputError("invalid_shape", `expected \`key: value\`, got "${line.slice(0, 80)}"`, where);
    const key = field[1]!;
    if (Object.hasOwn(fields, key)) throw new InputError("invalid_value", `${key} is given twice`, where);
    const value = field[2]!.trim();
    list = undefined;
    if (value === "") {
      list = [];
      fields[key] = list;
    } else if (value.startsWith("[") && value.endsWith("]")) {
      const inner = value.slice(1, -1).trim();
      fields[key] = inner === "" ? [] : inner.split(",").map(unquote);
    } else {
      fields[key] = unquote(value);
    }
  });
  return fields;
}

const KNOWN_KEYS = Object.keys(frontMatterSchema.shape);

function parseFrontMatter(header: readonly string[]): RunbookFrontMatter {
  const fields = readFrontMatter(header);
  const unknown = Object.keys(fields).find((key) => !KNOWN_KEYS.includes(key));
  if (unknown !== undefined)
    throw new InputError(
      "invalid_value",
      `unknown front-matter key "${unknown}" (expected ${KNOWN_KEYS.join(", ")})`,
      unknown,
    );
  const parsed = frontMatterSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String).join(".") || "front matter";
    const code = issue.code === "invalid_type" && issue.path.length === 1 ? "missing_field" : "invalid_value";
    throw new InputError(code, `${key}: ${issue.message}`, key);
  }
  const { last_reviewed, ...rest } = parsed.data;
  return { ...rest, lastReviewed: last_reviewed };
}

interface Draft {
  heading: string;
  line: number;
  lines: string[];
}

function splitSections(body: readonly string[], firstLine: number): Draft[] {
  const sections: Draft[] = [];
  let inFence = false;
  body.forEach((line, i) => {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = !inFence && /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading && !line.startsWith("###")) {
      sections.push({ heading: heading[1]!, line: firstLine + i, lines: [] });
      return;
    }
    sections[sections.length - 1]?.lines.push(line);
  });
  return sections;
}

/** The lines of each `###` subsection, by lowercased name; fenced code stays with its subsection. */
function subsections(lines: readonly string[]): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  let current = "";
  let inFence = false;
  for (const line of lines) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = !inFence && /^###\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      current = heading[1]!.toLowerCase();
      continue;
    }
    parts.set(current, [...(parts.get(current) ?? []), line]);
  }
  return parts;
}

/** Commands in the fenced blocks of `lines`: comments and blanks dropped, `\` continuations joined. */
function fencedCommands(lines: readonly string[]): string[] {
  const commands: string[] = [];
  let inFence = false;
  let pending = "";
  for (const line of lines) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence) continue;
    const text = line.trim();
    if (pending === "" && (text === "" || text.startsWith("#"))) continue;
    if (text.endsWith("\\")) {
      pending += `${text.slice(0, -1).trim()} `;
      continue;
    }
    commands.push(`${pending}${text}`.trim());
    pending = "";
  }
  if (pending.trim() !== "") commands.push(pending.trim());
  return commands;
}

function toSection(draft: Draft): RunbookSection {
  const parts = subsections(draft.lines);
  let inFence = false;
  const checklist: string[] = [];
  for (const line of draft.lines) {
    if (FENCE.test(line)) inFence = !inFence;
    const item = !inFence && CHECKLIST_ITEM.exec(line);
    if (item) checklist.push(item[1]!.trim());
  }
  const automatedSteps = (parts.get("automated steps") ?? [])
    .map((line) => AUTOMATED_ITEM.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  return {
    heading: draft.heading,
    anchor: anchorOf(draft.heading),
    markdown: draft.lines.join("\n").trim(),
    checklist,
    automatedSteps,
    manualFallback: fencedCommands(parts.get("manual fallback") ?? []),
  };
}

export function parseRunbook(text: string): Runbook {
  const { header, body, bodyLine } = splitFrontMatter(text);
  const frontMatter = parseFrontMatter(header);
  const drafts = splitSections(body, bodyLine);
  const seen = new Set<string>();
  for (const draft of drafts) {
    const anchor = anchorOf(draft.heading);
    if (seen.has(anchor))
      throw new InputError("invalid_value", `section "${draft.heading}" appears twice`, `line ${draft.line}`);
    seen.add(anchor);
  }
  return { frontMatter, sections: drafts.map(toSection) };
}

/** The section a phase's messages link to (RUNBOOK_SECTION), if the runbook has it. */
export const sectionFor = (runbook: Runbook, phase: IncidentPhase): RunbookSection | undefined => {
  const anchor = anchorOf(RUNBOOK_SECTION[phase]);
  return runbook.sections.find((section) => section.anchor === anchor);
};

/** True when one of the runbook's `covers` globs matches the finding type or detection id. */
export const runbookCovers = (runbook: Runbook, type: string): boolean =>
  runbook.frontMatter.covers.some((pattern) => globMatches(pattern, type));
