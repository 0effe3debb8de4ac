/**
 * One severity scale for every source. GuardDuty's 1.0–10.0 and Security Hub's Normalized 0–100 both map
 * onto a 0–100 score; the label bands are GuardDuty's (LOW 1.0–3.9, MEDIUM 4.0–6.9, HIGH 7.0–8.9,
 * CRITICAL 9.0–10.0), which Security Hub's Normalized bands match ×10.
 */
import * as z from "zod";

export const SEVERITY_LABELS = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export const severityLabelSchema = z.enum(SEVERITY_LABELS);
export type SeverityLabel = z.infer<typeof severityLabelSchema>;

export const severitySchema = z.object({
  label: severityLabelSchema,
  /** 0–100, comparable across sources. */
  score: z.number().min(0).max(100),
});
export type Severity = z.infer<typeof severitySchema>;

const clampScore = (score: number): number => Math.min(100, Math.max(0, Math.round(score * 10) / 10));

/** Label for a 0–100 score (Security Hub Normalized bands). */
export function labelForScore(score: number): SeverityLabel {
  if (score >= 90) return "CRITICAL";
  if (score >= 70) return "HIGH";
  if (score >= 40) return "MEDIUM";
  if (score >= 1) return "LOW";
  return "INFORMATIONAL";
}

/** GuardDuty severity 1.0–10.0 → label and score (score = severity × 10). */
export function fromGuardDutySeverity(severity: number): Severity {
  const score = clampScore(severity * 10);
  return { label: labelForScore(score), score };
}

/** Security Hub Normalized 0–100. */
export function fromNormalizedScore(normalized: number): Severity {
  const score = clampScore(normalized);
  return { label: labelForScore(score), score };
}

/** A label with no number (Security Hub Severity.Label, app events, catalog entries): the band's midpoint. */
const LABEL_SCORE: Record<SeverityLabel, number> = {
  INFORMATIONAL: 0,
  LOW: 20,
  MEDIUM: 50,
  HIGH: 80,
  CRITICAL: 95,
};

export function fromLabel(label: SeverityLabel): Severity {
  return { label, score: LABEL_SCORE[label] };
}

export function severityRank(label: SeverityLabel): number {
  return SEVERITY_LABELS.indexOf(label);
}

/** The higher of two severities (an incident's severity only rises). */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return b.score > a.score ? b : a;
}
