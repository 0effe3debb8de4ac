import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  categoryForGuardDutyType,
  GUARDDUTY_CATEGORY_RULES,
  guardDutyCategoryRule,
  parseGuardDutyType,
} from "../../../core/detections/guardduty-categories";
import { CATEGORIES, type Category } from "../../../core/findings/categories";

/**
 * Real GuardDuty finding types, from AWS's "GuardDuty finding types" pages (EC2, IAM, S3, EKS Protection,
 * Runtime Monitoring, Malware Protection for EC2/S3/Backup, RDS Protection, Lambda Protection, attack
 * sequences), grouped by the runbook a responder should open for them.
 */
const REAL_TYPES: Record<Category, readonly string[]> = {
  "ec2-compromise": [
    "Backdoor:EC2/C&CActivity.B",
    "Backdoor:EC2/C&CActivity.B!DNS",
    "Backdoor:EC2/DenialOfService.Dns",
    "Backdoor:EC2/DenialOfService.Tcp",
    "Backdoor:EC2/DenialOfService.Udp",
    "Backdoor:EC2/DenialOfService.UdpOnTcpPorts",
    "Backdoor:EC2/DenialOfService.UnusualProtocol",
    "Backdoor:EC2/Spambot",
    "Behavior:EC2/NetworkPortUnusual",
    "Behavior:EC2/TrafficVolumeUnusual",
    "DefenseEvasion:EC2/UnusualDNSResolver",
    "DefenseEvasion:EC2/UnusualDoHActivity",
    "DefenseEvasion:EC2/UnusualDoTActivity",
    "Impact:EC2/AbusedDomainRequest.Reputation",
    "Impact:EC2/MaliciousDomainRequest.Custom",
    "Impact:EC2/MaliciousDomainRequest.Reputation",
    "Impact:EC2/PortSweep",
    "Impact:EC2/SuspiciousDomainRequest.Reputation",
    "Impact:EC2/WinRMBruteForce",
    "Recon:EC2/Portscan",
    "Trojan:EC2/BlackholeTraffic",
    "Trojan:EC2/BlackholeTraffic!DNS",
    "Trojan:EC2/DGADomainRequest.B",
    "Trojan:EC2/DGADomainRequest.C!DNS",
    "Trojan:EC2/DNSDataExfiltration",
    "Trojan:EC2/DriveBySourceTraffic!DNS",
    "Trojan:EC2/DropPoint",
    "Trojan:EC2/DropPoint!DNS",
    "Trojan:EC2/PhishingDomainRequest!DNS",
    "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:EC2/MetadataDNSRebind",
    "UnauthorizedAccess:EC2/RDPBruteForce",
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "UnauthorizedAccess:EC2/TorClient",
    "UnauthorizedAccess:EC2/TorRelay",
    "AttackSequence:EC2/CompromisedInstanceGroup",
  ],
  "crypto-mining": [
    "CryptoCurrency:EC2/BitcoinTool.B",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Impact:EC2/BitcoinDomainRequest.Reputation",
    "CryptoCurrency:Runtime/BitcoinTool.B",
    "CryptoCurrency:Runtime/BitcoinTool.B!DNS",
    "Impact:Runtime/BitcoinDomainRequest.Reputation",
    "Impact:Runtime/CryptoMinerExecuted",
    "CryptoCurrency:Lambda/BitcoinTool.B",
  ],
  reconnaissance: ["Recon:EC2/PortProbeUnprotectedPort", "Recon:EC2/PortProbeEMRUnprotectedPort"],
  "iam-credential-compromise": [
    "CredentialAccess:IAMUser/AnomalousBehavior",
    "Discovery:IAMUser/AnomalousBehavior",
    "Exfiltration:IAMUser/AnomalousBehavior",
    "Impact:IAMUser/AnomalousBehavior",
    "InitialAccess:IAMUser/AnomalousBehavior",
    "PenTest:IAMUser/KaliLinux",
    "PenTest:IAMUser/ParrotLinux",
    "PenTest:IAMUser/PentooLinux",
    "Persistence:IAMUser/AnomalousBehavior",
    "PrivilegeEscalation:IAMUser/AnomalousBehavior",
    "Recon:IAMUser/MaliciousIPCaller",
    "Recon:IAMUser/MaliciousIPCaller.Custom",
    "Recon:IAMUser/TorIPCaller",
    "Stealth:IAMUser/PasswordPolicyChange",
    "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B",
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS",
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
    "UnauthorizedAccess:IAMUser/TorIPCaller",
    "AttackSequence:IAM/CompromisedCredentials",
  ],
  "root-account-use": ["Policy:IAMUser/RootCredentialUsage", "Policy:IAMUser/ShortTermRootCredentialUsage"],
  "s3-data-exposure": [
    "Discovery:S3/AnomalousBehavior",
    "Discovery:S3/MaliciousIPCaller",
    "Discovery:S3/MaliciousIPCaller.Custom",
    "Discovery:S3/TorIPCaller",
    "Exfiltration:S3/AnomalousBehavior",
    "Exfiltration:S3/MaliciousIPCaller",
    "Impact:S3/AnomalousBehavior.Delete",
    "Impact:S3/AnomalousBehavior.Permission",
    "Impact:S3/AnomalousBehavior.Write",
    "Impact:S3/MaliciousIPCaller",
    "PenTest:S3/KaliLinux",
    "PenTest:S3/ParrotLinux",
    "PenTest:S3/PentooLinux",
    "Policy:S3/AccountBlockPublicAccessDisabled",
    "Policy:S3/BucketAnonymousAccessGranted",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "Policy:S3/BucketPublicAccessGranted",
    "UnauthorizedAccess:S3/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:S3/TorIPCaller",
    "AttackSequence:S3/CompromisedData",
  ],
  "logging-tampering": [
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
    "Stealth:IAMUser/LoggingConfigurationModified",
    "Stealth:S3/ServerAccessLoggingDisabled",
    "DefenseEvasion:IAMUser/AnomalousBehavior",
    "DefenseEvasion:IAMUser/BedrockLoggingDisabled",
  ],
  "security-group-exposure": [],
  "waf-attack": [],
  "kubernetes-runtime": [
    "CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed",
    "CredentialAccess:Kubernetes/MaliciousIPCaller",
    "CredentialAccess:Kubernetes/MaliciousIPCaller.Custom",
    "CredentialAccess:Kubernetes/SuccessfulAnonymousAccess",
    "CredentialAccess:Kubernetes/TorIPCaller",
    "DefenseEvasion:Kubernetes/MaliciousIPCaller",
    "DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom",
    "DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess",
    "DefenseEvasion:Kubernetes/TorIPCaller",
    "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked",
    "Discovery:Kubernetes/MaliciousIPCaller",
    "Discovery:Kubernetes/MaliciousIPCaller.Custom",
    "Discovery:Kubernetes/SuccessfulAnonymousAccess",
    "Discovery:Kubernetes/TorIPCaller",
    "Execution:Kubernetes/AnomalousBehavior.ExecInPod",
    "Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed",
    "Execution:Kubernetes/ExecInKubeSystemPod",
    "Impact:Kubernetes/MaliciousIPCaller",
    "Impact:Kubernetes/MaliciousIPCaller.Custom",
    "Impact:Kubernetes/SuccessfulAnonymousAccess",
    "Impact:Kubernetes/TorIPCaller",
    "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
    "Persistence:Kubernetes/ContainerWithSensitiveMount",
    "Persistence:Kubernetes/MaliciousIPCaller",
    "Persistence:Kubernetes/MaliciousIPCaller.Custom",
    "Persistence:Kubernetes/SuccessfulAnonymousAccess",
    "Persistence:Kubernetes/TorIPCaller",
    "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
    "Policy:Kubernetes/AnonymousAccessGranted",
    "Policy:Kubernetes/ExposedDashboard",
    "Policy:Kubernetes/KubeflowDashboardExposed",
    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated",
    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated",
    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
    "Backdoor:Runtime/C&CActivity.B",
    "Backdoor:Runtime/C&CActivity.B!DNS",
    "DefenseEvasion:Runtime/FilelessExecution",
    "DefenseEvasion:Runtime/KernelModuleLoaded",
    "DefenseEvasion:Runtime/ProcessInjection.Proc",
    "DefenseEvasion:Runtime/ProcessInjection.Ptrace",
    "DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite",
    "DefenseEvasion:Runtime/PtraceAntiDebugging",
    "DefenseEvasion:Runtime/SuspiciousCommand",
    "Discovery:Runtime/SuspiciousCommand",
    "Execution:Runtime/NewBinaryExecuted",
    "Execution:Runtime/NewLibraryLoaded",
    "Execution:Runtime/ReverseShell",
    "Execution:Runtime/SuspiciousCommand",
    "Execution:Runtime/SuspiciousShellCreated",
    "Execution:Runtime/SuspiciousTool",
    "Impact:Runtime/AbusedDomainRequest.Reputation",
    "Impact:Runtime/MaliciousDomainRequest.Reputation",
    "Impact:Runtime/SuspiciousDomainRequest.Reputation",
    "Persistence:Runtime/SuspiciousCommand",
    "PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified",
    "PrivilegeEscalation:Runtime/ContainerMountsHostDirectory",
    "PrivilegeEscalation:Runtime/DockerSocketAccessed",
    "PrivilegeEscalation:Runtime/ElevationToRoot",
    "PrivilegeEscalation:Runtime/RuncContainerEscape",
    "PrivilegeEscalation:Runtime/SuspiciousCommand",
    "PrivilegeEscalation:Runtime/UserfaultfdUsage",
    "Trojan:Runtime/BlackholeTraffic",
    "Trojan:Runtime/BlackholeTraffic!DNS",
    "Trojan:Runtime/DGADomainRequest.C!DNS",
    "Trojan:Runtime/DriveBySourceTraffic!DNS",
    "Trojan:Runtime/DropPoint",
    "Trojan:Runtime/DropPoint!DNS",
    "Trojan:Runtime/PhishingDomainRequest!DNS",
    "UnauthorizedAccess:Runtime/MetadataDNSRebind",
    "UnauthorizedAccess:Runtime/TorClient",
    "UnauthorizedAccess:Runtime/TorRelay",
    "AttackSequence:EKS/CompromisedCluster",
    "AttackSequence:ECS/CompromisedCluster",
  ],
  malware: [
    "Execution:EC2/MaliciousFile",
    "Execution:EC2/MaliciousFile!AMI",
    "Execution:EC2/MaliciousFile!Snapshot",
    "Execution:EC2/MaliciousFile!RecoveryPoint",
    "Execution:EC2/SuspiciousFile",
    "Execution:ECS/MaliciousFile",
    "Execution:ECS/SuspiciousFile",
    "Execution:Kubernetes/MaliciousFile",
    "Execution:Kubernetes/SuspiciousFile",
    "Execution:Container/MaliciousFile",
    "Execution:Container/SuspiciousFile",
    "Execution:S3/MaliciousFile!RecoveryPoint",
    "Execution:Runtime/MaliciousFileExecuted",
    "Object:S3/MaliciousFile",
  ],
  "application-security": [],
  // No runbook fits better: RDS logins are database credentials, Lambda has no containment of its own.
  generic: [
    "CredentialAccess:RDS/AnomalousBehavior.FailedLogin",
    "CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce",
    "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin",
    "CredentialAccess:RDS/MaliciousIPCaller.FailedLogin",
    "CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin",
    "CredentialAccess:RDS/TorIPCaller.FailedLogin",
    "CredentialAccess:RDS/TorIPCaller.SuccessfulLogin",
    "Discovery:RDS/MaliciousIPCaller",
    "Discovery:RDS/TorIPCaller",
    "Backdoor:Lambda/C&CActivity.B",
    "Trojan:Lambda/BlackholeTraffic",
    "Trojan:Lambda/DropPoint",
    "UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:Lambda/TorClient",
    "UnauthorizedAccess:Lambda/TorRelay",
  ],
};

