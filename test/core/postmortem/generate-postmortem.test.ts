import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StoredCommand, TimelineEntry } from "../../../core/ports/incident-store";
import {
  generatePostmortem,
  POSTMORTEM_SECTIONS,
  type PostmortemInput,
} from "../../../core/postmortem/generate-postmortem";
import {
  at,
  makeFinding,
  makeFindingRecord,
  makeIncidentRecord,
  T0,
} from "../../support/incident-record.factory";
import { makeIncidentView } from "../../support/incident-view.factory";

const HOSTILE_TITLE = '<script>alert("x")</script> & [click](javascript:alert(1)) | `code` *bold*';
const INCIDENT_ID = "IR-0042";

const e = (
  minutes: number,
  actor: string,
  kind: string,
  text: string,
  data?: TimelineEntry["data"],
): TimelineEntry =>
  data === undefined ? { at: at(minutes), actor, kind, text } : { at: at(minutes), actor, kind, text, data };

/**
 * T0 12:00. Detect breached at 12:16 and acknowledged late at 12:20; assess met at 12:28; contain met at
 * 12:50 (an isolation failed meanwhile); eradicate 12:50–14:00; recover 14:00–15:00; postmortem running.
 */
const TIMELINE: TimelineEntry[] = [
  e(0, "guardduty", "incident.opened", `Incident opened: ${HOSTILE_TITLE} (HIGH)`),
  e(0, "guardduty", "phase.entered", "Phase Detect", { phase: "detect", deadline: at(15), note: null }),
  e(16, "clock", "sla.breached", "Detect missed its deadline", {
    clock: "detect",
    deadline: at(15),
    level: 0,
  }),
  e(20, "U_ALICE", "sla.late", "Detect completed late", {
    phase: "detect",
    deadline: at(15),
    breachedAt: at(16),
  }),
  e(20, "U_ALICE", "incident.acknowledged", "Acknowledged by U_ALICE"),
  e(20, "U_ALICE", "phase.entered", "Phase Assess", { phase: "assess", deadline: at(30), note: null }),
  e(25, "U_BOB", "note.added", "instance belongs to payments\n| injected | row |"),
  e(28, "U_BOB", "sla.met", "Assess completed in time", {
    phase: "assess",
    deadline: at(30),
    breachedAt: null,
  }),
  e(28, "U_BOB", "phase.entered", "Phase Contain", { phase: "contain", deadline: at(60), note: null }),
  e(29, "system", "command.failed", "isolateInstance failed: AccessDenied", {
    commandId: `${INCIDENT_ID}:5:0`,
  }),
  e(50, "U_BOB", "sla.met", "Contain completed in time", {
    phase: "contain",
    deadline: at(60),
    breachedAt: null,
  }),
  e(50, "U_BOB", "phase.entered", "Phase Eradicate", { phase: "eradicate", deadline: at(240), note: null }),
  e(120, "U_BOB", "sla.met", "Eradicate completed in time", {
    phase: "eradicate",
    deadline: at(240),
    breachedAt: null,
  }),
  e(120, "U_BOB", "phase.entered", "Phase Recover", { phase: "recover", deadline: at(480), note: null }),
  e(180, "U_ALICE", "sla.met", "Recover completed in time", {
    phase: "recover",
    deadline: at(480),
    breachedAt: null,
  }),
  e(180, "U_ALICE", "phase.entered", "Phase Postmortem", {
    phase: "postmortem",
    deadline: at(180 + 2880),
    note: null,
  }),
];

