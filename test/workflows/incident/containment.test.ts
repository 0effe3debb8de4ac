/**
 * Containment through step(): each policy mode, the two-step isolation, denial, failure, restore and the
 * `ir:protected` tag.
 */
import { describe, expect, it } from "vitest";
import type { CommandParams, CommandType } from "../../../core/incident/commands";
import type { ContainmentPolicyInput } from "../../../core/incident/containment-policy";
import type { IncidentEvent } from "../../../core/incident/events";
import type { StepChanged, StepResult } from "../../../workflows/incident/step";
import {
  changed,
  contextOf,
  deps,
  ev,
  findingFromGuardDutyFixture,
  makeAccessKeyFinding,
  makeFinding,
  makeInstance,
  makeSecurityGroupFinding,
  replay,
  TORRELAY_FIXTURE,
} from "../../support/incident-events.factory";

const torRelay = () => findingFromGuardDutyFixture(TORRELAY_FIXTURE);

const types = (result: StepResult | undefined) => changed(result).commands.map((c) => c.type);
const params = <T extends CommandType>(result: StepResult | undefined, type: T): CommandParams<T> => {
  const command = changed(result).commands.find((c) => c.type === type);
  if (!command) throw new Error(`no ${type} command`);
  return command.params as CommandParams<T>;
};
const idOf = (result: StepResult | undefined, type: CommandType): string =>
  changed(result).commands.find((c) => c.type === type)!.id;
const containmentState = (result: StepChanged) => contextOf(result).containment.status;

const AUTO_TORRELAY: ContainmentPolicyInput = {
  mode: "auto",
  rules: [{ findingTypes: ["UnauthorizedAccess:EC2/*"], minSeverity: "HIGH" }],
};