const ALL_REAL = Object.values(REAL_TYPES).flat();

describe("categoryForGuardDutyType", () => {
  for (const [category, types] of Object.entries(REAL_TYPES)) {
    if (types.length === 0) continue;
    it(`maps ${types.length} real finding types to ${category}`, () => {
      // Act
      const mapped = types.map((type) => [type, categoryForGuardDutyType(type)]);
      // Assess
      expect(mapped).toEqual(types.map((type) => [type, category]));
    });
  }

  it("lists each real type once", () => {
    expect(new Set(ALL_REAL).size).toBe(ALL_REAL.length);
  });

  it("has no dead rules: each one decides at least one real finding type", () => {
    // Act
    const used = new Set(ALL_REAL.map((type) => guardDutyCategoryRule(type)));
    // Assess
    const dead = GUARDDUTY_CATEGORY_RULES.filter((rule) => !used.has(rule)).map((rule) => rule.why);
    expect(dead).toEqual([]);
  });

  it("sends specific threats to their own runbook whatever the resource", () => {
    // Assess: malware and mining win over the container and EC2 rules.
    expect(categoryForGuardDutyType("Execution:Runtime/MaliciousFileExecuted")).toBe("malware");
    expect(categoryForGuardDutyType("CryptoCurrency:Runtime/BitcoinTool.B")).toBe("crypto-mining");
    expect(categoryForGuardDutyType("Stealth:S3/ServerAccessLoggingDisabled")).toBe("logging-tampering");
  });

  it.each(["", "Recon", "Recon:EC2", "not a type", "Foo:Bar/Baz", ":/", "Recon:/Portscan"])(
    "reads %j as generic",
    (type) => {
      expect(categoryForGuardDutyType(type)).toBe("generic");
    },
  );

  it("answers each type the same every time, past any number of distinct types asked", () => {
    // Prepare: suffixes keep purpose and resource and extend the family, so each variant keeps its category.
    const variants = Array.from({ length: 3000 }, (_, i) => {
      const type = ALL_REAL[i % ALL_REAL.length]!;
      return { type, variant: `${type}.v${i}` };
    });
    // Act
    const first = variants.map(({ variant }) => categoryForGuardDutyType(variant));
    const again = variants.map(({ variant }) => categoryForGuardDutyType(variant));
    // Assess
    expect(first).toEqual(variants.map(({ type }) => categoryForGuardDutyType(type)));
    expect(again).toEqual(first);
  });

  it("never throws and always answers with a known category", () => {
    fc.assert(
      fc.property(fc.string(), (type) => {
        expect(CATEGORIES).toContain(categoryForGuardDutyType(type));
      }),
    );
  });
});

describe("parseGuardDutyType", () => {
  it("splits purpose, resource and the rest", () => {
    expect(parseGuardDutyType("Backdoor:EC2/C&CActivity.B!DNS")).toEqual({
      purpose: "Backdoor",
      resource: "EC2",
      family: "C&CActivity.B!DNS",
    });
    expect(
      parseGuardDutyType(
        "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
      ),
    ).toEqual({
      purpose: "Persistence",
      resource: "Kubernetes",
      family: "AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
    });
  });

  it("refuses strings without the Purpose:Resource/Family form", () => {
    expect(parseGuardDutyType("Recon:EC2")).toBeUndefined();
    expect(parseGuardDutyType("GuardDuty Runtime Protection Unhealthy")).toBeUndefined();
  });
});
