/**
 * EC2 instance isolation, after the AWS Security Incident Response Guide: capture, protect, preserve,
 * then cut the network in two steps that respect security-group connection tracking.
 *
 * Step one (`isolateInstance`): read the instance fresh; leave it alone if tagged `ir:protected`; turn on
 * termination and stop protection; snapshot every EBS volume (tagged with incident and command, so a
 * re-run finds them instead of making more); find or create the isolation and drain groups of each VPC;
 * move EVERY ENI to the drain group, recording its original groups; tag the instance `ir:isolated`;
 * optionally remove its instance profile. The result asks for `completeIsolation`: the workflow schedules
 * that follow-up command after a delay that lets connections drain. Nothing here sleeps.
 * Step two (`completeIsolation`): move every ENI to the isolation group (ENIs already there are skipped).
 * Restore puts each ENI's original groups back, re-associates a removed profile and removes our tags.
 * Termination and stop protection stay on: the instance and its disks are evidence until the
 * investigation releases them, and a restore must not make destroying evidence one click away.
 *
 * Invariants: every step is idempotent on the command id and decided from state read at run time; an
 * ENI already in our groups never has its "original" groups overwritten by ours (a crashed first run is
 * recovered from the groups the target recorded at detection).
 */
import type { Instance, InstanceNetworkInterface } from "@aws-sdk/client-ec2";
import type { ContainmentTarget } from "../../core/incident/containment-policy";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";
import { type Io, toJsonObject } from "./aws-io";
import { describeOurGroups, ensureGroup, findGroup, kindOf } from "./isolation-groups";
import { isProtected, MAX_TAG_VALUE, TAGS, tagMap } from "./tags";
import { firstString, originalGroupsOf, undoParts } from "./undo";

export type InstanceTarget = Extract<ContainmentTarget, { resourceType: "ec2-instance" }>;

export interface IsolationOptions {
  /** Remove the instance profile during step one, so stolen role credentials stop renewing. */
  detachInstanceProfile: boolean;
}

export interface IsolationContext {
  io: Io;
  target: InstanceTarget;
  commandId: string;
  incidentId: string;
  options: IsolationOptions;
}

const GONE_STATES = new Set(["terminated", "shutting-down"]);

/** How EC2 refuses a protection the instance cannot have; isolation must not stop for that. */
const UNSUPPORTED_PROTECTION = [
  "UnsupportedOperation",
  "InvalidParameterCombination",
  "UnsupportedInstanceAttribute",
];

export async function describeInstance(io: Io, instanceId: string, purpose: string): Promise<Instance> {
  const out = await io.read("DescribeInstances", { InstanceIds: [instanceId] }, purpose);
  const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find(
    (i) => i.InstanceId === instanceId,
  );
  if (!instance) throw new Error(`ec2 DescribeInstances: instance ${instanceId} not found`);
  return instance;
}

/** ENIs in device order, so calls (and plans) come out in the same order every time. */
export const enisOf = (instance: Instance): InstanceNetworkInterface[] =>
  [...(instance.NetworkInterfaces ?? [])]
    .filter((eni) => eni.NetworkInterfaceId)
    .sort(
      (a, b) =>
        (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0) ||
        a.NetworkInterfaceId!.localeCompare(b.NetworkInterfaceId!),
    );

const groupIdsOf = (eni: InstanceNetworkInterface): string[] =>
  (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []));

const vpcOf = (instance: Instance, eni: InstanceNetworkInterface): string => {
  const vpc = eni.VpcId ?? instance.VpcId;
  if (!vpc) throw new Error(`${eni.NetworkInterfaceId} of ${instance.InstanceId} has no VPC`);
  return vpc;
};

