/**
 * Containment policy: mode ceiling and rules, the action per primary resource, and the ir:protected tag.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromGuardDutySeverity } from "../../../core/findings/severity";
import {
  canContain,
  containmentPolicySchema,
  containmentTargetSchema,
  DEFAULT_CONTAINMENT_POLICY,
  decideContainment,
  matchesGlob,
} from "../../../core/incident/containment-policy";
import {
  findingFromGuardDutyFixture,
  makeAccessKeyFinding,
  makeFinding,
  makeInstance,
  makeSecurityGroupFinding,
  TORRELAY_FIXTURE,
} from "../../support/incident-events.factory";

const policy = (input: Parameters<typeof containmentPolicySchema.parse>[0]) =>
  containmentPolicySchema.parse(input);
const AUTO = policy({
  mode: "auto",
  rules: [{ findingTypes: ["UnauthorizedAccess:EC2/*"], minSeverity: "HIGH" }],
});

describe("matchesGlob", () => {
  it.each([
    ["UnauthorizedAccess:EC2/*", "UnauthorizedAccess:EC2/TorRelay", true],
    ["UnauthorizedAccess:EC2/*", "UnauthorizedAccess:IAMUser/TorIPCaller", false],
    ["*:EC2/*", "CryptoCurrency:EC2/BitcoinTool.B!DNS", true],
    ["Backdoor:EC2/C&CActivity.?", "Backdoor:EC2/C&CActivity.B", true],
    ["Backdoor:EC2/C&CActivity.B", "Backdoor:EC2/C&CActivityXB", false],
    ["cis-4.?", "cis-4.1", true],
  ])("%s matches %s: %s", (glob, value, expected) => {
    // Assess
    expect(matchesGlob(glob, value)).toBe(expected);
  });
});

describe("decideContainment", () => {
  it("waits for approval by default, isolating every ENI of the instance", () => {
    // Act
    const decision = decideContainment(
      DEFAULT_CONTAINMENT_POLICY,
      findingFromGuardDutyFixture(TORRELAY_FIXTURE),
    );

    // Assess
    expect(decision).toMatchObject({ mode: "approval", action: "isolateInstance" });
    expect(decision.target).toEqual({
      resourceType: "ec2-instance",
      accountId: "111111111111",
      region: "eu-west-2",
      instanceId: "i-99999999",
      vpcId: "GeneratedFindingVPCId",
      networkInterfaces: [{ id: "eni-bfcffe88", securityGroupIds: ["GeneratedFindingSecurityId"] }],
      securityGroupIds: ["GeneratedFindingSecurityId"],
    });
    expect(containmentTargetSchema.parse(decision.target)).toEqual(decision.target);
  });

  it("grants auto only to listed types at or above the rule's severity", () => {
    // Prepare
    const high = makeFinding({ severity: fromGuardDutySeverity(8) });
    const medium = makeFinding();
    const unlisted = makeFinding({
      type: "Recon:EC2/PortProbeUnprotectedPort",
      severity: fromGuardDutySeverity(8),
    });

    // Act
    const modes = [high, medium, unlisted].map((f) => decideContainment(AUTO, f).mode);

    // Assess
    expect(modes).toEqual(["auto", "approval", "approval"]);
  });

  it("treats the policy mode as a ceiling that rules cannot exceed, but can lower", () => {
    // Prepare
    const rules = [
      { findingTypes: ["UnauthorizedAccess:*"], minSeverity: "LOW" as const },
      { findingTypes: ["Recon:*"], minSeverity: "LOW" as const, mode: "off" as const },
    ];
    const high = makeFinding({ severity: fromGuardDutySeverity(8) });
    const recon = makeFinding({ type: "Recon:EC2/Portscan", severity: fromGuardDutySeverity(8) });

    // Act
    const dryRun = decideContainment(policy({ mode: "dry-run", rules }), high);
    const approval = decideContainment(policy({ mode: "approval", rules }), high);
    const lowered = decideContainment(policy({ mode: "auto", rules }), recon);

    // Assess
    expect(dryRun.mode).toBe("dry-run");
    expect(approval.mode).toBe("approval");
    expect(lowered.mode).toBe("off");
    expect(canContain(lowered)).toBe(false);
  });

  it("never touches a resource tagged ir:protected, unless the tag says false", () => {
    // Prepare
    const tagged = makeFinding({ resources: [makeInstance({ tags: { "ir:protected": "" } })] });
    const untagged = makeFinding({ resources: [makeInstance({ tags: { "ir:protected": "False" } })] });

    // Act
    const protectedDecision = decideContainment(AUTO, { ...tagged, severity: fromGuardDutySeverity(9) });
    const falseTag = decideContainment(AUTO, { ...untagged, severity: fromGuardDutySeverity(9) });

    // Assess
    expect(protectedDecision).toMatchObject({ mode: "off", action: "none", target: null });
    expect(protectedDecision.reason).toContain("ir:protected");
    expect(falseTag).toMatchObject({ mode: "auto", action: "isolateInstance" });
  });

  it("locks down only the world-open rules of a security group", () => {
    // Act
    const decision = decideContainment(DEFAULT_CONTAINMENT_POLICY, makeSecurityGroupFinding());

    // Assess
    expect(decision.action).toBe("lockDownSecurityGroup");
    expect(decision.target).toMatchObject({ groupId: "sg-0abc", rules: [{ cidr: "0.0.0.0/0", toPort: 22 }] });
  });

  it("has nothing to do for a security group that is not open to the world", () => {
    // Prepare
    const closed = makeSecurityGroupFinding({
      resources: [
        {
          type: "security-group",
          id: "sg-1",
          ingress: [{ protocol: "tcp", cidr: "10.0.0.0/8", worldOpen: false }],
        },
      ],
    });

    // Act
    const decision = decideContainment(AUTO, closed);

    // Assess
    expect(decision).toMatchObject({ mode: "off", action: "none" });
    expect(decision.reason).toContain("not open to the world");
  });

  it("deactivates long-term keys but not temporary session credentials", () => {
    // Prepare
    const session = makeAccessKeyFinding({ resources: [{ type: "access-key", id: "ASIAEXAMPLESESSION01" }] });

    // Act
    const longTerm = decideContainment(DEFAULT_CONTAINMENT_POLICY, makeAccessKeyFinding());
    const temporary = decideContainment(DEFAULT_CONTAINMENT_POLICY, session);

    // Assess
    expect(longTerm.target).toEqual({
      resourceType: "access-key",
      accountId: "111111111111",
      region: "eu-west-2",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      userName: "alice",
    });
    expect(temporary).toMatchObject({ action: "none" });
    expect(temporary.reason).toContain("temporary session credential");
  });

  it("has no action for other resource types", () => {
    // Prepare
    const bucket = makeFinding({ resources: [{ type: "s3-bucket", id: "my-bucket" }] });

    // Act
    const decision = decideContainment(AUTO, bucket);

    // Assess
    expect(decision).toMatchObject({ mode: "off", action: "none", target: null });
  });

  it("decides without throwing for any mode, rule and severity, and auto implies a listed rule", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("off", "dry-run", "approval", "auto"),
        fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (mode, globs, severity) => {
          const p = policy({ mode, rules: globs.length ? [{ findingTypes: globs }] : [] });
          const decision = decideContainment(p, makeFinding({ severity: fromGuardDutySeverity(severity) }));
          if (decision.mode === "auto") {
            expect(mode).toBe("auto");
            expect(globs.some((g) => matchesGlob(g, "UnauthorizedAccess:EC2/TorRelay"))).toBe(true);
          }
          expect(canContain(decision)).toBe(decision.mode !== "off");
        },
      ),
    );
  });
});
