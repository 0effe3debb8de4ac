/**
 * GuardDutyFeedback against a mocked GuardDutyClient: the exact UpdateFindingsFeedback / ArchiveFindings
 * requests for the workflow's real feedback command, chunks of 50, bounded comments, archiving only for
 * false positives and only when configured, per-location clients, and SDK errors → RetryLaterError or a
 * named Error.
 */
import {
  ArchiveFindingsCommand,
  BadRequestException,
  GetFindingsCommand,
  GuardDutyClient,
  InternalServerErrorException,
  UpdateFindingsFeedbackCommand,
} from "@aws-sdk/client-guardduty";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { COMMENTS_MAX, type DetectorLocation, GuardDutyFeedback } from "../../../adapters/guardduty/feedback";
import { createCommandExecutor } from "../../../app/execute-command";
import { RetryLaterError } from "../../../core/ports/command-executor";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { makeSdkTorRelayFinding } from "../../support/guardduty-sdk.factory";
import {
  feedbackCommandsOf,
  makeFeedbackCommand,
  scenarioCommands,
} from "../../support/integration-commands.factory";

const DETECTOR = "4b85f358-65e7-49b6-b9ae-b3816303fb12";
const FINDING = "00f996e6c7804e4c8b4b61e60f5fc423";
const client = new GuardDutyClient({ region: "eu-west-2" });
const guardDuty = mockClient(client);

const feedbackInputs = () =>
  guardDuty.commandCalls(UpdateFindingsFeedbackCommand).map((c) => c.args[0].input);
const archiveInputs = () => guardDuty.commandCalls(ArchiveFindingsCommand).map((c) => c.args[0].input);

beforeEach(() => {
  guardDuty.reset();
  guardDuty.on(UpdateFindingsFeedbackCommand).resolves({});
  guardDuty.on(ArchiveFindingsCommand).resolves({});
});