const vpcsOf = (instance: Instance): string[] => [
  ...new Set(enisOf(instance).map((eni) => vpcOf(instance, eni))),
];

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** What the responder and the forensic team need, captured before anything changes. */
export const metadataOf = (instance: Instance): JsonObject =>
  toJsonObject({
    instanceId: instance.InstanceId,
    instanceType: instance.InstanceType,
    imageId: instance.ImageId,
    state: instance.State?.Name,
    launchTime: instance.LaunchTime,
    availabilityZone: instance.Placement?.AvailabilityZone,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    privateIpAddress: instance.PrivateIpAddress,
    publicIpAddress: instance.PublicIpAddress,
    privateDnsName: instance.PrivateDnsName,
    publicDnsName: instance.PublicDnsName,
    keyName: instance.KeyName,
    platform: instance.PlatformDetails,
    architecture: instance.Architecture,
    iamInstanceProfileArn: instance.IamInstanceProfile?.Arn,
    metadataHttpTokens: instance.MetadataOptions?.HttpTokens,
    tags: tagMap(instance.Tags),
    networkInterfaces: enisOf(instance).map((eni) => ({
      id: eni.NetworkInterfaceId,
      macAddress: eni.MacAddress,
      privateIpAddress: eni.PrivateIpAddress,
      publicIpAddress: eni.Association?.PublicIp,
      subnetId: eni.SubnetId,
      vpcId: eni.VpcId,
      securityGroupIds: groupIdsOf(eni),
    })),
    blockDevices: (instance.BlockDeviceMappings ?? []).map((b) => ({
      deviceName: b.DeviceName,
      volumeId: b.Ebs?.VolumeId,
    })),
  });

const skipped = (reason: string, instance: Instance): JsonObject => ({
  skipped: reason,
  instanceId: instance.InstanceId ?? null,
});

function refusal(instance: Instance): string | null {
  if (isProtected(tagMap(instance.Tags))) return "protected";
  if (GONE_STATES.has(instance.State?.Name ?? "")) return "terminated";
  return null;
}

const tagValue = (value: string) => value.slice(0, MAX_TAG_VALUE);

// ---------------------------------------------------------------------------------------------------------
// Step one