const view = makeIncidentView({
  incidentId: INCIDENT_ID,
  severity: "HIGH",
  phase: "postmortem",
  owner: "U_BOB",
});
const target = {
  resourceType: "ec2-instance" as const,
  accountId: "123456789012",
  region: "us-east-1",
  instanceId: "i-0abc",
  vpcId: "vpc-1",
  networkInterfaces: [{ id: "eni-01", securityGroupIds: ["sg-01"] }],
  securityGroupIds: ["sg-01"],
};
const COMMANDS: StoredCommand[] = [
  {
    id: `${INCIDENT_ID}:1:0`,
    incidentId: INCIDENT_ID,
    type: "postIncidentMessage",
    params: { incident: view, runbook: { id: "ec2-compromise", section: "Detect" } },
    createdAt: at(0),
    status: "succeeded",
    completedAt: at(1),
    result: { channel: "C1", ts: "1714557600.000100" },
  },
  {
    id: `${INCIDENT_ID}:5:0`,
    incidentId: INCIDENT_ID,
    type: "isolateInstance",
    params: { target },
    createdAt: at(28),
    status: "failed",
    completedAt: at(29),
    error: "AccessDenied: <b>not authorized</b>",
  },
  {
    id: `${INCIDENT_ID}:9:0`,
    incidentId: INCIDENT_ID,
    type: "generatePostmortem",
    params: { incident: view, recoveredAt: at(180) },
    createdAt: at(180),
    status: "pending",
  },
];

const guardDuty = makeFinding({ title: HOSTILE_TITLE, count: 4, lastSeenAt: at(90) });
const cloudTrail = makeFinding({
  source: "cloudtrail",
  identity: "cloudtrail:210987654321:eu-west-1:evt-9",
  type: "cis.security-group-change",
  title: "Security group changed",
  accountId: "210987654321",
  region: "eu-west-1",
  firstSeenAt: at(-30),
  lastSeenAt: at(-30),
  resources: [{ type: "security-group", id: "sg-0123", accountId: "210987654321", region: "eu-west-1" }],
});

const input = (overrides: Partial<PostmortemInput> = {}): PostmortemInput => ({
  incident: makeIncidentRecord({ id: INCIDENT_ID, title: HOSTILE_TITLE, phase: "postmortem", openedAt: T0 }),
  view,
  timeline: TIMELINE,
  findings: [makeFindingRecord({ finding: guardDuty }), makeFindingRecord({ finding: cloudTrail })],
  commands: COMMANDS,
  generatedAt: at(181),
  runbookBaseUrl: "https://github.com/acme/ir/blob/main",
  ...overrides,
});

/** The body of `## name`, up to the next `## ` heading. */
function section(markdown: string, name: string): string {
  const start = markdown.indexOf(`\n## ${name}\n`);
  expect(start, `section ${name}`).toBeGreaterThanOrEqual(0);
  const from = start + name.length + 5;
  const next = markdown.indexOf("\n## ", from);
  return markdown.slice(from, next < 0 ? undefined : next).trim();
}

/** Table rows of a section that contain `text`. */
const rowsWith = (body: string, text: string) =>
  body.split("\n").filter((l) => l.startsWith("|") && l.includes(text));

