/**
 * Finding categories. Each category has exactly one runbook (runbooks/<id>.md), so a finding's
 * category decides which runbook every message about it links to.
 */
import * as z from "zod";

export const CATEGORIES = [
  "ec2-compromise",
  "crypto-mining",
  "reconnaissance",
  "iam-credential-compromise",
  "root-account-use",
  "s3-data-exposure",
  "logging-tampering",
  "security-group-exposure",
  "waf-attack",
  "kubernetes-runtime",
  "malware",
  "application-security",
  "generic",
] as const;

export const categorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof categorySchema>;

/** Runbook ids equal category ids: one runbook per category. */
export const runbookIdFor = (category: Category): string => category;
