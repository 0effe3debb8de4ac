import { describe, expect, it } from "vitest";
import { phaseEndedAt, readTimeline, secondsBetween } from "../../../core/metrics/timeline-facts";
import type { TimelineEntry } from "../../../core/ports/incident-store";

const e = (at: string, kind: string, data?: TimelineEntry["data"], actor = "system"): TimelineEntry =>
  data === undefined ? { at, actor, kind, text: kind } : { at, actor, kind, text: kind, data };

describe("readTimeline", () => {
  it("takes a phase's final deadline from the entry that ends it (a severity rise re-times the clock)", () => {
    // Prepare: entered with a LOW deadline (+60 min), re-timed to HIGH's +15 by a severity rise.
    const facts = readTimeline([
      e("2024-05-01T10:00:00.000Z", "incident.opened"),
      e("2024-05-01T10:00:00.000Z", "phase.entered", {
        phase: "detect",
        deadline: "2024-05-01T11:00:00.000Z",
      }),
      e("2024-05-01T10:05:00.000Z", "severity.raised"),
      e("2024-05-01T10:20:00.000Z", "sla.late", {
        phase: "detect",
        deadline: "2024-05-01T10:15:00.000Z",
        breachedAt: null,
      }),
    ]);
    // Assess
    expect(facts.phases).toEqual([
      {
        phase: "detect",
        enteredAt: "2024-05-01T10:00:00.000Z",
        deadline: "2024-05-01T10:15:00.000Z",
        endedAt: "2024-05-01T10:20:00.000Z",
        outcome: "late",
        breachedAt: null,
      },
    ]);
  });

  it("marks the running phase breached and keeps escalations apart from the first breach", () => {
    const facts = readTimeline([
      e("2024-05-01T10:00:00.000Z", "incident.opened"),
      e("2024-05-01T10:00:00.000Z", "phase.entered", {
        phase: "detect",
        deadline: "2024-05-01T10:15:00.000Z",
      }),
      e("2024-05-01T10:16:00.000Z", "sla.breached", {
        clock: "detect",
        deadline: "2024-05-01T10:15:00.000Z",
        level: 0,
      }),
      e("2024-05-01T10:31:00.000Z", "sla.escalated", {
        clock: "detect",
        deadline: "2024-05-01T10:15:00.000Z",
        level: 1,
      }),
    ]);
    expect(facts.phases[0]).toMatchObject({
      endedAt: null,
      outcome: null,
      breachedAt: "2024-05-01T10:16:00.000Z",
    });
    expect(facts.breaches.map((b) => [b.kind, b.level])).toEqual([
      ["breached", 0],
      ["escalated", 1],
    ]);
  });

  it("records acknowledgement, recovery and the end, first occurrence only", () => {
    const facts = readTimeline([
      e("2024-05-01T10:00:00.000Z", "incident.opened"),
      e("2024-05-01T10:05:00.000Z", "incident.acknowledged", undefined, "U_ALICE"),
      e("2024-05-01T10:06:00.000Z", "incident.acknowledged", undefined, "U_BOB"),
      e("2024-05-01T17:00:00.000Z", "phase.entered", {
        phase: "postmortem",
        deadline: "2024-05-03T17:00:00.000Z",
      }),
      e("2024-05-01T18:00:00.000Z", "incident.closed"),
    ]);
    expect(facts.acknowledged).toEqual({ at: "2024-05-01T10:05:00.000Z", by: "U_ALICE" });
    expect(facts.recoveredAt).toBe("2024-05-01T17:00:00.000Z");
    expect(facts.closedAt).toBe("2024-05-01T18:00:00.000Z");
    expect(phaseEndedAt(facts, "postmortem")).toBeNull();
  });
});

describe("secondsBetween", () => {
  it("is null for missing or unreadable instants", () => {
    expect(secondsBetween("2024-05-01T10:00:00.000Z", "2024-05-01T10:05:00.000Z")).toBe(300);
    expect(secondsBetween(null, "2024-05-01T10:05:00.000Z")).toBeNull();
    expect(secondsBetween("yesterday", "2024-05-01T10:05:00.000Z")).toBeNull();
  });
});
