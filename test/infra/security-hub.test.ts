/**
 * The insights filter on ProductFields keys that the Security Hub adapter writes on the incident finding;
 * if the adapter renamed them, the insights would silently show nothing.
 */
import { describe, expect, it } from "vitest";
import { incidentFinding } from "../../adapters/securityhub/incident-finding";
import { INCIDENT_PRODUCT_FIELDS } from "../../infra/constructs/security-hub";
import { makeIncidentView } from "../support/incident-view.factory";

describe("Security Hub insights", () => {
  it("filter on the ProductFields the incident finding carries", () => {
    // Prepare
    const view = makeIncidentView({ phase: "eradicate", severity: "HIGH" });
    // Act
    const finding = incidentFinding(view, {
      serviceName: "ir-test",
      productArn: "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
      awsAccountId: "111111111111",
      region: "us-east-1",
      incidentUrl: (id) => `https://example.com/${id}`,
      updatedAt: "2024-05-01T13:00:00.000Z",
    });
    // Assess
    expect(finding.ProductFields?.[INCIDENT_PRODUCT_FIELDS.phase]).toBe("eradicate");
    expect(finding.ProductFields?.[INCIDENT_PRODUCT_FIELDS.severity]).toBe("HIGH");
    expect(finding.GeneratorId).toBe("ir-test");
  });
});
