/**
 * Factories for incident workflow tests: schema-valid findings (`makeFinding(overrides)`, defaults taken
 * from GuardDuty's sample UnauthorizedAccess:EC2/TorRelay finding in test/fixtures) and incident events
 * timed in minutes after a fixed T0.
 */
import { buildFinding, type FindingDraft } from "../../core/findings/build";
import { type Finding, findingSchema } from "../../core/findings/finding";
import type { Resource } from "../../core/findings/resource";
import { fromGuardDutySeverity } from "../../core/findings/severity";
import { type ContainmentPolicyInput, containmentPolicySchema } from "../../core/incident/containment-policy";
import type { EventOf, IncidentEvent } from "../../core/incident/events";
import { type SlaPolicyInput, slaPolicySchema } from "../../core/incident/sla-policy";
import type { JsonValue } from "../../core/ports/incident-store";
import type { IncidentContext } from "../../workflows/incident/context";
import { restoreSnapshot } from "../../workflows/incident/snapshot";
import {
  type StepChanged,
  type StepDeps,
  type StepResult,
  type StoredIncident,
  step,
} from "../../workflows/incident/step";
import { loadFixture } from "./fixtures";

export const T0 = "2024-05-01T10:00:00.000Z";
/** ISO time `minutes` after T0. */
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export const TORRELAY_FIXTURE = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";

export const makeInstance = (
  overrides: Partial<Extract<Resource, { type: "ec2-instance" }>> = {},
): Resource => ({
  type: "ec2-instance",
  id: "i-99999999",
  accountId: "111111111111",
  region: "eu-west-2",
  instanceType: "m3.xlarge",
  vpcId: "GeneratedFindingVPCId",
  networkInterfaces: [
    {
      id: "eni-bfcffe88",
      privateIp: "10.0.0.1",
      publicIp: "198.51.100.0",
      subnetId: "GeneratedFindingSubnetId",
      vpcId: "GeneratedFindingVPCId",
      securityGroups: [{ id: "GeneratedFindingSecurityId", name: "GeneratedFindingSecurityGroupName" }],
    },
  ],
  securityGroups: [{ id: "GeneratedFindingSecurityId", name: "GeneratedFindingSecurityGroupName" }],
  ...overrides,
});

export type FindingOverrides = Partial<Omit<FindingDraft, "resources">> & { resources?: Resource[] };

/** A schema-valid finding; defaults follow the GuardDuty TorRelay sample, at severity 5 (MEDIUM). */
export function makeFinding(overrides: FindingOverrides = {}): Finding {
  const findingId = "00f996e6c7804e4c8b4b61e60f5fc423";
  const draft: FindingDraft = {
    source: "guardduty",
    identity: `guardduty:111111111111:eu-west-2:${findingId}`,
    kind: "detection",
    type: "UnauthorizedAccess:EC2/TorRelay",
    category: "ec2-compromise",
    title: "EC2 instance i-99999999 is communicating with Tor relay nodes.",
    description: "EC2 instance i-99999999 is acting as a Tor relay.",
    severity: fromGuardDutySeverity(5),
    accountId: "111111111111",
    region: "eu-west-2",
    firstSeenAt: "2024-05-01T09:58:00.000Z",
    lastSeenAt: "2024-05-01T09:58:00.000Z",
    updatedAt: "2024-05-01T09:58:00.000Z",
    count: 1,
    archived: false,
    resources: [makeInstance()],
    origin: {
      product: "GuardDuty",
      sourceId: findingId,
      guardDuty: { detectorId: "4b85f358-65e7-49b6-b9ae-b3816303fb12", findingId },
      rawRef: "test",
      rawPath: "$",
    },
    warnings: [],
    ...overrides,
  };
  return findingSchema.parse(buildFinding(draft));
}

/**
 * The main fields of a real bare GuardDuty finding (fixture), as a Finding: enough to open an incident from
 * real data without depending on the GuardDuty normalizer.
 */
