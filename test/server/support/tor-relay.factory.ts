/**
 * Distinct GuardDuty findings for runtime tests, built from the real sample
 * (guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json): finding `n` has its own
 * finding id and its own instance (so its own correlation key and incident). Wrapped as an EventBridge
 * event, bare, or as PutEvents entries.
 */

import { loadFixture } from "../../support/fixtures";
import { makeFindingEvent } from "../../support/guardduty.factory";

export const TOR_RELAY_FILE = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";
type Doc = Record<string, unknown>;

const sample = loadFixture(TOR_RELAY_FILE);

/** The sample finding with a unique finding id and instance id for `n`; `overrides` replace top-level fields. */
export function makeTorRelayFinding(n: number, overrides: Doc = {}): Doc {
  const finding = structuredClone(sample);
  const id = `${n.toString(16).padStart(8, "0")}f996e6c7804e4c8b4b61e60f5fc4`;
  const instanceId = `i-${n.toString(16).padStart(17, "0")}`;
  finding.id = id;
  finding.arn = String(sample.arn).replace(sample.id, id);
  finding.resource.instanceDetails.instanceId = instanceId;
  finding.title = `EC2 instance ${instanceId} is communicating with a Tor Exit node.`;
  return { ...finding, ...overrides };
}

/** The EventBridge "GuardDuty Finding" event EventBridge would deliver for finding `n`. */
export const makeTorRelayEvent = (n: number, overrides: Doc = {}): Doc =>
  makeFindingEvent(makeTorRelayFinding(n), {
    id: `ev-${n}`,
    account: sample.accountId,
    region: sample.region,
    ...overrides,
  });

/** A PutEvents request body carrying these findings. */
export const makePutEvents = (findings: Doc[]): Doc => ({
  Entries: findings.map((finding) => ({
    Source: "aws.guardduty",
    DetailType: "GuardDuty Finding",
    Detail: JSON.stringify(finding),
    Resources: [],
  })),
});
