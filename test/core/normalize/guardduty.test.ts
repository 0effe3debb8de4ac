import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors";
import { type Finding, findingSchema } from "../../../core/findings/finding";
import type { ResourceOf, ResourceType } from "../../../core/findings/resource";
import { readEnvelope } from "../../../core/normalize/envelope";
import { guardDutyNormalizer, isBareGuardDutyFinding } from "../../../core/normalize/guardduty";
import { type Json, ReadContext } from "../../../core/normalize/read";
import { fixturesIn, fixtureText, loadFixture } from "../../support/fixtures";
import {
  ACCOUNT,
  type Doc,
  ECS_TASK_ARN,
  INSTANCE_ID,
  makeAttackSequenceFinding,
  makeContainerFinding,
  makeEc2MalwareScanFinding,
  makeEcsFinding,
  makeFindingEvent,
  makeInstanceFinding,
  makeLambdaFinding,
  makeObjectScanResult,
  makeRdsFinding,
  makeRuntimeCoverageEvent,
  makeS3Finding,
  REGION,
  toPascalCase,
  VOLUME_ID,
} from "../../support/guardduty.factory";

const OPTIONS = { alarmRules: [] };
const GD = "guardduty/";
const MASKED = `${GD}eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json`;
const RUNTIME = `${GD}eventbridge-runtime-protection-unhealthy-eks-addon-deleted-microsecond-timestamp-aws-to-slack-cevo.json`;
const EKS = `${GD}bare-policy-kubernetes-admin-access-default-serviceaccount-eks-sample-sekoia.json`;
const NEWLINE = `${GD}bare-exfiltration-iamuser-anomalousbehavior-embedded-newline-sample-sekoia.json`;
const MALWARE = `${GD}eventbridge-malware-protection-s3-object-scan-result-threats-found-via-sns-notify-slack.json`;
const ACCESS_KEY = `${GD}bare-unauthorizedaccess-iamuser-maliciousipcaller-accesskey-sample-sekoia.json`;
const S3 = `${GD}bare-discovery-s3-maliciousipcaller-custom-bucket-publicaccess-sample-sekoia.json`;
const CENSYS = `${GD}eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json`;

function fromEvent(doc: unknown, rawRef = "raw-ref"): Finding[] {
  const ctx = new ReadContext(rawRef);
  return guardDutyNormalizer.fromEnvelope(readEnvelope(doc as Json, ctx), ctx, OPTIONS);
}

function fromBare(doc: unknown, path = "$"): Finding[] {
  return guardDutyNormalizer.bare!.read(doc as Json, path, new ReadContext("raw-ref"), OPTIONS);
}

const isEvent = (doc: Json) => "detail-type" in doc;
const normalize = (doc: Json) => (isEvent(doc) ? fromEvent(doc) : fromBare(doc));

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findingSchema.parse(findings[0]);
}

const ofType = <T extends ResourceType>(f: Finding, type: T) =>
  f.resources.filter((r): r is ResourceOf<T> => r.type === type);

