/**
 * Rendering: the list row and the incident detail show what the store holds, and untrusted text (finding
 * titles, descriptions, tags, user agents, timeline and chat text, command results, names) can never
 * become markup. The property tests render a real incident with arbitrary strings injected everywhere.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  FindingRecord,
  IncidentRecord,
  JsonObject,
  StoredCommand,
} from "../../../core/ports/incident-store";
import { incidentModel } from "../../../server/dashboard/incident-model";
import { h } from "../../../server/dashboard/views/html";
import { type DetailData, detailView } from "../../../server/dashboard/views/incident-detail";
import { rowView } from "../../../server/dashboard/views/incident-list";
import { page, summaryView } from "../../../server/dashboard/views/layout";
import type { IncidentContext } from "../../../workflows/incident/context";
import { type DashboardHarness, makeDashboardHarness, T0, TOR_RELAY } from "./harness";

const escapeHtml = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const count = (text: string, char: string): number => text.split(char).length - 1;

/** Strings people use to break out of HTML text and attributes, and arbitrary ones around `<script`. */
const hostile = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ minLength: 1, unit: "grapheme" }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></sCrIpT>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea></pre></td><script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "&lt;script&gt;",
    "javascript:alert(1)",
    "<!--",
    "]]><script>",
  ),
  fc
    .tuple(fc.string(), fc.constantFrom("<script", "<SCRIPT", "< script", "<scr<script>ipt"), fc.string())
    .map((parts) => parts.join("")),
);

let harness: DashboardHarness;
let base: { record: IncidentRecord; findings: FindingRecord[]; commands: StoredCommand[] };

beforeAll(async () => {
  harness = makeDashboardHarness();
  await harness.ingestFixture(TOR_RELAY);
  await harness.dispatchPending();
  const store = harness.local.deps.store;
  const record = (await store.getIncident("IR-0001"))!;
  base = { record, findings: await store.findingsOf(record.id), commands: await store.commandsOf(record.id) };
});
afterAll(() => harness.close());

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The real incident with `evil` in every free-text field the dashboard shows. */
function poisoned(evil: string): DetailData {
  const record = clone(base.record);
  record.title = evil;
  record.linkedTo = evil;
  const context = (record.snapshot.state as JsonObject).context as unknown as IncidentContext;
  context.title = evil;
  context.owner = evil;
  context.acknowledged = { by: evil, at: T0 };
  context.category = evil;
  context.accountId = evil;
  context.region = evil;
  context.containment.reason = evil;
  context.containment.lastError = evil;
  context.containment.requestedBy = evil;
  context.containment.plan = {
    action: "isolateInstance",
    skipped: evil,
    calls: [{ service: evil, action: evil, input: { [evil]: evil }, purpose: evil }],
  };
  context.closure = { kind: "false-positive", reason: evil, by: evil, at: T0 };
  for (const summary of context.findings) {
    summary.title = evil;
    summary.type = evil;
  }
  const findings = clone(base.findings).map((record) => {
    const f = record.finding;
    f.title = evil;
    f.description = evil;
    f.type = evil;
    f.actor = { ip: evil, userAgent: evil, domain: evil, location: { country: evil, org: evil } };
    const resource = f.resources[0]!;
    resource.id = evil;
    resource.arn = evil;
    resource.tags = { [evil]: evil, [`${evil}2`]: evil };
    if (resource.type === "ec2-instance") {
      resource.instanceType = evil;
      resource.networkInterfaces = [
        { id: evil, privateIp: evil, securityGroups: [{ id: evil, name: evil }] },
      ];
      resource.securityGroups = [{ id: evil, name: evil }];
    }
    return record;
  });
  const commands = clone(base.commands).map((command) => ({
    ...command,
    error: evil,
    params: { text: evil },
    result: { calls: [{ service: "ec2", action: evil, input: { v: evil }, purpose: evil }], note: evil },
  }));
  return {
    model: incidentModel(record, T0),
    findings,
    timeline: [
      { incidentId: record.id, seq: "0000000001:00000", at: T0, actor: evil, kind: evil, text: evil },
    ],
    commands,
    chat: [{ at: T0, text: evil }],
    runbookHtml: undefined,
    session: { actor: evil, csrf: "csrf-token" },
    now: T0,
  };
}

const render = (data: DetailData): string => `${rowView(data.model, data.now)}${detailView(data)}`;

