/**
 * GuardDuty reads and drills against a mocked GuardDutyClient: SDK findings converted back to GuardDuty's
 * JSON (checked against the real fixture and read by the real normalizer), chunking to 50 ids, missing ids
 * reported, sample creation and lookup with the exact requests.
 */
import {
  BadRequestException,
  CreateSampleFindingsCommand,
  type Finding,
  Finding$,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from "@aws-sdk/client-guardduty";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createSampleFindings,
  findDetectorId,
  findSampleFindings,
  getFullFindings,
  isSampleFinding,
  toWireFinding,
} from "../../../adapters/guardduty/sample-findings";
import { explain } from "../../../core/explain";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { loadFixture } from "../../support/fixtures";
import { makeSdkTorRelayFinding, TORRELAY_FIXTURE_PATH } from "../../support/guardduty-sdk.factory";

const DETECTOR = "4b85f358-65e7-49b6-b9ae-b3816303fb12";
const client = new GuardDutyClient({ region: "eu-west-2" });
const guardDuty = mockClient(client);

/** Answers GetFindings with a TorRelay finding for every requested id, except ids starting "gone-". */
function answerGetFindings(): void {
  guardDuty.on(GetFindingsCommand).callsFake((input: { FindingIds: string[] }) => ({
    Findings: input.FindingIds.filter((id) => !id.startsWith("gone-")).map((id) =>
      makeSdkTorRelayFinding({ id }),
    ),
  }));
}

beforeEach(() => {
  guardDuty.reset();
});

describe("toWireFinding", () => {
  it("gives back GuardDuty's own JSON for the SDK's TorRelay finding, field for field", () => {
    // Prepare
    const fixture = loadFixture(TORRELAY_FIXTURE_PATH);

    // Act
    const wire = toWireFinding(makeSdkTorRelayFinding(), Finding$);

    // Assess: every converted field is in the real finding, with the same name and value…
    expect(fixture).toMatchObject(wire);
    // …including the members whose JSON names are not just lower-cased.
    expect(
      (wire.resource as { instanceDetails: { productCodes: unknown } }).instanceDetails.productCodes,
    ).toEqual(fixture.resource.instanceDetails.productCodes);
    expect(Object.keys(wire).sort()).toEqual(
      Object.keys(fixture)
        .filter((k) => k !== "partition" || wire.partition !== undefined)
        .sort(),
    );
  });

  it("is read by the normalizer exactly like the bare fixture", () => {
    // Prepare
    const wire = toWireFinding(makeSdkTorRelayFinding(), Finding$);

    // Act
    const [fromSdk] = explain(JSON.stringify({ Findings: [wire] })).results;
    const [fromFixture] = explain(JSON.stringify(loadFixture(TORRELAY_FIXTURE_PATH))).results;

    // Assess
    expect(fromSdk?.error).toBeNull();
    const pick = (r: typeof fromSdk) =>
      r?.findings.map((f) => ({
        type: f.type,
        severity: f.severity,
        key: f.correlationKey,
        resources: f.resources,
      }));
    expect(pick(fromSdk)).toEqual(pick(fromFixture));
    expect(fromSdk?.findings[0]?.correlationKey).toBe("111111111111|eu-west-2|ec2-instance:i-99999999");
  });

  it("renames by the SDK schema (sourceIPs, lat/lon), keeps map keys, dates as ISO and unknown members", () => {
    // Prepare
    const finding = {
      Id: "f-1",
      Service: {
        Action: { KubernetesApiCallAction: { SourceIps: ["203.0.113.9"], RequestUri: "/api" } },
        Detection: {
          Anomaly: {
            Profiles: {
              ObservedUserAgents: { CustomKey: [{ ProfileType: "FREQUENCY", ProfileSubtype: "RARE" }] },
            },
          },
        },
      },
      Resource: { EcsClusterDetails: { TaskDetails: { TaskCreatedAt: new Date("2024-05-01T12:00:00Z") } } },
      NotInTheModel: { KeepMe: 1 },
    } as unknown as Finding;

    // Act
    const wire = toWireFinding(finding, Finding$);

    // Assess
    expect(wire).toEqual({
      id: "f-1",
      service: {
        action: { kubernetesApiCallAction: { sourceIPs: ["203.0.113.9"], requestUri: "/api" } },
        detection: {
          anomaly: {
            profiles: {
              ObservedUserAgents: { CustomKey: [{ profileType: "FREQUENCY", profileSubtype: "RARE" }] },
            },
          },
        },
      },
      resource: { ecsClusterDetails: { taskDetails: { createdAt: "2024-05-01T12:00:00.000Z" } } },
      NotInTheModel: { KeepMe: 1 },
    });
  });

  it("writes an invalid Date as null, as JSON does", () => {
    // Act
    const wire = toWireFinding(
      { UpdatedAt: new Date(Number.NaN), Extra: [new Date(Number.NaN)] } as never,
      Finding$,
    );

    // Assess
    expect(wire).toMatchObject({ updatedAt: null, Extra: [null] });
  });

  it("never throws, whatever the SDK object holds", () => {
    fc.assert(
      fc.property(fc.object({ withDate: true, withNullPrototype: true }), (value) => {
        // Act
        const wire = toWireFinding(value as unknown as Finding, Finding$);

        // Assess
        expect(typeof wire).toBe("object");
      }),
    );
  });
});