describe("GuardDutyFeedback.sendFeedback", () => {
  it("marks the findings of a false positive NOT_USEFUL, with the workflow's comment, and archives nothing by default", async () => {
    // Prepare
    const [command] = feedbackCommandsOf(scenarioCommands());

    // Act
    const result = await new GuardDutyFeedback({ client }).sendFeedback(command!);

    // Assess
    expect(feedbackInputs()).toEqual([
      {
        DetectorId: DETECTOR,
        FindingIds: [FINDING],
        Feedback: "NOT_USEFUL",
        Comments: "False positive: pentest",
      },
    ]);
    expect(archiveInputs()).toEqual([]);
    expect(result).toEqual({ feedback: "NOT_USEFUL", findingIds: 1, calls: 1, archived: 0 });
  });

  it("archives false positives after the feedback when configured", async () => {
    // Prepare
    const feedback = new GuardDutyFeedback({ client, archiveOnFalsePositive: true });

    // Act
    const result = await feedback.sendFeedback(makeFeedbackCommand());

    // Assess
    expect(archiveInputs()).toEqual([{ DetectorId: DETECTOR, FindingIds: [FINDING] }]);
    expect(result).toEqual({ feedback: "NOT_USEFUL", findingIds: 1, calls: 2, archived: 1 });
  });

  it("never archives findings that were useful", async () => {
    // Prepare
    const feedback = new GuardDutyFeedback({ client, archiveOnFalsePositive: true });

    // Act
    await feedback.sendFeedback(
      makeFeedbackCommand({ feedback: "USEFUL", comments: "Confirmed: contained" }),
    );

    // Assess
    expect(feedbackInputs()).toEqual([
      { DetectorId: DETECTOR, FindingIds: [FINDING], Feedback: "USEFUL", Comments: "Confirmed: contained" },
    ]);
    expect(archiveInputs()).toEqual([]);
  });

  it("sends at most 50 distinct finding ids per call, in order, for feedback and archiving alike", async () => {
    // Prepare
    const ids = Array.from({ length: 120 }, (_, i) => `finding-${i}`);
    const command = makeFeedbackCommand({ findingIds: [...ids, "finding-0", "finding-7"] });

    // Act
    const result = await new GuardDutyFeedback({ client, archiveOnFalsePositive: true }).sendFeedback(
      command,
    );

    // Assess
    expect(feedbackInputs().map((i) => i.FindingIds)).toEqual([
      ids.slice(0, 50),
      ids.slice(50, 100),
      ids.slice(100),
    ]);
    expect(archiveInputs().map((i) => i.FindingIds)).toEqual([
      ids.slice(0, 50),
      ids.slice(50, 100),
      ids.slice(100),
    ]);
    expect(result).toEqual({ feedback: "NOT_USEFUL", findingIds: 120, calls: 6, archived: 120 });
  });

  it("leaves out empty comments and cuts long ones visibly", async () => {
    // Prepare
    const feedback = new GuardDutyFeedback({ client });

    // Act
    await feedback.sendFeedback(makeFeedbackCommand({ comments: "   " }));
    await feedback.sendFeedback(makeFeedbackCommand({ comments: `False positive: ${"x".repeat(5_000)}` }));

    // Assess
    const [empty, long] = feedbackInputs();
    expect(empty).not.toHaveProperty("Comments");
    expect(long?.Comments).toHaveLength(COMMENTS_MAX);
    expect(long?.Comments?.startsWith("False positive: xxx")).toBe(true);
    expect(long?.Comments?.endsWith("…")).toBe(true);
  });

  it("asks the client for the finding's account and region", async () => {
    // Prepare
    const asked: DetectorLocation[] = [];
    const feedback = new GuardDutyFeedback({
      client: (where) => {
        asked.push(where);
        return client;
      },
    });

    // Act
    await feedback.sendFeedback(makeFeedbackCommand({ accountId: "333333333333", region: "us-east-1" }));

    // Assess
    expect(asked).toEqual([{ accountId: "333333333333", region: "us-east-1" }]);
    expect(feedbackInputs()).toHaveLength(1);
  });

  it.each([
    [
      "throttled",
      Object.assign(new Error("Rate exceeded"), {
        name: "TooManyRequestsException",
        $metadata: { httpStatusCode: 429 },
      }),
    ],
    ["a 5xx", new InternalServerErrorException({ message: "internal", $metadata: { httpStatusCode: 500 } })],
  ])("asks to retry later when GuardDuty is %s", async (_, error) => {
    // Prepare
    guardDuty.on(UpdateFindingsFeedbackCommand).rejects(error);

    // Act
    const sending = new GuardDutyFeedback({ client }).sendFeedback(makeFeedbackCommand());

    // Assess
    await expect(sending).rejects.toBeInstanceOf(RetryLaterError);
    await expect(sending).rejects.toThrow("GuardDuty UpdateFindingsFeedback");
  });

  it("fails for good, naming the call, when a member account may not archive", async () => {
    // Prepare
    guardDuty.on(ArchiveFindingsCommand).rejects(
      new BadRequestException({
        message: "The request is rejected because the current account cannot archive findings.",
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const sending = new GuardDutyFeedback({ client, archiveOnFalsePositive: true }).sendFeedback(
      makeFeedbackCommand(),
    );

    // Assess
    await expect(sending).rejects.toThrow(
      "GuardDuty ArchiveFindings failed: BadRequestException: The request is rejected because the current account cannot archive findings.",
    );
    await expect(sending).rejects.not.toBeInstanceOf(RetryLaterError);
    expect(feedbackInputs()).toHaveLength(1);
  });
});

describe("as the executor's sendGuardDutyFeedback capability", () => {
  it("carries out the workflow's feedback command through the command executor", async () => {
    // Prepare
    const feedback = new GuardDutyFeedback({ client, archiveOnFalsePositive: true });
    const executor = createCommandExecutor({} as IncidentStore, {
      sendGuardDutyFeedback: feedback.sendFeedback,
    });
    const [command] = feedbackCommandsOf(scenarioCommands());

    // Act
    const result = await executor.execute(command!);

    // Assess
    expect(result).toEqual({ feedback: "NOT_USEFUL", findingIds: 1, calls: 2, archived: 1 });
    expect(feedbackInputs().map((i) => i.FindingIds)).toEqual([[FINDING]]);
    expect(archiveInputs().map((i) => i.FindingIds)).toEqual([[FINDING]]);
  });
});

describe("GuardDutyFeedback.getFullFindings", () => {
  it("reads whole findings as GuardDuty JSON", async () => {
    // Prepare
    guardDuty.on(GetFindingsCommand).resolves({ Findings: [makeSdkTorRelayFinding()] });

    // Act
    const { findings, missing } = await new GuardDutyFeedback({ client }).getFullFindings(DETECTOR, [
      FINDING,
      "gone",
    ]);

    // Assess
    expect(findings.map((f) => [f.id, f.type])).toEqual([[FINDING, "UnauthorizedAccess:EC2/TorRelay"]]);
    expect(missing).toEqual(["gone"]);
    expect(guardDuty.commandCalls(GetFindingsCommand)[0]?.args[0].input).toEqual({
      DetectorId: DETECTOR,
      FindingIds: [FINDING, "gone"],
    });
  });

  it("needs the detector's location when clients are per location", async () => {
    // Prepare
    guardDuty.on(GetFindingsCommand).resolves({ Findings: [] });
    const asked: DetectorLocation[] = [];
    const feedback = new GuardDutyFeedback({
      client: (where) => {
        asked.push(where);
        return client;
      },
    });

    // Act
    const withoutWhere = feedback.getFullFindings(DETECTOR, [FINDING]);
    await feedback.getFullFindings(DETECTOR, [FINDING], { accountId: "111111111111", region: "eu-west-2" });

    // Assess
    await expect(withoutWhere).rejects.toThrow("needs the detector's account and region");
    expect(asked).toEqual([{ accountId: "111111111111", region: "eu-west-2" }]);
  });
});