describe("escaping", () => {
  it("renders a finding titled <script>alert(1)</script> as inert text", () => {
    // Act
    const out = render(poisoned("<script>alert(1)</script>"));

    // Assess
    expect(out).not.toMatch(/<script/i);
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("never lets arbitrary input add an element, a <script, or go missing (property)", () => {
    // Prepare: the same incident with a harmless string gives the reference structure
    const reference = render(poisoned("x"));

    fc.assert(
      fc.property(hostile, (evil) => {
        // Act
        const out = render(poisoned(evil));

        // Assess: no script tag, the same number of tags as with "x", and the text shown escaped
        expect(out).not.toMatch(/<script/i);
        expect(count(out, "<")).toBe(count(reference, "<"));
        expect(out).toContain(escapeHtml(evil));
      }),
      { numRuns: 150 },
    );
  });

  it("keeps the full page's only script the dashboard's own, whatever the title (property)", () => {
    fc.assert(
      fc.property(hostile, (evil) => {
        // Act
        const data = poisoned(evil);
        const out = page({
          title: evil,
          page: "detail",
          serverNow: T0,
          timeScale: 1,
          session: data.session,
          path: `/incidents/${evil}`,
          incidentId: evil,
          summary: summaryView({ open: 1, breached: 0, unacknowledged: 1, awaitingApproval: 0 }),
          body: detailView(data),
        }).toString();

        // Assess
        expect(out.match(/<script/gi)).toEqual(["<script"]);
        expect(out).toMatch(/<script src="\/assets\/dashboard\.js\?v=[0-9a-f]+" defer><\/script>/);
      }),
      { numRuns: 60 },
    );
  });

  it("escapes quotes in attribute values, so a value cannot close its attribute", () => {
    // Act
    const out = h`<input value="${`" autofocus onfocus="alert(1)`}">`.toString();

    // Assess
    expect(out).toBe('<input value="&quot; autofocus onfocus=&quot;alert(1)">');
  });
});

describe("row", () => {
  it("shows severity, id, title, phase, owner, the running deadline and flags from the store", () => {
    // Prepare
    const model = incidentModel(base.record, T0);

    // Act
    const out = rowView(model, T0).toString();

    // Assess
    expect(out).toContain('data-id="IR-0001"');
    expect(out).toContain(`data-version="${base.record.version}"`);
    expect(out).toContain('<span class="sev sev-HIGH" title="HIGH (score 80)">HIGH</span>');
    expect(out).toContain("EC2 instance i-99999999 is communicating with a Tor Exit node.");
    expect(out).toContain('<span class="phase phase-detect">detect</span>');
    expect(out).toContain('<span class="muted">unowned</span>');
    expect(out).toContain('data-deadline="2024-05-01T10:15:00.000Z" data-warn="2024-05-01T10:12:00.000Z"');
    expect(out).toContain(">15m 00s<");
    expect(out).toContain("UNACK");
    expect(out).toContain("APPROVE?");
    expect(out).not.toMatch(/class="row[^"]*is-(warn|breach)/);
  });

  it("marks the row warned and then breached as time passes", () => {
    // Prepare
    const warned = incidentModel(base.record, "2024-05-01T10:12:30.000Z");
    const breached = incidentModel(base.record, "2024-05-01T10:16:00.000Z");

    // Act
    const warnedRow = rowView(warned, "2024-05-01T10:12:30.000Z").toString();
    const breachedRow = rowView(breached, "2024-05-01T10:16:00.000Z").toString();

    // Assess
    expect(warnedRow).toMatch(/class="row is-open is-warn"/);
    expect(warnedRow).toContain(">2m 30s<");
    expect(breachedRow).toMatch(/class="row is-open is-breach"/);
    expect(breachedRow).toContain("−1m 00s overdue");
  });
});

describe("detail", () => {
  it("shows the exact planned API calls of the dry-run containment plan", () => {
    // Prepare
    const data = { ...poisoned("x"), model: incidentModel(base.record, T0), commands: base.commands };
    data.findings = base.findings;

    // Act
    const out = detailView(data).toString();

    // Assess: the five calls the dry-run adapter planned, in order, with their inputs
    const planned = [...out.matchAll(/<b class="mono">(\w+)<\/b> <span class="muted">— /g)].map((m) => m[1]);
    expect(planned.slice(0, 5)).toEqual([
      "ModifyInstanceAttribute",
      "CreateSnapshots",
      "CreateTags",
      "ModifyNetworkInterfaceAttribute",
      "ModifyNetworkInterfaceAttribute",
    ]);
    expect(out).toContain(
      escapeHtml('{"NetworkInterfaceId":"eni-bfcffe88","Groups":["ir-isolation(GeneratedFindingVPCId)"]}'),
    );
    expect(out).toContain('<span class="badge info">dry run</span>');
  });

  it("disables every action button without a session", () => {
    // Prepare
    const data = { ...poisoned("x"), model: incidentModel(base.record, T0), session: null };

    // Act
    const out = detailView(data).toString();

    // Assess
    const buttons = [...out.matchAll(/<button type="submit"[^>]*>/g)].map((m) => m[0]);
    expect(buttons.length).toBeGreaterThan(3);
    for (const button of buttons) expect(button).toContain(" disabled ");
    expect(out).not.toContain('name="csrf"');
  });
});
