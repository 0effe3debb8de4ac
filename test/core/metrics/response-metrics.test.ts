/**
 * Response metrics on incidents driven through the real use-cases (ingest → act → sweep on the SQLite
 * store), with every expected number worked out by hand below. Budgets are the plan's defaults, which are
 * the same for HIGH and MEDIUM: detect T0+15 min, assess T0+30, contain T0+60, eradicate T0+240,
 * recover T0+480, postmortem 48 h after recovery.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act } from "../../../app/act";
import { ingestText } from "../../../app/ingest";
import { sweep } from "../../../app/sweep";
import { type IncidentHistory, isoWeek, responseMetrics } from "../../../core/metrics/response-metrics";
import type { TimelineEntry } from "../../../core/ports/incident-store";
import { fixtureText } from "../../support/fixtures";
import { makeLocalApp } from "../../support/local-app";

/** Incident A: GuardDuty TorRelay on an EC2 instance, HIGH. Wednesday 1 May 2024 (ISO week 2024-W18). */
const T0_A = "2024-05-01T10:00:00.000Z";
/** Incident B: GuardDuty MaliciousIPCaller on an access key, MEDIUM. Wednesday 8 May 2024 (2024-W19). */
const T0_B = "2024-05-08T09:00:00.000Z";
/** A sweep the Monday after (2024-W20), long after B's eradicate deadline (T0_B + 4 h). */
const LATE_SWEEP = "2024-05-13T08:00:00.000Z";

const GD_EC2 = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";
const GD_KEY = "guardduty/bare-unauthorizedaccess-iamuser-maliciousipcaller-accesskey-sample-sekoia.json";

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp(T0_A);
});
afterEach(() => app.close());

const at = (start: string, minutes: number) => app.clock.at(start, minutes);
const open = async (file: string) => {
  const [outcome] = await ingestText(app.deps, fixtureText(file), { channel: "test", rawRef: file });
  const first = outcome!.findings[0]!;
  if (first.decision !== "opened") throw new Error(`expected a new incident, got ${first.decision}`);
  return first.incidentId;
};
const doAt = async (
  start: string,
  minutes: number,
  id: string,
  type: "acknowledge" | "advance" | "publish-postmortem",
) => {
  at(start, minutes);
  const outcome = await act(app.deps, id, { type }, "U_ALICE");
  expect(outcome.status).toBe("changed");
};
const sweepAt = (start: string, minutes: number) => sweep({ ...app.deps, clock: at(start, minutes) });

async function histories(): Promise<IncidentHistory[]> {
  const incidents = await app.deps.store.listIncidents();
  return Promise.all(
    incidents.map(async (incident) => ({ incident, timeline: await app.deps.store.timeline(incident.id) })),
  );
}

/**
 * A (HIGH): ack +5, assess done +20, contained +40, eradicated +200, recovered +420, postmortem
 * published +480. Every phase in time.
 * B (MEDIUM): nobody acknowledges; the sweep at +16 breaches detect (first breach, 2024-W19); ack +20
 * (detect late); assess done +50 (late: due +30, no sweep saw it, still late); contained +55 (due +60:
 * met). B stays in eradicate; the sweep on 13 May breaches it (2024-W20) and the one 15 min later only
 * re-escalates, which is not a new breach.
 */
async function driveScenario(): Promise<{ a: string; b: string }> {
  const a = await open(GD_EC2);
  await doAt(T0_A, 5, a, "acknowledge");
  await doAt(T0_A, 20, a, "advance");
  await doAt(T0_A, 40, a, "advance");
  await doAt(T0_A, 200, a, "advance");
  await doAt(T0_A, 420, a, "advance");
  await doAt(T0_A, 480, a, "publish-postmortem");

  at(T0_B, 0);
  const b = await open(GD_KEY);
  await sweepAt(T0_B, 12);
  await sweepAt(T0_B, 16);
  await doAt(T0_B, 20, b, "acknowledge");
  await doAt(T0_B, 50, b, "advance");
  await doAt(T0_B, 55, b, "advance");
  await sweepAt(LATE_SWEEP, 0);
  await sweepAt(LATE_SWEEP, 15);
  return { a, b };
}

