/**
 * Publishes the service's incident lifecycle events on EventBridge (Capabilities.publishIncidentEvent):
 * one PutEvents entry per publishIncidentEvent command, `Source` = the service name, `DetailType` from
 * LIFECYCLE_DETAIL_TYPES, `Detail` = the versioned IncidentEventDetail (core/contracts).
 *
 * Invariants:
 * - An entry never exceeds 256 KB, measured as the UTF-8 bytes of the whole entry's JSON (more than
 *   EventBridge counts, so always safe). A larger one first loses facts, largest first, then has its title
 *   cut; `detail.truncated` says so. Only an entry that cannot fit even then fails, for good.
 * - PutEvents answers per entry: entries failing with a retryable code (InternalFailure,
 *   ThrottlingException) are sent again, alone, a bounded number of times with backoff; if they still fail
 *   the command is retried later (RetryLaterError), never recorded as failed. Any other entry error is a
 *   real refusal: an Error carrying AWS's ErrorCode and ErrorMessage.
 * - SDK errors go through adapters/aws/retry: throttling and server faults → RetryLaterError.
 * - EventBridge is at-least-once and a command may run twice: consumers dedupe on
 *   `detail.idempotencyKey` (the command id).
 * - Our own events may come back to us on a bus: `isOwnIncidentEvent` (re-exported) recognises them.
 */

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import {
  type IncidentEventDetail,
  type IncidentLinks,
  toIncidentEventDetail,
} from "../../core/contracts/incident-event.schema";
import { MAX_EVENT_BYTES } from "../../core/errors";
import type { Command } from "../../core/incident/commands";
import { incidentPhaseSchema, RUNBOOK_SECTION } from "../../core/incident/phases";
import { RetryLaterError } from "../../core/ports/command-executor";
import type { JsonValue } from "../../core/ports/incident-store";
import { runbookUrl } from "../../core/runbooks/runbook-url";
import { DEFAULT_RETRY_AFTER_MS, toAdapterError } from "../aws/retry";
import { truncateVisibly } from "../aws/truncate";

export { isOwnIncidentEvent } from "../../core/contracts/incident-event.schema";

export type PublishIncidentEventCommand = Extract<Command, { type: "publishIncidentEvent" }>;

/** Per-entry codes AWS documents as retryable; every other ErrorCode is a refusal. */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set(["InternalFailure", "ThrottlingException"]);

export const DEFAULT_MAX_ATTEMPTS = 3;
const defaultBackoffMs = (attempt: number): number => 200 * 2 ** (attempt - 1);
const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface IncidentPublisherOptions {
  client: EventBridgeClient;
  /** The bus name or ARN (another account's bus takes its ARN). */
  eventBusName: string;
  /** The events' `source`. */
  serviceName: string;
  /** Dashboard base URL; the incident link is `<base>/<incidentId>`. */
  incidentBaseUrl?: string;
  /** Where `runbooks/` is served; links are `<base>/runbooks/<id>.md#<phase anchor>` (core/runbooks). */
  runbookBaseUrl?: string;
  /** The incident's runbook id. Default: `facts.runbookId` when it is a string. */
  runbookIdOf?: (command: PublishIncidentEventCommand) => string | undefined;
  /** PutEvents calls per publish, first one included (retries of failed entries). Default 3. */
  maxAttempts?: number;
  /** Wait before retry `attempt` (1-based). Default 200 ms × 2^(attempt-1). */
  backoffMs?: (attempt: number) => number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a publish returns to the workflow (JSON: it is stored as the command's result). */
export interface PublishResult {
  [key: string]: JsonValue;
  eventId: string;
  detailType: string;
  bytes: number;
  truncated: boolean;
}

export class IncidentPublisher {
  private readonly maxAttempts: number;

  constructor(private readonly options: IncidentPublisherOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  }

  /** Capabilities.publishIncidentEvent. */
  readonly publish = async (command: PublishIncidentEventCommand): Promise<PublishResult> => {
    const { entry, bytes, truncated } = this.entryFor(command);
    const [eventId] = await this.putEntries([entry]);
    if (!eventId) throw new Error(`EventBridge PutEvents returned no EventId for command ${command.id}`);
    return { eventId, detailType: command.params.detailType, bytes, truncated };
  };

  /** The PutEvents entry for a command, already fitted under 256 KB. */
  entryFor(command: PublishIncidentEventCommand): FittedEntry {
    const detail = toIncidentEventDetail(command.id, command.params, this.linksFor(command));
    return fitEntry(
      {
        EventBusName: this.options.eventBusName,
        Source: this.options.serviceName,
        DetailType: command.params.detailType,
        Resources: [],
      },
      detail,
    );
  }

  private linksFor(command: PublishIncidentEventCommand): IncidentLinks {
    const { incidentBaseUrl, runbookBaseUrl } = this.options;
    const { detail } = command.params;
    const runbookId = this.options.runbookIdOf
      ? this.options.runbookIdOf(command)
      : typeof detail.facts.runbookId === "string"
        ? detail.facts.runbookId
        : undefined;
    const phase = incidentPhaseSchema.safeParse(detail.phase);
    const section = phase.success ? RUNBOOK_SECTION[phase.data] : "Detect";
    return {
      incident: incidentBaseUrl
        ? `${withoutSlash(incidentBaseUrl)}/${encodeURIComponent(detail.incidentId)}`
        : null,
      runbook: runbookBaseUrl && runbookId ? runbookUrl(runbookBaseUrl, runbookId, section) : null,
    };
  }

  /** Sends entries, retrying the ones that failed retryably; returns their event ids in order. */
  private async putEntries(entries: readonly PutEventsRequestEntry[]): Promise<string[]> {
    const eventIds: string[] = [];
    let pending = entries.map((_, i) => i);
    let lastFailure: PutEventsResultEntry | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1)
        await (this.options.sleep ?? sleepFor)((this.options.backoffMs ?? defaultBackoffMs)(attempt - 1));
      const results = await this.send(pending.map((i) => entries[i] as PutEventsRequestEntry));
      const retry: number[] = [];
      results.forEach((result, k) => {
        const index = pending[k] as number;
        if (result.EventId && !result.ErrorCode) {
          eventIds[index] = result.EventId;
          return;
        }
        if (!RETRYABLE_ENTRY_CODES.has(result.ErrorCode ?? "")) throw refusal(entries[index], result);
        lastFailure = result;
        retry.push(index);
      });
      if (retry.length === 0) return eventIds;
      pending = retry;
    }
    const code = lastFailure?.ErrorCode ?? "InternalFailure";
    throw new RetryLaterError(
      `EventBridge PutEvents: ${pending.length} entr${pending.length === 1 ? "y" : "ies"} still failing after ` +
        `${this.maxAttempts} attempts: ${code}: ${lastFailure?.ErrorMessage ?? "no message"}`,
      code === "ThrottlingException" ? DEFAULT_RETRY_AFTER_MS.throttling : DEFAULT_RETRY_AFTER_MS.transient,
    );
  }

  private async send(entries: PutEventsRequestEntry[]): Promise<PutEventsResultEntry[]> {
    let results: PutEventsResultEntry[] | undefined;
    try {
      results = (await this.options.client.send(new PutEventsCommand({ Entries: entries }))).Entries;
    } catch (error) {
      throw toAdapterError(error, "EventBridge PutEvents");
    }
    if (results?.length !== entries.length)
      throw new Error(
        `EventBridge PutEvents answered ${results?.length ?? 0} result entries for ${entries.length} events`,
      );
    return results;
  }
}

