/**
 * The custom actions fit Security Hub's limits, and an action event is recognised by ARN or name.
 */
import { describe, expect, it } from "vitest";
import { SECURITY_HUB_ACTIONS, securityHubActionOf } from "../../../core/contracts/securityhub-actions";

describe("Security Hub custom actions", () => {
  it("fit Security Hub's limits on id, name and description", () => {
    for (const action of Object.values(SECURITY_HUB_ACTIONS)) {
      expect(action.id).toMatch(/^[A-Za-z0-9]{1,20}$/);
      expect(action.name.length).toBeLessThanOrEqual(20);
      expect(action.description.length).toBeLessThanOrEqual(600);
    }
  });

  it("recognises an action by its ARN or its name, and nothing else", () => {
    // Act / Assess
    expect(
      securityHubActionOf(
        "arn:aws:securityhub:us-east-1:111111111111:action/custom/IrIsolateInstance",
        undefined,
      ),
    ).toBe("isolateInstance");
    expect(securityHubActionOf(undefined, "Open incident")).toBe("openIncident");
    expect(
      securityHubActionOf("arn:aws:securityhub:us-east-1:111111111111:action/custom/Other", "Other"),
    ).toBeUndefined();
  });
});
