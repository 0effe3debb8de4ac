/**
 * SLA policy: the plan's defaults, per-severity overrides, validation and escalation levels.
 */
import { describe, expect, it } from "vitest";
import {
  budgetMinutes,
  DEFAULT_BUDGETS,
  DEFAULT_SLA_POLICY,
  escalationTarget,
  slaPolicySchema,
} from "../../../core/incident/sla-policy";

describe("SLA policy", () => {
  it("defaults to the response plan, cumulative from T0, warning at 80 %", () => {
    // Assess
    expect(DEFAULT_SLA_POLICY.mode).toBe("cumulative");
    expect(DEFAULT_SLA_POLICY.warnAtPercent).toBe(80);
    expect(DEFAULT_SLA_POLICY.budgets.HIGH).toEqual({
      detect: 15,
      assess: 30,
      contain: 60,
      eradicate: 240,
      recover: 480,
      postmortem: 2880,
    });
    expect(DEFAULT_SLA_POLICY.escalation).toEqual({
      levels: ["on-call", "security-lead", "head-of-security"],
      reescalateEveryMinutes: 15,
    });
  });

  it("gives LOW and INFORMATIONAL slower budgets than the plan", () => {
    // Assess
    for (const phase of ["detect", "assess", "contain", "eradicate", "recover", "postmortem"] as const) {
      expect(DEFAULT_BUDGETS.LOW[phase]).toBeGreaterThan(DEFAULT_BUDGETS.MEDIUM[phase]);
      expect(DEFAULT_BUDGETS.INFORMATIONAL[phase]).toBeGreaterThanOrEqual(DEFAULT_BUDGETS.LOW[phase]);
    }
  });

  it("merges partial per-severity overrides over the defaults", () => {
    // Act
    const policy = slaPolicySchema.parse({ budgets: { CRITICAL: { detect: 5, assess: 10 } } });

    // Assess
    expect(budgetMinutes(policy, "CRITICAL", "detect")).toBe(5);
    expect(budgetMinutes(policy, "CRITICAL", "contain")).toBe(60);
    expect(policy.budgets.LOW).toEqual(DEFAULT_BUDGETS.LOW);
  });

  it("rejects cumulative deadlines that go backwards, but allows them per phase", () => {
    // Prepare
    const budgets = { HIGH: { assess: 10 } };

    // Act
    const cumulative = slaPolicySchema.safeParse({ budgets });
    const perPhase = slaPolicySchema.safeParse({ mode: "per-phase", budgets });

    // Assess
    expect(cumulative.success).toBe(false);
    expect(cumulative.error?.issues[0]?.path).toEqual(["budgets", "HIGH", "assess"]);
    expect(perPhase.success).toBe(true);
  });

  it.each([
    [{ warnAtPercent: 100 }],
    [{ escalation: { levels: [] } }],
    [{ budgets: { LOW: { detect: 0 } } }],
    [{ mode: "hourly" }],
  ])("rejects an invalid policy %j", (input) => {
    // Act
    const parsed = slaPolicySchema.safeParse(input);

    // Assess
    expect(parsed.success).toBe(false);
  });

  it("caps escalation at the top level, which keeps being paged", () => {
    // Assess
    expect(escalationTarget(DEFAULT_SLA_POLICY, 0)).toEqual({ level: 0, target: "on-call" });
    expect(escalationTarget(DEFAULT_SLA_POLICY, 2)).toEqual({ level: 2, target: "head-of-security" });
    expect(escalationTarget(DEFAULT_SLA_POLICY, 7)).toEqual({ level: 2, target: "head-of-security" });
  });
});
