/**
 * Finishing a finding: the derived fields (runbook, correlation key) are computed here, once, so no
 * normalizer can get them inconsistent.
 *
 * It takes ownership of the draft (every normalizer builds a fresh one) and completes it in place: on
 * Node 20 spreading a ~20-field object and adding properties costs more than the rest of normalizing a
 * CloudWatch alarm, and this runs for every finding.
 */
import { runbookIdFor } from "./categories";
import { correlationKeyFor } from "./correlation";
import type { Finding } from "./finding";

export type FindingDraft = Omit<Finding, "runbookId" | "correlationKey">;

export function buildFinding(draft: FindingDraft): Finding {
  const primary = draft.resources[0]!;
  const finding = draft as Finding;
  finding.runbookId = runbookIdFor(draft.category);
  finding.correlationKey = correlationKeyFor(primary.accountId ?? draft.accountId, draft.region, primary);
  return finding;
}
