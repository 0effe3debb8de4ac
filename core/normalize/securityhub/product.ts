/**
 * Which product produced a Security Hub finding, and which standards control it reports on.
 *
 * The product ARN (`…:product/<company>/<product>`) is the reliable part; names (ProductName,
 * `aws/securityhub/ProductName`, OCSF `metadata.product.name`) back it up, and Prowler is recognised by its
 * generator id or `ProviderName` because it imports through the account's default product ARN.
 */
import type { SecurityHubProduct } from "../../detections/securityhub-categories";
import { parseProductArn } from "./arn";

const AWS_PRODUCT_BY_ARN: Record<string, SecurityHubProduct> = {
  guardduty: "guardduty",
  inspector: "inspector",
  inspector2: "inspector",
  macie: "macie",
  securityhub: "security-hub",
  config: "config",
  "firewall-manager": "firewall-manager",
  "access-analyzer": "access-analyzer",
};

const PRODUCT_BY_NAME: Record<string, SecurityHubProduct> = {
  guardduty: "guardduty",
  inspector: "inspector",
  macie: "macie",
  "security hub": "security-hub",
  config: "config",
  "firewall manager": "firewall-manager",
  "iam access analyzer": "access-analyzer",
  prowler: "prowler",
};

export interface ProductHints {
  productArn: string;
  /** ProductName / `aws/securityhub/ProductName` / OCSF `metadata.product.name`. */
  productName?: string;
  companyName?: string;
  generatorId?: string;
  /** Third-party tools' own name (Prowler writes `ProductFields.ProviderName`). */
  providerName?: string;
}

const PROWLER_NAME = /prowler/i;
const PROWLER_GENERATOR = /^prowler/i;

export interface ProductInfo {
  family: SecurityHubProduct;
  /** Display name for `origin.product`. */
  name: string;
}

/** `arn` is the parsed product ARN, when the caller has already parsed it. */
export function productOf(hints: ProductHints, arn = parseProductArn(hints.productArn)): ProductInfo {
  if (PROWLER_NAME.test(hints.providerName ?? "") || PROWLER_GENERATOR.test(hints.generatorId ?? ""))
    return { family: "prowler", name: hints.providerName ?? "Prowler" };
  const byArn = arn?.company === "aws" ? AWS_PRODUCT_BY_ARN[arn.product] : undefined;
  const family =
    byArn ??
    PRODUCT_BY_NAME[(hints.productName ?? "").trim().toLowerCase()] ??
    (arn?.company === "aws" ? "other-aws" : "third-party");
  return { family, name: hints.providerName ?? hints.productName ?? arn?.product ?? "Security Hub" };
}

/** A numbered control ("4.1") is a CIS recommendation: "CIS 4.1". Other ids ("EC2.19") stay as they are. */
export const formatControlId = (id: string): string => (CIS_NUMBER.test(id) ? `CIS ${id}` : id);

const CIS_NUMBER = /^\d+(\.\d+)+$/;

/**
 * The control id of a standards finding: explicit fields first (Compliance.SecurityControlId,
 * ProductFields ControlId / RuleId), else read from the generator id
 * (`…/rule/4.1`, `aws-foundational-security-best-practices/v/1.0.0/EC2.7`, `security-control/EC2.7`).
 */
export function controlIdOf(
  explicit: readonly (string | undefined)[],
  generatorId?: string,
): string | undefined {
  for (const id of explicit) if (id !== undefined && id.trim() !== "") return formatControlId(id.trim());
  const match = /(?:security-control\/|\/v\/[\d.]+\/(?:rule\/)?)([^/]+)$/.exec(generatorId ?? "");
  return match?.[1] === undefined ? undefined : formatControlId(match[1]);
}
