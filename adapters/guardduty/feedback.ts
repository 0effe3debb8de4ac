/**
 * Tells GuardDuty which findings were useful (Capabilities.sendGuardDutyFeedback): UpdateFindingsFeedback
 * for the command's findings and, when configured, ArchiveFindings for false positives (NOT_USEFUL).
 *
 * Invariants:
 * - FindingIds go in chunks of GuardDuty's per-call maximum (50), deduplicated, in order.
 * - Comments are bounded (COMMENTS_MAX, cut visibly) and left out when empty. GuardDuty's API reference
 *   documents no length limit for them; the bound keeps requests small and predictable.
 * - Feedback and archiving are idempotent at GuardDuty, so a command that runs twice (or is retried after
 *   a throttled chunk) does no harm: every chunk is simply sent again.
 * - Detectors are regional and findings belong to an account: the client comes from `clientFor(where)`.
 * - Throttling and server faults → RetryLaterError; anything else → Error with the AWS error name. Only the
 *   administrator account may archive: a member account's refusal is a visible failure, not a silent skip.
 */
import type { GuardDutyClient } from "@aws-sdk/client-guardduty";
import type { Command } from "../../core/incident/commands";
import type { JsonValue } from "../../core/ports/incident-store";
import { toAdapterError } from "../aws/retry";
import { truncateVisibly } from "../aws/truncate";
import { chunk, type FullFindings, getFullFindings } from "./sample-findings";
import { guardDutySdk } from "./sdk";

export type SendGuardDutyFeedbackCommand = Extract<Command, { type: "sendGuardDutyFeedback" }>;

export const COMMENTS_MAX = 1_000;

/** Where a detector lives. */
export interface DetectorLocation {
  accountId: string;
  region: string;
}

export interface GuardDutyFeedbackOptions {
  /** One client for everything, or a client per account/region (e.g. an assumed role per member account). */
  client: GuardDutyClient | ((where: DetectorLocation) => GuardDutyClient | Promise<GuardDutyClient>);
  /** Archive findings marked NOT_USEFUL (false positives). Default false. */
  archiveOnFalsePositive?: boolean;
}

export interface FeedbackResult {
  [key: string]: JsonValue;
  feedback: string;
  findingIds: number;
  calls: number;
  archived: number;
}

export class GuardDutyFeedback {
  constructor(private readonly options: GuardDutyFeedbackOptions) {}

  /** Capabilities.sendGuardDutyFeedback. */
  readonly sendFeedback = async (command: SendGuardDutyFeedbackCommand): Promise<FeedbackResult> => {
    const { accountId, region, detectorId, feedback, comments } = command.params;
    const client = await this.clientFor({ accountId, region });
    const { ArchiveFindingsCommand, UpdateFindingsFeedbackCommand } = await guardDutySdk();
    const ids = [...new Set(command.params.findingIds)];
    const bounded = truncateVisibly(comments.trim(), COMMENTS_MAX);
    let calls = 0;
    for (const findingIds of chunk(ids)) {
      await send("UpdateFindingsFeedback", () =>
        client.send(
          new UpdateFindingsFeedbackCommand({
            DetectorId: detectorId,
            FindingIds: findingIds,
            Feedback: feedback,
            ...(bounded === "" ? {} : { Comments: bounded }),
          }),
        ),
      );
      calls += 1;
    }
    let archived = 0;
    if (feedback === "NOT_USEFUL" && this.options.archiveOnFalsePositive) {
      for (const findingIds of chunk(ids)) {
        await send("ArchiveFindings", () =>
          client.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: findingIds })),
        );
        calls += 1;
        archived += findingIds.length;
      }
    }
    return { feedback, findingIds: ids.length, calls, archived };
  };

  /** Whole findings (GuardDuty JSON) for findings an event carried with partial detail. */
  async getFullFindings(
    detectorId: string,
    findingIds: readonly string[],
    where?: DetectorLocation,
  ): Promise<FullFindings> {
    const { client } = this.options;
    if (typeof client !== "function") return getFullFindings(client, detectorId, findingIds);
    if (!where)
      throw new Error("getFullFindings needs the detector's account and region (clients are per location)");
    return getFullFindings(await client(where), detectorId, findingIds);
  }

  private clientFor(where: DetectorLocation): GuardDutyClient | Promise<GuardDutyClient> {
    const { client } = this.options;
    return typeof client === "function" ? client(where) : client;
  }
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAdapterError(error, `GuardDuty ${operation}`);
  }
}
