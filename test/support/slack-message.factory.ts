/**
 * Factories for what Slack chat messages are rendered from: an IncidentView (valid by default, every field
 * overridable; by default detecting, with the detect clock running from 12:00) and the params of the chat
 * commands. A fast-check arbitrary gives views with arbitrary text in every free-text field and arbitrary
 * clocks, breaches and resources, for the "whatever the input" properties of the Slack adapter.
 */
import fc from "fast-check";
import { SEVERITY_LABELS } from "../../core/findings/severity";
import {
  CLOCK_VIEW_STATES,
  type ClockView,
  type CommandParams,
  type IncidentView,
  MAX_VIEW_RESOURCES,
} from "../../core/incident/commands";
import { ACTIVE_PHASES, INCIDENT_PHASES } from "../../core/incident/phases";

export function makeChatView(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    incidentId: "IR-0001",
    title: "EC2 instance i-0abc is communicating with a Tor relay",
    severity: "HIGH",
    score: 80,
    phase: "detect",
    runbookId: "ec2-compromise",
    category: "ec2-compromise",
    correlationKey: "123456789012:us-east-1:ec2-instance:i-0abc",
    accountId: "123456789012",
    region: "us-east-1",
    openedAt: "2024-05-01T12:00:00.000Z",
    owner: null,
    acknowledgedBy: null,
    containment: "none",
    findingCount: 1,
    clocks: [
      {
        phase: "detect",
        warnAt: "2024-05-01T12:12:00.000Z",
        deadline: "2024-05-01T12:15:00.000Z",
        state: "running",
      },
    ],
    breaches: [],
    resources: [{ type: "ec2-instance", id: "i-0abc" }],
    resourceCount: 1,
    ...overrides,
  };
}

export function makePostParams(
  overrides: Partial<IncidentView> = {},
  section = "Detect",
): CommandParams<"postIncidentMessage"> {
  const incident = makeChatView(overrides);
  return { incident, runbook: { id: incident.runbookId, section } };
}

export function makeReplyParams(
  overrides: Partial<CommandParams<"postThreadReply">> = {},
): CommandParams<"postThreadReply"> {
  return {
    topic: "sla.warning",
    text: "Assess is due by 2024-05-01T12:30:00.000Z",
    runbook: { id: "ec2-compromise", section: "Assess" },
    ...overrides,
  };
}

/** Text as hostile as it gets: any UTF-16 (lone surrogates too), Slack control syntax, and huge sizes. */
export const hostileText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 })
      .map((codes) => String.fromCharCode(...codes)),
    fc
      .array(
        fc.constantFrom(
          "<!channel>",
          "<!here>",
          "<https://evil.example|click>",
          "<@U012AB3CD>",
          "&amp;",
          "&",
          "<",
          ">",
          "😀",
          "\n",
          "*",
          "a",
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join("")),
    fc
      .tuple(fc.constantFrom("&", "<", "x", "😀", "é"), fc.integer({ min: 1, max: 50_000 }))
      .map(([unit, n]) => unit.repeat(n)),
  );

/** An ISO instant (any year the Date range allows), or hostile text where a time should be. */
export const arbitraryInstant = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .date({
        min: new Date("0001-01-01T00:00:00.000Z"),
        max: new Date("9999-12-31T23:59:59.999Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    fc.constant("2024-05-01T12:15:00.000Z"),
    hostileText(),
  );

export const arbitraryClockView = (): fc.Arbitrary<ClockView> =>
  fc.record({
    phase: fc.oneof(fc.constantFrom(...ACTIVE_PHASES), hostileText()),
    warnAt: arbitraryInstant(),
    deadline: arbitraryInstant(),
    state: fc.constantFrom(...CLOCK_VIEW_STATES),
  });

export const arbitraryIncidentView = (): fc.Arbitrary<IncidentView> =>
  fc.record({
    incidentId: fc.oneof(fc.constant("IR-0001"), hostileText()),
    title: hostileText(),
    severity: fc.constantFrom(...SEVERITY_LABELS),
    score: fc.double({ min: 0, max: 100, noNaN: true }),
    phase: fc.oneof(fc.constantFrom(...INCIDENT_PHASES), hostileText()),
    runbookId: hostileText(),
    category: hostileText(),
    correlationKey: hostileText(),
    accountId: hostileText(),
    region: hostileText(),
    openedAt: fc.oneof(fc.constant("2024-05-01T12:00:00.000Z"), hostileText()),
    owner: fc.option(fc.oneof(fc.constant("U012AB3CD"), hostileText())),
    acknowledgedBy: fc.option(hostileText()),
    containment: fc.oneof(fc.constantFrom("none", "awaitingApproval", "isolated", "failed"), hostileText()),
    findingCount: fc.nat(),
    clocks: fc.array(arbitraryClockView(), { maxLength: 14 }),
    breaches: fc.array(
      fc.record({
        phase: fc.oneof(fc.constantFrom(...ACTIVE_PHASES), hostileText()),
        deadline: arbitraryInstant(),
        at: arbitraryInstant(),
        level: fc.nat({ max: 20 }),
      }),
      { maxLength: 14 },
    ),
    resources: fc.array(fc.record({ type: hostileText(), id: hostileText() }), {
      maxLength: MAX_VIEW_RESOURCES,
    }),
    resourceCount: fc.nat({ max: 100_000 }),
  });
