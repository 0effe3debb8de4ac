/**
 * FindingTracker on Security Hub: workflow status and notes on the source findings (BatchUpdateFindings)
 * and the incident's own finding (BatchImportFindings, shape in incident-finding.ts).
 *
 * Invariants:
 * - At most 100 findings per BatchUpdateFindings call (the API's cap), chunks sent in order, duplicates
 *   removed first (Security Hub refuses a request naming a finding twice).
 * - Every call first takes a token from one bucket (default 10 calls/s, evenly spaced): Security Hub's
 *   rate for both operations is 10/s.
 * - Every update carries a Note with UpdatedBy = serviceName: the "Findings - Imported" event our update
 *   causes comes back through ingest, which recognises it by Note.UpdatedBy and ignores it (no self-loop).
 *   Notes are cut to the API's 512 characters with a visible marker.
 * - UnprocessedFindings: ConcurrentUpdateError and InternalFailure are transient and retried (bounded
 *   attempts with backoff); if some still fail the whole command is retried later (RetryLaterError —
 *   BatchUpdateFindings is idempotent). FindingNotFound, InvalidInput, FindingSizeExceeded,
 *   DuplicatedFindingIdentifier (and any unknown code) are refusals for good, reported in `unprocessed`.
 * - SDK errors: throttling / server faults → RetryLaterError (Security Hub's LimitExceededException is
 *   its throttling error); anything else → Error naming the operation and the AWS error name.
 */
