/**
 * Our own writes must never come back as work (DESIGN §5): the incident finding we publish to Security
 * Hub, Security Hub's echo of our notes, and our own lifecycle events on EventBridge.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { incidentFinding } from "../../adapters/securityhub/incident-finding";
import { ingestText } from "../../app/ingest";
import { makeIncidentView } from "../support/incident-view.factory";
import { makeLocalApp } from "../support/local-app";
import { makeSecurityHubEvent } from "../support/securityhub.factory";

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp("2024-05-01T12:00:00.000Z");
});
afterEach(() => app.close());
const ingest = (doc: unknown) => ingestText(app.deps, JSON.stringify(doc), { channel: "test", rawRef: "r" });

describe("self-loop protection", () => {
  it("ignores our own incident finding imported back from Security Hub", async () => {
    const own = incidentFinding(makeIncidentView({ severity: "HIGH", score: 80 }), {
      serviceName: app.deps.config.serviceName,
      productArn: "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
      awsAccountId: "123456789012",
      region: "us-east-1",
      incidentUrl: (id: string) => `http://127.0.0.1:8787/incidents/${id}`,
      updatedAt: "2024-05-01T12:00:00.000Z",
    });
    const [outcome] = await ingest(makeSecurityHubEvent([JSON.parse(JSON.stringify(own))]));
    expect(outcome!.error).toBeNull();
    expect(outcome!.findings).toEqual([{ decision: "own-finding" }]);
    expect(await app.deps.store.listIncidents()).toEqual([]);
  });

  it("ignores our own lifecycle events instead of quarantining them", async () => {
    const event = {
      version: "0",
      id: "e1",
      "detail-type": "Incident Opened",
      source: app.deps.config.serviceName,
      account: "123456789012",
      time: "2024-05-01T12:00:00Z",
      region: "us-east-1",
      resources: [],
      detail: { schemaVersion: 1, incidentId: "IR-0001" },
    };
    const [outcome] = await ingest(event);
    expect(outcome).toMatchObject({ error: null, ignored: "our own lifecycle event", findings: [] });
    expect(await app.deps.quarantine.list(10)).toEqual([]);
  });

  it("still refuses someone else's unknown event", async () => {
    const [outcome] = await ingest({ "detail-type": "Incident Opened", source: "another-tool", detail: {} });
    expect(outcome!.error?.code).toBe("unknown_event");
    expect(await app.deps.quarantine.list(10)).toHaveLength(1);
  });
});
