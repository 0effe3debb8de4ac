import { describe, expect, it } from "vitest";
import { toPrometheus } from "../../../core/metrics/prometheus";
import { type ResponseMetrics, responseMetrics } from "../../../core/metrics/response-metrics";

const empty = responseMetrics([]);
const metrics: ResponseMetrics = {
  ...empty,
  incidents: 2,
  mtta: { seconds: 750, count: 2 },
  mttc: { seconds: 2850, count: 2 },
  mttr: { seconds: null, count: 0 },
  phaseDurations: {
    ...empty.phaseDurations,
    detect: { seconds: 750, count: 2 },
    assess: { seconds: 1350.5, count: 2 },
  },
  slaCompliance: [
    { phase: "detect", severity: "MEDIUM", met: 0, decided: 1, ratio: 0 },
    { phase: "detect", severity: "HIGH", met: 1, decided: 2, ratio: 0.5 },
  ],
  breachesPerWeek: [{ week: "2024-W19", breaches: 3 }],
};

const samples = (text: string) => text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

describe("toPrometheus", () => {
  it("renders one sample per known value, with labels", () => {
    // Act
    const text = toPrometheus(metrics);
    // Assess
    expect(samples(text)).toEqual([
      "ir_mtta_seconds 750",
      "ir_mttc_seconds 2850",
      'ir_phase_duration_seconds{phase="detect"} 750',
      'ir_phase_duration_seconds{phase="assess"} 1350.5',
      'ir_sla_compliance_ratio{phase="detect",severity="MEDIUM"} 0',
      'ir_sla_compliance_ratio{phase="detect",severity="HIGH"} 0.5',
      'ir_breaches_total{week="2024-W19"} 3',
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("declares every family with HELP and TYPE, even without samples (MTTR here)", () => {
    const text = toPrometheus(metrics);
    for (const name of [
      "ir_mtta_seconds",
      "ir_mttc_seconds",
      "ir_mttr_seconds",
      "ir_phase_duration_seconds",
      "ir_sla_compliance_ratio",
      "ir_breaches_total",
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} .+$`, "m"));
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, "m"));
    }
    expect(text).toContain("# TYPE ir_breaches_total counter");
    expect(samples(text).some((s) => s.startsWith("ir_mttr_seconds"))).toBe(false);
  });

  it("escapes label values so no value can break the line", () => {
    const text = toPrometheus({ ...metrics, breachesPerWeek: [{ week: 'a"b\\c\nd', breaches: 1 }] });
    expect(samples(text)).toContain('ir_breaches_total{week="a\\"b\\\\c\\nd"} 1');
  });
});