export function findingFromGuardDutyFixture(path: string): Finding {
  const gd = loadFixture(path);
  const instance = gd.resource.instanceDetails;
  const enis = (instance?.networkInterfaces ?? []).map(
    (eni: {
      networkInterfaceId: string;
      vpcId?: string;
      securityGroups: { groupId: string; groupName?: string }[];
    }) => ({
      id: eni.networkInterfaceId,
      vpcId: eni.vpcId,
      securityGroups: eni.securityGroups.map((sg) => ({ id: sg.groupId, name: sg.groupName })),
    }),
  );
  return makeFinding({
    identity: `guardduty:${gd.accountId}:${gd.region}:${gd.id}`,
    type: gd.type,
    title: gd.title,
    description: gd.description,
    severity: fromGuardDutySeverity(gd.severity),
    accountId: gd.accountId,
    region: gd.region,
    firstSeenAt: gd.service.eventFirstSeen,
    lastSeenAt: gd.service.eventLastSeen,
    updatedAt: gd.updatedAt,
    count: gd.service.count,
    resources: [
      makeInstance({
        id: instance.instanceId,
        accountId: gd.accountId,
        region: gd.region,
        networkInterfaces: enis,
        securityGroups: enis.flatMap((eni: { securityGroups: { id: string }[] }) => eni.securityGroups),
        tags: Object.fromEntries(instance.tags.map((t: { key: string; value: string }) => [t.key, t.value])),
      }),
    ],
    origin: {
      product: "GuardDuty",
      sourceId: gd.id,
      guardDuty: { detectorId: gd.service.detectorId, findingId: gd.id },
      rawRef: gd.arn,
      rawPath: "$",
    },
  });
}

