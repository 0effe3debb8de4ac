/**
 * The order of one dispatcher turn: urgent types (page, first message, mention) before everything, then
 * round robin over the other types in ROTATION order, oldest first within a type, never more than the
 * limit and never a command twice; types outside the table still get their turn, last.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_TYPES } from "../../../core/incident/commands";
import { fairOrder, ROTATION, URGENT } from "../../../server/runtime/dispatch-order";

interface Cmd {
  id: string;
  type: string;
}

/** Lanes by type, in the order the commands are given (oldest first). */
function lanesOf(commands: readonly Cmd[]): Map<string, Cmd[]> {
  const lanes = new Map<string, Cmd[]>();
  for (const command of commands) lanes.set(command.type, [...(lanes.get(command.type) ?? []), command]);
  return lanes;
}

const backlog = (type: string, n: number, from = 0): Cmd[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${type}#${from + i}`, type }));

describe("fairOrder", () => {
  it("takes a new incident message ahead of an older backlog of Security Hub updates", () => {
    // Prepare
    const commands = [...backlog("updateSecurityHubFindings", 500), ...backlog("postIncidentMessage", 1)];

    // Act
    const turn = fairOrder(lanesOf(commands), 20);

    // Assess
    expect(turn[0]?.type).toBe("postIncidentMessage");
    expect(turn).toHaveLength(20);
  });

  it("interleaves the other types one by one, oldest first within each", () => {
    // Prepare
    const commands = [
      ...backlog("updateSecurityHubFindings", 3),
      ...backlog("publishIncidentEvent", 3),
      ...backlog("planContainment", 1),
    ];

    // Act
    const turn = fairOrder(lanesOf(commands), 10).map((c) => c.id);

    // Assess
    expect(turn).toEqual([
      "planContainment#0",
      "publishIncidentEvent#0",
      "updateSecurityHubFindings#0",
      "publishIncidentEvent#1",
      "updateSecurityHubFindings#1",
      "publishIncidentEvent#2",
      "updateSecurityHubFindings#2",
    ]);
  });

  it("takes every urgent command before the round robin, pages first", () => {
    // Prepare
    const commands = [
      ...backlog("updateSecurityHubFindings", 5),
      ...backlog("postIncidentMessage", 3),
      ...backlog("pageOnCall", 1),
    ];

    // Act
    const turn = fairOrder(lanesOf(commands), 5).map((c) => c.type);

    // Assess
    expect(turn).toEqual([
      "pageOnCall",
      "postIncidentMessage",
      "postIncidentMessage",
      "postIncidentMessage",
      "updateSecurityHubFindings",
    ]);
  });

  it("still takes a type it does not know, after the known ones", () => {
    // Prepare
    const commands = [...backlog("someFutureType", 2), ...backlog("publishIncidentEvent", 1)];

    // Act
    const turn = fairOrder(lanesOf(commands), 10).map((c) => c.id);

    // Assess
    expect(turn).toEqual(["publishIncidentEvent#0", "someFutureType#0", "someFutureType#1"]);
  });

  it("ranks every command type, urgent ones ahead of the rest", () => {
    const urgentRanks = COMMAND_TYPES.filter((t) => URGENT.has(t)).map((t) => ROTATION[t]);
    const otherRanks = COMMAND_TYPES.filter((t) => !URGENT.has(t)).map((t) => ROTATION[t]);
    expect(new Set(COMMAND_TYPES.map((t) => ROTATION[t])).size).toBe(COMMAND_TYPES.length);
    expect(Math.max(...urgentRanks)).toBeLessThan(Math.min(...otherRanks));
  });

  it("takes min(limit, all) commands, each once, keeping each type's order", () => {
    const types = [...COMMAND_TYPES, "unknownType"];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...types), { maxLength: 200 }),
        fc.integer({ min: 1, max: 80 }),
        (typesInOrder, limit) => {
          // Prepare
          const commands = typesInOrder.map((type, i) => ({ id: `c${i}`, type }));
          // Act
          const turn = fairOrder(lanesOf(commands), limit);
          // Assess
          expect(turn).toHaveLength(Math.min(limit, commands.length));
          expect(new Set(turn.map((c) => c.id)).size).toBe(turn.length);
          for (const type of types) {
            const taken = turn.filter((c) => c.type === type).map((c) => c.id);
            const oldest = commands
              .filter((c) => c.type === type)
              .slice(0, taken.length)
              .map((c) => c.id);
            expect(taken).toEqual(oldest);
          }
          // A type with work left was never skipped while a later-ranked type got a second command.
          const counts = new Map<string, number>();
          for (const c of turn) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
          const available = lanesOf(commands);
          for (const [type, lane] of available) {
            if ((counts.get(type) ?? 0) > 0 || URGENT.has(type)) continue;
            const others = [...counts].filter(([t]) => !URGENT.has(t));
            expect(others.every(([, n]) => n <= 1) || lane.length === 0).toBe(true);
          }
        },
      ),
    );
  });
});
