/**
 * Multi-account containment: targets in other accounts are reached through STS AssumeRole into the
 * configured role, with the incident in the session name; credentials are cached until near expiry;
 * the home account uses the default clients; the region comes from the target.
 */
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsContainment } from "../../../adapters/containment/aws-containment";
import { ClientProvider, sessionNameFor } from "../../../adapters/containment/clients";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { HOME_ACCOUNT, instanceWith, makeInstanceTarget } from "./support";

const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const OTHER = "444455556666";
const T0 = new Date("2024-05-02T10:00:00.000Z");

const assumed = (expiration: Date, key = "ASIAASSUMEDKEY000001") => ({
  Credentials: {
    AccessKeyId: key,
    SecretAccessKey: "secret",
    SessionToken: "token",
    Expiration: expiration,
  },
  AssumedRoleUser: { Arn: `arn:aws:sts::${OTHER}:assumed-role/IrResponder/x`, AssumedRoleId: "AROA:x" },
});

/** What each DescribeInstances was signed with, and where it went. */
function recordClients(): { keys: string[]; regions: string[] } {
  const seen = { keys: [] as string[], regions: [] as string[] };
  ec2.on(DescribeInstancesCommand).callsFake(async (_input, getClient) => {
    const client = getClient();
    seen.keys.push((await client.config.credentials()).accessKeyId);
    seen.regions.push(await client.config.region());
    return instanceWith((i) => {
      i.Tags = [{ Key: "ir:protected", Value: "true" }];
    });
  });
  return seen;
}

beforeEach(() => {
  ec2.reset();
  sts.reset();
});

describe("cross-account clients", () => {
  it("assumes the configured role in the target's account and acts with its credentials, in its region", async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(assumed(new Date(T0.getTime() + 3600_000)));
    const seen = recordClients();
    const adapter = new AwsContainment({
      homeAccountId: HOME_ACCOUNT,
      roleName: "IrResponder",
      externalId: "ext-7f3a",
      now: () => T0,
    });

    // Act
    await adapter.isolateInstance("inc-77:3:0", {
      target: makeInstanceTarget({ accountId: OTHER, region: "eu-west-1" }),
    });

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${OTHER}:role/IrResponder`,
        RoleSessionName: "ir-inc-77",
        DurationSeconds: 3600,
        ExternalId: "ext-7f3a",
      },
    ]);
    expect(seen).toEqual({ keys: ["ASIAASSUMEDKEY000001"], regions: ["eu-west-1"] });
  });

  it("reuses assumed credentials until they near expiry, then assumes the role again", async () => {
    // Prepare
    let now = T0;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(new Date(T0.getTime() + 3600_000), "ASIAFIRST0000000001"))
      .resolves(assumed(new Date(T0.getTime() + 7200_000), "ASIASECOND000000002"));
    const seen = recordClients();
    const adapter = new AwsContainment({ homeAccountId: HOME_ACCOUNT, now: () => now });
    const target = makeInstanceTarget({ accountId: OTHER });

    // Act
    await adapter.isolateInstance("inc-77:3:0", { target });
    await adapter.completeIsolation("inc-77:4:0", { target, firstStep: null });
    now = new Date(T0.getTime() + 3600_000 - 60_000); // within the 5-minute refresh margin
    await adapter.isolateInstance("inc-77:5:0", { target });

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(seen.keys).toEqual(["ASIAFIRST0000000001", "ASIAFIRST0000000001", "ASIASECOND000000002"]);
  });

  it("uses the default clients for the home account, learned once from GetCallerIdentity", async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).resolves({ Account: HOME_ACCOUNT, Arn: "arn", UserId: "u" });
    const adapter = new AwsContainment();
    const protectedTarget = makeInstanceTarget();
    ec2.on(DescribeInstancesCommand).resolves(
      instanceWith((i) => {
        i.Tags = [{ Key: "ir:protected", Value: "true" }];
      }),
    );

    // Act
    await adapter.isolateInstance("inc-1:1:0", { target: protectedTarget });
    await adapter.isolateInstance("inc-2:1:0", { target: protectedTarget });

    // Assess
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it("shows the AssumeRole first in a cross-account plan", async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(assumed(new Date(T0.getTime() + 3600_000)));
    recordClients();
    const adapter = new AwsContainment({ homeAccountId: HOME_ACCOUNT, now: () => T0 });

    // Act
    const plan = await adapter.plan(
      { action: "isolateInstance", mode: "approval", target: makeInstanceTarget({ accountId: OTHER }) },
      { incidentId: "inc-77" },
    );

    // Assess
    expect(plan.calls[0]).toMatchObject({
      service: "sts",
      action: "AssumeRole",
      input: {
        RoleArn: `arn:aws:iam::${OTHER}:role/IncidentResponseContainment`,
        RoleSessionName: "ir-inc-77",
      },
    });
    expect(plan.skipped).toBe("protected");
  });

  it("retries later when STS throttles, and names AssumeRole when it refuses", async () => {
    // Prepare
    const provider = new ClientProvider({ homeAccountId: HOME_ACCOUNT });
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        new STSServiceException({ name: "Throttling", $fault: "client", $metadata: {}, message: "slow" }),
      )
      .rejects(
        new STSServiceException({
          name: "AccessDenied",
          $fault: "client",
          $metadata: {},
          message: "no trust",
        }),
      );

    // Act
    const throttled = await provider.clientsFor(OTHER, "us-east-1", "inc-1").catch((e: unknown) => e);
    const denied = await provider.clientsFor(OTHER, "us-east-1", "inc-1").catch((e: unknown) => e);

    // Assess
    expect(throttled).toBeInstanceOf(RetryLaterError);
    expect((denied as Error).message).toBe("sts AssumeRole failed: AccessDenied: no trust");
  });

  it("makes session names STS accepts from any incident id", () => {
    // Act
    const name = sessionNameFor(`inc/2024:05 ${"x".repeat(80)}`);

    // Assess
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(name.startsWith("ir-inc-2024-05-")).toBe(true);
  });
});
