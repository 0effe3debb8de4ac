import { describe, expect, it } from "vitest";
import { type EmfDocument, toEmf, toEmfLines } from "../../../core/metrics/emf";
import { type ResponseMetrics, responseMetrics } from "../../../core/metrics/response-metrics";

const empty = responseMetrics([]);
const metrics: ResponseMetrics = {
  ...empty,
  incidents: 2,
  mtta: { seconds: 750, count: 2 },
  mttc: { seconds: null, count: 0 },
  mttr: { seconds: 25_200, count: 1 },
  phaseDurations: { ...empty.phaseDurations, contain: { seconds: 750, count: 2 } },
  slaCompliance: [{ phase: "contain", severity: "HIGH", met: 1, decided: 2, ratio: 0.5 }],
  breachesPerWeek: [{ week: "2024-W20", breaches: 1 }],
};
const TIMESTAMP = Date.parse("2024-05-13T08:00:00.000Z");
const options = { namespace: "IncidentResponse", timestamp: TIMESTAMP };

/** The EMF specification's structural rules for one document. */
function expectValidEmf(doc: EmfDocument) {
  expect(Number.isInteger(doc._aws.Timestamp)).toBe(true);
  for (const directive of doc._aws.CloudWatchMetrics) {
    expect(directive.Namespace.length).toBeGreaterThan(0);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const dimension of set) expect(typeof doc[dimension]).toBe("string");
    }
    for (const metric of directive.Metrics) expect(typeof doc[metric.Name]).toBe("number");
  }
}

describe("toEmf", () => {
  it("writes the response times in one document, leaving out the mean over no incidents", () => {
    // Act
    const [times] = toEmf(metrics, options);
    // Assess
    expect(times).toEqual({
      _aws: {
        Timestamp: TIMESTAMP,
        CloudWatchMetrics: [
          {
            Namespace: "IncidentResponse",
            Dimensions: [["Service"]],
            Metrics: [
              { Name: "MTTA", Unit: "Seconds" },
              { Name: "MTTR", Unit: "Seconds" },
            ],
          },
        ],
      },
      Service: "incident-response",
      MTTA: 750,
      MTTR: 25_200,
    });
  });

  it("gives per-phase, per-severity and per-week values their own dimensioned documents", () => {
    const docs = toEmf(metrics, { ...options, service: "ir-prod" });
    expect(docs).toHaveLength(4);
    for (const doc of docs) expectValidEmf(doc);
    expect(docs[1]).toMatchObject({ Service: "ir-prod", Phase: "contain", PhaseDuration: 750 });
    expect(docs[2]).toMatchObject({ Phase: "contain", Severity: "HIGH", SlaComplianceRatio: 0.5 });
    expect(docs[2]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([["Service", "Phase", "Severity"]]);
    expect(docs[3]).toMatchObject({ Week: "2024-W20", Breaches: 1 });
    expect(docs[3]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: "Breaches", Unit: "Count" }]);
  });

  it("writes nothing for no incidents, and one JSON object per log line otherwise", () => {
    expect(toEmf(empty, options)).toEqual([]);
    const lines = toEmfLines(metrics, options);
    expect(lines.map((line) => JSON.parse(line))).toEqual(toEmf(metrics, options));
    expect(lines.every((line) => !line.includes("\n"))).toBe(true);
  });
});
