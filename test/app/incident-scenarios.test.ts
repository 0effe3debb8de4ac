/**
 * Whole scenarios through the use-cases (ingest → step → commit, sweep, act, dispatch) on the SQLite
 * store, with a real GuardDuty EC2 finding. Times are minutes after T0, the moment the finding arrived.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act } from "../../app/act";
import { dispatch } from "../../app/dispatch";
import { ingestText } from "../../app/ingest";
import { sweep } from "../../app/sweep";
import type { StoredCommand } from "../../core/ports/incident-store";
import { makeCloudTrailEnvelope, makeCloudTrailRecord } from "../support/cloudtrail.factory";
import { fixtureText, loadFixture } from "../support/fixtures";
import { makeLocalApp } from "../support/local-app";
import { makeGuardDutyAsffFinding, makeSecurityHubEvent } from "../support/securityhub.factory";

const T0 = "2024-05-01T10:00:00.000Z";
const GD_FILE = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";
const gd = loadFixture(GD_FILE);
const INSTANCE_KEY = "111111111111|eu-west-2|ec2-instance:i-99999999";

/** GuardDuty re-publishing the same finding: higher count, later updatedAt. */
const republished = (count: number, minutes: number) =>
  JSON.stringify({
    ...gd,
    updatedAt: new Date(Date.parse(gd.updatedAt) + minutes * 60_000).toISOString(),
    service: { ...gd.service, count },
  });

/** Security Hub's ASFF copy of the same GuardDuty finding, as imported a minute later. */
const securityHubCopy = () =>
  JSON.stringify(
    makeSecurityHubEvent([
      makeGuardDutyAsffFinding({
        Id: gd.arn,
        AwsAccountId: gd.accountId,
        ProductArn: "arn:aws:securityhub:eu-west-2::product/aws/guardduty",
        GeneratorId: gd.arn.split("/finding/")[0],
        Types: ["TTPs/Command and Control/UnauthorizedAccess:EC2-TorRelay"],
        Severity: { Product: 8, Label: "HIGH", Normalized: 80 },
        ProductFields: {
          "aws/guardduty/service/count": "1",
          "aws/securityhub/ProductName": "GuardDuty",
          "aws/securityhub/CompanyName": "Amazon",
        },
        FirstObservedAt: gd.service.eventFirstSeen,
        LastObservedAt: gd.service.eventLastSeen,
        UpdatedAt: new Date(Date.parse(gd.updatedAt) + 60_000).toISOString(),
        Resources: [
          {
            Type: "AwsEc2Instance",
            Id: "arn:aws:ec2:eu-west-2:111111111111:instance/i-99999999",
            Region: "eu-west-2",
          },
        ],
      }),
    ]),
  );

/** CloudTrail: a route sending 0.0.0.0/0 through the instance (CIS route table change, subject = instance). */
const routeThroughInstance = () =>
  JSON.stringify(
    makeCloudTrailEnvelope(
      makeCloudTrailRecord({
        eventSource: "ec2.amazonaws.com",
        eventName: "CreateRoute",
        awsRegion: "eu-west-2",
        recipientAccountId: "111111111111",
        eventID: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        requestParameters: {
          routeTableId: "rtb-0a1b2c3d",
          destinationCidrBlock: "0.0.0.0/0",
          instanceId: "i-99999999",
        },
        responseElements: { _return: true },
      }),
      { account: "111111111111", region: "eu-west-2" },
    ),
  );

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp(T0);
});
afterEach(() => app.close());

const ingest = (text: string) => ingestText(app.deps, text, { channel: "test", rawRef: "test-input" });
const commandsOf = async (id: string, type?: string): Promise<StoredCommand[]> =>
  (await app.deps.store.commandsOf(id)).filter((c) => type === undefined || c.type === type);
const pages = async (id: string) => (await commandsOf(id, "pageOnCall")).map((c) => c.params.level);
const sweepAt = (minutes: number) => sweep({ ...app.deps, clock: app.clock.at(T0, minutes) });

async function openFromGuardDuty(): Promise<string> {
  const [outcome] = await ingest(fixtureText(GD_FILE));
  expect(outcome!.findings).toEqual([{ decision: "opened", incidentId: "IR-0001" }]);
  return "IR-0001";
}

