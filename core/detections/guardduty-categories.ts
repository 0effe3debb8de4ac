/**
 * GuardDuty finding type → finding category (and so runbook), as a data table.
 *
 * GuardDuty types read `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`
 * (e.g. `Backdoor:EC2/C&CActivity.B!DNS`). Rules match on those parts; the first matching rule wins, so
 * the specific rules (malware, mining, root use, logging) come before the broad per-resource ones.
 * Invariant: every string maps to exactly one category; anything unrecognised is `generic`.
 */
import type { Category } from "../findings/categories";

export interface GuardDutyTypeParts {
  purpose: string;
  resource: string;
  /** Everything after the `/`: family, detection mechanism and artifact. */
  family: string;
}

const TYPE_PARTS = /^([^:/]+):([^/]+)\/(.+)$/;

/** Splits a GuardDuty type into its parts; undefined when it does not have the `Purpose:Resource/Family` form. */
export function parseGuardDutyType(type: string): GuardDutyTypeParts | undefined {
  const match = TYPE_PARTS.exec(type.trim());
  if (!match) return undefined;
  return { purpose: match[1]!, resource: match[2]!, family: match[3]! };
}

export interface CategoryRule {
  purpose?: readonly string[];
  resource?: readonly string[];
  family?: RegExp;
  category: Category;
  /** Why this rule exists: the finding types it is meant for. */
  why: string;
}

const CONTAINER_RESOURCES = ["Kubernetes", "Runtime", "ECS", "Container", "EKS"] as const;

export const GUARDDUTY_CATEGORY_RULES: readonly CategoryRule[] = [
  // Extended Threat Detection: the sequence type names what was compromised.
  {
    purpose: ["AttackSequence"],
    resource: ["IAM"],
    category: "iam-credential-compromise",
    why: "AttackSequence:IAM/CompromisedCredentials",
  },
  {
    purpose: ["AttackSequence"],
    resource: ["S3"],
    category: "s3-data-exposure",
    why: "AttackSequence:S3/CompromisedData",
  },
  {
    purpose: ["AttackSequence"],
    resource: CONTAINER_RESOURCES,
    category: "kubernetes-runtime",
    why: "AttackSequence:EKS/CompromisedCluster, AttackSequence:ECS/CompromisedCluster",
  },
  {
    purpose: ["AttackSequence"],
    resource: ["EC2"],
    category: "ec2-compromise",
    why: "AttackSequence:EC2/CompromisedInstanceGroup",
  },
  // Known-bad files, wherever they were found (EC2 volumes, containers, S3 objects, backups).
  {
    family: /^(MaliciousFile|SuspiciousFile)/,
    category: "malware",
    why: "Execution:EC2/MaliciousFile(!Snapshot|!AMI|!RecoveryPoint), Execution:*/MaliciousFile*, Object:S3/MaliciousFile",
  },
  // Mining, before the per-resource rules so runtime and Lambda miners get the mining runbook too.
  {
    purpose: ["CryptoCurrency"],
    category: "crypto-mining",
    why: "CryptoCurrency:EC2/BitcoinTool.B!DNS, CryptoCurrency:Runtime/…, CryptoCurrency:Lambda/…",
  },
  {
    family: /^(Bitcoin|CryptoMiner)/,
    category: "crypto-mining",
    why: "Impact:EC2/BitcoinDomainRequest.Reputation, Impact:Runtime/CryptoMinerExecuted",
  },
  {
    family: /^(ShortTerm)?RootCredentialUsage/,
    category: "root-account-use",
    why: "Policy:IAMUser/RootCredentialUsage, Policy:IAMUser/ShortTermRootCredentialUsage",
  },
  // Turning off the evidence: trails, S3 access logs, model-invocation logs.
  {
    family: /Logging(Disabled|ConfigurationModified)/,
    category: "logging-tampering",
    why: "Stealth:IAMUser/CloudTrailLoggingDisabled, Stealth:S3/ServerAccessLoggingDisabled, DefenseEvasion:IAMUser/BedrockLoggingDisabled",
  },
  {
    purpose: ["DefenseEvasion"],
    resource: ["IAMUser"],
    category: "logging-tampering",
    why: "DefenseEvasion:IAMUser/AnomalousBehavior (DeleteTrail, StopLogging, DeleteFlowLogs…)",
  },
  {
    resource: CONTAINER_RESOURCES,
    category: "kubernetes-runtime",
    why: "EKS audit-log, Runtime Monitoring and ECS findings: *:Kubernetes/*, *:Runtime/*, *:ECS/*, *:Container/*",
  },
  // Database logins are not IAM credentials: rotating access keys is the wrong runbook.
  {
    resource: ["RDS"],
    category: "generic",
    why: "CredentialAccess:RDS/…, Discovery:RDS/…",
  },
  {
    resource: ["S3"],
    category: "s3-data-exposure",
    why: "Discovery:S3/…, Exfiltration:S3/…, Impact:S3/…, Policy:S3/BucketPublicAccessGranted…",
  },
  // Every IAMUser finding is someone using (or trying) a principal's credentials, even the Recon and
  // PenTest ones (API calls made with the key from a malicious IP or a Kali box).
  {
    resource: ["IAMUser"],
    category: "iam-credential-compromise",
    why: "UnauthorizedAccess:IAMUser/* (incl. InstanceCredentialExfiltration), CredentialAccess:IAMUser/*, Exfiltration:IAMUser/*, Recon:IAMUser/*",
  },
  // The instance is the one scanning: it is compromised, not merely probed.
  {
    purpose: ["Recon"],
    resource: ["EC2"],
    family: /^Portscan/,
    category: "ec2-compromise",
    why: "Recon:EC2/Portscan (outbound)",
  },
  {
    purpose: ["Recon", "Discovery"],
    category: "reconnaissance",
    why: "Recon:EC2/PortProbeUnprotectedPort, Recon:EC2/PortProbeEMRUnprotectedPort",
  },
  {
    resource: ["EC2"],
    category: "ec2-compromise",
    why: "Backdoor:EC2/*, Trojan:EC2/*, UnauthorizedAccess:EC2/*, Behavior:EC2/*, Impact:EC2/*, DefenseEvasion:EC2/*",
  },
];

const matches = (rule: CategoryRule, parts: GuardDutyTypeParts): boolean =>
  (rule.purpose === undefined || rule.purpose.includes(parts.purpose)) &&
  (rule.resource === undefined || rule.resource.includes(parts.resource)) &&
  (rule.family === undefined || rule.family.test(parts.family));

/**
 * Decided types (null: no rule matched). Every finding asks and GuardDuty has a few hundred types, so
 * each type is parsed and scanned once; the bound keeps types taken from input from growing it forever.
 */
const RULE_BY_TYPE = new Map<string, CategoryRule | null>();
const RULE_BY_TYPE_LIMIT = 2000;

/** The rule that decides a type's category; undefined when none does (the category is then `generic`). */
export function guardDutyCategoryRule(type: string): CategoryRule | undefined {
  const decided = RULE_BY_TYPE.get(type);
  if (decided !== undefined) return decided ?? undefined;
  const parts = parseGuardDutyType(type);
  const rule = parts ? GUARDDUTY_CATEGORY_RULES.find((r) => matches(r, parts)) : undefined;
  if (RULE_BY_TYPE.size < RULE_BY_TYPE_LIMIT) RULE_BY_TYPE.set(type, rule ?? null);
  return rule;
}

export function categoryForGuardDutyType(type: string): Category {
  return guardDutyCategoryRule(type)?.category ?? "generic";
}
