import { describe, expect, it } from "vitest";
import {
  guardDutyTypeFromAsff,
  guardDutyTypeFromTypes,
} from "../../../../core/normalize/securityhub/guardduty-type";

/** Rows of GuardDuty's "GuardDuty finding type ↔ ASFF finding type" table (GuardDuty user guide). */
const DOCUMENTED: [asff: string, guardDuty: string][] = [
  ["TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort", "Recon:EC2/PortProbeUnprotectedPort"],
  ["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", "UnauthorizedAccess:EC2/SSHBruteForce"],
  ["TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS", "Backdoor:EC2/C&CActivity.B!DNS"],
  ["Effects/Resource Consumption/UnauthorizedAccess:EC2-TorRelay", "UnauthorizedAccess:EC2/TorRelay"],
  ["TTPs/Credential Access/IAMUser-AnomalousBehavior", "CredentialAccess:IAMUser/AnomalousBehavior"],
  ["TTPs/Privilege Escalation/IAMUser-AnomalousBehavior", "PrivilegeEscalation:IAMUser/AnomalousBehavior"],
  ["TTPs/Discovery/RDS-MaliciousIPCaller", "Discovery:RDS/MaliciousIPCaller"],
  [
    "TTPs/AnomalousBehavior/CredentialAccess:Kubernetes-SecretsAccessed",
    "CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed",
  ],
  [
    "TTPs/AnomalousBehavior/PrivilegeEscalation:Kubernetes-WorkloadDeployed!PrivilegedContainer",
    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
  ],
  ["TTPs/PenTest:IAMUser/KaliLinux", "PenTest:IAMUser/KaliLinux"],
  ["TTPs/AttackSequence:IAM/CompromisedCredentials", "AttackSequence:IAM/CompromisedCredentials"],
  ["TTPs/Discovery:S3-MaliciousIPCaller.Custom", "Discovery:S3/MaliciousIPCaller.Custom"],
  ["TTPs/Policy:IAMUser-RootCredentialUsage", "Policy:IAMUser/RootCredentialUsage"],
  [
    "Software and Configuration Checks/AWS Security Best Practices/Policy:Kubernetes-AdminAccessToDefaultServiceAccount",
    "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
  ],
  ["TTPs/DefenseEvasion/EC2:Unusual-DNS-Resolver", "DefenseEvasion:EC2/UnusualDNSResolver"],
  [
    "TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled",
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
  ],
];

describe("guardDutyTypeFromAsff", () => {
  it.each(DOCUMENTED)("reads %s as %s", (asff, guardDuty) => {
    // Act
    const read = guardDutyTypeFromAsff(asff);

    // Assess
    expect(read).toBe(guardDuty);
  });

  it("keeps a native GuardDuty type as it is", () => {
    // Act
    const read = guardDutyTypeFromAsff("Recon:EC2/PortProbeUnprotectedPort");

    // Assess
    expect(read).toBe("Recon:EC2/PortProbeUnprotectedPort");
  });

  it.each([
    "Effects/Data Exposure/AWS-Foundational-Security-Best-Practices",
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark",
    "Sensitive Data Identifications/Passwords/Google Suite Two-factor backup codes in S3",
    "",
  ])("does not invent a GuardDuty type from %j", (asff) => {
    // Act
    const read = guardDutyTypeFromAsff(asff);

    // Assess
    expect(read).toBeUndefined();
  });
});

describe("guardDutyTypeFromTypes", () => {
  it("takes the first type that reads as a GuardDuty type", () => {
    // Act
    const read = guardDutyTypeFromTypes([
      "Software and Configuration Checks/Industry and Regulatory Standards",
      "TTPs/Discovery/Recon:EC2-Portscan",
      "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce",
    ]);

    // Assess
    expect(read).toBe("Recon:EC2/Portscan");
  });
});
