/**
 * Security Hub events and findings built from AWS's documented formats, for cases the real fixtures lack:
 * GuardDuty copies in ASFF (the "typical finding from GuardDuty" in the GuardDuty user guide), an AFSBP
 * security group control with typed details, and OCSF findings of "Findings Imported V2" events (the
 * Security Hub OCSF examples). Overrides replace top-level keys; nested changes are the caller's.
 * Also: running a document through the normalizer the way the dispatcher does (envelope first, one
 * ReadContext per document).
 */
import type { Finding } from "../../core/findings/finding";
import { readEnvelope } from "../../core/normalize/envelope";
import { type Json, ReadContext } from "../../core/normalize/read";
import {
  SECURITY_HUB_IMPORTED,
  SECURITY_HUB_IMPORTED_V2,
  securityHubNormalizer,
} from "../../core/normalize/securityhub";
import type { NormalizeOptions } from "../../core/normalize/source-normalizer";

// biome-ignore lint/suspicious/noExplicitAny: documents under test are arbitrary JSON
type Doc = Record<string, any>;

/** GuardDuty's ASFF copy of an SSH brute-force finding (GuardDuty user guide, Security Hub integration). */
export function makeGuardDutyAsffFinding(overrides: Doc = {}): Doc {
  const region = "us-east-1";
  const account = "193043430472";
  const detector = "d4b040365221be2b54a6264dc9a4bc64";
  const findingId = "46ba0ac2845071e23ccdeb2ae03bfdea";
  const arn = `arn:aws:guardduty:${region}:${account}:detector/${detector}/finding/${findingId}`;
  return {
    SchemaVersion: "2018-10-08",
    Id: arn,
    ProductArn: `arn:aws:securityhub:${region}::product/aws/guardduty`,
    GeneratorId: `arn:aws:guardduty:${region}:${account}:detector/${detector}`,
    AwsAccountId: account,
    Types: ["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],
    FirstObservedAt: "2020-08-22T09:15:57Z",
    LastObservedAt: "2020-09-30T11:56:49Z",
    CreatedAt: "2020-08-22T09:34:34.146Z",
    UpdatedAt: "2020-09-30T12:14:00.206Z",
    Severity: { Product: 2, Label: "MEDIUM", Normalized: 40 },
    Title: "199.241.229.197 is performing SSH brute force attacks against i-0c10c2c7863d1a356.",
    Description: "199.241.229.197 is performing SSH brute force attacks against i-0c10c2c7863d1a356.",
    ProductFields: {
      "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4": "199.241.229.197",
      "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/country/countryName":
        "United States",
      "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/city/cityName": "Dubuque",
      "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/organization/org": "CenturyLink",
      "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/organization/asn": "209",
      "aws/guardduty/service/action/actionType": "NETWORK_CONNECTION",
      "aws/guardduty/service/archived": "false",
      "aws/guardduty/service/detectorId": detector,
      "aws/guardduty/service/count": "74",
      "aws/securityhub/FindingId": `arn:aws:securityhub:${region}::product/aws/guardduty/${arn}`,
      "aws/securityhub/ProductName": "GuardDuty",
      "aws/securityhub/CompanyName": "Amazon",
    },
    Resources: [
      {
        Type: "AwsEc2Instance",
        Id: `arn:aws:ec2:${region}:${account}:instance/i-0c10c2c7863d1a356`,
        Partition: "aws",
        Region: region,
        Tags: { Name: "kubectl" },
        Details: {
          AwsEc2Instance: {
            Type: "t2.micro",
            ImageId: "ami-02354e95b39ca8dec",
            IpV4Addresses: ["18.234.130.16", "172.31.43.6"],
            VpcId: "vpc-a0c2d7c7",
            SubnetId: "subnet-4975b475",
            LaunchedAt: "2020-08-03T23:21:57Z",
          },
        },
      },
    ],
    WorkflowState: "NEW",
    Workflow: { Status: "NEW" },
    RecordState: "ACTIVE",
    ...overrides,
  };
}

/** An AFSBP EC2.19 (unrestricted high-risk ports) control finding on a security group with typed details. */
export function makeSecurityGroupControlFinding(ipPermissions: Doc[], overrides: Doc = {}): Doc {
  const account = "111122223333";
  const groupId = "sg-0123456789abcdef0";
  return {
    SchemaVersion: "2018-10-08",
    Id: `arn:aws:securityhub:eu-west-1:${account}:security-control/EC2.19/finding/0b6f1a8c-3d2e-4f5a-9b7c-1d2e3f4a5b6c`,
    ProductArn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
    ProductName: "Security Hub",
    CompanyName: "AWS",
    Region: "eu-west-1",
    GeneratorId: "security-control/EC2.19",
    AwsAccountId: account,
    Types: ["Software and Configuration Checks/Industry and Regulatory Standards"],
    FirstObservedAt: "2024-03-01T08:00:00.000Z",
    LastObservedAt: "2024-03-02T08:00:00.000Z",
    CreatedAt: "2024-03-01T08:00:00.000Z",
    UpdatedAt: "2024-03-02T08:00:05.000Z",
    Severity: { Label: "CRITICAL", Normalized: 90, Original: "CRITICAL" },
    Title: "Security groups should not allow unrestricted access to ports with high risk",
    Description:
      "This control checks whether unrestricted incoming traffic is accessible to high-risk ports.",
    ProductFields: { "aws/securityhub/ProductName": "Security Hub", "aws/securityhub/CompanyName": "AWS" },
    Resources: [
      {
        Type: "AwsEc2SecurityGroup",
        Id: `arn:aws:ec2:eu-west-1:${account}:security-group/${groupId}`,
        Partition: "aws",
        Region: "eu-west-1",
        Details: {
          AwsEc2SecurityGroup: {
            GroupName: "web",
            GroupId: groupId,
            OwnerId: account,
            VpcId: "vpc-0a1b2c3d",
            IpPermissions: ipPermissions,
          },
        },
      },
    ],
    Compliance: { Status: "FAILED", SecurityControlId: "EC2.19" },
    Workflow: { Status: "NEW" },
    RecordState: "ACTIVE",
    ...overrides,
  };
}

export function makeSecurityHubEvent(findings: Doc[], overrides: Doc = {}): Doc {
  return {
    version: "0",
    id: "7f1c7d2e-0000-4b5c-9d8e-1a2b3c4d5e6f",
    "detail-type": SECURITY_HUB_IMPORTED,
    source: "aws.securityhub",
    account: "111122223333",
    time: "2024-03-02T08:00:10Z",
    region: "us-east-1",
    resources: [],
    detail: { findings },
    ...overrides,
  };
}

/**
 * A GuardDuty Detection Finding as Security Hub sends it in OCSF (shape of AWS's "Findings Imported V2"
 * sample: Stealth:IAMUser/CloudTrailLoggingDisabled on an access key).
 */
export function makeOcsfGuardDutyFinding(overrides: Doc = {}): Doc {
  const account = "869728294964";
  const findingId = "06c95f0cfdfd3b579b977e20e9da1aa4";
  return {
    activity_id: 2,
    activity_name: "Update",
    category_name: "Findings",
    category_uid: 2,
    class_name: "Detection Finding",
    class_uid: 2004,
    cloud: {
      account: { type: "AWS Account", type_id: 10, uid: account },
      provider: "AWS",
      region: "us-east-1",
    },
    count: 264,
    evidences: [
      {
        api: { operation: "DeleteTrail", service: { name: "cloudtrail.amazonaws.com" } },
        src_endpoint: { ip: "198.51.100.7", location: { country: "NL", city: "Amsterdam" } },
        actor: {
          user: { name: "cis_automation", type: "AssumedRole", credential_uid: "ASIA4U76YS3TB3MEOA3O" },
        },
      },
    ],
    finding_info: {
      analytic: { type: "Rule", type_id: 1, uid: "b4c71b47fb852d3fc0e99a82fa2841aa" },
      created_time: 1729766226938,
      created_time_dt: "2024-10-24T10:37:06.938Z",
      desc: "AWS CloudTrail trail Aws-Observability was disabled by cis_automation calling DeleteTrail.",
      first_seen_time: 1729765286000,
      first_seen_time_dt: "2024-10-24T10:21:26.000Z",
      last_seen_time: 1753152734000,
      last_seen_time_dt: "2025-07-22T02:52:14.000Z",
      modified_time: 1753153354272,
      modified_time_dt: "2025-07-22T03:02:34.272Z",
      title: "An AWS CloudTrail trail Aws-Observability was disabled.",
      types: ["Stealth:IAMUser/CloudTrailLoggingDisabled"],
      uid: `arn:aws:guardduty:us-east-1:${account}:detector/b4c71b47fb852d3fc0e99a82fa2841aa/finding/${findingId}`,
      uid_alt: findingId,
    },
    metadata: {
      product: {
        name: "GuardDuty",
        uid: "arn:aws:securityhub:us-east-1::productv2/aws/guardduty",
        vendor_name: "AWS",
      },
      profiles: ["cloud", "datetime"],
      uid: "1d24e91799652d9e17025b61d94f436b20b515b6f3cd9bda788f48c1db9cf244",
      version: "1.5.0",
    },
    resources: [
      {
        cloud_partition: "aws",
        data: {
          access_key_id: "ASIA4U76YS3TB3MEOA3O",
          principal_id: "AROA4U76YS3THXXBAIOOA:aws-go-sdk-1753152318418995274",
          user_name: "cis_automation",
          user_type: "AssumedRole",
        },
        name: "cis_automation",
        owner: { account: { type: "AWS Account", type_id: 10, uid: account } },
        region: "us-east-1",
        type: "AWS::IAM::AccessKey",
        uid: "ASIA4U76YS3TB3MEOA3O",
      },
    ],
    severity: "Low",
    severity_id: 2,
    status: "New",
    status_id: 1,
    time: 1753153354272,
    time_dt: "2025-07-22T03:02:34.272Z",
    type_name: "Detection Finding: Update",
    type_uid: 200402,
    vendor_attributes: { severity: "Low", severity_id: 2 },
    ...overrides,
  };
}

/** A Security Hub CSPM control result in OCSF (Compliance Finding, S3.1 on a public bucket). */
export function makeOcsfComplianceFinding(overrides: Doc = {}): Doc {
  const account = "111122223333";
  return {
    activity_id: 2,
    activity_name: "Update",
    category_uid: 2,
    class_name: "Compliance Finding",
    class_uid: 2003,
    type_uid: 200302,
    severity_id: 4,
    severity: "High",
    status_id: 1,
    status: "New",
    time_dt: "2025-05-25T10:00:00Z",
    metadata: {
      product: {
        name: "Security Hub",
        vendor_name: "AWS",
        uid: "arn:aws:securityhub:ap-northeast-1::productv2/aws/securityhub",
      },
      uid: "5f0c2b1e4d3a29187f6e5d4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a291807",
      version: "1.6.0",
    },
    cloud: { account: { uid: account }, provider: "AWS", region: "ap-northeast-1" },
    finding_info: {
      analytic: {
        category: "AWS::Config::ConfigRule",
        name: "securityhub-s3-bucket-public-read-prohibited-1a2b3c4d",
      },
      title: "S3 general purpose buckets should block public read access",
      desc: "This control checks whether an Amazon S3 general purpose bucket permits public read access.",
      types: ["Effects/Data Exposure", "Posture Management"],
      created_time_dt: "2025-04-14T07:58:04.710Z",
      first_seen_time_dt: "2025-05-01T00:00:00Z",
      last_seen_time_dt: "2025-05-25T10:00:00Z",
      modified_time_dt: "2025-05-25T10:00:00Z",
      uid: `arn:aws:securityhub:ap-northeast-1:${account}:security-control/S3.1/finding/7c9e6679-7425-40de-944b-e07fc1f90ae7`,
    },
    resources: [
      {
        type: "AWS::S3::Bucket",
        uid: "my-public-bucket",
        uid_alt: "arn:aws:s3:::my-public-bucket",
        cloud_partition: "aws",
        region: "ap-northeast-1",
        owner: { account: { uid: account } },
      },
    ],
    compliance: {
      control: "S3.1",
      standards: ["standards/aws-foundational-security-best-practices/v/1.0.0"],
      status: "Fail",
      status_id: 3,
    },
    vendor_attributes: { severity: "High", severity_id: 4 },
    ...overrides,
  };
}

export function makeFindingsImportedV2Event(findings: Doc[], overrides: Doc = {}): Doc {
  return makeSecurityHubEvent(findings, {
    "detail-type": SECURITY_HUB_IMPORTED_V2,
    resources: ["1d24e91799652d9e17025b61d94f436b20b515b6f3cd9bda788f48c1db9cf244"],
    ...overrides,
  });
}

export const OPTIONS: NormalizeOptions = { alarmRules: [] };
export const CONTENT_REF = "sha256:test-content";

export function fromEvent(doc: Json): Finding[] {
  const ctx = new ReadContext(typeof doc.id === "string" ? doc.id : CONTENT_REF);
  return securityHubNormalizer.fromEnvelope(readEnvelope(doc, ctx), ctx, OPTIONS);
}

export function fromBare(doc: Json, path = "$"): Finding[] {
  return securityHubNormalizer.bare!.read(doc, path, new ReadContext(CONTENT_REF), OPTIONS);
}

/** Either form, the way the document is written. */
export const fromDocument = (doc: Json): Finding[] => ("detail-type" in doc ? fromEvent(doc) : fromBare(doc));

/** The error a call throws (fails the test when it does not throw). */
export function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
