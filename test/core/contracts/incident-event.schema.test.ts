/**
 * The lifecycle event contract: the detail built from the workflow's real publishIncidentEvent commands
 * satisfies the versioned schema, carries what consumers need (resource, deadlines, links, facts), the
 * documented JSON Schema stays identical to the code, the consumer pattern matches our events (and only
 * ours, on major version 1), and own events are recognised whatever their shape.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  INCIDENT_EVENT_SCHEMA_VERSION,
  incidentEventDetailJsonSchema,
  incidentEventDetailSchema,
  incidentEventPattern,
  isOwnIncidentEvent,
  resourceOfCorrelationKey,
  toIncidentEventDetail,
} from "../../../core/contracts/incident-event.schema";
import { correlationKeyFor } from "../../../core/findings/correlation";
import { LIFECYCLE_DETAIL_TYPES } from "../../../core/incident/commands";
import { matchesPattern } from "../../../core/rules/matcher";
import {
  makePublishCommand,
  publishCommandsOf,
  scenarioCommands,
} from "../../support/integration-commands.factory";

const LINKS = { incident: "https://ir.example.com/incidents/IR-1", runbook: null };

describe("toIncidentEventDetail", () => {
  it("turns every lifecycle command of a real scenario into a schema-valid detail", () => {
    // Prepare
    const commands = publishCommandsOf(scenarioCommands());

    // Act
    const details = commands.map((c) => toIncidentEventDetail(c.id, c.params, LINKS));

    // Assess
    expect(commands.map((c) => c.params.detailType)).toEqual([
      "Incident Opened",
      "Incident SLA Warning",
      "Incident SLA Breached",
      "Incident Closed",
    ]);
    for (const [i, detail] of details.entries()) {
      const command = commands[i]!;
      expect(incidentEventDetailSchema.parse(detail)).toEqual(detail);
      expect(detail).toMatchObject({
        schemaVersion: "1.0",
        idempotencyKey: command.id,
        incidentId: "IR-1",
        severity: command.params.detail.severity,
        phase: command.params.detail.phase,
        at: command.params.detail.at,
        correlationKey: "111111111111|eu-west-2|ec2-instance:i-99999999",
        resource: { accountId: "111111111111", region: "eu-west-2", type: "ec2-instance", id: "i-99999999" },
        links: LINKS,
        facts: command.params.detail.facts,
      });
      expect(detail).not.toHaveProperty("truncated");
    }
  });

  it("lifts SLA clock deadlines into `deadlines`, and leaves the field out when there are none", () => {
    // Prepare
    const [opened, warning, breached, closed] = publishCommandsOf(scenarioCommands());

    // Act
    const [o, w, b, c] = [opened, warning, breached, closed].map((cmd) =>
      toIncidentEventDetail(cmd!.id, cmd!.params, LINKS),
    );

    // Assess
    expect(w?.deadlines).toEqual({ detect: warning?.params.detail.facts.deadline });
    expect(b?.deadlines).toEqual({ detect: "2024-05-01T10:15:00.000Z" });
    expect(o).not.toHaveProperty("deadlines");
    expect(c).not.toHaveProperty("deadlines");
  });

  it("merges a `deadlines` fact with clock/deadline facts and ignores non-string deadlines", () => {
    // Prepare
    const command = makePublishCommand({
      facts: {
        deadlines: { contain: "2024-05-01T11:00:00.000Z", eradicate: 5 },
        clock: "assess",
        deadline: "2024-05-01T10:30:00.000Z",
      },
    });

    // Act
    const detail = toIncidentEventDetail(command.id, command.params, LINKS);

    // Assess
    expect(detail.deadlines).toEqual({
      contain: "2024-05-01T11:00:00.000Z",
      assess: "2024-05-01T10:30:00.000Z",
    });
  });

  it("keeps a key it cannot split as it is, with a null resource", () => {
    // Prepare
    const command = makePublishCommand({ correlationKey: "legacy-key" });

    // Act
    const detail = toIncidentEventDetail(command.id, command.params, LINKS);

    // Assess
    expect(detail.correlationKey).toBe("legacy-key");
    expect(detail.resource).toBeNull();
    expect(incidentEventDetailSchema.safeParse(detail).success).toBe(true);
  });
});

describe("resourceOfCorrelationKey", () => {
  it("reads back any key core/findings builds, ARNs and global resources included", () => {
    const part = fc.string({ minLength: 1 }).filter((s) => !s.includes("|"));
    const type = fc.constantFrom(
      "ec2-instance",
      "iam-principal",
      "access-key",
      "s3-bucket",
      "security-group",
    );
    fc.assert(
      fc.property(part, part, type, fc.string({ minLength: 1 }), (account, region, resourceType, id) => {
        // Prepare
        const key = correlationKeyFor(account, region, { type: resourceType as "ec2-instance", id });

        // Act
        const resource = resourceOfCorrelationKey(key);

        // Assess
        const global = ["iam-principal", "access-key", "s3-bucket"].includes(resourceType);
        expect(resource).toEqual({
          accountId: account,
          region: global ? "global" : region,
          type: resourceType,
          id,
        });
      }),
    );
  });

  it.each(["", "a|b", "a|b|noColon", "|eu-west-2|t:i", "a||t:i", "a|b|:id", "a|b|type:"])(
    "answers null for %j",
    (key) => {
      expect(resourceOfCorrelationKey(key)).toBeNull();
    },
  );
});

describe("incidentEventDetailJsonSchema", () => {
  it("is versioned, requires what every consumer relies on and allows fields a minor version adds", () => {
    // Assess
    expect(incidentEventDetailJsonSchema.$id).toBe("urn:incident-response:schema:incident-event:1.0");
    expect(incidentEventDetailJsonSchema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(incidentEventDetailJsonSchema.required).toEqual([
      "schemaVersion",
      "idempotencyKey",
      "incidentId",
      "title",
      "severity",
      "phase",
      "at",
      "correlationKey",
      "resource",
      "links",
      "facts",
    ]);
    expect(incidentEventDetailJsonSchema).not.toHaveProperty("additionalProperties");
    const properties = incidentEventDetailJsonSchema.properties as Record<string, Record<string, unknown>>;
    expect(properties.schemaVersion?.const).toBe(INCIDENT_EVENT_SCHEMA_VERSION);
  });

  it("is the schema docs/incident-events.md publishes, character for character", () => {
    // Prepare
    const docs = readFileSync(new URL("../../../docs/incident-events.md", import.meta.url), "utf8");
    const block =
      /<!-- incident-event-json-schema:start -->\n```json\n([\s\S]*?)\n```\n<!-- incident-event-json-schema:end -->/.exec(
        docs,
      );

    // Assess
    expect(block?.[1], "regenerate the JSON Schema block in docs/incident-events.md").toBe(
      JSON.stringify(incidentEventDetailJsonSchema, null, 2),
    );
  });
});

describe("incidentEventPattern", () => {
  const envelope = (source: string, detailType: string, schemaVersion = "1.0") => ({
    version: "0",
    id: "e-1",
    "detail-type": detailType,
    source,
    account: "111111111111",
    time: "2024-05-01T10:16:02Z",
    region: "eu-west-2",
    resources: [],
    detail: {
      ...toIncidentEventDetail("IR-1:3:3", makePublishCommand().params, LINKS),
      schemaVersion,
    },
  });

  it("matches every lifecycle event of the service on schema 1.x", () => {
    // Prepare
    const pattern = incidentEventPattern("incident-response");

    // Assess
    for (const detailType of LIFECYCLE_DETAIL_TYPES) {
      expect(matchesPattern(pattern, envelope("incident-response", detailType))).toBe(true);
      expect(matchesPattern(pattern, envelope("incident-response", detailType, "1.7"))).toBe(true);
    }
  });

  it("does not match another source, another detail type, a major version 2 or an unlisted type", () => {
    // Prepare
    const pattern = incidentEventPattern("incident-response", ["Incident Closed"]);

    // Assess
    expect(matchesPattern(pattern, envelope("incident-response", "Incident Closed"))).toBe(true);
    expect(matchesPattern(pattern, envelope("incident-response", "Incident Opened"))).toBe(false);
    expect(matchesPattern(pattern, envelope("someone-else", "Incident Closed"))).toBe(false);
    expect(matchesPattern(pattern, envelope("incident-response", "Incident Closed", "2.0"))).toBe(false);
    expect(matchesPattern(pattern, envelope("incident-response", "GuardDuty Finding"))).toBe(false);
  });
});

describe("isOwnIncidentEvent", () => {
  it.each([
    [{ source: "incident-response", "detail-type": "Incident Opened", detail: {} }, true],
    [{ Source: "incident-response", DetailType: "Incident Opened", Detail: "{}" }, true],
    [{ source: "aws.guardduty", "detail-type": "GuardDuty Finding", detail: {} }, false],
    [{ Source: "my.app", DetailType: "Security Event", Detail: "{}" }, false],
    [{ source: "Incident-Response" }, false],
    [{ source: 42 }, false],
    [[{ source: "incident-response" }], false],
    ["incident-response", false],
    [null, false],
  ])("recognises %j: %s", (event, own) => {
    expect(isOwnIncidentEvent(event, "incident-response")).toBe(own);
  });

  it("never throws and only ever says yes for our source", () => {
    fc.assert(
      fc.property(fc.anything(), fc.string(), (event, serviceName) => {
        // Act
        const own = isOwnIncidentEvent(event, serviceName);

        // Assess
        if (own) {
          const record = event as Record<string, unknown>;
          expect([record.source, record.Source]).toContain(serviceName);
        }
      }),
    );
  });
});
