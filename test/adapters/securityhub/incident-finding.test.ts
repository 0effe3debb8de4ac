/**
 * The incident as an ASFF finding: workflow and record state per phase, ASFF type per category, and the
 * ASFF limits every field keeps whatever the incident holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  INCIDENT_TYPES,
  type IncidentFindingContext,
  incidentFinding,
  incidentType,
  workflowStatusFor,
} from "../../../adapters/securityhub/incident-finding";
import { CATEGORIES } from "../../../core/findings/categories";
import { SEVERITY_LABELS } from "../../../core/findings/severity";
import { INCIDENT_PHASES } from "../../../core/incident/phases";
import { makeIncidentView, OPENED_AT } from "../../support/incident-view.factory";

const ctx: IncidentFindingContext = {
  serviceName: "incident-response",
  productArn: "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
  awsAccountId: "123456789012",
  region: "us-east-1",
  incidentUrl: (id) => `https://ir.example.com/incidents/${id}`,
  updatedAt: "2024-05-01T13:30:00.000Z",
};

/** Security Hub's ASFF type namespaces. */
const NAMESPACES = [
  "Software and Configuration Checks",
  "TTPs",
  "Effects",
  "Unusual Behaviors",
  "Sensitive Data Identifications",
];

describe("incidentFinding", () => {
  it.each([
    ["detect", null, "NEW", "ACTIVE"],
    ["detect", "alice", "NOTIFIED", "ACTIVE"],
    ["assess", "alice", "NOTIFIED", "ACTIVE"],
    ["contain", "alice", "NOTIFIED", "ACTIVE"],
    ["eradicate", "alice", "NOTIFIED", "ACTIVE"],
    ["recover", "alice", "NOTIFIED", "ACTIVE"],
    ["postmortem", "alice", "NOTIFIED", "ACTIVE"],
    ["closed", "alice", "RESOLVED", "ARCHIVED"],
    ["suppressed", null, "SUPPRESSED", "ARCHIVED"],
  ] as const)("phase %s (acknowledged by %s) → %s, %s", (phase, acknowledgedBy, status, recordState) => {
    // Prepare
    const incident = makeIncidentView({ phase, acknowledgedBy });

    // Act
    const finding = incidentFinding(incident, ctx);

    // Assess
    expect(finding.Workflow).toEqual({ Status: status });
    expect(finding.RecordState).toBe(recordState);
    expect(finding.ProductFields?.["ir/phase"]).toBe(phase);
  });

  it("refuses a phase the response plan does not have", () => {
    // Act / Assess
    expect(() => workflowStatusFor(makeIncidentView({ phase: "lunch" }))).toThrow('unknown phase "lunch"');
  });

  it("gives every category a type in an ASFF namespace, and an unknown category the generic one", () => {
    // Assess
    for (const category of CATEGORIES) expect(NAMESPACES).toContain(INCIDENT_TYPES[category].split("/")[0]);
    expect(incidentType("not-a-category")).toBe(INCIDENT_TYPES.generic);
    expect(incidentType("crypto-mining")).toBe("Effects/Resource Consumption");
  });

  it("never dates an update before the incident opened", () => {
    // Act
    const finding = incidentFinding(makeIncidentView(), { ...ctx, updatedAt: "2024-05-01T11:00:00.000Z" });

    // Assess
    expect(finding.UpdatedAt).toBe(OPENED_AT);
  });

  it("cuts a long title visibly to 256 characters", () => {
    // Prepare
    const incident = makeIncidentView({ title: "t".repeat(400) });

    // Act
    const finding = incidentFinding(incident, ctx);

    // Assess
    expect(finding.Title).toHaveLength(256);
    expect(finding.Title?.startsWith("Incident IR-0001: ttt")).toBe(true);
    expect(finding.Title?.endsWith("…")).toBe(true);
  });

  it("keeps ASFF limits and a consistent state for any incident", () => {
    const view = fc.record({
      incidentId: fc.string({ minLength: 1, maxLength: 300 }),
      title: fc.string({ unit: "grapheme", maxLength: 2000 }),
      severity: fc.constantFrom(...SEVERITY_LABELS),
      score: fc.double({ min: 0, max: 100, noNaN: true }),
      phase: fc.constantFrom(...INCIDENT_PHASES),
      category: fc.oneof(fc.constantFrom(...CATEGORIES), fc.string()),
      owner: fc.option(fc.string({ maxLength: 3000 })),
      acknowledgedBy: fc.option(fc.string()),
      correlationKey: fc.string({ minLength: 1, maxLength: 500 }),
      findingCount: fc.nat(),
    });
    fc.assert(
      fc.property(view, (overrides) => {
        // Act
        const finding = incidentFinding(makeIncidentView(overrides), ctx);

        // Assess
        expect(finding.Title!.length).toBeLessThanOrEqual(256);
        expect(finding.Description!.length).toBeLessThanOrEqual(1024);
        expect(Number.isInteger(finding.Severity?.Normalized)).toBe(true);
        expect(finding.Severity!.Normalized).toBeGreaterThanOrEqual(0);
        expect(finding.Severity!.Normalized).toBeLessThanOrEqual(100);
        for (const value of Object.values(finding.ProductFields ?? {}))
          expect(value.length).toBeLessThanOrEqual(2048);
        expect(NAMESPACES).toContain(finding.Types?.[0]?.split("/")[0]);
        expect(finding.RecordState === "ARCHIVED").toBe(
          ["RESOLVED", "SUPPRESSED"].includes(finding.Workflow!.Status!),
        );
        expect(finding.Id).toBe(`incident-response/incident/${overrides.incidentId}`);
      }),
    );
  });
});