describe("getFullFindings", () => {
  it("asks GetFindings 50 ids at a time, once per id, and reports the ids GuardDuty did not return", async () => {
    // Prepare
    answerGetFindings();
    const ids = [...Array.from({ length: 110 }, (_, i) => `f-${i}`), "f-0", "gone-1"];

    // Act
    const { findings, missing } = await getFullFindings(client, DETECTOR, ids);

    // Assess
    const calls = guardDuty.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.FindingIds?.length)).toEqual([50, 50, 11]);
    expect(calls.every((c) => c.DetectorId === DETECTOR)).toBe(true);
    expect(calls.flatMap((c) => c.FindingIds)).toEqual([
      ...Array.from({ length: 110 }, (_, i) => `f-${i}`),
      "gone-1",
    ]);
    expect(findings.map((f) => f.id)).toEqual(Array.from({ length: 110 }, (_, i) => `f-${i}`));
    expect(findings[0]).toMatchObject({ type: "UnauthorizedAccess:EC2/TorRelay", service: { count: 1 } });
    expect(missing).toEqual(["gone-1"]);
  });

  it("asks to retry later when GuardDuty throttles", async () => {
    // Prepare
    guardDuty.on(GetFindingsCommand).rejects(
      Object.assign(new Error("Rate exceeded"), {
        name: "TooManyRequestsException",
        $metadata: { httpStatusCode: 429 },
      }),
    );

    // Act
    const reading = getFullFindings(client, DETECTOR, ["f-1"]);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(RetryLaterError);
  });
});

describe("sample findings", () => {
  it("finds the region's detector, and says so when GuardDuty is off", async () => {
    // Prepare
    guardDuty
      .on(ListDetectorsCommand)
      .resolvesOnce({ DetectorIds: [DETECTOR] })
      .resolves({ DetectorIds: [] });

    // Act
    const found = await findDetectorId(client);
    const none = findDetectorId(client);

    // Assess
    expect(found).toBe(DETECTOR);
    await expect(none).rejects.toThrow("GuardDuty is not enabled in this region");
  });

  it("creates samples 50 types at a time", async () => {
    // Prepare
    guardDuty.on(CreateSampleFindingsCommand).resolves({});
    const types = Array.from({ length: 51 }, (_, i) => `Recon:EC2/Type${i}`);

    // Act
    await createSampleFindings(client, DETECTOR, types);

    // Assess
    const calls = guardDuty.commandCalls(CreateSampleFindingsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { DetectorId: DETECTOR, FindingTypes: types.slice(0, 50) },
      { DetectorId: DETECTOR, FindingTypes: types.slice(50) },
    ]);
  });

  it.each(["", "x".repeat(51)])(
    "refuses a finding type GuardDuty would (%j) without calling it",
    async (type) => {
      // Act
      const creating = createSampleFindings(client, DETECTOR, [type]);

      // Assess
      await expect(creating).rejects.toThrow("not a GuardDuty finding type");
      expect(guardDuty.commandCalls(CreateSampleFindingsCommand)).toEqual([]);
    },
  );

  it("names the AWS error when GuardDuty refuses to create samples", async () => {
    // Prepare
    guardDuty.on(CreateSampleFindingsCommand).rejects(
      new BadRequestException({
        message: "The request is rejected because the input detectorId is not owned by the current account.",
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const creating = createSampleFindings(client, "someone-elses", ["Recon:EC2/PortProbeUnprotectedPort"]);

    // Assess
    await expect(creating).rejects.toThrow(
      "GuardDuty CreateSampleFindings failed: BadRequestException: The request is rejected because the input detectorId",
    );
  });

  it("finds the samples of a type updated since the drill began, leaving real findings out", async () => {
    // Prepare
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: ["sample-1", "real-1"] });
    guardDuty.on(GetFindingsCommand).resolves({
      Findings: [
        makeSdkTorRelayFinding({ id: "sample-1" }),
        makeSdkTorRelayFinding({ id: "real-1", sample: false }),
      ],
    });
    const since = Date.parse("2024-05-01T12:00:00Z");

    // Act
    const samples = await findSampleFindings(client, DETECTOR, "UnauthorizedAccess:EC2/TorRelay", since);

    // Assess
    expect(samples.map((f) => f.id)).toEqual(["sample-1"]);
    expect(guardDuty.commandCalls(ListFindingsCommand).map((c) => c.args[0].input)).toEqual([
      {
        DetectorId: DETECTOR,
        FindingCriteria: {
          Criterion: {
            type: { Equals: ["UnauthorizedAccess:EC2/TorRelay"] },
            updatedAt: { GreaterThanOrEqual: since },
          },
        },
        SortCriteria: { AttributeName: "updatedAt", OrderBy: "DESC" },
        MaxResults: 50,
      },
    ]);
    expect(guardDuty.commandCalls(GetFindingsCommand)[0]?.args[0].input.FindingIds).toEqual([
      "sample-1",
      "real-1",
    ]);
  });

  it("does not call GetFindings when nothing was listed", async () => {
    // Prepare
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: [] });

    // Act
    const samples = await findSampleFindings(client, DETECTOR, "Recon:EC2/PortProbeUnprotectedPort", 0);

    // Assess
    expect(samples).toEqual([]);
    expect(guardDuty.commandCalls(GetFindingsCommand)).toEqual([]);
  });

  it.each([
    [{ service: { additionalInfo: { sample: true } } }, true],
    [{ service: { additionalInfo: { value: '{"sample":true}' } } }, true],
    [{ service: { additionalInfo: { value: '{"sample":false}' } } }, false],
    [{ service: { additionalInfo: { value: "not json" } } }, false],
    [{ service: { additionalInfo: { value: "null" } } }, false],
    [{ service: {} }, false],
    [{}, false],
  ])("tells a sample finding from a real one: %j → %s", (finding, sample) => {
    expect(isSampleFinding(finding)).toBe(sample);
  });
});