describe("responseMetrics on driven incidents", () => {
  it("computes MTTA, MTTC and MTTR from T0", async () => {
    // Prepare
    await driveScenario();
    // Act
    const metrics = responseMetrics(await histories());
    // Assess
    expect(metrics.incidents).toBe(2);
    // MTTA: A acknowledged at +5 min = 300 s, B at +20 min = 1200 s → (300 + 1200) / 2 = 750 s.
    expect(metrics.mtta).toEqual({ seconds: 750, count: 2 });
    // MTTC: A left contain at +40 min = 2400 s, B at +55 min = 3300 s → 2850 s.
    expect(metrics.mttc).toEqual({ seconds: 2850, count: 2 });
    // MTTR: only A recovered, at +420 min = 25 200 s.
    expect(metrics.mttr).toEqual({ seconds: 25_200, count: 1 });
  });

  it("averages each phase's duration over the phases that ended", async () => {
    await driveScenario();
    const { phaseDurations } = responseMetrics(await histories());
    expect(phaseDurations).toEqual({
      // A 0→5 min (300 s), B 0→20 min (1200 s): 750 s.
      detect: { seconds: 750, count: 2 },
      // A 5→20 (900 s), B 20→50 (1800 s): 1350 s.
      assess: { seconds: 1350, count: 2 },
      // A 20→40 (1200 s), B 50→55 (300 s): 750 s.
      contain: { seconds: 750, count: 2 },
      // A 40→200 (9600 s); B's is still running.
      eradicate: { seconds: 9600, count: 1 },
      // A 200→420 (13 200 s).
      recover: { seconds: 13_200, count: 1 },
      // A 420→480 (3600 s).
      postmortem: { seconds: 3600, count: 1 },
    });
  });

  it("gives SLA compliance per phase and severity, counting a running breached phase as late", async () => {
    await driveScenario();
    const { slaCompliance } = responseMetrics(await histories());
    const ratios = slaCompliance.map(({ phase, severity, met, decided, ratio }) => [
      `${phase}/${severity}`,
      met,
      decided,
      ratio,
    ]);
    expect(ratios).toEqual([
      ["detect/MEDIUM", 0, 1, 0], // B acknowledged after its breach
      ["detect/HIGH", 1, 1, 1],
      ["assess/MEDIUM", 0, 1, 0], // B assessed at +50, due +30
      ["assess/HIGH", 1, 1, 1],
      ["contain/MEDIUM", 1, 1, 1], // B contained at +55, due +60
      ["contain/HIGH", 1, 1, 1],
      ["eradicate/MEDIUM", 0, 1, 0], // B still eradicating, breached on 13 May
      ["eradicate/HIGH", 1, 1, 1],
      ["recover/HIGH", 1, 1, 1],
      ["postmortem/HIGH", 1, 1, 1],
    ]);
  });

  it("counts first breaches per ISO week, not re-escalations", async () => {
    await driveScenario();
    const { breachesPerWeek } = responseMetrics(await histories());
    // B's detect breach on Wed 8 May (W19) and its eradicate breach on Mon 13 May (W20); the sweep at
    // 08:15 on 13 May re-escalated the eradicate breach, which is no new breach.
    expect(breachesPerWeek).toEqual([
      { week: "2024-W19", breaches: 1 },
      { week: "2024-W20", breaches: 1 },
    ]);
    const b = (await histories()).find((h) => h.incident.severity === "MEDIUM")!;
    expect(b.timeline.filter((e) => e.kind === "sla.escalated")).toHaveLength(1);
  });
});

describe("responseMetrics on hand-written timelines", () => {
  const entry = (at: string, kind: string, data?: TimelineEntry["data"], actor = "system"): TimelineEntry =>
    data === undefined ? { at, actor, kind, text: kind } : { at, actor, kind, text: kind, data };

  it("has no means over no incidents: null, not 0", () => {
    const metrics = responseMetrics([]);
    expect(metrics.mtta).toEqual({ seconds: null, count: 0 });
    expect(metrics.phaseDurations.detect).toEqual({ seconds: null, count: 0 });
    expect(metrics.slaCompliance).toEqual([]);
    expect(metrics.breachesPerWeek).toEqual([]);
  });

  it("skips entries that lack what they should carry instead of failing", () => {
    const timeline: TimelineEntry[] = [
      entry("2024-01-01T00:00:00.000Z", "incident.opened"),
      entry("2024-01-01T00:00:00.000Z", "phase.entered", {
        phase: "detect",
        deadline: "2024-01-01T00:15:00.000Z",
      }),
      entry("2024-01-01T00:01:00.000Z", "phase.entered", { phase: "not-a-phase" }),
      entry("2024-01-01T00:02:00.000Z", "sla.met", "not an object"),
      entry("2024-01-01T00:03:00.000Z", "sla.breached", { clock: 42 }),
      entry("2024-01-01T00:04:00.000Z", "sla.met", { phase: "detect", deadline: "2024-01-01T00:15:00.000Z" }),
    ];
    const metrics = responseMetrics([{ incident: { id: "x", severity: "LOW" }, timeline }]);
    // Only the well-formed detect span counts: entered 00:00, met at 00:04 = 240 s.
    expect(metrics.phaseDurations.detect).toEqual({ seconds: 240, count: 1 });
    expect(metrics.slaCompliance).toEqual([
      { phase: "detect", severity: "LOW", met: 1, decided: 1, ratio: 1 },
    ]);
    expect(metrics.breachesPerWeek).toEqual([]);
  });

  it("does not count a running phase that is not overdue", () => {
    const timeline = [
      entry("2024-01-01T00:00:00.000Z", "incident.opened"),
      entry("2024-01-01T00:00:00.000Z", "phase.entered", {
        phase: "detect",
        deadline: "2024-01-01T00:15:00.000Z",
      }),
    ];
    expect(responseMetrics([{ incident: { id: "x", severity: "HIGH" }, timeline }]).slaCompliance).toEqual(
      [],
    );
  });
});

describe("isoWeek", () => {
  it.each([
    ["2024-05-01T10:00:00.000Z", "2024-W18"],
    ["2024-01-01T00:00:00.000Z", "2024-W01"], // a Monday
    ["2021-01-03T23:59:59.000Z", "2020-W53"], // Sunday of 2020's last week
    ["2024-12-30T00:00:00.000Z", "2025-W01"], // Monday of a week whose Thursday is in 2025
    ["2026-12-31T12:00:00.000Z", "2026-W53"],
  ])("%s is in %s", (iso, week) => {
    expect(isoWeek(iso)).toBe(week);
  });
});
