/**
 * Factories for IncidentStore / Quarantine records: valid by default (the finding satisfies findingSchema),
 * every field overridable. `makeCommit` builds the commit that moves an incident from `expectedVersion` to
 * the next version, with command ids in the port's `<incidentId>:<version>:<n>` form; `makeCommandResult`
 * the result a dispatcher feeds back for one of them.
 */
import type { Finding } from "../../core/findings/finding";
import type {
  CommandResult,
  Commit,
  FindingRecord,
  IncidentRecord,
  OutboxCommand,
  TimelineEntry,
} from "../../core/ports/incident-store";
import type { QuarantinedInput } from "../../core/ports/quarantine";

export const T0 = "2024-05-01T12:00:00.000Z";

/** `T0` shifted by `minutes` (negative = earlier), canonical ISO. */
export const at = (minutes: number, base = T0): string =>
  new Date(Date.parse(base) + minutes * 60_000).toISOString();

export function makeIncidentRecord(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  const id = overrides.id ?? "inc-0001";
  return {
    id,
    version: 1,
    correlationKey: `123456789012:us-east-1:ec2-instance:i-${id}`,
    open: true,
    phase: "detect",
    severity: "HIGH",
    title: "UnauthorizedAccess:EC2/TorRelay on i-0abc",
    openedAt: T0,
    updatedAt: T0,
    nextDeadline: at(15),
    snapshot: {
      machineVersion: 1,
      value: { phase: "detect" },
      context: { deadlines: { acknowledge: at(15) } },
    },
    ...overrides,
  };
}

export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    source: "guardduty",
    identity: "guardduty:123456789012:us-east-1:6ab6e6ee780ed494f3b7ca56acdc74df",
    kind: "detection",
    type: "UnauthorizedAccess:EC2/TorRelay",
    category: "ec2-compromise",
    runbookId: "ec2-compromise",
    title: "EC2 instance i-0abc is communicating with a Tor relay",
    description: "The instance is acting as a Tor relay.",
    severity: { label: "HIGH", score: 80 },
    accountId: "123456789012",
    region: "us-east-1",
    firstSeenAt: T0,
    lastSeenAt: T0,
    updatedAt: T0,
    count: 1,
    archived: false,
    resources: [
      {
        type: "ec2-instance",
        id: "i-0abc",
        networkInterfaces: [{ id: "eni-01", privateIp: "10.0.0.5", securityGroups: [{ id: "sg-01" }] }],
        securityGroups: [{ id: "sg-01", name: "web" }],
      },
    ],
    correlationKey: "123456789012:us-east-1:ec2-instance:i-0abc",
    origin: {
      product: "GuardDuty",
      sourceId: "6ab6e6ee780ed494f3b7ca56acdc74df",
      guardDuty: {
        detectorId: "12abc34d567e8fa901bc2d34e56789f0",
        findingId: "6ab6e6ee780ed494f3b7ca56acdc74df",
      },
      rawRef: "evt-1",
      rawPath: "$.detail",
    },
    warnings: [],
    ...overrides,
  };
}

export function makeFindingRecord(overrides: Partial<FindingRecord> = {}): FindingRecord {
  const finding =
    overrides.finding ?? makeFinding(overrides.identity ? { identity: overrides.identity } : {});
  return {
    identity: finding.identity,
    incidentId: "inc-0001",
    updatedAt: finding.updatedAt,
    count: finding.count,
    finding,
    ...overrides,
  };
}

export function makeTimelineEntry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    at: T0,
    actor: "system",
    kind: "finding.received",
    text: "GuardDuty finding received",
    ...overrides,
  };
}

export function makeOutboxCommand(
  incidentId: string,
  version: number,
  n: number,
  overrides: Partial<OutboxCommand> = {},
): OutboxCommand {
  return {
    id: `${incidentId}:${version}:${n}`,
    incidentId,
    type: "postIncidentMessage",
    params: { channel: "#security-incidents", n },
    createdAt: T0,
    ...overrides,
  };
}

export interface CommitSpec {
  expectedVersion?: number;
  incident?: Partial<IncidentRecord>;
  commands?: number;
  timeline?: TimelineEntry[];
  findings?: FindingRecord[];
  commandResults?: Commit["commandResults"];
}

/** The commit taking incident `id` from `expectedVersion` (default 0: creation) to the next version. */
export function makeCommit(id: string, spec: CommitSpec = {}): Commit {
  const expectedVersion = spec.expectedVersion ?? 0;
  const version = expectedVersion + 1;
  const incident = makeIncidentRecord({ id, version, updatedAt: at(version), ...spec.incident });
  return {
    incident,
    expectedVersion,
    commands: Array.from({ length: spec.commands ?? 0 }, (_, n) =>
      makeOutboxCommand(id, version, n, { createdAt: incident.updatedAt }),
    ),
    timeline: spec.timeline ?? [makeTimelineEntry({ at: incident.updatedAt, text: `version ${version}` })],
    findings: spec.findings ?? [],
    ...(spec.commandResults === undefined ? {} : { commandResults: spec.commandResults }),
  };
}

/** A command's result as a commit carries it: a result when it succeeded, an error when it failed. */
export function makeCommandResult(
  id: string,
  overrides: Partial<CommandResult> = {},
): { id: string } & CommandResult {
  const status = overrides.status ?? "succeeded";
  return {
    id,
    status,
    at: at(5),
    ...(status === "succeeded" ? { result: { ok: id } } : { error: `${id} failed` }),
    ...overrides,
  };
}

export function makeQuarantinedInput(overrides: Partial<QuarantinedInput> = {}): QuarantinedInput {
  return {
    id: "q-0001",
    receivedAt: T0,
    channel: "http",
    error: { code: "invalid_json", message: "Unexpected token } in JSON at position 17", path: "$" },
    raw: '{"source":"aws.guardduty",}',
    ...overrides,
  };
}