describe("a GuardDuty EC2 finding", () => {
  it("opens an incident in detect, announced in chat and Security Hub, with its clocks running", async () => {
    const id = await openFromGuardDuty();
    const incident = (await app.deps.store.getIncident(id))!;
    expect(incident).toMatchObject({
      open: true,
      phase: "detect",
      severity: "HIGH",
      correlationKey: INSTANCE_KEY,
    });
    // The first clock to act is the acknowledgement warning at 80 % of 15 min.
    expect(incident.nextDeadline).toBe("2024-05-01T10:12:00.000Z");
    const types = (await commandsOf(id)).map((c) => c.type);
    expect(types).toContain("postIncidentMessage");
    expect(types).toContain("updateSecurityHubFindings");
    expect(types).toContain("publishIncidentEvent");
    expect((await app.deps.store.timeline(id)).length).toBeGreaterThan(0);
  });

  it("its Security Hub copy and three re-publications change nothing but the count", async () => {
    const id = await openFromGuardDuty();
    const before = (await app.deps.store.getIncident(id))!;
    const commandsBefore = (await commandsOf(id)).length;

    const copy = await ingest(securityHubCopy());
    const repeats = [];
    for (const [count, minutes] of [
      [2, 5],
      [3, 10],
      [4, 15],
    ] as const)
      repeats.push(...(await ingest(republished(count, minutes))));

    // The copy adds nothing GuardDuty did not already say: a duplicate.
    expect(copy[0]!.findings).toEqual([{ decision: "duplicate", incidentId: id }]);
    expect(repeats.map((r) => r.findings)).toEqual(
      [1, 2, 3].map(() => [{ decision: "updated", incidentId: id }]),
    );
    expect(await app.deps.store.listIncidents()).toHaveLength(1);
    const after = (await app.deps.store.getIncident(id))!;
    expect(after).toMatchObject({
      phase: before.phase,
      severity: before.severity,
      nextDeadline: before.nextDeadline,
    });
    const findings = await app.deps.store.findingsOf(id);
    expect(findings.map((f) => [f.identity, f.count])).toEqual([
      [`guardduty:111111111111:eu-west-2:${gd.id}`, 4],
    ]);
    // No new announcement, page or containment: at most message updates.
    const newTypes = (await commandsOf(id)).slice(commandsBefore).map((c) => c.type);
    expect(newTypes.filter((t) => t !== "updateIncidentMessage")).toEqual([]);
  });

  it("redelivering the identical event is a no-op", async () => {
    const id = await openFromGuardDuty();
    const version = (await app.deps.store.getIncident(id))!.version;
    const [again] = await ingest(fixtureText(GD_FILE));
    expect(again!.findings).toEqual([{ decision: "duplicate", incidentId: id }]);
    expect((await app.deps.store.getIncident(id))!.version).toBe(version);
  });

  it("acknowledged at +5 min: no breach when the clocks are checked at +16 min", async () => {
    const id = await openFromGuardDuty();
    app.clock.at(T0, 5);
    expect((await act(app.deps, id, { type: "acknowledge" }, "U_ALICE")).status).toBe("changed");
    expect((await app.deps.store.getIncident(id))!.phase).toBe("assess");
    await sweepAt(16);
    expect(await pages(id)).toEqual([]);
  });

  it("not acknowledged: a warning at +12, one breach and one page at +16, re-escalation one level up at +31", async () => {
    const id = await openFromGuardDuty();
    expect(await sweepAt(11)).toMatchObject({ checked: 0 });
    await sweepAt(12);
    const warnings = (await app.deps.store.timeline(id)).filter((t) => /warn/i.test(t.kind));
    expect(warnings.length).toBeGreaterThan(0);
    expect(await pages(id)).toEqual([]);

    await sweepAt(16);
    expect(await pages(id)).toEqual([0]);
    await sweepAt(20);
    expect(await pages(id)).toEqual([0]);
    await sweepAt(31);
    expect(await pages(id)).toEqual([0, 1]);
    const breaches = (await app.deps.store.timeline(id)).filter((t) => /breach/i.test(t.kind));
    expect(breaches.length).toBeGreaterThan(0);
  });

  it("a CloudTrail finding on the same instance joins the incident", async () => {
    const id = await openFromGuardDuty();
    const [outcome] = await ingest(routeThroughInstance());
    expect(outcome!.findings).toEqual([{ decision: "joined", incidentId: id }]);
    expect((await app.deps.store.findingsOf(id)).map((f) => f.finding.source).sort()).toEqual([
      "cloudtrail",
      "guardduty",
    ]);
    expect(await app.deps.store.listIncidents()).toHaveLength(1);
  });

  it("marked false positive: closes, suppresses in Security Hub, tells GuardDuty, and stays suppressed", async () => {
    const id = await openFromGuardDuty();
    app.clock.at(T0, 3);
    await act(app.deps, id, { type: "false-positive", note: "pen test from our red team" }, "U_ALICE");
    const closed = (await app.deps.store.getIncident(id))!;
    expect(closed).toMatchObject({ open: false, phase: "suppressed", nextDeadline: null });
    const sh = await commandsOf(id, "updateSecurityHubFindings");
    expect(sh.at(-1)!.params).toMatchObject({ status: "SUPPRESSED" });
    // Security Hub notes link the runbook section too (relative to where runbooks/ is served).
    expect(String(sh[0]!.params.note)).toMatch(/Runbook: runbooks\/ec2-compromise\.md#detect$/);
    expect((await commandsOf(id, "sendGuardDutyFeedback"))[0]!.params).toMatchObject({
      feedback: "NOT_USEFUL",
    });

    // GuardDuty keeps updating the same finding: it stays with the suppressed incident.
    const [again] = await ingest(republished(7, 30));
    expect(again!.findings).toEqual([{ decision: "suppressed", incidentId: id }]);
    expect(await app.deps.store.listIncidents({ open: true })).toEqual([]);
    expect(await sweepAt(20)).toMatchObject({ checked: 0 });

    // The SUPPRESSED sync and the feedback run after the close; their results still reach the timeline.
    const afterClose = (await app.deps.store.pendingCommands(100)).filter(
      (c) => c.type === "sendGuardDutyFeedback",
    );
    expect((await dispatch(app.deps, afterClose[0]!)).status).toBe("succeeded");
    expect((await dispatch(app.deps, afterClose[0]!)).status).toBe("already-done");
    const last = (await app.deps.store.timeline(id)).at(-1)!;
    expect(last).toMatchObject({ kind: "command.succeeded", text: "sendGuardDutyFeedback done" });
  });

  it("after close, a new finding on the same instance opens a new incident linked to the old one", async () => {
    const id = await openFromGuardDuty();
    await act(app.deps, id, { type: "false-positive", note: "scanner" }, "U_ALICE");
    const [outcome] = await ingest(routeThroughInstance());
    expect(outcome!.findings).toEqual([{ decision: "opened", incidentId: "IR-0002", linkedTo: id }]);
    expect((await app.deps.store.getIncident("IR-0002"))!.linkedTo).toBe(id);
  });
});

describe("dispatch", () => {
  it("executes each pending command once and feeds its result back to the incident", async () => {
    const id = await openFromGuardDuty();
    const pending = await app.deps.store.pendingCommands(100);
    expect(pending.length).toBeGreaterThan(0);
    const entriesBefore = (await app.deps.store.timeline(id)).length;
    for (const command of pending) expect((await dispatch(app.deps, command)).status).toBe("succeeded");
    // A duplicate delivery (SQS, stream retry) does nothing.
    for (const command of pending) expect((await dispatch(app.deps, command)).status).toBe("already-done");
    expect(app.executor.executed.map((c) => c.id)).toEqual(pending.map((c) => c.id));
    const done = await commandsOf(id);
    for (const c of done.filter((c) => pending.some((p) => p.id === c.id)))
      expect(c.status).toBe("succeeded");
    // Every result is on the timeline (containment results under their own kinds).
    expect((await app.deps.store.timeline(id)).length - entriesBefore).toBeGreaterThanOrEqual(pending.length);
  });

  it("records a failure as failed, and leaves a rate-limited command pending for later", async () => {
    const id = await openFromGuardDuty();
    app.executor.failing.add("updateSecurityHubFindings");
    app.executor.retryLater.add("postIncidentMessage");
    const pending = await app.deps.store.pendingCommands(100);
    const outcomes = Object.fromEntries(
      await Promise.all(pending.map(async (c) => [c.type, (await dispatch(app.deps, c)).status] as const)),
    );
    expect(outcomes.updateSecurityHubFindings).toBe("failed");
    expect(outcomes.postIncidentMessage).toBe("retry-later");
    const byType = Object.fromEntries((await commandsOf(id)).map((c) => [c.type, c]));
    expect(byType.updateSecurityHubFindings).toMatchObject({
      status: "failed",
      error: expect.stringContaining("simulated outage"),
    });
    expect(byType.postIncidentMessage!.status).toBe("pending");
    expect((await app.deps.store.pendingCommands(100)).map((c) => c.type)).toContain("postIncidentMessage");
  });
});

describe("bad input", () => {
  it("is quarantined with its reason, and the good events around it still land", async () => {
    const text = [
      JSON.stringify(gd),
      "{broken",
      JSON.stringify({ "detail-type": "Nope", source: "x", detail: {} }),
    ].join("\n");
    const outcomes = await ingest(text);
    expect(outcomes.map((o) => o.error?.code ?? "ok")).toEqual(["ok", "invalid_json", "unknown_event"]);
    const kept = await app.deps.quarantine.list(10);
    expect(kept.map((q) => q.error.code).sort()).toEqual(["invalid_json", "unknown_event"]);
    expect(kept[0]!.raw).toBe(text);
    expect(await app.deps.store.listIncidents()).toHaveLength(1);
  });
});
