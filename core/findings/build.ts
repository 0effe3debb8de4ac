/**
 * Finishing a finding: the derived fields (runbook, correlation key) are computed here, once, so no
 * normalizer can get them inconsistent.
 */
import { runbookIdFor } from "./categories";
import { correlationKeyFor } from "./correlation";
import type { Finding } from "./finding";

export type FindingDraft = Omit<Finding, "runbookId" | "correlationKey">;

export function buildFinding(draft: FindingDraft): Finding {
  const primary = draft.resources[0]!;
  return {
    ...draft,
    runbookId: runbookIdFor(draft.category),
    correlationKey: correlationKeyFor(primary.accountId ?? draft.accountId, draft.region, primary),
  };
}
