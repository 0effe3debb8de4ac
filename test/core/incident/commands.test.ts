/**
 * The command vocabulary: ids, schemas and the outbox form.
 */
import { describe, expect, it } from "vitest";
import {
  COMMAND_TYPES,
  type Command,
  commandId,
  incidentViewSchema,
  isCommandType,
  MAX_VIEW_RESOURCES,
  parseCommand,
  toOutboxCommand,
} from "../../../core/incident/commands";
import { makeIncidentView } from "../../support/incident-view.factory";

const page: Command = {
  id: commandId("inc-7", 3, 0),
  incidentId: "inc-7",
  type: "mentionInChat",
  params: { target: "on-call", text: "Detect missed its deadline" },
};

const view = makeIncidentView();
const post = (incident: unknown): unknown => ({
  id: commandId("inc-7", 1, 0),
  incidentId: "inc-7",
  type: "postIncidentMessage",
  params: { incident, runbook: { id: "ec2-compromise", section: "Detect" } },
});

describe("incident view", () => {
  it("carries clocks, breaches and resources through the outbox unchanged", () => {
    // Prepare
    const incident = {
      ...view,
      breaches: [
        { phase: "detect", deadline: "2024-05-01T12:15:00.000Z", at: "2024-05-01T12:16:00.000Z", level: 2 },
      ],
    };

    // Act
    const back = parseCommand(JSON.parse(JSON.stringify(post(incident))));

    // Assess
    expect(back.params).toMatchObject({ incident });
  });

  it("still reads an outbox row written before views had clocks, as a view with none", () => {
    // Prepare
    const { clocks: _c, breaches: _b, resources: _r, resourceCount: _n, ...old } = view;

    // Act
    const back = parseCommand(post(old));

    // Assess
    expect(back.params).toMatchObject({
      incident: { ...old, clocks: [], breaches: [], resources: [], resourceCount: 0 },
    });
  });

  it("refuses an unknown clock state and more resources than a view lists", () => {
    // Prepare
    const clock = { phase: "detect", warnAt: "x", deadline: "y", state: "paused" };
    const resources = Array.from({ length: MAX_VIEW_RESOURCES + 1 }, (_, i) => ({ type: "t", id: `r${i}` }));

    // Assess
    expect(incidentViewSchema.safeParse({ ...view, clocks: [clock] }).success).toBe(false);
    expect(incidentViewSchema.safeParse({ ...view, resources }).success).toBe(false);
    expect(incidentViewSchema.safeParse({ ...view, resources: resources.slice(1) }).success).toBe(true);
  });
});

describe("commands", () => {
  it("builds deterministic ids from incident, version and position", () => {
    // Assess
    expect(commandId("inc-7", 3, 0)).toBe("inc-7:3:0");
    expect(commandId("inc-7", 12, 4)).toBe("inc-7:12:4");
  });

  it("knows exactly its vocabulary", () => {
    // Assess
    expect(COMMAND_TYPES).toHaveLength(16);
    expect(COMMAND_TYPES.every(isCommandType)).toBe(true);
    expect(isCommandType("toString")).toBe(false);
    expect(isCommandType("terminateInstance")).toBe(false);
  });

  it("round-trips through the outbox form", () => {
    // Act
    const outbox = toOutboxCommand(page, "2024-05-01T10:16:00.000Z");
    const back = parseCommand(JSON.parse(JSON.stringify(outbox)));

    // Assess
    expect(outbox).toEqual({ ...page, createdAt: "2024-05-01T10:16:00.000Z" });
    expect(back).toEqual(page);
  });

  it("rejects params that do not match the command type", () => {
    // Assess
    expect(() => parseCommand({ ...page, type: "pageOnCall" })).toThrow();
    expect(() =>
      parseCommand({
        ...page,
        type: "updateSecurityHubFindings",
        params: { findings: [], status: "NOTIFIED", note: "" },
      }),
    ).toThrow();
    expect(() =>
      parseCommand({ ...page, type: "publishIncidentEvent", params: { detailType: "Incident Exploded" } }),
    ).toThrow();
  });
});
