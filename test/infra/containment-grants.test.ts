/**
 * The containment grants and the adapter's call table (adapters/containment/aws-actions.ts) name the same
 * API calls: a call the adapter makes without a grant would fail at incident time, a grant without a call
 * is privilege nobody needs.
 */
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../adapters/containment/aws-actions";
import { CONTAINMENT_ACTIONS, containmentGrants } from "../../infra/containment-grants";
import { wildcardFindings } from "../../infra/policy";

describe("containment grants", () => {
  it("cover exactly the calls the containment adapter makes", () => {
    // Prepare
    const adapterCalls = Object.entries(ACTIONS).map(([action, { service }]) => `${service}:${action}`);
    // Assess
    expect([...CONTAINMENT_ACTIONS].sort()).toEqual(adapterCalls.sort());
  });

  it("grant every listed action in some Allow statement, scoped to the given account and regions", () => {
    // Act
    const grants = containmentGrants({
      partition: "aws-us-gov",
      account: "444444444444",
      regions: ["us-gov-west-1"],
    });
    // Assess
    const allowed = grants.filter((g) => g.effect !== "Deny").flatMap((g) => g.actions);
    for (const action of CONTAINMENT_ACTIONS) expect(allowed, action).toContain(action);
    for (const grant of grants)
      for (const resource of grant.resources)
        if (resource !== "*")
          expect(resource).toMatch(/^arn:aws-us-gov:(ec2:us-gov-west-1:(444444444444)?:|iam::444444444444:)/);
  });

  it("explain every wildcard they hold", () => {
    // Act
    const grants = containmentGrants({ partition: "aws", account: "444444444444", regions: ["eu-west-1"] });
    // Assess
    for (const grant of grants) expect(() => wildcardFindings(grant), grant.sid).not.toThrow();
    expect(
      grants
        .filter((g) => g.effect !== "Deny" && g.resources.some((r) => r.includes("*")))
        .every((g) => g.wildcardReason),
    ).toBe(true);
  });
});
