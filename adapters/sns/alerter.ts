/**
 * Alerter on SNS: one Publish per page.
 *
 * Invariants:
 * - Subject fits SNS's rules for email subscriptions: ≤ 100 characters, printable ASCII only, no line
 *   breaks (accents are folded, anything else becomes a space), cut with a visible "...".
 * - Message is plain text, one fact per line; untrusted values (the title comes from findings) are kept
 *   on their line (control characters → spaces) so they cannot forge other lines. Every value is capped
 *   (VALUE_MAX), so the whole publish (message + attributes) stays well under SNS's 256 KB.
 * - MessageAttributes severity, incident_id, phase, escalation_level (Number), target, reason let
 *   subscriptions filter (e.g. only CRITICAL, or only level ≥ 2). SNS refuses empty attribute values,
 *   so an empty one is left out rather than sent.
 * - FIFO topics (ARN ending ".fifo"): MessageGroupId = incident id (pages of one incident stay in
 *   order), MessageDeduplicationId = SHA-256 of the command id, so a re-executed command pages once
 *   within SNS's 5-minute deduplication window. Standard topics may deliver twice; paging tolerates it.
 * - Throttling and server faults → RetryLaterError; other SDK errors → Error with the AWS error name.
 */

import { createHash } from "node:crypto";
import { type MessageAttributeValue, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { CommandParams } from "../../core/incident/commands";
import { incidentPhaseSchema, RUNBOOK_SECTION } from "../../core/incident/phases";
import type { Alerter } from "../../core/ports/alerter";
import { runbookUrl } from "../../core/runbooks/runbook-url";
import { toAdapterError } from "../aws/retry";
import { truncateVisibly } from "../aws/truncate";

type PageParams = CommandParams<"pageOnCall">;
type PageReason = PageParams["reason"];

export const SUBJECT_MAX = 100;
/**
 * Every value in the page (message line or attribute) is cut to this many UTF-16 units, so a publish is
 * at most ~25 values × 4 KB of UTF-8 ≈ 100 KB: always under SNS's 256 KB (message + attributes), with
 * no size arithmetic at send time. A page is not the finding; the link and runbook carry the rest.
 */
export const VALUE_MAX = 1_000;
const GROUP_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
const SNS_THROTTLING = ["ThrottledException", "KMSThrottlingException"];

const REASON_TEXT: Record<PageReason, string> = {
  "sla-breached": "SLA breached",
  "re-escalation": "re-escalation: still no action",
  manual: "manual page",
};

export interface SnsAlerterOptions {
  client: SNSClient;
  topicArn: string;
  serviceName: string;
  /** Link to the incident in the dashboard, if there is one to link to. */
  incidentUrl?: (incidentId: string) => string;
  /** Where a runbook section lives. Default: the relative link core/runbooks builds. */
  runbookUrl?: (runbookId: string, section: string) => string;
}

export class SnsAlerter implements Alerter {
  private readonly fifo: boolean;

  constructor(private readonly options: SnsAlerterOptions) {
    this.fifo = options.topicArn.endsWith(".fifo");
  }

  async page(commandId: string, params: PageParams): Promise<{ messageId: string }> {
    const incidentId = params.incident.incidentId;
    let messageId: string | undefined;
    try {
      const response = await this.options.client.send(
        new PublishCommand({
          TopicArn: this.options.topicArn,
          Subject: pageSubject(params),
          Message: this.message(params),
          MessageAttributes: pageAttributes(params),
          ...(this.fifo
            ? {
                MessageGroupId: messageGroupId(incidentId),
                MessageDeduplicationId: deduplicationId(commandId),
              }
            : {}),
        }),
      );
      messageId = response.MessageId;
    } catch (error) {
      throw toAdapterError(error, "SNS Publish", { throttlingNames: SNS_THROTTLING });
    }
    if (!messageId) throw new Error(`SNS Publish returned no MessageId for command ${commandId}`);
    return { messageId };
  }

  private message(params: PageParams): string {
    const { incident } = params;
    const section = runbookSection(params.phase);
    const runbook = this.options.runbookUrl
      ? this.options.runbookUrl(incident.runbookId, section)
      : runbookUrl("", incident.runbookId, section);
    const lines: Array<[string, string]> = [
      ["Incident", incident.incidentId],
      ["Title", incident.title],
      ["Severity", `${incident.severity} (score ${incident.score})`],
      ["Phase", params.phase],
      ["Deadline", params.deadline ?? "none"],
      ["Escalation", `level ${params.level} → ${params.target}`],
      ["Reason", REASON_TEXT[params.reason]],
      ["Owner", incident.owner ?? "unassigned"],
      ["Acknowledged by", incident.acknowledgedBy ?? "nobody yet"],
      ["Category", incident.category],
      ["Resource", incident.correlationKey],
      ["Account / region", `${incident.accountId} / ${incident.region}`],
      ["Containment", incident.containment],
      ["Findings", String(incident.findingCount)],
      ["Opened", incident.openedAt],
      ["Runbook", runbook],
    ];
    if (this.options.incidentUrl) lines.push(["Link", this.options.incidentUrl(incident.incidentId)]);
    const header = `${this.options.serviceName}: page for ${incident.severity} incident ${oneLine(incident.incidentId)}`;
    return [header, "", ...lines.map(([label, value]) => `${label}: ${oneLine(value)}`)].join("\n");
  }
}

/** `[CRITICAL] IR-0001 SLA breached (contain, L1 security-lead): <title>`, sanitized and ≤ 100 chars. */
export function pageSubject(params: PageParams): string {
  const { incident } = params;
  const raw =
    `[${incident.severity}] ${incident.incidentId} ${REASON_TEXT[params.reason]} ` +
    `(${params.phase}, L${params.level} ${params.target}): ${incident.title}`;
  return sanitizeSubject(raw);
}

/**
 * Printable ASCII only, single line, ≤ 100 chars, never empty (SNS rejects all of these). Accented letters
 * keep their base letter; other characters become spaces; runs of spaces collapse.
 */
export function sanitizeSubject(text: string): string {
  const ascii = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, " ")
    .replace(/ {2,}/g, " ")
    .trim();
  const subject = ascii === "" ? "Incident page" : ascii;
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 3).trimEnd()}...`;
}

export function pageAttributes(params: PageParams): Record<string, MessageAttributeValue> {
  const strings: Array<[string, string]> = [
    ["severity", params.incident.severity],
    ["incident_id", params.incident.incidentId],
    ["phase", params.phase],
    ["target", params.target],
    ["reason", params.reason],
  ];
  const attributes: Record<string, MessageAttributeValue> = {
    escalation_level: { DataType: "Number", StringValue: String(params.level) },
  };
  for (const [name, value] of strings) {
    if (value !== "") attributes[name] = { DataType: "String", StringValue: bounded(value) };
  }
  return attributes;
}

/** SHA-256 hex of the command id: 64 chars, within SNS's 128 and its allowed characters. */
export const deduplicationId = (commandId: string): string =>
  createHash("sha256").update(commandId, "utf8").digest("hex");

/** The incident id when SNS accepts it as a group id (≤ 128 printable ASCII), else its hash. */
export const messageGroupId = (incidentId: string): string =>
  GROUP_ID_PATTERN.test(incidentId) ? incidentId : deduplicationId(`group:${incidentId}`);

function runbookSection(phase: string): string {
  const parsed = incidentPhaseSchema.safeParse(phase);
  return parsed.success ? RUNBOOK_SECTION[parsed.data] : "Detect";
}

const bounded = (value: string): string => truncateVisibly(value, VALUE_MAX);

/** One line, bounded: control characters (newlines included) become spaces. */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return bounded(value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " "));
}