export const makeSecurityGroupFinding = (overrides: FindingOverrides = {}): Finding =>
  makeFinding({
    source: "cloudtrail",
    identity: "cloudtrail:111111111111:eu-west-2:sg-open-1",
    type: "cis-4.x-security-group-opened-to-world",
    category: "security-group-exposure",
    title: "Security group sg-0abc opened to 0.0.0.0/0 on port 22",
    severity: fromGuardDutySeverity(7),
    resources: [
      {
        type: "security-group",
        id: "sg-0abc",
        accountId: "111111111111",
        region: "eu-west-2",
        vpcId: "vpc-1",
        ingress: [
          { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0", worldOpen: true },
          { protocol: "tcp", fromPort: 443, toPort: 443, cidr: "10.0.0.0/8", worldOpen: false },
        ],
      },
    ],
    origin: { product: "CloudTrail", sourceId: "evt-1", rawRef: "test", rawPath: "$" },
    ...overrides,
  });

export const makeAccessKeyFinding = (overrides: FindingOverrides = {}): Finding =>
  makeFinding({
    identity: "guardduty:111111111111:eu-west-2:key-finding-1",
    type: "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
    category: "iam-credential-compromise",
    title: "API was invoked from a known malicious IP address.",
    severity: fromGuardDutySeverity(8),
    resources: [
      { type: "access-key", id: "AKIAIOSFODNN7EXAMPLE", accountId: "111111111111", userName: "alice" },
    ],
    origin: {
      product: "GuardDuty",
      sourceId: "key-finding-1",
      guardDuty: { detectorId: "4b85f358-65e7-49b6-b9ae-b3816303fb12", findingId: "key-finding-1" },
      rawRef: "test",
      rawPath: "$",
    },
    ...overrides,
  });

export const deps = (
  options: { incidentId?: string; sla?: SlaPolicyInput; containment?: ContainmentPolicyInput } = {},
): StepDeps => ({
  incidentId: options.incidentId ?? "inc-1",
  slaPolicy: slaPolicySchema.parse(options.sla ?? {}),
  containmentPolicy: containmentPolicySchema.parse(options.containment ?? {}),
});

const RESPONDER = "U0RESPONDER";

/** Incident events at `minutes` after T0. */
export const ev = {
  received: (finding: Finding, minutes = 0): EventOf<"finding.received"> => ({
    type: "finding.received",
    at: at(minutes),
    finding,
  }),
  updated: (finding: Finding, minutes: number): EventOf<"finding.updated"> => ({
    type: "finding.updated",
    at: at(minutes),
    finding,
  }),
  ack: (minutes: number, actor = RESPONDER): EventOf<"incident.acknowledged"> => ({
    type: "incident.acknowledged",
    at: at(minutes),
    actor,
  }),
  owner: (minutes: number, owner: string, actor = RESPONDER): EventOf<"owner.assigned"> => ({
    type: "owner.assigned",
    at: at(minutes),
    actor,
    owner,
  }),
  advance: (minutes: number, actor = RESPONDER): EventOf<"phase.advanced"> => ({
    type: "phase.advanced",
    at: at(minutes),
    actor,
  }),
  requestContainment: (minutes: number, actor = RESPONDER): EventOf<"containment.requested"> => ({
    type: "containment.requested",
    at: at(minutes),
    actor,
  }),
  approve: (minutes: number, actor = RESPONDER): EventOf<"containment.approved"> => ({
    type: "containment.approved",
    at: at(minutes),
    actor,
  }),
  deny: (minutes: number, reason?: string, actor = RESPONDER): EventOf<"containment.denied"> => ({
    type: "containment.denied",
    at: at(minutes),
    actor,
    ...(reason ? { reason } : {}),
  }),
  restore: (minutes: number, actor = RESPONDER): EventOf<"restoration.requested"> => ({
    type: "restoration.requested",
    at: at(minutes),
    actor,
  }),
  succeeded: (
    minutes: number,
    commandType: EventOf<"command.succeeded">["commandType"],
    commandId: string,
    result?: JsonValue,
  ): EventOf<"command.succeeded"> => ({
    type: "command.succeeded",
    at: at(minutes),
    commandId,
    commandType,
    ...(result === undefined ? {} : { result }),
  }),
  failed: (
    minutes: number,
    commandType: EventOf<"command.failed">["commandType"],
    commandId: string,
    error = "AccessDenied",
  ): EventOf<"command.failed"> => ({
    type: "command.failed",
    at: at(minutes),
    commandId,
    commandType,
    error,
  }),
  clock: (minutes: number): EventOf<"clock.checked"> => ({
    type: "clock.checked",
    at: at(minutes),
    now: at(minutes),
  }),
  note: (minutes: number, text: string, actor = RESPONDER): EventOf<"note.added"> => ({
    type: "note.added",
    at: at(minutes),
    actor,
    text,
  }),
  escalate: (minutes: number, actor = RESPONDER): EventOf<"escalation.requested"> => ({
    type: "escalation.requested",
    at: at(minutes),
    actor,
  }),
  falsePositive: (minutes: number, reason: string, actor = RESPONDER): EventOf<"false-positive.marked"> => ({
    type: "false-positive.marked",
    at: at(minutes),
    actor,
    reason,
  }),
  recovery: (finding: Finding, minutes: number): EventOf<"recovery.hinted"> => ({
    type: "recovery.hinted",
    at: at(minutes),
    finding,
  }),
  postmortem: (minutes: number, url?: string, actor = RESPONDER): EventOf<"postmortem.published"> => ({
    type: "postmortem.published",
    at: at(minutes),
    actor,
    ...(url ? { url } : {}),
  }),
} satisfies Record<string, (...args: never[]) => IncidentEvent>;

export interface Replay {
  stored: StoredIncident | undefined;
  results: StepResult[];
}

/** Steps every event in order from `from`, keeping the last changed snapshot as the stored incident. */
export function replay(events: readonly IncidentEvent[], d: StepDeps, from?: StoredIncident): Replay {
  let stored = from;
  const results: StepResult[] = [];
  for (const event of events) {
    const result = step(stored, event, d);
    results.push(result);
    if (result.changed) stored = { snapshot: result.snapshot, version: result.version };
  }
  return { stored, results };
}

/** The incident context inside a stored snapshot. */
export const contextOf = (stored: StoredIncident | undefined): IncidentContext => {
  if (!stored) throw new Error("no incident stored");
  return restoreSnapshot(stored.snapshot).state.context;
};

/** The result of a step that must have changed something. */
export function changed(result: StepResult | undefined): StepChanged {
  if (!result?.changed) throw new Error("expected the step to change the incident");
  return result;
}