const codes = (f: Finding) => f.warnings.map((w) => w.code);

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("GuardDuty fixtures", () => {
  // What a responder reads off each real sample: type, severity band, what to contain, how often, when.
  const cases: Array<{
    file: string;
    type: string;
    label: string;
    primary: [ResourceType, string];
    count: number;
    firstSeenAt: string;
    lastSeenAt: string;
    updatedAt: string;
  }> = [
    {
      file: S3,
      type: "Discovery:S3/MaliciousIPCaller.Custom",
      label: "HIGH",
      primary: ["s3-bucket", "bucketName"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.393Z",
    },
    {
      file: NEWLINE,
      type: "Exfiltration:IAMUser/AnomalousBehavior",
      label: "HIGH",
      primary: ["access-key", "GeneratedFindingAccessKeyId"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.403Z",
    },
    {
      file: EKS,
      type: "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
      label: "HIGH",
      primary: ["eks-cluster", "GeneratedFindingEKSClusterName"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.399Z",
    },
    {
      file: `${GD}bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json`,
      type: "Recon:EC2/PortProbeUnprotectedPort",
      label: "LOW",
      primary: ["ec2-instance", "i-99999999"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.424Z",
    },
    {
      file: `${GD}bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json`,
      type: "UnauthorizedAccess:EC2/TorRelay",
      label: "HIGH",
      primary: ["ec2-instance", "i-99999999"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.408Z",
    },
    {
      file: ACCESS_KEY,
      type: "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
      label: "MEDIUM",
      primary: ["access-key", "GeneratedFindingAccessKeyId"],
      count: 1,
      firstSeenAt: "2023-03-20T15:33:12.000Z",
      lastSeenAt: "2023-03-20T15:33:12.000Z",
      updatedAt: "2023-03-20T15:33:12.406Z",
    },
    {
      file: CENSYS,
      type: "Discovery:Kubernetes/MaliciousIPCaller",
      label: "MEDIUM",
      primary: ["eks-cluster", "eks-demo"],
      count: 1,
      firstSeenAt: "2024-05-28T17:50:48.681Z",
      lastSeenAt: "2024-05-28T17:50:48.681Z",
      updatedAt: "2024-05-28T17:51:52.721Z",
    },
    {
      file: MALWARE,
      type: "Object:S3/MaliciousFile",
      label: "HIGH",
      primary: ["s3-bucket", "amzn-s3-demo-bucket"],
      count: 1,
      firstSeenAt: "2024-02-28T01:01:01.000Z",
      lastSeenAt: "2024-02-28T01:01:01.000Z",
      updatedAt: "2024-02-28T01:01:01.000Z",
    },
    {
      file: MASKED,
      type: "Recon:EC2/PortProbeUnprotectedPort",
      label: "LOW",
      primary: ["ec2-instance", "i-blart"],
      count: 49,
      firstSeenAt: "2019-02-20T11:13:58.000Z",
      lastSeenAt: "2019-02-21T05:51:10.000Z",
      updatedAt: "2019-02-21T06:00:14.003Z",
    },
    {
      file: RUNTIME,
      type: "GuardDuty Runtime Protection Unhealthy",
      label: "MEDIUM",
      primary: ["eks-cluster", "eks-demo"],
      count: 1,
      firstSeenAt: "2024-05-31T09:22:38.760Z",
      lastSeenAt: "2024-05-31T09:22:38.760Z",
      updatedAt: "2024-05-31T09:22:38.760Z",
    },
  ];

  it("covers every GuardDuty fixture", () => {
    // Prepare
    const files = fixturesIn("guardduty");
    // Assess
    expect(cases.map((c) => c.file).sort()).toEqual([...files].sort());
  });

  it.each(cases)("$file → $type, $label, $primary", (c) => {
    // Prepare
    const doc = loadFixture(c.file);
    // Act
    const f = only(normalize(doc));
    // Assess
    expect(f.source).toBe("guardduty");
    expect(f.type).toBe(c.type);
    expect(f.severity.label).toBe(c.label);
    expect([f.resources[0]!.type, f.resources[0]!.id]).toEqual(c.primary);
    expect(f.count).toBe(c.count);
    expect({ firstSeenAt: f.firstSeenAt, lastSeenAt: f.lastSeenAt, updatedAt: f.updatedAt }).toEqual({
      firstSeenAt: c.firstSeenAt,
      lastSeenAt: c.lastSeenAt,
      updatedAt: c.updatedAt,
    });
    expect(f.origin.product).toBe("GuardDuty");
    expect(f.origin.rawPath).toBe(isEvent(doc) ? "$.detail" : "$");
  });

  it("keys GuardDuty findings on (account, region, finding id) and records detector and finding ids", () => {
    // Prepare
    const doc = loadFixture(ACCESS_KEY);
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.identity).toBe(`guardduty:${doc.accountId}:${doc.region}:${doc.id}`);
    expect(f.origin.sourceId).toBe(doc.id);
    expect(f.origin.guardDuty).toEqual({ detectorId: doc.service.detectorId, findingId: doc.id });
    expect(f.origin.rawRef).toBe("raw-ref");
    expect(f.title).toBe(doc.title);
    expect(f.description).toBe(doc.description);
  });

  it("masked real event: the finding's own account wins over the envelope's and the ARN's, silently", () => {
    // Prepare
    const doc = loadFixture(MASKED);
    // Act
    const f = only(fromEvent(doc, doc.id));
    // Assess
    expect(doc.account).toBe("12345678");
    expect(doc.detail.arn).toContain(":123456778:");
    expect(f.accountId).toBe("845345345");
    expect(f.identity).toBe("guardduty:845345345:ap-southeast-2:345rf3ff");
    expect(f.correlationKey).toBe("845345345|ap-southeast-2|ec2-instance:i-blart");
    expect(f.origin.guardDuty).toEqual({
      detectorId: "f0b004e2d3c8a11f786fa8faec50b19a",
      findingId: "345rf3ff",
    });
    expect(f.origin.rawRef).toBe("4565c69d-00e7-e740-2b17-234d");
    expect(f.warnings).toEqual([]);
    expect(f.category).toBe("reconnaissance");
    expect(f.actor).toEqual({
      ip: "122.2.223.242",
      location: {
        country: "Philippines",
        city: "Dolores",
        org: "Philippine Long Distance Telephone",
        asn: "9299",
      },
    });
    const [instance] = ofType(f, "ec2-instance");
    expect(instance!.networkInterfaces).toEqual([
      {
        id: "eni-0af858c8afc15a077",
        privateIp: "172.31.8.176",
        publicIp: "52.64.107.188",
        subnetId: "subnet-453454534",
        vpcId: "vpc-453454534",
        securityGroups: [{ id: "sg-453454534", name: "default" }],
      },
    ]);
    expect(instance!.tags).toEqual({ OwnerContact: "test@example.com" });
    expect(instance!.instanceProfileArn).toBeUndefined();
  });

  it("keeps non-numeric account ids as they are", () => {
    // Prepare
    const doc = loadFixture(CENSYS);
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect(f.accountId).toBe("CHILD-EXAMPLE");
    expect(f.identity).toBe("guardduty:CHILD-EXAMPLE:ap-southeast-2:EXAMPLE");
    expect(f.actor?.principal).toEqual({ name: "system:anonymous", type: "KubernetesUser" });
    expect(f.actor?.userAgent).toContain("CensysInspect");
    expect(f.actor?.ip).toBe("167.94.145.97");
  });

  it("runtime protection unhealthy: microsecond lastUpdatedAt, a logging-tampering gap on the cluster", () => {
    // Prepare
    const doc = loadFixture(RUNTIME);
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect(doc.detail.lastUpdatedAt).toBe(1717147358760000);
    expect(f.updatedAt).toBe("2024-05-31T09:22:38.760Z");
    expect(f.warnings).toContainEqual(
      expect.objectContaining({ code: "epoch_time", path: "$.detail.lastUpdatedAt" }),
    );
    expect(f.kind).toBe("detection");
    expect(f.category).toBe("logging-tampering");
    expect(f.accountId).toBe("CHILD-EXAMPLE");
    expect(f.description).toContain("DELETED");
  });

  it("EKS sample: createdAt written as 1.636625755218E9 and a null workload read without complaint", () => {
    // Prepare
    const text = fixtureText(EKS);
    // Act
    const f = only(fromBare(JSON.parse(text)));
    // Assess
    expect(text).toContain('"createdAt":1.636625755218E9');
    expect(f.warnings).toEqual([]);
    expect(f.resources[0]).toEqual({
      type: "eks-cluster",
      id: "GeneratedFindingEKSClusterName",
      tags: {
        GeneratedFindingEKSClusterTag1: "GeneratedFindingEKSClusterTagValue1",
        GeneratedFindingEKSClusterTag2: "GeneratedFindingEKSClusterTagValue2",
        GeneratedFindingEKSClusterTag3: "GeneratedFindingEKSClusterTagValue3",
      },
    });
    expect(f.category).toBe("kubernetes-runtime");
  });

  it("reads an epoch time in exponent notation, like the EKS sample's createdAt, as a time", () => {
    // Prepare
    const doc = makeInstanceFinding({ createdAt: 1.636625755218e9, updatedAt: undefined });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.updatedAt).toBe("2021-11-11T10:15:55.218Z");
    expect(f.warnings).toContainEqual(expect.objectContaining({ code: "epoch_time", path: "$.createdAt" }));
  });

  it("the embedded-newline sample parses and normalizes like any other", () => {
    // Prepare
    const text = fixtureText(NEWLINE);
    // Act
    const f = only(fromBare(JSON.parse(text)));
    // Assess
    expect(text).toContain('"count":1},\n"severity":8');
    expect(f.severity).toEqual({ label: "HIGH", score: 80 });
    expect(f.category).toBe("iam-credential-compromise");
    expect(f.actor?.userAgent).toBe("GeneratedFindingFullUserAgent");
  });

  it("access key findings: the key first (for the credential lock), its principal second, the caller as actor", () => {
    // Prepare
    const doc = loadFixture(ACCESS_KEY);
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources.slice(0, 2)).toEqual([
      {
        type: "access-key",
        id: "GeneratedFindingAccessKeyId",
        principalId: "GeneratedFindingPrincipalId",
        userName: "GeneratedFindingUserName",
        userType: "IAMUser",
      },
      {
        type: "iam-principal",
        id: "arn:aws:iam::111111111111:user/GeneratedFindingUserName",
        arn: "arn:aws:iam::111111111111:user/GeneratedFindingUserName",
        principalType: "IAMUser",
        name: "GeneratedFindingUserName",
      },
    ]);
    expect(f.correlationKey).toBe("111111111111|global|access-key:GeneratedFindingAccessKeyId");
    expect(f.actor?.principal).toEqual({
      arn: "arn:aws:iam::111111111111:user/GeneratedFindingUserName",
      name: "GeneratedFindingUserName",
      type: "IAMUser",
      accessKeyId: "GeneratedFindingAccessKeyId",
    });
    expect(f.actor?.ip).toBe("198.51.100.0");
  });

  it("S3 sample: the bucket with its public-access verdict", () => {
    // Prepare
    const doc = loadFixture(S3);
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(ofType(f, "s3-bucket")).toEqual([
      {
        type: "s3-bucket",
        id: "bucketName",
        arn: "arn:aws:s3:::bucketName",
        tags: { foo: "bar" },
        publiclyAccessible: false,
      },
    ]);
    expect(f.correlationKey).toBe("111111111111|global|s3-bucket:bucketName");
  });
});

describe("S3 malware scan results", () => {
  it("THREATS_FOUND: a malware finding on the bucket, with the object key", () => {
    // Prepare
    const doc = loadFixture(MALWARE);
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect(f.category).toBe("malware");
    expect(f.resources).toEqual([
      { type: "s3-bucket", id: "amzn-s3-demo-bucket", objectKey: "APKAEIBAERJR2EXAMPLE" },
    ]);
    expect(f.description).toContain("EICAR-Test-File (not a virus)");
    expect(f.accountId).toBe("111122223333");
    expect(f.region).toBe("us-east-1");
    expect(f.identity).toBe(
      "guardduty:111122223333:us-east-1:s3-object-scan/amzn-s3-demo-bucket/APKAEIBAERJR2EXAMPLE@d41d8cd98f00b204e9800998eEXAMPLE",
    );
  });

  it("a redelivered event is the same finding; a new version of the object is a new one", () => {
    // Prepare
    const first = makeObjectScanResult();
    const redelivered = makeObjectScanResult({}, { id: "another-delivery-id" });
    const newVersion = makeObjectScanResult({ s3ObjectDetails: { versionId: "v2" } });
    // Act
    const [a, b, c] = [first, redelivered, newVersion].map((doc) => only(fromEvent(doc)));
    // Assess
    expect(b!.identity).toBe(a!.identity);
    expect(c!.identity).not.toBe(a!.identity);
  });

  it.each(["NO_THREATS_FOUND", "UNSUPPORTED", "ACCESS_DENIED", "FAILED"])("%s is not a finding", (status) => {
    // Prepare
    const doc = makeObjectScanResult({ scanResultDetails: { scanResultStatus: status, threats: [] } });
    // Act
    const findings = fromEvent(doc);
    // Assess
    expect(findings).toEqual([]);
  });

  it("a threat in an object of no named bucket is refused at that path", () => {
    // Prepare
    const doc = makeObjectScanResult({ s3ObjectDetails: { bucketName: undefined } });
    // Act
    const error = inputError(() => fromEvent(doc));
    // Assess
    expect(error.path).toBe("$.detail.s3ObjectDetails.bucketName");
    expect(error.code).toBe("missing_field");
  });
});

describe("runtime coverage changes", () => {
  it("an unhealthy agent that was not deleted is LOW; the identity names the change", () => {
    // Prepare
    const doc = makeRuntimeCoverageEvent();
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect(f.severity.label).toBe("LOW");
    expect(f.resources).toEqual([{ type: "eks-cluster", id: "platform" }]);
    expect(f.identity).toBe(
      `guardduty:${ACCOUNT}:${REGION}:runtime-coverage/eks-cluster/platform/Unhealthy@2024-05-01T10:00:00.000Z`,
    );
    expect(f.description).toContain("No agent reporting");
  });

  it("Healthy is a recovery hint on the same resource", () => {
    // Prepare
    const unhealthy = only(fromEvent(makeRuntimeCoverageEvent()));
    const doc = makeRuntimeCoverageEvent(
      { previousStatus: "Unhealthy", currentStatus: "Healthy", issue: "", lastUpdatedAt: 1714561200000000 },
      { "detail-type": "GuardDuty Runtime Protection Healthy" },
    );
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect(f.kind).toBe("recovery");
    expect(f.correlationKey).toBe(unhealthy.correlationKey);
    expect(f.identity).not.toBe(unhealthy.identity);
    expect(f.updatedAt).toBe("2024-05-01T11:00:00.000Z");
  });

  it.each([
    ["ECS", { ecsClusterDetails: { clusterName: "payments" } }, ["ecs-cluster", "payments"]],
    ["EC2", { ec2InstanceDetails: { instanceId: INSTANCE_ID } }, ["ec2-instance", INSTANCE_ID]],
    ["Lambda", { lambdaDetails: {} }, ["aws-account", ACCOUNT]],
  ])("%s coverage is about %j", (resourceType, details, primary) => {
    // Prepare
    const doc = makeRuntimeCoverageEvent({
      resourceDetails: { resourceType, eksClusterDetails: undefined, ...details },
    });
    // Act
    const f = only(fromEvent(doc));
    // Assess
    expect([f.resources[0]!.type, f.resources[0]!.id]).toEqual(primary);
  });
});

describe("resource types", () => {
  it("Instance: every ENI with IPs, subnet, VPC and groups; instance groups are the union", () => {
    // Prepare
    const doc = makeInstanceFinding();
    // Act
    const f = only(fromBare(doc));
    const [instance] = ofType(f, "ec2-instance");
    // Assess
    expect(f.resources[0]).toBe(instance);
    expect(instance!.networkInterfaces.map((n) => [n.id, n.privateIp, n.publicIp, n.subnetId])).toEqual([
      ["eni-01a1b2c3d4e5f6789", "10.0.1.10", "203.0.113.10", "subnet-01aaaabbbbccccdddd"],
      ["eni-02a1b2c3d4e5f6789", "10.0.2.10", undefined, "subnet-02aaaabbbbccccdddd"],
    ]);
    expect(instance!.networkInterfaces[1]!.securityGroups.map((g) => g.id)).toEqual([
      "sg-0shared000000001",
      "sg-0admin00000000001",
    ]);
    expect(instance!.securityGroups).toEqual([
      { id: "sg-0web0000000000001", name: "web" },
      { id: "sg-0shared000000001", name: "shared" },
      { id: "sg-0admin00000000001", name: "admin" },
    ]);
    expect(instance).toMatchObject({
      id: INSTANCE_ID,
      arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`,
      vpcId: "vpc-0123456789abcdef0",
      subnetId: "subnet-01aaaabbbbccccdddd",
      instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-server`,
      instanceType: "t3.large",
      state: "running",
      availabilityZone: "us-east-1a",
      tags: { Name: "web-1", team: "payments" },
    });
    expect(f.category).toBe("ec2-compromise");
    expect(f.count).toBe(3);
    expect(f.actor).toMatchObject({
      ip: "198.51.100.23",
      location: { country: "Netherlands", asn: "64496" },
    });
  });

  it("Instance: an ENI without an id is skipped with a warning, the rest kept", () => {
    // Prepare
    const details = makeInstanceFinding().resource as Doc;
    const enis = (details.instanceDetails as Doc).networkInterfaces as Doc[];
    const doc = makeInstanceFinding({
      resource: {
        instanceDetails: { networkInterfaces: [enis[0], { ...enis[1], networkInterfaceId: null }] },
      },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(ofType(f, "ec2-instance")[0]!.networkInterfaces).toHaveLength(1);
    expect(f.warnings).toContainEqual(
      expect.objectContaining({
        code: "missing_resource_id",
        path: "$.resource.instanceDetails.networkInterfaces[1]",
      }),
    );
  });

  it("S3Bucket: one bucket per element, public when a policy or ACL allows it", () => {
    // Prepare
    const doc = makeS3Finding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(ofType(f, "s3-bucket").map((b) => [b.id, b.publiclyAccessible])).toEqual([
      ["payments-private", false],
      ["payments-exports", true],
    ]);
    expect(f.resources[0]!.id).toBe("payments-private");
    expect(ofType(f, "access-key").map((k) => k.id)).toEqual(["ASIAEXAMPLEKEY000001"]);
    expect(f.category).toBe("s3-data-exposure");
    expect(f.actor?.userAgent).toBe("aws-cli/2.15.30");
  });

  it("ECSCluster: the cluster with its task first, the task's containers after", () => {
    // Prepare
    const doc = makeEcsFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources[0]).toEqual({
      type: "ecs-cluster",
      id: "payments",
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`,
      tags: { env: "prod" },
      taskArn: ECS_TASK_ARN,
    });
    expect(ofType(f, "container").map((c) => [c.name, c.image])).toEqual([
      ["app-1", `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app:1.0`],
      ["app-2", `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app:2.0`],
    ]);
    expect(f.category).toBe("kubernetes-runtime");
    expect(f.actor).toBeUndefined();
  });

  it("Container: the container first, the host instance after", () => {
    // Prepare
    const doc = makeContainerFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources.map((r) => r.type)).toEqual(["container", "ec2-instance"]);
    expect(f.resources[0]).toMatchObject({ type: "container", name: "app-1" });
    expect(f.category).toBe("malware");
  });

  it("RDSDBInstance: the database instance, the database user as the actor", () => {
    // Prepare
    const doc = makeRdsFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources).toEqual([
      {
        type: "rds-db-instance",
        id: "payments-db-1",
        arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:payments-db-1`,
        tags: { env: "prod" },
        engine: "aurora-postgresql",
      },
    ]);
    expect(f.actor).toMatchObject({
      ip: "203.0.113.99",
      principal: { name: "app_admin", type: "DatabaseUser" },
    });
    expect(f.category).toBe("generic");
  });

  it("Lambda: the function by name, with its ARN", () => {
    // Prepare
    const doc = makeLambdaFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources).toEqual([
      {
        type: "lambda-function",
        id: "resize-images",
        name: "resize-images",
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize-images`,
        tags: { team: "media" },
      },
    ]);
    expect(f.actor?.ip).toBe("192.0.2.66");
  });

  it("EC2 malware scan: the instance, then the scanned volumes", () => {
    // Prepare
    const doc = makeEc2MalwareScanFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources.map((r) => [r.type, r.id])).toEqual([
      ["ec2-instance", INSTANCE_ID],
      ["ebs-volume", VOLUME_ID],
    ]);
    expect(f.resources[1]!.arn).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT}:volume/${VOLUME_ID}`);
    expect(f.category).toBe("malware");
    expect(f.severity.label).toBe("HIGH");
  });

  it("an unknown resource type is kept as other, keyed on its details, with a warning", () => {
    // Prepare
    const doc = makeInstanceFinding({
      type: "Execution:EC2/MaliciousFile!AMI",
      resource: {
        resourceType: "EC2Image",
        instanceDetails: undefined,
        ec2ImageDetails: { ec2ImageArn: `arn:aws:ec2:${REGION}::image/ami-0123` },
      },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources[0]).toEqual({
      type: "other",
      id: `arn:aws:ec2:${REGION}::image/ami-0123`,
      arn: `arn:aws:ec2:${REGION}::image/ami-0123`,
      sourceType: "EC2Image",
    });
    expect(f.warnings).toContainEqual(
      expect.objectContaining({ code: "unknown_resource_type", path: "$.resource.resourceType" }),
    );
    expect(f.category).toBe("malware");
  });

  it("a known resource type without its details never borrows another block as primary", () => {
    // Prepare
    const doc = makeInstanceFinding({
      resource: {
        instanceDetails: undefined,
        accessKeyDetails: { accessKeyId: "AKIAEXAMPLE", userName: "bob", userType: "IAMUser" },
      },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources[0]).toEqual({ type: "other", id: doc.id, sourceType: "Instance" });
    expect(f.resources[1]).toMatchObject({ type: "access-key", id: "AKIAEXAMPLE" });
    expect(codes(f)).toContain("missing_resource_details");
  });
});

describe("attack sequences", () => {
  it("takes the listed resources, the first as primary, folding each ENI into its instance", () => {
    // Prepare
    const doc = makeAttackSequenceFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources.map((r) => [r.type, r.id])).toEqual([
      ["s3-bucket", "payments-exports"],
      ["ec2-instance", INSTANCE_ID],
      ["access-key", "AKIAEXAMPLEKEY000002"],
    ]);
    expect(ofType(f, "ec2-instance")[0]!.networkInterfaces).toEqual([
      {
        id: "eni-01a1b2c3d4e5f6789",
        privateIp: "10.0.1.10",
        publicIp: "203.0.113.10",
        subnetId: "subnet-01aaaabbbbccccdddd",
        vpcId: "vpc-0123456789abcdef0",
        securityGroups: [{ id: "sg-0web0000000000001", name: "web" }],
      },
    ]);
    expect(f.category).toBe("s3-data-exposure");
    expect(f.severity.label).toBe("CRITICAL");
    expect(f.correlationKey).toBe(`${ACCOUNT}|global|s3-bucket:payments-exports`);
  });

  it("the actor is the sequence's first actor and endpoint", () => {
    // Prepare
    const doc = makeAttackSequenceFinding();
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.actor).toEqual({
      principal: {
        arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
        name: "deployer",
        type: "IAMUser",
        accountId: ACCOUNT,
        accessKeyId: "AKIAEXAMPLEKEY000002",
      },
      ip: "203.0.113.200",
      location: { country: "DE", city: "Frankfurt", org: "EXAMPLE-TRANSIT", asn: "64511" },
    });
  });

  it("with no listed resources, the actors are the principals (IAM credential sequences)", () => {
    // Prepare
    const doc = makeAttackSequenceFinding({
      type: "AttackSequence:IAM/CompromisedCredentials",
      service: { detection: { sequence: { resources: [] } } },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources[0]).toMatchObject({
      type: "iam-principal",
      id: `arn:aws:iam::${ACCOUNT}:user/deployer`,
      principalType: "IAMUser",
    });
    expect(f.category).toBe("iam-credential-compromise");
  });

  it("with nothing listed at all, keys on the finding with a warning", () => {
    // Prepare
    const doc = makeAttackSequenceFinding({ service: { detection: undefined } });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.resources).toEqual([{ type: "other", id: doc.id, sourceType: "AttackSequence" }]);
    expect(codes(f)).toContain("missing_resource_details");
  });
});

describe("tolerated oddities", () => {
  it("severity and count written as strings are read, with warnings at their paths", () => {
    // Prepare
    const doc = makeInstanceFinding({ severity: "7.5", service: { count: "12" } });
    // Act
    const f = only(fromBare(doc, "$.Findings[3]"));
    // Assess
    expect(f.severity).toEqual({ label: "HIGH", score: 75 });
    expect(f.count).toBe(12);
    expect(f.warnings.filter((w) => w.code === "coerced_number").map((w) => w.path)).toEqual([
      "$.Findings[3].severity",
      "$.Findings[3].service.count",
    ]);
    expect(f.origin.rawPath).toBe("$.Findings[3]");
  });

  it("count defaults to 1; a count below 1 is read as 1 with a warning", () => {
    // Prepare
    const missing = makeInstanceFinding({ service: { count: undefined } });
    const zero = makeInstanceFinding({ service: { count: 0 } });
    // Act
    const [a, b] = [missing, zero].map((doc) => only(fromBare(doc)));
    // Assess
    expect(a!.count).toBe(1);
    expect(codes(a!)).not.toContain("invalid_value");
    expect(b!.count).toBe(1);
    expect(codes(b!)).toContain("invalid_value");
  });

  it("a missing severity is read as MEDIUM with a warning", () => {
    // Prepare
    const doc = makeInstanceFinding({ severity: undefined });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.severity.label).toBe("MEDIUM");
    expect(codes(f)).toContain("missing_severity");
  });

  it("archived findings say so", () => {
    // Prepare
    const doc = makeInstanceFinding({ service: { archived: true } });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.archived).toBe(true);
  });

  it("updatedAt falls back to createdAt, then the envelope time; first seen to createdAt", () => {
    // Prepare
    const noUpdate = makeInstanceFinding({ updatedAt: undefined });
    const noTimes = makeInstanceFinding({
      updatedAt: undefined,
      createdAt: undefined,
      service: { eventFirstSeen: undefined, eventLastSeen: undefined },
    });
    // Act
    const a = only(fromBare(noUpdate));
    const b = only(fromEvent(makeFindingEvent(noTimes)));
    // Assess
    expect(a.updatedAt).toBe("2024-05-01T09:05:00.000Z");
    expect(b.updatedAt).toBe("2024-05-01T10:36:00.000Z");
    expect(b.firstSeenAt).toBe(b.updatedAt);
    expect(b.lastSeenAt).toBe(b.updatedAt);
  });

  it("with no time anywhere, the Unix epoch and a warning, so any dated copy supersedes it", () => {
    // Prepare
    const doc = makeInstanceFinding({
      updatedAt: undefined,
      createdAt: "not a time",
      service: { eventFirstSeen: undefined, eventLastSeen: undefined },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.updatedAt).toBe("1970-01-01T00:00:00.000Z");
    expect(codes(f)).toEqual(expect.arrayContaining(["unreadable_time", "missing_time"]));
  });

  it("account and region fall back to the envelope, then the finding ARN", () => {
    // Prepare
    const bare = makeInstanceFinding({ accountId: undefined, region: undefined });
    const inEvent = makeFindingEvent(makeInstanceFinding({ accountId: undefined, region: undefined }), {
      account: "210987654321",
      region: "eu-central-1",
    });
    // Act
    const a = only(fromBare(bare));
    const b = only(fromEvent(inEvent));
    // Assess
    expect([a.accountId, a.region]).toEqual([ACCOUNT, REGION]);
    expect([b.accountId, b.region]).toEqual(["210987654321", "eu-central-1"]);
  });

  it("with no account anywhere, 'unknown' and a warning", () => {
    // Prepare
    const doc = makeInstanceFinding({ accountId: undefined, arn: undefined });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.accountId).toBe("unknown");
    expect(f.warnings).toContainEqual(
      expect.objectContaining({ code: "missing_account", path: "$.accountId" }),
    );
    expect(f.resources[0]!.arn).toBeUndefined();
  });
});

describe("refusals", () => {
  it.each([
    ["id", "$.detail.id", "missing_field"],
    ["type", "$.detail.type", "missing_field"],
    ["resource", "$.detail.resource", "missing_field"],
  ])("a finding without %s is an InputError at %s", (field, path, code) => {
    // Prepare
    const doc = makeFindingEvent(makeInstanceFinding({ [field]: undefined }));
    // Act
    const error = inputError(() => fromEvent(doc));
    // Assess
    expect([error.path, error.code]).toEqual([path, code]);
  });

  it("a resource without a resourceType, or a type that is not text, is an InputError at its path", () => {
    // Prepare
    const noResourceType = makeInstanceFinding({ resource: { resourceType: undefined } });
    const objectType = makeInstanceFinding({ type: { name: "x" } });
    // Act
    const a = inputError(() => fromBare(noResourceType, "$.Findings[0]"));
    const b = inputError(() => fromBare(objectType, "$.Findings[1]"));
    // Assess
    expect([a.path, a.code]).toEqual(["$.Findings[0].resource.resourceType", "missing_field"]);
    expect([b.path, b.code]).toEqual(["$.Findings[1].type", "wrong_type"]);
  });
});

describe("bare documents", () => {
  const bareFixtures = fixturesIn("guardduty").filter((f) => f.startsWith(`${GD}bare-`));

  it.each(bareFixtures)("recognises %s", (file) => {
    expect(isBareGuardDutyFinding(loadFixture(file))).toBe(true);
  });

  it.each([
    ...fixturesIn("securityhub"),
    ...fixturesIn("cloudtrail"),
    ...fixturesIn("waf"),
    ...fixturesIn("cloudwatch"),
  ])("never claims %s", (file) => {
    // Prepare
    const doc = loadFixture(file);
    const candidates: Json[] = [doc, ...(Array.isArray(doc.Records) ? doc.Records : [])];
    // Assess
    for (const candidate of candidates) expect(isBareGuardDutyFinding(candidate)).toBe(false);
  });

  it("never claims an envelope, nor a finding without a GuardDuty service or ARN", () => {
    // Prepare
    const finding = makeInstanceFinding();
    const foreign = makeInstanceFinding({
      service: { serviceName: "inspector" },
      arn: "arn:aws:inspector2:x",
    });
    // Assess
    expect(isBareGuardDutyFinding(makeFindingEvent(finding))).toBe(false);
    expect(isBareGuardDutyFinding(foreign)).toBe(false);
    expect(isBareGuardDutyFinding(makeInstanceFinding({ service: undefined }))).toBe(true);
  });

  it("reads the AWS CLI's PascalCase output like the API's camelCase, with paths as written", () => {
    // Prepare
    const camel = makeAttackSequenceFinding();
    const pascal = toPascalCase(makeInstanceFinding({ severity: "8" })) as Json;
    // Act
    const fromCamel = only(fromBare(makeInstanceFinding({ severity: "8" })));
    const fromPascal = only(fromBare(pascal, "$.Findings[0]"));
    const sequence = only(fromBare(toPascalCase(camel)));
    // Assess
    expect(isBareGuardDutyFinding(pascal)).toBe(true);
    const { origin: _o, warnings: _w, ...same } = fromCamel;
    expect(fromPascal).toMatchObject(same);
    expect(fromPascal.warnings.map((w) => w.path)).toEqual(["$.Findings[0].Severity"]);
    expect(sequence.resources).toEqual(only(fromBare(camel)).resources);
  });
});

describe("never anything but findings or an InputError", () => {
  const check = (run: () => Finding[]) => {
    try {
      for (const f of run()) findingSchema.parse(f);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  };

  const jsonObject = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<Json>;

  it("arbitrary JSON, bare or as the detail of each GuardDuty detail-type", () => {
    fc.assert(
      fc.property(jsonObject, fc.constantFrom(...guardDutyNormalizer.detailTypes), (doc, detailType) => {
        expect(typeof isBareGuardDutyFinding(doc)).toBe("boolean");
        check(() => fromBare(doc));
        check(() => fromEvent({ "detail-type": detailType, detail: doc }));
      }),
      { numRuns: 300 },
    );
  });

  it("a well-formed skeleton with arbitrary content in every documented block", () => {
    const anything = fc.jsonValue();
    const finding = fc.record({
      id: fc.string({ minLength: 1 }),
      type: fc.oneof(fc.string(), fc.constantFrom("AttackSequence:EC2/CompromisedInstanceGroup")),
      accountId: anything,
      region: anything,
      arn: fc.oneof(anything, fc.constant(`arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d/finding/f`)),
      severity: anything,
      createdAt: anything,
      updatedAt: anything,
      resource: fc.record({
        resourceType: fc.constantFrom(
          "Instance",
          "AccessKey",
          "S3Bucket",
          "S3Object",
          "EKSCluster",
          "ECSCluster",
          "Container",
          "RDSDBInstance",
          "Lambda",
          "AttackSequence",
          "EC2Image",
        ),
        instanceDetails: anything,
        accessKeyDetails: anything,
        s3BucketDetails: anything,
        eksClusterDetails: anything,
        kubernetesDetails: anything,
        ecsClusterDetails: anything,
        containerDetails: anything,
        rdsDbInstanceDetails: anything,
        rdsDbUserDetails: anything,
        lambdaDetails: anything,
        ebsVolumeDetails: anything,
      }),
      service: fc.record({
        serviceName: fc.constant("guardduty"),
        count: anything,
        archived: anything,
        eventFirstSeen: anything,
        action: anything,
        additionalInfo: anything,
        detection: fc.oneof(anything, fc.record({ sequence: anything })),
      }),
    });
    fc.assert(
      fc.property(finding, (doc) => {
        expect(isBareGuardDutyFinding(doc)).toBe(true);
        check(() => fromBare(doc));
      }),
      { numRuns: 300 },
    );
  });

  // Every path into a document, so mutations can hit any field at any depth.
  function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
    if (typeof value === "object" && value !== null)
      return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
    return [];
  }

  function mutate(doc: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (remove && !Array.isArray(node)) delete node[last];
    else node[last] = replacement;
    return copy;
  }

  const seeds: Array<[string, Doc]> = [
    ...fixturesIn("guardduty").map((f): [string, Doc] => [f, loadFixture(f)]),
    ["instance", makeInstanceFinding()],
    ["s3", makeS3Finding()],
    ["ecs", makeEcsFinding()],
    ["container", makeContainerFinding()],
    ["rds", makeRdsFinding()],
    ["lambda", makeLambdaFinding()],
    ["ec2 malware", makeEc2MalwareScanFinding()],
    ["attack sequence", makeAttackSequenceFinding()],
    ["pascal", toPascalCase(makeInstanceFinding()) as Doc],
    ["object scan", makeObjectScanResult()],
    ["runtime", makeRuntimeCoverageEvent()],
  ];

  it.each(seeds)("mutations of %s", (_name, seed) => {
    const all = paths(seed);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.jsonValue(), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          let doc: unknown = seed;
          for (const [i, replacement, remove] of edits) {
            const path = all[i]!;
            try {
              doc = mutate(doc, path, replacement, remove);
            } catch {
              // An earlier edit removed this path's parent: skip the edit.
            }
          }
          const json = doc as Json;
          check(() => (isEvent(json) ? fromEvent(json) : fromBare(json)));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("warning paths and repeated resources", () => {
  // Paths are built only when a warning needs one; these pin them where the document nests, is PascalCase,
  // or has keys that are not identifiers.
  it("a PascalCase document read at a container path: warnings deep inside point at the keys as written", () => {
    // Prepare
    const doc = toPascalCase(makeInstanceFinding()) as Doc;
    const resource = doc.Resource as Doc;
    const details = resource.InstanceDetails as Doc;
    const enis = details.NetworkInterfaces as Doc[];
    enis[1] = { ...enis[1], SecurityGroups: [{ GroupName: "nameless" }, 7] };
    (doc.Service as Doc).EventFirstSeen = 1714554000;
    // Act
    const f = only(fromBare(doc, "$.Findings[3]"));
    // Assess
    expect(f.warnings.map((w) => [w.code, w.path])).toEqual([
      ["epoch_time", "$.Findings[3].Service.EventFirstSeen"],
      ["ignored_field", "$.Findings[3].Resource.InstanceDetails.NetworkInterfaces[1].SecurityGroups[1]"],
      [
        "missing_resource_id",
        "$.Findings[3].Resource.InstanceDetails.NetworkInterfaces[1].SecurityGroups[0]",
      ],
    ]);
    expect(f.firstSeenAt).toBe("2024-05-01T09:00:00.000Z");
    expect(f.origin.rawPath).toBe("$.Findings[3]");
  });

  it("a key that is not an identifier is quoted in the warning's path", () => {
    // Prepare
    const doc = makeInstanceFinding({
      resource: { resourceType: "EC2Image", instanceDetails: undefined, "odd key Details": "not an object" },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(f.warnings.map((w) => [w.code, w.path])).toEqual([
      ["unknown_resource_type", "$.resource.resourceType"],
      ["ignored_field", '$.resource["odd key Details"]'],
    ]);
    expect(f.resources[0]).toEqual({ type: "other", id: doc.id, sourceType: "EC2Image" });
  });

  it.each([3, 40])("%i bucket entries with repeats: each bucket once, in first-listed order", (count) => {
    // Prepare
    const names = ["logs", "exports", "backups", "media", "audit"];
    const listed = Array.from({ length: count }, (_, i) => names[(i * 3) % names.length]!);
    const doc = makeS3Finding({
      resource: { s3BucketDetails: listed.map((name) => ({ name, arn: `arn:aws:s3:::${name}` })) },
    });
    // Act
    const f = only(fromBare(doc));
    // Assess
    const expected = [...new Set(listed)];
    expect(ofType(f, "s3-bucket").map((b) => b.id)).toEqual(expected);
    expect(f.resources.slice(0, expected.length).map((r) => r.id)).toEqual(expected);
    expect(new Set(f.resources.map((r) => `${r.type}:${r.id}`)).size).toBe(f.resources.length);
  });

  it("a container listed by the task and by containerDetails is kept once", () => {
    // Prepare
    const ecs = makeEcsFinding();
    const task = ((ecs.resource as Doc).ecsClusterDetails as Doc).taskDetails as Doc;
    const first = (task.containers as Doc[])[0]!;
    const doc = makeEcsFinding({ resource: { containerDetails: first } });
    // Act
    const f = only(fromBare(doc));
    // Assess
    expect(ofType(f, "container").map((c) => c.id)).toEqual(
      (task.containers as Doc[]).map((c) => c.id as string),
    );
  });
});
