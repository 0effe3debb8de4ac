/**
 * The command vocabulary: ids, schemas and the outbox form.
 */
import { describe, expect, it } from "vitest";
import {
  COMMAND_TYPES,
  type Command,
  commandId,
  isCommandType,
  parseCommand,
  toOutboxCommand,
} from "../../../core/incident/commands";

const page: Command = {
  id: commandId("inc-7", 3, 0),
  incidentId: "inc-7",
  type: "mentionInChat",
  params: { target: "on-call", text: "Detect missed its deadline" },
};

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