const withoutSlash = (url: string): string => url.replace(/\/+$/, "");

function refusal(entry: PutEventsRequestEntry | undefined, result: PutEventsResultEntry): Error {
  return new Error(
    `EventBridge PutEvents refused "${entry?.DetailType ?? "?"}" event: ` +
      `${result.ErrorCode ?? "UnknownError"}: ${result.ErrorMessage ?? "no message"}`,
  );
}

/** UTF-8 bytes of the whole entry as JSON: what we hold under MAX_EVENT_BYTES. */
export const entryBytes = (entry: PutEventsRequestEntry): number =>
  Buffer.byteLength(JSON.stringify(entry), "utf8");

export interface FittedEntry {
  entry: PutEventsRequestEntry;
  /** UTF-8 bytes of the entry's JSON. */
  bytes: number;
  /** Something was left out or cut (the detail's `truncated` says what). */
  truncated: boolean;
}

const withDetail = (base: PutEventsRequestEntry, detail: IncidentEventDetail): PutEventsRequestEntry => ({
  ...base,
  Detail: JSON.stringify(detail),
});

/**
 * The entry with `detail`, shrunk visibly until it is at most `limit` bytes: facts are left out largest
 * first, then the title is cut. Throws when even that is not enough (an absurd incident id or key).
 */
export function fitEntry(
  base: PutEventsRequestEntry,
  detail: IncidentEventDetail,
  limit = MAX_EVENT_BYTES,
): FittedEntry {
  const whole = withDetail(base, detail);
  const originalBytes = entryBytes(whole);
  if (originalBytes <= limit) return { entry: whole, bytes: originalBytes, truncated: false };

  const bySize = Object.keys(detail.facts).sort(
    (a, b) => JSON.stringify(detail.facts[b]).length - JSON.stringify(detail.facts[a]).length,
  );
  const omittedFacts: string[] = [];
  const shrunk = (title: string): IncidentEventDetail => ({
    ...detail,
    title,
    facts: Object.fromEntries(Object.entries(detail.facts).filter(([key]) => !omittedFacts.includes(key))),
    truncated: {
      reason: `the event was ${originalBytes} bytes, over EventBridge's ${limit}-byte entry limit`,
      originalBytes,
      omittedFacts: [...omittedFacts],
      titleTrimmed: title !== detail.title,
    },
  });
  const fits = (title: string) => entryBytes(withDetail(base, shrunk(title))) <= limit;
  const fitted = (title: string): FittedEntry => {
    const entry = withDetail(base, shrunk(title));
    return { entry, bytes: entryBytes(entry), truncated: true };
  };

  for (const key of bySize) {
    if (fits(detail.title)) break;
    omittedFacts.push(key);
  }
  if (fits(detail.title)) return fitted(detail.title);

  // Longest title prefix that fits (binary search over UTF-16 length).
  let low = 0;
  let high = detail.title.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(truncateVisibly(detail.title, mid))) low = mid;
    else high = mid - 1;
  }
  const title = truncateVisibly(detail.title, low);
  if (!fits(title))
    throw new Error(
      `lifecycle event for incident ${detail.incidentId.slice(0, 100)} cannot fit in ${limit} bytes ` +
        "even without facts and title",
    );
  return fitted(title);
}
