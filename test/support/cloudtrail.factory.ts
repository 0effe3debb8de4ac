/**
 * CloudTrail records built from AWS's documented record format (CloudTrail User Guide, "CloudTrail record
 * contents" and the per-service logging pages), for the cases the real fixtures lack: StopLogging,
 * DeleteTrail, CreateAccessKey by root, AttachUserPolicy, AuthorizeSecurityGroupIngress, PutBucketPolicy,
 * DeleteDetector, DisableSecurityHub, an AccessDenied call, a failed console sign-in.
 * Every maker takes overrides, shallow-merged over the record.
 */

export type CloudTrailRecord = Record<string, unknown>;

export const ACCOUNT = "123456789012";

export const iamUserIdentity = (userName = "Mary_Major") => ({
  type: "IAMUser",
  principalId: "AIDACKCEVSQ6C2EXAMPLE",
  arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`,
  accountId: ACCOUNT,
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  userName,
});

export const rootIdentity = () => ({
  type: "Root",
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  sessionContext: { attributes: { creationDate: "2024-05-01T09:58:00Z", mfaAuthenticated: "false" } },
});

/** A successful management API call by an IAM user; override what the case is about. */
export function makeCloudTrailRecord(overrides: CloudTrailRecord = {}): CloudTrailRecord {
  return {
    eventVersion: "1.09",
    userIdentity: iamUserIdentity(),
    eventTime: "2024-05-01T10:00:00Z",
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64 command/ec2.describe-instances",
    requestParameters: null,
    responseElements: null,
    requestID: "8c7a9a3e-5f0e-4a53-9b8e-0c2b8b7a1d11",
    eventID: "f2b4c6d8-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...overrides,
  };
}

export const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`;

export const makeStopLogging = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    requestParameters: { name: TRAIL_ARN },
    responseElements: null,
    ...overrides,
  });

export const makeDeleteTrail = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "DeleteTrail",
    requestParameters: { name: "management-events" },
    responseElements: null,
    ...overrides,
  });

/** Root creating an access key for itself: no userName in the request. */
export const makeRootCreateAccessKey = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    userIdentity: rootIdentity(),
    eventSource: "iam.amazonaws.com",
    eventName: "CreateAccessKey",
    requestParameters: {},
    responseElements: {
      accessKey: {
        accessKeyId: "AKIAI44QH8DHBEXAMPLE",
        status: "Active",
        createDate: "May 1, 2024 10:00:00 AM",
      },
    },
    ...overrides,
  });

export const makeAttachUserPolicy = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "iam.amazonaws.com",
    eventName: "AttachUserPolicy",
    requestParameters: { userName: "Bob", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    responseElements: null,
    ...overrides,
  });

export const SECURITY_GROUP = "sg-0123456789abcdef0";

/** AuthorizeSecurityGroupIngress adding tcp/22 from each given range, with the rules EC2 created. */
export function makeAuthorizeIngress(cidrs: string[], overrides: CloudTrailRecord = {}): CloudTrailRecord {
  const v4 = cidrs.filter((c) => !c.includes(":"));
  const v6 = cidrs.filter((c) => c.includes(":"));
  return makeCloudTrailRecord({
    eventName: "AuthorizeSecurityGroupIngress",
    requestParameters: {
      groupId: SECURITY_GROUP,
      ipPermissions: {
        items: [
          {
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
            groups: {},
            ipRanges: v4.length > 0 ? { items: v4.map((cidrIp) => ({ cidrIp })) } : {},
            ipv6Ranges: v6.length > 0 ? { items: v6.map((cidrIpv6) => ({ cidrIpv6 })) } : {},
            prefixListIds: {},
          },
        ],
      },
    },
    responseElements: {
      requestId: "2d6e1b5c-7f3a-4c4e-9d2b-5a6f7e8d9c0b",
      _return: true,
      securityGroupRuleSet: {
        items: cidrs.map((cidr, i) => ({
          groupOwnerId: ACCOUNT,
          groupId: SECURITY_GROUP,
          securityGroupRuleId: `sgr-0abc${String(i).padStart(12, "0")}`,
          isEgress: false,
          ipProtocol: "tcp",
          fromPort: 22,
          toPort: 22,
          ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        })),
      },
    },
    ...overrides,
  });
}

export const BUCKET = "amzn-s3-demo-bucket";

export const makePutBucketPolicy = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "s3.amazonaws.com",
    eventName: "PutBucketPolicy",
    requestParameters: {
      bucketName: BUCKET,
      Host: `${BUCKET}.s3.us-east-1.amazonaws.com`,
      bucketPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: `arn:aws:s3:::${BUCKET}/*`,
          },
        ],
      },
      policy: "",
    },
    responseElements: null,
    additionalEventData: { SignatureVersion: "SigV4", AuthenticationMethod: "AuthHeader" },
    ...overrides,
  });

export const DETECTOR = "12abc34d567e8fa901bc2d34eexample";

export const makeDeleteDetector = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "guardduty.amazonaws.com",
    eventName: "DeleteDetector",
    requestParameters: { detectorId: DETECTOR },
    responseElements: null,
    ...overrides,
  });

export const makeDisableSecurityHub = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "securityhub.amazonaws.com",
    eventName: "DisableSecurityHub",
    requestParameters: null,
    responseElements: null,
    ...overrides,
  });

/** An S3 read refused by IAM, as CloudTrail logs it (errorCode "AccessDenied"). */
export const makeAccessDenied = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    eventSource: "s3.amazonaws.com",
    eventName: "ListBuckets",
    readOnly: true,
    errorCode: "AccessDenied",
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/Mary_Major is not authorized to perform: s3:ListAllMyBuckets`,
    ...overrides,
  });

/** A failed password sign-in by a known IAM user. */
export const makeConsoleLoginFailure = (overrides: CloudTrailRecord = {}) =>
  makeCloudTrailRecord({
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDACKCEVSQ6C2EXAMPLE",
      accountId: ACCOUNT,
      accessKeyId: "",
      userName: "Mary_Major",
    },
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    errorMessage: "Failed authentication",
    requestParameters: null,
    responseElements: { ConsoleLogin: "Failure" },
    additionalEventData: {
      LoginTo: "https://console.aws.amazon.com/console/home",
      MobileVersion: "No",
      MFAUsed: "No",
    },
    eventType: "AwsConsoleSignIn",
    ...overrides,
  });

/** The record as EventBridge delivers it. `source` is the service's (aws.ec2, aws.iam…), not "aws.cloudtrail". */
export function makeCloudTrailEnvelope(
  detail: CloudTrailRecord,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const signIn = detail.eventSource === "signin.amazonaws.com";
  return {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": signIn ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail",
    source: `aws.${String(detail.eventSource).split(".")[0]}`,
    account: ACCOUNT,
    time: detail.eventTime,
    region: detail.awsRegion,
    resources: [],
    detail,
    ...overrides,
  };
}