describe("containment modes", () => {
  it("off: nothing planned, and a request is refused with the reason", () => {
    // Act
    const run = replay(
      [ev.received(torRelay(), 0), ev.requestContainment(1)],
      deps({ containment: { mode: "off" } }),
    );

    // Assess
    expect(types(run.results[0])).not.toContain("planContainment");
    expect(containmentState(changed(run.results[0]))).toBe("none");
    const refused = changed(run.results[1]);
    expect(refused.timeline[0]?.kind).toBe("containment.refused");
    expect(refused.timeline[0]?.text).toContain("containment is off by policy");
    expect(types(refused)).toEqual(["postThreadReply"]);
  });

  it("dry-run: only a plan, kept on record; a request cannot turn it into action", () => {
    // Prepare
    const plan = { wouldReplace: { "eni-bfcffe88": ["GeneratedFindingSecurityId"] } };
    const d = deps({ containment: { mode: "dry-run" } });
    const opened = replay([ev.received(torRelay(), 0)], d);
    const planId = idOf(opened.results[0], "planContainment");

    // Act
    const run = replay(
      [ev.succeeded(1, "planContainment", planId, plan), ev.requestContainment(2)],
      d,
      opened.stored,
    );

    // Assess
    expect(params(opened.results[0], "planContainment")).toMatchObject({
      action: "isolateInstance",
      mode: "dry-run",
    });
    expect(contextOf(run.stored).containment).toMatchObject({ status: "planned", plan });
    expect(changed(run.results[1]).timeline[0]?.text).toContain("dry-run");
    const all = [...opened.results, ...run.results].flatMap((r) => r.commands.map((c) => c.type));
    expect(all).not.toContain("isolateInstance");
  });

  it("approval: plan, ask, approve, then the two-step isolation completes while still in detect", () => {
    // Prepare
    const d = deps();
    const opened = replay([ev.received(torRelay(), 0)], d);
    const planId = idOf(opened.results[0], "planContainment");
    const firstStep = {
      followUp: "completeIsolation",
      original: { "eni-bfcffe88": ["GeneratedFindingSecurityId"] },
    };

    // Act
    const asked = replay([ev.succeeded(1, "planContainment", planId, { ok: true })], d, opened.stored);
    const approved = replay([ev.approve(2, "U0LEAD")], d, asked.stored);
    const isolateId = idOf(approved.results[0], "isolateInstance");
    const first = replay([ev.succeeded(3, "isolateInstance", isolateId, firstStep)], d, approved.stored);
    const completeId = idOf(first.results[0], "completeIsolation");
    const done = replay(
      [ev.succeeded(8, "completeIsolation", completeId, { isolationGroup: "sg-iso" })],
      d,
      first.stored,
    );

    // Assess
    expect(params(asked.results[0], "postThreadReply")).toMatchObject({
      topic: "containment.awaiting-approval",
    });
    expect(containmentState(changed(asked.results[0]))).toBe("awaitingApproval");
    expect(params(approved.results[0], "isolateInstance").target).toMatchObject({
      resourceType: "ec2-instance",
      instanceId: "i-99999999",
      networkInterfaces: [{ id: "eni-bfcffe88", securityGroupIds: ["GeneratedFindingSecurityId"] }],
    });
    expect(contextOf(approved.stored).containment.approvedBy).toBe("U0LEAD");
    expect(params(first.results[0], "completeIsolation").firstStep).toEqual(firstStep);
    const isolated = changed(done.results[0]);
    expect(isolated.phase).toBe("detect");
    expect(containmentState(isolated)).toBe("isolated");
    expect(params(done.results[0], "publishIncidentEvent").detailType).toBe("Containment Completed");
    expect(params(done.results[0], "postThreadReply").text).not.toContain("Advance to Eradicate");
  });

  it("approval: a denial is recorded, and a new request plans again", () => {
    // Prepare
    const d = deps();
    const opened = replay([ev.received(torRelay(), 0)], d);
    const planId = idOf(opened.results[0], "planContainment");

    // Act
    const run = replay(
      [
        ev.succeeded(1, "planContainment", planId),
        ev.deny(2, "production database host"),
        ev.requestContainment(5),
      ],
      d,
      opened.stored,
    );

    // Assess
    const denied = changed(run.results[1]);
    expect(containmentState(denied)).toBe("denied");
    expect(denied.timeline.map((t) => t.text).join(" ")).toContain("production database host");
    expect(types(run.results[2])).toEqual(["planContainment"]);
    expect(contextOf(run.stored).containment).toMatchObject({
      status: "planned",
      requestedBy: "U0RESPONDER",
    });
  });

  it("auto: isolation starts with the incident, before anyone acknowledges", () => {
    // Act
    const result = changed(
      replay([ev.received(torRelay(), 0)], deps({ containment: AUTO_TORRELAY })).results[0],
    );

    // Assess
    expect(result.phase).toBe("detect");
    expect(result.commands.map((c) => c.type)).toEqual([
      "postIncidentMessage",
      "updateSecurityHubFindings",
      "publishIncidentEvent",
      "isolateInstance",
    ]);
    expect(containmentState(result)).toBe("isolating");
  });

  it("auto: a type the rules do not list waits for approval instead", () => {
    // Prepare
    const recon = makeFinding({
      type: "Recon:EC2/PortProbeUnprotectedPort",
      severity: { label: "HIGH", score: 80 },
    });

    // Act
    const result = changed(replay([ev.received(recon, 0)], deps({ containment: AUTO_TORRELAY })).results[0]);

    // Assess
    expect(types(result)).toContain("planContainment");
    expect(types(result)).not.toContain("isolateInstance");
  });

  it("auto: starts once a finding update raises severity into an auto rule", () => {
    // Prepare
    const d = deps({
      containment: {
        mode: "auto",
        rules: [
          { findingTypes: ["UnauthorizedAccess:EC2/*"], minSeverity: "HIGH" },
          { findingTypes: ["UnauthorizedAccess:EC2/*"], minSeverity: "INFORMATIONAL", mode: "off" },
        ],
      },
    });
    const medium = makeFinding();
    const high = makeFinding({
      severity: { label: "HIGH", score: 80 },
      count: 2,
      updatedAt: "2024-05-01T10:05:00.000Z",
    });

    // Act
    const run = replay([ev.received(medium, 0), ev.updated(high, 5)], d);

    // Assess
    expect(types(run.results[0])).not.toContain("planContainment");
    expect(types(run.results[1])).toContain("isolateInstance");
    expect(containmentState(changed(run.results[1]))).toBe("isolating");
  });

  it("never touches a resource tagged ir:protected, and says why", () => {
    // Prepare
    const protectedFinding = makeFinding({ resources: [makeInstance({ tags: { "ir:protected": "true" } })] });

    // Act
    const run = replay(
      [ev.received(protectedFinding, 0), ev.requestContainment(1)],
      deps({ containment: AUTO_TORRELAY }),
    );

    // Assess
    const opened = changed(run.results[0]);
    expect(types(opened)).not.toContain("isolateInstance");
    expect(opened.timeline.find((t) => t.kind === "containment.decided")?.text).toContain("ir:protected");
    expect(changed(run.results[1]).timeline[0]?.text).toContain("ir:protected");
  });
});

