/**
 * Category (and so runbook) of a Security Hub finding, from its product, control id, type and title.
 *
 * GuardDuty copies use GuardDuty's own table, so a copy and its original link the same runbook. Everything
 * else walks the rules below, first match wins, ending in `generic`. Control rules look at the title as well
 * as the id because CIS renumbers between versions (CIS 4.1 is "no 0.0.0.0/0 to port 22" in v1.2 and an
 * unauthorized-API-call alarm in v1.4), while the titles keep saying "root", "security group", "CloudTrail".
 * For speed the rules are indexed by product at load and each text pattern is tested at most once per
 * finding; the outcome is that of reading the table top to bottom (a property test holds it to that).
 */
import type { Category } from "../findings/categories";
import type { ResourceType } from "../findings/resource";
import { categoryForGuardDutyType } from "./guardduty-categories";

export const SECURITY_HUB_PRODUCTS = [
  "guardduty",
  "inspector",
  "macie",
  /** Security Hub's own standards controls (CIS, AFSBP, PCI, NIST…). */
  "security-hub",
  "config",
  "firewall-manager",
  "access-analyzer",
  "prowler",
  "other-aws",
  "third-party",
] as const;
export type SecurityHubProduct = (typeof SECURITY_HUB_PRODUCTS)[number];

export interface SecurityHubFacts {
  product: SecurityHubProduct;
  /** The finding's type: GuardDuty type, control id ("CIS 4.1", "EC2.19"), or ASFF/OCSF type. */
  type: string;
  /** Control id when the finding is a standards control result. */
  controlId?: string;
  title: string;
  /** All ASFF Types / OCSF finding_info.types. */
  types: readonly string[];
  primaryResource: ResourceType;
}

export interface SecurityHubCategoryRule {
  product?: readonly SecurityHubProduct[];
  /** Matches the control id; a rule with `control` never matches a finding without one. */
  control?: RegExp;
  /** Matches title, type and types, one per line. */
  text?: RegExp;
  resource?: readonly ResourceType[];
  category: Category;
}

const ANY_CONTROL = /./;
const SG_TEXT = /security group|network acl|0\.0\.0\.0\/0|::\/0|\bingress\b/i;

export const SECURITY_HUB_CATEGORY_RULES: readonly SecurityHubCategoryRule[] = [
  // Standards controls.
  { control: ANY_CONTROL, text: /\broot\b/i, category: "root-account-use" },
  { control: /^EC2\.(2|13|14|18|19|21|53|54)$/, category: "security-group-exposure" },
  { control: ANY_CONTROL, text: SG_TEXT, category: "security-group-exposure" },
  { control: /^S3\./, category: "s3-data-exposure" },
  { control: ANY_CONTROL, text: /\bS3\b|bucket/i, category: "s3-data-exposure" },
  { control: /^(CloudTrail|Config|CloudWatch|GuardDuty)\.|^EC2\.6$/, category: "logging-tampering" },
  {
    control: ANY_CONTROL,
    text: /cloudtrail|logging|log metric|metric filter|flow log|aws config/i,
    category: "logging-tampering",
  },
  { control: /^CIS [23]\./, category: "logging-tampering" },
  { control: /^(IAM\.|CIS 1\.)/, category: "iam-credential-compromise" },
  // Products.
  {
    product: ["inspector"],
    text: /network reachability|reachable from (the )?internet/i,
    category: "security-group-exposure",
  },
  { product: ["inspector"], resource: ["ec2-instance"], category: "ec2-compromise" },
  { product: ["macie"], category: "s3-data-exposure" },
  { product: ["firewall-manager"], text: /security group/i, category: "security-group-exposure" },
  { product: ["firewall-manager"], category: "waf-attack" },
  { resource: ["waf-web-acl"], category: "waf-attack" },
  { product: ["access-analyzer"], resource: ["s3-bucket"], category: "s3-data-exposure" },
  // Free text, for third parties (Prowler…) and products not listed above.
  { text: /\broot (account|user)\b/i, category: "root-account-use" },
  { text: /secret|credential|access key|password/i, category: "iam-credential-compromise" },
  { text: SG_TEXT, category: "security-group-exposure" },
  { text: /crypto ?(currency|mining|miner)|bitcoin/i, category: "crypto-mining" },
  { text: /malware|trojan|backdoor|malicious file/i, category: "malware" },
  { text: /^Sensitive ?Data/im, category: "s3-data-exposure" },
  { text: /public.*(\bS3\b|bucket)|(\bS3\b|bucket).*public/i, category: "s3-data-exposure" },
  { text: /cloudtrail|logging (is )?disabled/i, category: "logging-tampering" },
  { text: /kubernetes|\bEKS\b/i, category: "kubernetes-runtime" },
  { text: /\bWAF\b|web acl/i, category: "waf-attack" },
];

/**
 * The rules that can apply to a product, with and without a control id, in table order: built once at
 * load, so a finding is tested only against rules its product and control id do not already exclude.
 */
const RULES_BY_PRODUCT = new Map(
  SECURITY_HUB_PRODUCTS.map((product) => {
    const forProduct = SECURITY_HUB_CATEGORY_RULES.filter(
      (rule) => rule.product === undefined || rule.product.includes(product),
    );
    return [
      product,
      {
        withControl: forProduct,
        withoutControl: forProduct.filter((rule) => rule.control === undefined),
      },
    ] as const;
  }),
);

/**
 * Each distinct text pattern's position in a per-call results list: some patterns serve several rules
 * (SG_TEXT twice), and a pattern scan is the most expensive step, so each is tested at most once per finding.
 */
const TEXT_PATTERNS = [
  ...new Set(SECURITY_HUB_CATEGORY_RULES.flatMap((rule) => (rule.text ? [rule.text] : []))),
];
const PATTERN_INDEX = new Map(TEXT_PATTERNS.map((pattern, i) => [pattern, i]));

/** Everything but the text: cheap, so checked first. */
function matchesFacts(rule: SecurityHubCategoryRule, facts: SecurityHubFacts): boolean {
  if (rule.product && !rule.product.includes(facts.product)) return false;
  if (rule.control && (facts.controlId === undefined || !rule.control.test(facts.controlId))) return false;
  return rule.resource === undefined || rule.resource.includes(facts.primaryResource);
}

export function categoryForSecurityHub(facts: SecurityHubFacts): Category {
  if (facts.product === "guardduty") return categoryForGuardDutyType(facts.type);
  const candidates = RULES_BY_PRODUCT.get(facts.product);
  const rules =
    candidates === undefined
      ? SECURITY_HUB_CATEGORY_RULES
      : facts.controlId === undefined
        ? candidates.withoutControl
        : candidates.withControl;
  // Joined only when a rule reads the text: many findings are decided by product or control id alone.
  let text: string | undefined;
  const tested: (boolean | undefined)[] = [];
  for (const rule of rules) {
    if (!matchesFacts(rule, facts)) continue;
    if (rule.text !== undefined) {
      text ??= [facts.title, facts.type, ...facts.types].join("\n");
      const index = PATTERN_INDEX.get(rule.text)!; // every rule's pattern is in the index
      tested[index] ??= rule.text.test(text);
      if (!tested[index]) continue;
    }
    return rule.category;
  }
  return "generic";
}
