/**
 * GuardDuty finding types from their Security Hub (ASFF) spelling, so a copy gets the same type, category
 * and runbook as the GuardDuty original.
 *
 * ASFF writes `Purpose:Resource/Family` as `<namespace>/<category>/Purpose:Resource-Family`
 * ("TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"). Irregular spellings from GuardDuty's own mapping
 * table are handled: the purpose given only by the category ("TTPs/Credential Access/IAMUser-AnomalousBehavior"),
 * Kubernetes anomalies under "TTPs/AnomalousBehavior/…", types already in native form
 * ("TTPs/PenTest:IAMUser/KaliLinux"), and three DefenseEvasion:EC2 names written differently.
 */

/** ASFF spellings that follow no rule, from GuardDuty's ASFF mapping table. */
const IRREGULAR: Record<string, string> = {
  "EC2:Unusual-DNS-Resolver": "DefenseEvasion:EC2/UnusualDNSResolver",
  "EC2:Unusual-DoH-Activity": "DefenseEvasion:EC2/UnusualDoHActivity",
  "EC2:Unusual-DoT-Activity": "DefenseEvasion:EC2/UnusualDoTActivity",
};

/** Category names that are not purposes. */
const NOT_A_PURPOSE = new Set(["TTPs", "Effects", "Unusual Behaviors", "Software and Configuration Checks"]);

/** GuardDuty resource types, so "Effects/Data Exposure/AWS-Foundational-…" is not read as a GuardDuty type. */
const RESOURCE = /^(EC2|IAMUser|IAM|S3|RDS|Kubernetes|Runtime|Lambda|ECS|Container|Malware)$/;

/** The GuardDuty type for one ASFF type string (or a native GuardDuty type), if it looks like one. */
export function guardDutyTypeFromAsff(asffType: string): string | undefined {
  const segments = asffType.trim().split("/");
  const at = segments.findLastIndex((s) => s.includes(":"));
  if (at >= 0) {
    const head = segments[at]!;
    const rest = segments.slice(at + 1);
    const irregular = IRREGULAR[head];
    if (irregular !== undefined && rest.length === 0) return irregular;
    if (rest.length > 0) return /^\w+:\w+$/.test(head) ? [head, ...rest].join("/") : undefined;
    const match = /^(\w+):(\w+)-(.+)$/.exec(head);
    if (!match) return undefined;
    const [, purpose, resource, family] = match;
    const prefix = segments[at - 1] === "AnomalousBehavior" ? "AnomalousBehavior." : "";
    return `${purpose}:${resource}/${prefix}${family}`;
  }
  // "TTPs/Credential Access/IAMUser-AnomalousBehavior": the purpose is the category, without spaces.
  const match = /^(\w+)-(.+)$/.exec(segments.at(-1) ?? "");
  const category = segments.at(-2);
  if (!match || !RESOURCE.test(match[1]!) || category === undefined || NOT_A_PURPOSE.has(category))
    return undefined;
  return `${category.replace(/\s+/g, "")}:${match[1]}/${match[2]}`;
}

/** The first of `types` that reads as a GuardDuty type. */
export function guardDutyTypeFromTypes(types: readonly string[]): string | undefined {
  for (const type of types) {
    const guardDutyType = guardDutyTypeFromAsff(type);
    if (guardDutyType !== undefined) return guardDutyType;
  }
  return undefined;
}