describe("containment actions by resource", () => {
  it("locks down a security group opened to the world, revoking only the world-open rule", () => {
    // Prepare
    const d = deps({
      containment: { mode: "auto", rules: [{ findingTypes: ["cis-*"], minSeverity: "MEDIUM" }] },
    });

    // Act
    const result = replay([ev.received(makeSecurityGroupFinding(), 0)], d).results[0];

    // Assess
    expect(params(result, "lockDownSecurityGroup").target).toMatchObject({
      resourceType: "security-group",
      groupId: "sg-0abc",
      rules: [{ cidr: "0.0.0.0/0", fromPort: 22, worldOpen: true }],
    });
  });

  it("deactivates a long-term access key after approval", () => {
    // Prepare
    const d = deps();
    const opened = replay([ev.received(makeAccessKeyFinding(), 0)], d);

    // Act
    const run = replay(
      [ev.succeeded(1, "planContainment", idOf(opened.results[0], "planContainment")), ev.approve(2)],
      d,
      opened.stored,
    );

    // Assess
    expect(params(run.results[1], "deactivateAccessKey").target).toMatchObject({
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      userName: "alice",
    });
  });
});

describe("containment outcomes", () => {
  const autoOpen = (): IncidentEvent[] => [ev.received(torRelay(), 0)];

  it("fails visibly and can be requested again", () => {
    // Prepare
    const d = deps({ containment: AUTO_TORRELAY });
    const opened = replay(autoOpen(), d);
    const isolateId = idOf(opened.results[0], "isolateInstance");

    // Act
    const run = replay(
      [ev.failed(1, "isolateInstance", isolateId, "UnauthorizedOperation"), ev.requestContainment(3)],
      d,
      opened.stored,
    );

    // Assess
    const failed = changed(run.results[0]);
    expect(containmentState(failed)).toBe("failed");
    expect(params(run.results[0], "mentionInChat")).toMatchObject({ target: "on-call" });
    expect(params(run.results[0], "mentionInChat").text).toContain("UnauthorizedOperation");
    expect(types(run.results[1])).toEqual(["isolateInstance"]);
  });

  it("hints (does not auto-advance) when containment completes in the contain phase", () => {
    // Prepare
    const d = deps();
    const opened = replay([ev.received(torRelay(), 0), ev.ack(2), ev.advance(5)], d);
    const planId = idOf(opened.results[0], "planContainment");
    const approved = replay([ev.succeeded(6, "planContainment", planId), ev.approve(7)], d, opened.stored);

    // Act
    const done = replay(
      [ev.succeeded(9, "isolateInstance", idOf(approved.results[1], "isolateInstance"), {})],
      d,
      approved.stored,
    );

    // Assess
    const isolated = changed(done.results[0]);
    expect(isolated.phase).toBe("contain");
    expect(params(done.results[0], "postThreadReply").text).toContain("Advance to Eradicate");
  });

  it("restores in the recover phase with what isolation recorded, and refuses it earlier", () => {
    // Prepare
    const d = deps({ containment: AUTO_TORRELAY });
    const opened = replay(autoOpen(), d);
    const undo = { original: { "eni-bfcffe88": ["GeneratedFindingSecurityId"] } };
    const isolated = replay(
      [ev.succeeded(1, "isolateInstance", idOf(opened.results[0], "isolateInstance"), undo)],
      d,
      opened.stored,
    );

    // Act
    const early = replay([ev.restore(2)], d, isolated.stored);
    const recover = replay(
      [ev.ack(3), ev.advance(10), ev.advance(30), ev.advance(60), ev.restore(70)],
      d,
      isolated.stored,
    );
    const restoreId = idOf(recover.results[4], "restoreContainment");
    const restored = replay([ev.succeeded(71, "restoreContainment", restoreId)], d, recover.stored);

    // Assess
    expect(changed(early.results[0]).timeline[0]?.kind).toBe("containment.restore-refused");
    expect(params(recover.results[4], "restoreContainment")).toMatchObject({
      action: "isolateInstance",
      undo,
    });
    expect(containmentState(changed(restored.results[0]))).toBe("restored");
  });
});
