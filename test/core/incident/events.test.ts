/**
 * Incident events: schemas for untrusted input; parse errors are InputErrors with the path at fault.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { INCIDENT_EVENT_TYPES, parseIncidentEvent } from "../../../core/incident/events";
import { ev, makeFinding } from "../../support/incident-events.factory";

const errorOf = (input: unknown): InputError => {
  try {
    parseIncidentEvent(input);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
};

describe("parseIncidentEvent", () => {
  it("accepts every event the factories build", () => {
    // Prepare
    const events = [
      ev.received(makeFinding(), 0),
      ev.updated(makeFinding(), 1),
      ev.ack(1),
      ev.owner(1, "U2"),
      ev.advance(2),
      ev.requestContainment(2),
      ev.approve(2),
      ev.deny(2, "no"),
      ev.restore(2),
      ev.succeeded(3, "isolateInstance", "inc:1:0", { followUp: "completeIsolation" }),
      ev.failed(3, "isolateInstance", "inc:1:0"),
      ev.clock(4),
      ev.note(4, "hello"),
      ev.escalate(4),
      ev.falsePositive(5, "scanner"),
      ev.recovery(makeFinding({ kind: "recovery" }), 5),
      ev.postmortem(6, "https://wiki.example.com/pm"),
    ];

    // Act
    const parsed = events.map(parseIncidentEvent);

    // Assess
    expect(parsed).toEqual(events);
    expect(new Set(parsed.map((e) => e.type))).toEqual(new Set(INCIDENT_EVENT_TYPES));
  });

  it.each([
    ["not an object", null, "invalid_shape", "$"],
    ["an unknown type", { type: "incident.exploded", at: "2024-05-01T10:00:00Z" }, "unknown_event", "$.type"],
    [
      "a missing actor",
      { type: "incident.acknowledged", at: "2024-05-01T10:00:00Z" },
      "missing_field",
      "$.actor",
    ],
    [
      "a non-ISO time",
      { type: "clock.checked", at: "yesterday", now: "2024-05-01T10:00:00Z" },
      "invalid_value",
      "$.at",
    ],
    [
      "a numeric note",
      { type: "note.added", at: "2024-05-01T10:00:00Z", actor: "U1", text: 5 },
      "wrong_type",
      "$.text",
    ],
    [
      "an unknown command type",
      {
        type: "command.failed",
        at: "2024-05-01T10:00:00Z",
        commandId: "x",
        commandType: "rm -rf",
        error: "e",
      },
      "invalid_value",
      "$.commandType",
    ],
    [
      "a bad finding",
      { type: "finding.received", at: "2024-05-01T10:00:00Z", finding: { ...makeFinding(), resources: [] } },
      "invalid_value",
      "$.finding.resources",
    ],
  ])("rejects %s with a typed error", (_name, input, code, path) => {
    // Act
    const error = errorOf(input);

    // Assess
    expect(error.code).toBe(code);
    expect(error.path).toBe(path);
  });

  it("throws nothing but InputError for arbitrary or mutated input", () => {
    // Prepare
    const valid = ev.note(1, "text") as Record<string, unknown>;
    const mutated = fc.record({
      key: fc.constantFrom(...Object.keys(valid), "extra"),
      value: fc.jsonValue(),
    });

    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          mutated.map(({ key, value }) => ({ ...valid, [key]: value })),
        ),
        (input) => {
          try {
            const event = parseIncidentEvent(input);
            expect(INCIDENT_EVENT_TYPES).toContain(event.type);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
          }
        },
      ),
    );
  });
});
