/**
 * Commands for the integration adapters (EventBridge lifecycle events, GuardDuty feedback): the real ones
 * the workflow emits for a scenario built from the GuardDuty TorRelay fixture, plus `make…(overrides)` for
 * cases a scenario cannot reach (huge facts, many findings).
 */
import type { Command } from "../../core/incident/commands";
import type { IncidentEvent } from "../../core/incident/events";
import {
  changed,
  deps,
  ev,
  findingFromGuardDutyFixture,
  replay,
  TORRELAY_FIXTURE,
} from "./incident-events.factory";

export type PublishCommand = Extract<Command, { type: "publishIncidentEvent" }>;
export type FeedbackCommand = Extract<Command, { type: "sendGuardDutyFeedback" }>;

/** Every command the workflow emits for `events` (in order), from a fresh incident `IR-1`. */
export function commandsOf(events: readonly IncidentEvent[]): Command[] {
  const { results } = replay(events, deps({ incidentId: "IR-1" }));
  return results.filter((r) => r.changed).flatMap((r) => changed(r).commands as Command[]);
}

/** The TorRelay fixture opening an incident, its clocks warning and breaching, then a false positive. */
export function scenarioCommands(): Command[] {
  const finding = findingFromGuardDutyFixture(TORRELAY_FIXTURE);
  return commandsOf([ev.received(finding, 0), ev.clock(13), ev.clock(16), ev.falsePositive(20, "pentest")]);
}

export const publishCommandsOf = (commands: readonly Command[]): PublishCommand[] =>
  commands.filter((c): c is PublishCommand => c.type === "publishIncidentEvent");

export const feedbackCommandsOf = (commands: readonly Command[]): FeedbackCommand[] =>
  commands.filter((c): c is FeedbackCommand => c.type === "sendGuardDutyFeedback");

type PublishDetail = PublishCommand["params"]["detail"];

export function makePublishCommand(
  overrides: {
    id?: string;
    detailType?: PublishCommand["params"]["detailType"];
  } & Partial<PublishDetail> = {},
): PublishCommand {
  const { id, detailType, ...detail } = overrides;
  return {
    id: id ?? "IR-1:3:2",
    incidentId: detail.incidentId ?? "IR-1",
    type: "publishIncidentEvent",
    params: {
      detailType: detailType ?? "Incident SLA Breached",
      detail: {
        incidentId: "IR-1",
        title: "EC2 instance i-99999999 is communicating with a Tor Exit node.",
        severity: "HIGH",
        phase: "detect",
        correlationKey: "111111111111|eu-west-2|ec2-instance:i-99999999",
        at: "2024-05-01T10:16:00.000Z",
        facts: { clock: "detect", deadline: "2024-05-01T10:15:00.000Z", level: 1 },
        ...detail,
      },
    },
  };
}

export function makeFeedbackCommand(overrides: Partial<FeedbackCommand["params"]> = {}): FeedbackCommand {
  return {
    id: "IR-1:5:3",
    incidentId: "IR-1",
    type: "sendGuardDutyFeedback",
    params: {
      accountId: "111111111111",
      region: "eu-west-2",
      detectorId: "4b85f358-65e7-49b6-b9ae-b3816303fb12",
      findingIds: ["00f996e6c7804e4c8b4b61e60f5fc423"],
      feedback: "NOT_USEFUL",
      comments: "Incident IR-1 marked false positive: pentest",
      ...overrides,
    },
  };
}
