/**
 * Security Hub custom actions drive the workflow: "Open incident" opens one for the selected finding
 * whatever its severity; "Isolate instance" also requests containment, which the policy then handles.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestText } from "../../app/ingest";
import { makeLocalApp } from "../support/local-app";
import { makeGuardDutyAsffFinding } from "../support/securityhub.factory";

const customAction = (name: string, finding: Record<string, unknown>) => ({
  version: "0",
  id: "0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b",
  "detail-type": "Security Hub Findings - Custom Action",
  source: "aws.securityhub",
  account: "193043430472",
  time: "2024-05-01T12:00:00Z",
  region: "us-east-1",
  resources: [`arn:aws:securityhub:us-east-1:193043430472:action/custom/${name.replace(/\s/g, "")}`],
  detail: { actionName: name, actionDescription: name, findings: [finding] },
});

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp("2024-05-01T12:00:00.000Z");
});
afterEach(() => app.close());
const ingest = (doc: unknown) => ingestText(app.deps, JSON.stringify(doc), { channel: "test", rawRef: "r" });

describe("Security Hub custom actions", () => {
  it("Open incident: opens one even for a LOW finding no rule would route", async () => {
    const low = makeGuardDutyAsffFinding({ Severity: { Label: "LOW", Normalized: 20 } });
    const [outcome] = await ingest(customAction("Open incident", low));
    expect(outcome!.rules).toEqual(["securityhub-custom-actions"]);
    expect(outcome!.findings).toEqual([{ decision: "opened", incidentId: "IR-0001" }]);
    const timeline = await app.deps.store.timeline("IR-0001");
    expect(timeline.some((t) => t.actor.startsWith("securityhub:"))).toBe(false);
  });

  it("Isolate instance: requests containment on the incident, recorded with who asked", async () => {
    const [outcome] = await ingest(customAction("Isolate instance", makeGuardDutyAsffFinding()));
    expect(outcome!.findings).toEqual([{ decision: "opened", incidentId: "IR-0001" }]);
    const timeline = await app.deps.store.timeline("IR-0001");
    const request = timeline.find((t) => t.actor === "securityhub:Isolate instance");
    expect(request?.text).toContain('custom action "Isolate instance"');
    // The default policy (approval) has planned it and will ask a responder to approve.
    expect(timeline.map((t) => t.kind)).toContain("containment.planned");
  });
});