export async function isolateInstance(ctx: IsolationContext): Promise<JsonObject> {
  const { io, target, commandId, incidentId } = ctx;
  const instanceId = target.instanceId;
  const instance = await describeInstance(
    io,
    instanceId,
    "read the instance fresh: ENIs, groups, tags, volumes",
  );
  const refused = refusal(instance);
  if (refused) return skipped(refused, instance);
  const tags = tagMap(instance.Tags);
  const enis = enisOf(instance);
  const vpcs = vpcsOf(instance);
  const volumes = (instance.BlockDeviceMappings ?? []).flatMap((b) =>
    b.Ebs?.VolumeId ? [{ volumeId: b.Ebs.VolumeId, deviceName: b.DeviceName ?? null }] : [],
  );

  // Reads first, so a plan shows every read before any change.
  const existingSnapshots = await io.read(
    "DescribeSnapshots",
    {
      OwnerIds: ["self"],
      Filters: [
        { Name: `tag:${TAGS.incident}`, Values: [tagValue(incidentId)] },
        { Name: `tag:${TAGS.command}`, Values: [tagValue(commandId)] },
      ],
    },
    "find evidence snapshots an earlier run of this command already started",
  );
  const ourGroups = await describeOurGroups(io, vpcs);
  const association = ctx.options.detachInstanceProfile
    ? (
        await io.read(
          "DescribeIamInstanceProfileAssociations",
          {
            Filters: [
              { Name: "instance-id", Values: [instanceId] },
              { Name: "state", Values: ["associated"] },
            ],
          },
          "find the instance profile to remove",
        )
      ).IamInstanceProfileAssociations?.[0]
    : undefined;

  // Protect: the instance is evidence; nobody may terminate or stop it by accident. Some instances
  // (Spot, instance-store backed) refuse a protection: that is recorded, and isolation goes on.
  const termination = await io.change(
    "ModifyInstanceAttribute",
    { InstanceId: instanceId, DisableApiTermination: { Value: true } },
    "termination protection: the instance is evidence",
    UNSUPPORTED_PROTECTION,
  );
  const stop = await io.change(
    "ModifyInstanceAttribute",
    { InstanceId: instanceId, DisableApiStop: { Value: true } },
    "stop protection: stopping would lose memory evidence",
    UNSUPPORTED_PROTECTION,
  );

  // Preserve: one snapshot per EBS volume per command.
  const snapshotOf = new Map<string, string>();
  for (const s of existingSnapshots.Snapshots ?? []) {
    if (s.VolumeId && s.SnapshotId && s.State !== "error") snapshotOf.set(s.VolumeId, s.SnapshotId);
  }
  const snapshots: JsonObject[] = [];
  for (const { volumeId, deviceName } of volumes) {
    const existing = snapshotOf.get(volumeId);
    if (existing) {
      snapshots.push({ volumeId, deviceName, snapshotId: existing, reused: true });
      continue;
    }
    const { output } = await io.change(
      "CreateSnapshot",
      {
        VolumeId: volumeId,
        Description:
          `Evidence for incident ${incidentId}: ${volumeId} (${deviceName ?? "?"}) of ${instanceId}`.slice(
            0,
            255,
          ),
        TagSpecifications: [
          {
            ResourceType: "snapshot",
            Tags: [
              { Key: TAGS.incident, Value: tagValue(incidentId) },
              { Key: TAGS.command, Value: tagValue(commandId) },
              { Key: TAGS.instance, Value: instanceId },
              { Key: "Name", Value: tagValue(`ir ${incidentId} ${instanceId} ${deviceName ?? volumeId}`) },
            ],
          },
        ],
      },
      `evidence snapshot of ${volumeId} (${deviceName ?? "no device"})`,
    );
    const snapshotId = io.createdId(output?.SnapshotId, `snapshot of ${volumeId}`);
    snapshots.push({ volumeId, deviceName, snapshotId, reused: false });
  }

  // Isolation and drain groups, one of each per VPC.
  const groupsByVpc: Record<string, { isolation: string; drain: string }> = {};
  for (const vpc of vpcs) {
    const isolation = await ensureGroup(io, "isolation", vpc, findGroup(ourGroups, "isolation", vpc));
    const drain = await ensureGroup(io, "drain", vpc, findGroup(ourGroups, "drain", vpc));
    groupsByVpc[vpc] = { isolation, drain };
  }
  const ours = new Set([
    ...ourGroups.filter((g) => kindOf(g) !== null).map((g) => g.GroupId!),
    ...Object.values(groupsByVpc).flatMap((g) => [g.isolation, g.drain]),
  ]);

  // Step one of the swap: every ENI into the drain group.
  const fromTarget = new Map(target.networkInterfaces.map((eni) => [eni.id, eni.securityGroupIds]));
  const originalGroups: Record<string, string[]> = {};
  const recoveredFromTarget: string[] = [];
  const drained: string[] = [];
  for (const eni of enis) {
    const eniId = eni.NetworkInterfaceId!;
    const current = groupIdsOf(eni);
    const groups = groupsByVpc[vpcOf(instance, eni)]!;
    if (current.some((g) => ours.has(g))) {
      // An earlier run moved it already: its originals are the ones recorded at detection.
      originalGroups[eniId] = fromTarget.get(eniId) ?? [];
      recoveredFromTarget.push(eniId);
    } else {
      originalGroups[eniId] = current;
    }
    if (sameSet(current, [groups.drain]) || sameSet(current, [groups.isolation])) continue;
    await io.change(
      "ModifyNetworkInterfaceAttribute",
      { NetworkInterfaceId: eniId, Groups: [groups.drain] },
      `step one: ${eniId} into the drain group (was ${current.join(", ") || "no groups"})`,
    );
    drained.push(eniId);
  }

  // Mark the instance; keep the profile ARN on it too, so even a crashed run can be restored.
  const profileArn = association?.IamInstanceProfile?.Arn ?? tags[TAGS.instanceProfile] ?? null;
  const wanted: Record<string, string> = { [TAGS.isolated]: tagValue(incidentId) };
  if (association?.IamInstanceProfile?.Arn && association.IamInstanceProfile.Arn.length <= MAX_TAG_VALUE) {
    wanted[TAGS.instanceProfile] = association.IamInstanceProfile.Arn;
  }
  const missingTags = Object.entries(wanted).filter(([key, value]) => tags[key] !== value);
  if (missingTags.length > 0) {
    await io.change(
      "CreateTags",
      { Resources: [instanceId], Tags: missingTags.map(([Key, Value]) => ({ Key, Value })) },
      "mark the instance as isolated by this incident",
    );
  }
  if (association?.AssociationId) {
    await io.change(
      "DisassociateIamInstanceProfile",
      { AssociationId: association.AssociationId },
      `remove instance profile ${association.IamInstanceProfile?.Arn ?? ""} so its role credentials stop renewing`,
      ["InvalidAssociationID.NotFound"],
    );
  }

  const primaryVpc = instance.VpcId && groupsByVpc[instance.VpcId] ? instance.VpcId : vpcs[0];
  const primary = primaryVpc ? groupsByVpc[primaryVpc] : undefined;
  return {
    followUp: "completeIsolation",
    instanceId,
    incidentId,
    metadata: metadataOf(instance),
    protections: {
      disableApiTermination: termination.tolerated === null,
      disableApiStop: stop.tolerated === null,
      refused: [termination.tolerated, stop.tolerated].filter((code) => code !== null),
    },
    snapshots,
    isolationGroupId: primary?.isolation ?? null,
    drainGroupId: primary?.drain ?? null,
    groupsByVpc,
    originalGroups,
    recoveredFromTarget,
    drained,
    instanceProfile: profileArn
      ? { arn: profileArn, associationId: association?.AssociationId ?? null }
      : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Step two

export async function completeIsolation(ctx: IsolationContext, firstStep: JsonValue): Promise<JsonObject> {
  const { io, target } = ctx;
  const instance = await describeInstance(
    io,
    target.instanceId,
    "read the instance fresh: which ENIs still need the isolation group",
  );
  const refused = refusal(instance);
  if (refused) return skipped(refused, instance);
  const vpcs = vpcsOf(instance);
  const ourGroups = await describeOurGroups(io, vpcs);
  const isolationByVpc: Record<string, string> = {};
  for (const vpc of vpcs) {
    isolationByVpc[vpc] = await ensureGroup(io, "isolation", vpc, findGroup(ourGroups, "isolation", vpc));
  }
  const ours = new Set([
    ...ourGroups.filter((g) => kindOf(g) !== null).map((g) => g.GroupId!),
    ...Object.values(isolationByVpc),
  ]);
  const known = originalGroupsOf(undoParts(firstStep));
  const originalGroups: Record<string, string[]> = {};
  const isolated: string[] = [];
  const alreadyIsolated: string[] = [];
  for (const eni of enisOf(instance)) {
    const eniId = eni.NetworkInterfaceId!;
    const current = groupIdsOf(eni);
    const isolation = isolationByVpc[vpcOf(instance, eni)]!;
    if (sameSet(current, [isolation])) {
      alreadyIsolated.push(eniId);
      continue;
    }
    // An ENI attached since step one: remember its groups for restore.
    if (!(eniId in known) && !current.some((g) => ours.has(g))) originalGroups[eniId] = current;
    await io.change(
      "ModifyNetworkInterfaceAttribute",
      { NetworkInterfaceId: eniId, Groups: [isolation] },
      `step two: ${eniId} into the isolation group (no traffic in or out)`,
    );
    isolated.push(eniId);
  }
  const primaryVpc = instance.VpcId && isolationByVpc[instance.VpcId] ? instance.VpcId : vpcs[0];
  return {
    instanceId: target.instanceId,
    isolationGroupId: primaryVpc ? (isolationByVpc[primaryVpc] ?? null) : null,
    isolationGroups: isolationByVpc,
    isolated,
    alreadyIsolated,
    originalGroups,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Restore

export const KEPT_PROTECTION =
  "termination and stop protection stay on: the instance and its volumes are evidence until the investigation releases them";

export async function restoreIsolation(ctx: IsolationContext, undo: JsonValue): Promise<JsonObject> {
  const { io, target } = ctx;
  const instanceId = target.instanceId;
  const parts = undoParts(undo);
  let originals = originalGroupsOf(parts);
  const fromTarget = Object.keys(originals).length === 0;
  if (fromTarget) {
    // No recorded result (say the first step's result was lost): fall back to what detection recorded.
    originals = Object.fromEntries(
      target.networkInterfaces
        .filter((e) => e.securityGroupIds.length > 0)
        .map((e) => [e.id, e.securityGroupIds]),
    );
  }
  const instance = await describeInstance(io, instanceId, "read the instance fresh: tags, profile");
  if (isProtected(tagMap(instance.Tags))) return skipped("protected", instance);
  const tags = tagMap(instance.Tags);
  const eniIds = Object.keys(originals);

  const found =
    eniIds.length === 0
      ? []
      : ((
          await io.read(
            "DescribeNetworkInterfaces",
            { Filters: [{ Name: "network-interface-id", Values: eniIds }] },
            "read each isolated ENI's current groups (detached ENIs included)",
          )
        ).NetworkInterfaces ?? []);
  const current = new Map(
    found.map((eni) => [
      eni.NetworkInterfaceId ?? "",
      (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    ]),
  );

  const profileArn = firstString(parts, "instanceProfile", "arn") ?? tags[TAGS.instanceProfile] ?? null;
  const associations = profileArn
    ? ((
        await io.read(
          "DescribeIamInstanceProfileAssociations",
          {
            Filters: [
              { Name: "instance-id", Values: [instanceId] },
              { Name: "state", Values: ["associating", "associated"] },
            ],
          },
          "is an instance profile associated again already?",
        )
      ).IamInstanceProfileAssociations ?? [])
    : [];

  const restored: Record<string, string[]> = {};
  const unchanged: string[] = [];
  const missing: string[] = [];
  for (const eniId of eniIds) {
    const groups = originals[eniId]!;
    const now = current.get(eniId);
    if (now === undefined) {
      missing.push(eniId);
      continue;
    }
    if (sameSet(now, groups)) {
      unchanged.push(eniId);
      continue;
    }
    await io.change(
      "ModifyNetworkInterfaceAttribute",
      { NetworkInterfaceId: eniId, Groups: groups },
      `restore ${eniId}'s original groups ${groups.join(", ")}`,
    );
    restored[eniId] = groups;
  }

  // The profile goes back before our tags go: the ir:instance-profile tag is the last record of it.
  let reassociated: string | null = null;
  if (profileArn && associations.length === 0) {
    await io.change(
      "AssociateIamInstanceProfile",
      { InstanceId: instanceId, IamInstanceProfile: { Arn: profileArn } },
      "give the instance its profile back",
    );
    reassociated = profileArn;
  }

  const ourTags = [TAGS.isolated, TAGS.instanceProfile].filter((key) => key in tags);
  if (ourTags.length > 0) {
    await io.change(
      "DeleteTags",
      { Resources: [instanceId], Tags: ourTags.map((Key) => ({ Key })) },
      "the instance is no longer isolated",
    );
  }

  return {
    instanceId,
    restoredGroups: restored,
    unchanged,
    missing,
    originalsFromTarget: fromTarget,
    instanceProfile: reassociated,
    untagged: ourTags,
    kept: KEPT_PROTECTION,
  };
}