import {
  type AwsSecurityFindingIdentifier,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsRequest,
  type BatchUpdateFindingsUnprocessedFinding,
  type SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { CommandParams, IncidentView, SecurityHubRef } from "../../core/incident/commands";
import type { Clock } from "../../core/ports/clock";
import { RetryLaterError } from "../../core/ports/command-executor";
import type { FindingTracker, FindingUpdateResult } from "../../core/ports/finding-tracker";
import { DEFAULT_RETRY_AFTER_MS, toAdapterError } from "../aws/retry";
import { systemTimer, type Timer, TokenBucket } from "../aws/token-bucket";
import { truncateVisibly } from "../aws/truncate";
import { incidentFinding, phaseOf, workflowStatusFor } from "./incident-finding";

export const MAX_FINDINGS_PER_UPDATE = 100;
export const NOTE_MAX = 512;
export const NOTE_TRUNCATION_MARKER = "… [truncated]";

/** UnprocessedFindings error codes worth another try in a moment. */
export const RETRYABLE_UNPROCESSED = new Set(["ConcurrentUpdateError", "InternalFailure"]);
/** BatchImportFindings FailedFindings codes that mean "not now" rather than "never". */
const RETRYABLE_IMPORT = new Set([
  "InternalFailure",
  "InternalException",
  "ThrottlingException",
  "LimitExceeded",
]);

const SECURITY_HUB_THROTTLING = ["LimitExceededException"];

export interface SecurityHubFindingTrackerOptions {
  client: SecurityHubClient;
  serviceName: string;
  /** The account's default product: arn:aws:securityhub:<region>:<account>:product/<account>/default */
  productArn: string;
  awsAccountId: string;
  region: string;
  incidentUrl: (incidentId: string) => string;
  /** UpdatedAt of the incident's finding. Defaults to the wall clock. */
  clock?: Clock;
  /** Sleeps between retries of unprocessed findings (and drives the default limiter). */
  timer?: Timer;
  /** Shared with other trackers to keep the whole process under the rate. Default: 10 calls/s, burst 1. */
  limiter?: TokenBucket;
  /** Attempts per chunk for retryable UnprocessedFindings (first call included). Default 3. */
  maxAttempts?: number;
  /** Backoff before retry n (1-based) of unprocessed findings. Default 200 ms × 2^(n-1). */
  backoffMs?: (retry: number) => number;
}

const wallClock: Clock = { now: () => new Date().toISOString() };

type FindingUpdate = Pick<BatchUpdateFindingsRequest, "Note" | "Workflow">;

export class SecurityHubFindingTracker implements FindingTracker {
  private readonly client: SecurityHubClient;
  private readonly clock: Clock;
  private readonly timer: Timer;
  private readonly limiter: TokenBucket;
  private readonly maxAttempts: number;
  private readonly backoffMs: (retry: number) => number;

  constructor(private readonly options: SecurityHubFindingTrackerOptions) {
    this.client = options.client;
    this.clock = options.clock ?? wallClock;
    this.timer = options.timer ?? systemTimer;
    this.limiter = options.limiter ?? new TokenBucket({ ratePerSecond: 10, burst: 1, timer: this.timer });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoffMs = options.backoffMs ?? ((retry) => 200 * 2 ** (retry - 1));
  }

  async updateFindings(params: CommandParams<"updateSecurityHubFindings">): Promise<FindingUpdateResult> {
    const text = params.note.trim() === "" ? `Workflow status set to ${params.status}.` : params.note;
    return this.batchUpdate(params.findings, {
      Workflow: { Status: params.status },
      Note: this.note(text),
    });
  }

  async addNote(params: CommandParams<"addSecurityHubNote">): Promise<FindingUpdateResult> {
    if (params.note.trim() === "") throw new Error("addSecurityHubNote: the note is empty");
    return this.batchUpdate(params.findings, { Note: this.note(params.note) });
  }

  async publishIncident(incident: IncidentView): Promise<{ id: string }> {
    const { serviceName, productArn, awsAccountId, region, incidentUrl } = this.options;
    const finding = incidentFinding(incident, {
      serviceName,
      productArn,
      awsAccountId,
      region,
      incidentUrl,
      updatedAt: this.clock.now(),
    });
    const id = finding.Id!;
    await this.limiter.take();
    const response = await this.call("Security Hub BatchImportFindings", () =>
      this.client.send(new BatchImportFindingsCommand({ Findings: [finding] })),
    );
    const failed = response.FailedFindings ?? [];
    if ((response.FailedCount ?? 0) > 0 || failed.length > 0) {
      const reasons = failed.map((f) => `${f.ErrorCode ?? "Unknown"}: ${f.ErrorMessage ?? "no message"}`);
      const message = `Security Hub BatchImportFindings refused ${id}: ${reasons.join("; ") || "no reason given"}`;
      if (failed.some((f) => RETRYABLE_IMPORT.has(f.ErrorCode ?? "")))
        throw new RetryLaterError(message, DEFAULT_RETRY_AFTER_MS.transient);
      throw new Error(message);
    }
    await this.syncIncidentWorkflow(incident, { id, productArn });
    return { id };
  }

  /**
   * BatchImportFindings sets Workflow only when it creates the finding; once the incident has moved on,
   * its status is set the way customers set it. A brand-new finding (FindingNotFound: the import has not
   * surfaced yet) already got its status from the import.
   */
  private async syncIncidentWorkflow(incident: IncidentView, ref: SecurityHubRef): Promise<void> {
    const status = workflowStatusFor(incident);
    if (status === "NEW") return;
    const result = await this.batchUpdate([ref], {
      Workflow: { Status: status },
      Note: this.note(`Incident ${incident.incidentId} is in phase ${phaseOf(incident)}.`),
    });
    const refused = result.unprocessed.filter((u) => u.errorCode !== "FindingNotFound");
    if (refused.length > 0)
      throw new Error(
        `Security Hub BatchUpdateFindings refused ${ref.id}: ${refused.map((u) => `${u.errorCode}: ${u.errorMessage}`).join("; ")}`,
      );
  }

  private note(text: string): NonNullable<FindingUpdate["Note"]> {
    return {
      Text: truncateVisibly(text, NOTE_MAX, NOTE_TRUNCATION_MARKER),
      UpdatedBy: this.options.serviceName,
    };
  }

  private async batchUpdate(refs: SecurityHubRef[], update: FindingUpdate): Promise<FindingUpdateResult> {
    const result: FindingUpdateResult = { processed: 0, unprocessed: [] };
    for (const chunk of chunks(unique(refs), MAX_FINDINGS_PER_UPDATE)) {
      await this.updateChunk(chunk, update, result);
    }
    return result;
  }

  private async updateChunk(
    chunk: AwsSecurityFindingIdentifier[],
    update: FindingUpdate,
    result: FindingUpdateResult,
  ): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.take();
      const response = await this.call("Security Hub BatchUpdateFindings", () =>
        this.client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: pending, ...update })),
      );
      const unprocessed = response.UnprocessedFindings ?? [];
      result.processed += response.ProcessedFindings?.length ?? pending.length - unprocessed.length;
      const retry: AwsSecurityFindingIdentifier[] = [];
      for (const u of unprocessed) {
        const identifier = retryableIdentifier(u);
        if (identifier) retry.push(identifier);
        else result.unprocessed.push(refusal(u));
      }
      if (retry.length === 0) return;
      if (attempt >= this.maxAttempts) {
        const codes = [...new Set(unprocessed.filter(retryableIdentifier).map((u) => u.ErrorCode))].join(
          ", ",
        );
        throw new RetryLaterError(
          `Security Hub BatchUpdateFindings: ${retry.length} finding(s) still unprocessed after ${attempt} attempts (${codes})`,
          DEFAULT_RETRY_AFTER_MS.transient,
        );
      }
      await this.timer.sleep(this.backoffMs(attempt));
      pending = retry;
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toAdapterError(error, operation, { throttlingNames: SECURITY_HUB_THROTTLING });
    }
  }
}

function retryableIdentifier(
  u: BatchUpdateFindingsUnprocessedFinding,
): AwsSecurityFindingIdentifier | undefined {
  const id = u.FindingIdentifier;
  return id?.Id && id.ProductArn && RETRYABLE_UNPROCESSED.has(u.ErrorCode ?? "") ? id : undefined;
}

function refusal(u: BatchUpdateFindingsUnprocessedFinding): FindingUpdateResult["unprocessed"][number] {
  return {
    id: u.FindingIdentifier?.Id ?? "(unknown)",
    productArn: u.FindingIdentifier?.ProductArn ?? "(unknown)",
    errorCode: u.ErrorCode ?? "Unknown",
    errorMessage: u.ErrorMessage ?? "",
  };
}

function unique(refs: SecurityHubRef[]): AwsSecurityFindingIdentifier[] {
  const seen = new Map<string, AwsSecurityFindingIdentifier>();
  for (const ref of refs)
    seen.set(JSON.stringify([ref.productArn, ref.id]), { Id: ref.id, ProductArn: ref.productArn });
  return [...seen.values()];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
