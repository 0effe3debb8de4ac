/**
 * The local stand-in for EventBridge routing: POST /events is the bus, so an event reaches ingest only if
 * one of the service's rules matches it, as it would in AWS. Each event in a body gets a verdict:
 * - `ingest`: a bare exported document (GetFindings output, CloudTrail record…: no rules apply to those),
 *   or an envelope that matches at least one rule;
 * - `unmatched`: an envelope no rule matches (in AWS it would never be delivered). It is not dropped: it
 *   goes to quarantine with the reason, so it can be found and replayed;
 * - `error`: not understood (invalid JSON, wrong shape, unknown event…), quarantined with its error.
 * Our own lifecycle events (source = the service name, `ownSource`) coming back on the bus are `ingest`
 * with no findings and `ignored` set: accepted and deliberately not read, never quarantined.
 *
 * Envelope detection uses a catch-all rule appended to the real ones (`detail-type` exists), so the one
 * `explain` pass that validates also tells envelopes from bare documents.
 */
import type { IngestDeps } from "../../app/ingest";
import { type FindingOutcome, ingestFinding } from "../../app/ingest";
import type { InputErrorInfo } from "../../core/errors";
import { explain } from "../../core/explain";
import type { Finding } from "../../core/findings/finding";
import type { NormalizeOptions } from "../../core/normalize";
import { RULES, type Rule } from "../../core/rules/rules";

const ANY_ENVELOPE: Rule = {
  name: "(any envelope)",
  description: "Matches every EventBridge envelope: tells envelopes from bare documents.",
  pattern: { "detail-type": [{ exists: true }] },
};

export type Verdict = "ingest" | "unmatched" | "error";

export interface RoutedInput {
  /** Where in the body: `$`, `$[2]`, `line 4`, `$.Entries[0]`. */
  input: string;
  verdict: Verdict;
  /** The service rules it matched (always empty for bare documents). */
  rules: string[];
  findings: Finding[];
  error: InputErrorInfo | null;
  /** Why an understood event was deliberately not read (our own lifecycle event). */
  ignored?: string;
}

export const unmatchedError = (at: string): InputErrorInfo => ({
  code: "unmatched",
  message:
    "matched none of the service's EventBridge rules, so it is not ingested (in AWS it would not be delivered); kept in quarantine",
  path: at,
});

export interface RouteOptions {
  rawRef: string;
  normalize: NormalizeOptions;
  rules?: readonly Rule[];
  /** Our EventBridge source (the service name): our own lifecycle events are accepted and ignored. */
  ownSource?: string;
}

export function routeInput(text: string, options: RouteOptions): RoutedInput[] {
  const rules = options.rules ?? RULES;
  const { results } = explain(text, {
    rawRef: options.rawRef,
    normalize: options.normalize,
    rules: [...rules, ANY_ENVELOPE],
    ...(options.ownSource === undefined ? {} : { ownSource: options.ownSource }),
  });
  return results.map((result): RoutedInput => {
    if (result.ignored !== undefined)
      return {
        input: result.input,
        verdict: "ingest",
        rules: [],
        findings: [],
        error: null,
        ignored: result.ignored,
      };
    const envelope = result.rules.includes(ANY_ENVELOPE.name);
    const matched = result.rules.filter((name) => name !== ANY_ENVELOPE.name);
    const base = { input: result.input, rules: matched };
    if (result.error) return { ...base, verdict: "error", findings: [], error: result.error };
    if (envelope && matched.length === 0)
      return { ...base, verdict: "unmatched", findings: [], error: unmatchedError(result.input) };
    return { ...base, verdict: "ingest", findings: result.findings, error: null };
  });
}

/** A stored body as the inbox worker reads it. */
export interface StoredInput {
  id: string;
  receivedAt: string;
  channel: string;
  body: string;
}

export interface RoutedOutcome {
  input: string;
  verdict: Verdict;
  findings: FindingOutcome[];
}

/** Bodies up to this size are copied whole into each of their quarantine entries; larger ones only once. */
const COPY_WHOLE_BELOW = 16 * 1024;

/**
 * Ingests one stored body: findings of routed events go through `ingestFinding` (dedupe, correlation,
 * commit); errors and unmatched events go to quarantine under `<stored id>#<input>` — the id the HTTP
 * answer gave — and their arrival time, so re-processing the same body replaces its entries, never adds.
 */
export async function ingestStoredInput(deps: IngestDeps, stored: StoredInput): Promise<RoutedOutcome[]> {
  const routed = routeInput(stored.body, {
    rawRef: stored.id,
    normalize: deps.config.normalize,
    ownSource: deps.config.serviceName,
  });
  const outcomes: RoutedOutcome[] = [];
  let keptWhole: string | null = null;
  for (const result of routed) {
    if (result.error) {
      const id = `${stored.id}#${result.input}`;
      const whole = keptWhole === null || stored.body.length < COPY_WHOLE_BELOW;
      await deps.quarantine.put({
        id,
        receivedAt: stored.receivedAt,
        channel: stored.channel,
        error: result.error,
        raw: whole ? stored.body : `[same body as quarantined input ${keptWhole}]`,
      });
      keptWhole ??= id;
      outcomes.push({ input: result.input, verdict: result.verdict, findings: [] });
      continue;
    }
    const findings: FindingOutcome[] = [];
    for (const finding of result.findings) findings.push(await ingestFinding(deps, finding));
    outcomes.push({ input: result.input, verdict: result.verdict, findings });
  }
  return outcomes;
}
