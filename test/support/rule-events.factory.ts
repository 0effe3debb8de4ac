/**
 * EventBridge envelopes for rule tests, shaped like AWS's documented examples, for the cases the real
 * fixtures lack (other CloudTrail APIs, GuardDuty severities, OCSF findings, application events).
 * Each factory takes overrides merged over the documented sample.
 */

type Json = Record<string, unknown>;

/** "AWS API Call via CloudTrail" as in the EventBridge user guide's CloudTrail example (an IAM user). */
export function makeCloudTrailApiCall(detail: Json = {}, envelope: Json = {}): Json {
  const eventSource = typeof detail.eventSource === "string" ? detail.eventSource : "s3.amazonaws.com";
  return {
    version: "0",
    id: "36eb8523-97d0-4518-b33d-ee3579ff19f0",
    "detail-type": "AWS API Call via CloudTrail",
    source: `aws.${eventSource.split(".")[0]}`,
    account: "123456789012",
    time: "2024-02-20T01:09:13Z",
    region: "us-east-1",
    resources: [],
    detail: {
      eventVersion: "1.08",
      userIdentity: {
        type: "IAMUser",
        principalId: "AIDAEXAMPLE",
        arn: "arn:aws:iam::123456789012:user/alice",
        accountId: "123456789012",
        userName: "alice",
      },
      eventTime: "2024-02-20T01:09:13Z",
      eventSource,
      eventName: "GetObject",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0",
      requestParameters: { bucketName: "amzn-s3-demo-bucket", key: "report.csv" },
      responseElements: null,
      requestID: "9D767BCC3B4E7487",
      eventID: "24ba271e-d595-4e66-a7fd-9c16cbf8abae",
      eventType: "AwsApiCall",
      ...detail,
    },
    ...envelope,
  };
}

/** How EventBridge delivers a CloudTrail record (as stored in S3 / CloudWatch Logs): the record is `detail`. */
export function cloudTrailEnvelope(record: Json): Json {
  const eventSource = String(record.eventSource ?? "");
  return {
    version: "0",
    id: "6f87d04b-9f74-4f04-a780-7acf4b0a9b38",
    "detail-type":
      record.eventType === "AwsConsoleSignIn" || record.eventName === "ConsoleLogin"
        ? "AWS Console Sign In via CloudTrail"
        : "AWS API Call via CloudTrail",
    source: `aws.${eventSource.split(".")[0]}`,
    account: String(record.recipientAccountId ?? "123456789012"),
    time: String(record.eventTime ?? "2024-01-01T00:00:00Z"),
    region: String(record.awsRegion ?? "us-east-1"),
    resources: [],
    detail: record,
  };
}

/** A "GuardDuty Finding" envelope (GuardDuty user guide's EventBridge example, trimmed). */
export function makeGuardDutyFinding(detail: Json = {}): Json {
  return {
    version: "0",
    id: "c8c4daa7-a20c-2f03-0070-b7393dd542ad",
    "detail-type": "GuardDuty Finding",
    source: "aws.guardduty",
    account: "123456789012",
    time: "2024-01-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: {
      schemaVersion: "2.0",
      accountId: "123456789012",
      region: "us-east-1",
      id: "16afba5c5c43e07c9e3e5e2e544e95df",
      type: "UnauthorizedAccess:EC2/SSHBruteForce",
      severity: 5,
      title: "SSH brute force attacks against i-99999999.",
      ...detail,
    },
  };
}

/**
 * A Security Hub "Findings Imported V2" envelope (Security Hub user guide's EventBridge format) carrying
 * one OCSF finding with the OCSF severity fields.
 */
export function makeOcsfFinding(finding: Json = {}): Json {
  return {
    version: "0",
    id: "CWE-event-id",
    "detail-type": "Findings Imported V2",
    source: "aws.securityhub",
    account: "111122223333",
    time: "2025-06-17T21:52:17Z",
    region: "us-west-2",
    resources: ["e51603d1054aad9d9f498d82d6e81acf4cf6bc88140e8ad2273123c73b81084"],
    detail: {
      findings: [
        {
          class_uid: 2004,
          activity_id: 1,
          severity: "High",
          severity_id: 4,
          status: "New",
          status_id: 1,
          finding_info: { uid: "finding-1", title: "EC2 instance is communicating with a known C&C server" },
          metadata: { product: { name: "GuardDuty", vendor_name: "AWS" }, version: "1.1.0" },
          ...finding,
        },
      ],
    },
  };
}

/** An application "Security Event" put on the custom bus (PutEvents entry as delivered). */
export function makeSecurityEvent(detail: Json = {}, envelope: Json = {}): Json {
  return {
    version: "0",
    id: "a1b2c3d4-0000-4000-8000-000000000001",
    "detail-type": "Security Event",
    source: "com.example.orders",
    account: "123456789012",
    time: "2024-01-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { type: "failed_login", severity: "MEDIUM", user: "alice", ...detail },
    ...envelope,
  };
}