describe("generatePostmortem", () => {
  it("has every section, in order, with the writing sections headed and empty", () => {
    // Act
    const markdown = generatePostmortem(input());
    // Assess
    const headings = markdown
      .split("\n")
      .filter((l) => l.startsWith("## "))
      .map((l) => l.slice(3));
    expect(headings).toEqual([...POSTMORTEM_SECTIONS]);
    for (const empty of ["Root cause", "What went well", "What to improve"])
      expect(section(markdown, empty)).toBe("");
  });

  it("summarises severity, category, accounts, regions, resources, acknowledgement and duration", () => {
    const summary = section(generatePostmortem(input()), "Summary");
    expect(rowsWith(summary, "Severity")[0]).toContain("HIGH");
    expect(rowsWith(summary, "Category")[0]).toContain("ec2-compromise");
    expect(rowsWith(summary, "Accounts")[0]).toContain("123456789012, 210987654321");
    expect(rowsWith(summary, "Regions")[0]).toContain("eu-west-1, us-east-1");
    expect(rowsWith(summary, "Primary resources")[0]).toContain(
      "ec2-instance i-0abc, security-group sg-0123",
    );
    expect(rowsWith(summary, "Acknowledged")[0]).toContain("2024-05-01 12:20:00Z by U_ALICE (T0+20m)");
    expect(rowsWith(summary, "Recovered")[0]).toContain("2024-05-01 15:00:00Z (T0+3h 00m)");
    expect(rowsWith(summary, "Duration")[0]).toContain("3h 00m");
    // The detector saw the CloudTrail finding 30 min before T0.
    expect(rowsWith(summary, "First seen")[0]).toContain("2024-05-01 11:30:00Z");
    expect(rowsWith(summary, "Runbook")[0]).toContain(
      "(https://github.com/acme/ir/blob/main/runbooks/ec2-compromise.md#postmortem)",
    );
  });

  it("lists every resource in Impact with its account and region", () => {
    const impact = section(generatePostmortem(input()), "Impact");
    expect(impact).toContain("- Resources: 2");
    expect(rowsWith(impact, "sg-0123")[0]).toBe("| security-group | sg-0123 | 210987654321 | eu-west-1 |");
  });

  it("puts every timeline entry in the timeline with its time, offset, actor and text", () => {
    const timeline = section(generatePostmortem(input()), "Timeline");
    expect(timeline).toContain(`${TIMELINE.length} entries.`);
    const rows = timeline.split("\n").filter((l) => l.startsWith("| 2024"));
    expect(rows).toHaveLength(TIMELINE.length);
    expect(rows[2]).toBe(
      "| 2024-05-01 12:16:00Z | T0+16m | clock | sla.breached | Detect missed its deadline |",
    );
    // A newline and pipes in a note stay inside their cell.
    expect(rows[6]).toBe(
      "| 2024-05-01 12:25:00Z | T0+25m | U_BOB | note.added | instance belongs to payments \\| injected \\| row \\| |",
    );
  });

  it("measures each phase against its deadline and lists the breach", () => {
    const phases = section(generatePostmortem(input()), "Phases and SLA");
    expect(phases).toContain("6 phase(s), 1 over their deadline.");
    expect(rowsWith(phases, "| Detect |")[0]).toBe(
      "| Detect | 2024-05-01 12:00:00Z | 2024-05-01 12:20:00Z | 20m | 2024-05-01 12:15:00Z (T0+15m) | 2024-05-01 12:16:00Z | **late** |",
    );
    expect(rowsWith(phases, "| Assess |")[0]).toContain("| 8m | 2024-05-01 12:30:00Z (T0+30m) | — | met |");
    expect(rowsWith(phases, "| Eradicate |")[0]).toContain("| 1h 10m |");
    // The postmortem budget counts from recovery, not T0.
    expect(rowsWith(phases, "| Postmortem |")[0]).toContain(
      "| — | — | 2024-05-03 15:00:00Z (recovery+2d 0h) |",
    );
    expect(rowsWith(phases, "| Postmortem |")[0]).toMatch(/\| running \|$/);
    expect(phases).toContain(
      "- 2024-05-01 12:16:00Z: Detect missed its deadline (2024-05-01 12:15:00Z); paged level 0",
    );
  });

  it("lists actions with what they did, their status and result or error", () => {
    const actions = section(generatePostmortem(input()), "Actions");
    expect(actions).toContain("3 command(s): 1 succeeded, 1 failed, 1 pending.");
    expect(rowsWith(actions, "isolateInstance")[0]).toBe(
      "| 2024-05-01 12:28:00Z | isolateInstance | isolate instance i-0abc (step 1: drain tracked connections) | failed | 2024-05-01 12:29:00Z | AccessDenied: &lt;b&gt;not authorized&lt;/b&gt; |",
    );
    expect(rowsWith(actions, "postIncidentMessage")[0]).toContain(
      '{"channel":"C1","ts":"1714557600.000100"}',
    );
    expect(rowsWith(actions, "generatePostmortem")[0]).toMatch(/\| pending \| — \| — \|$/);
  });

  it("names the people who acted, not the system, the clock or finding sources", () => {
    const responders = section(generatePostmortem(input()), "Responders");
    const names = responders
      .split("\n")
      .slice(2)
      .map((row) => row.split(" | ")[0]!.slice(2));
    expect(names).toEqual(["U_ALICE", "U_BOB"]);
    // U_ALICE acted twice (acknowledged at 12:20, advanced to postmortem at 15:00): the sla.* entries
    // her actions caused are consequences, not actions.
    expect(rowsWith(responders, "U_ALICE")[0]).toBe(
      "| U_ALICE | 2 | incident.acknowledged, phase.entered | 2024-05-01 12:20:00Z | 2024-05-01 15:00:00Z |",
    );
    expect(rowsWith(responders, "U_BOB")[0]).toContain("| U_BOB | 4 | note.added, phase.entered |");
  });

  it("lists findings with type, source, count and first/last seen", () => {
    const findings = section(generatePostmortem(input()), "Findings");
    const rows = findings.split("\n").slice(2);
    expect(rows[0]).toBe(
      "| cloudtrail | cis.security-group-change | Security group changed | HIGH | 1 | 2024-05-01 11:30:00Z | 2024-05-01 11:30:00Z |",
    );
    expect(rows[1]).toContain("| guardduty | UnauthorizedAccess:EC2/TorRelay |");
    expect(rows[1]).toContain("| 4 | 2024-05-01 12:00:00Z | 2024-05-01 13:30:00Z |");
  });

  it("neutralises HTML and markdown in untrusted text such as finding titles", () => {
    const markdown = generatePostmortem(input());
    expect(markdown).not.toContain("<script>");
    expect(markdown).not.toContain("<b>");
    expect(markdown).not.toContain("[click](javascript");
    expect(markdown).toContain(
      '&lt;script&gt;alert("x")&lt;/script&gt; &amp; \\[click\\](javascript:alert(1)) \\| \\`code\\` \\*bold\\*',
    );
    expect(markdown.split("\n")[0]).toBe(
      '# Postmortem: IR-0042 — &lt;script&gt;alert("x")&lt;/script&gt; &amp; \\[click\\](javascript:alert(1)) \\| \\`code\\` \\*bold\\*',
    );
  });

  it("keeps the first and last timeline entries when there are more than the limit, and says so", () => {
    const timeline = section(generatePostmortem(input({ maxTimelineEntries: 4 })), "Timeline");
    const rows = timeline.split("\n").filter((l) => l.startsWith("| 2024") || l.startsWith("| …"));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toContain("incident.opened");
    expect(rows[2]).toBe(`| … |   |   |   | ${TIMELINE.length - 4} entries omitted |`);
    expect(rows[4]).toContain("| phase.entered | Phase Postmortem |");
  });

  it("says the incident is ongoing when it has not recovered", () => {
    const summary = section(generatePostmortem(input({ timeline: TIMELINE.slice(0, 6) })), "Summary");
    expect(rowsWith(summary, "Duration")[0]).toContain("ongoing");
    expect(rowsWith(summary, "Recovered")[0]).toContain("not yet");
  });

  it("whatever the untrusted text, opens no HTML tag and keeps every table row's cell count", () => {
    const text = fc.string({
      unit: fc.constantFrom("<", ">", "&", "|", "\n", "[", "]", "`", "\\", "a", " "),
    });
    fc.assert(
      fc.property(text, text, text, (title, actor, note) => {
        const markdown = generatePostmortem(
          input({
            incident: makeIncidentRecord({ id: INCIDENT_ID, title }),
            timeline: [...TIMELINE, e(30, actor || "x", "note.added", note)],
            findings: [makeFindingRecord({ finding: makeFinding({ title }) })],
          }),
        );
        expect(markdown).not.toMatch(/<[a-zA-Z/!?]/);
        const cells = (row: string) => row.replace(/\\\\/g, "").replace(/\\\|/g, "").split("|").length;
        for (const body of ["Timeline", "Findings", "Responders"].map((name) => section(markdown, name))) {
          const rows = body.split("\n").filter((l) => l.startsWith("|"));
          for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
        }
      }),
      { numRuns: 100 },
    );
  });
});
