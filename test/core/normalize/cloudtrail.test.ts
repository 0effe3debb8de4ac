import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLOUDTRAIL_DETECTIONS } from "../../../core/detections/cloudtrail-catalog";
import { InputError } from "../../../core/errors";
import { findingIdentity } from "../../../core/findings/correlation";
import { type Finding, findingSchema } from "../../../core/findings/finding";
import { isWorldOpen, parseIp } from "../../../core/net/cidr";
import { cloudTrailNormalizer, HIDDEN_USER_NAME } from "../../../core/normalize/cloudtrail";
import { readEnvelope } from "../../../core/normalize/envelope";
import { type Json, ReadContext } from "../../../core/normalize/read";
import {
  ACCOUNT,
  BUCKET,
  type CloudTrailRecord,
  DETECTOR,
  makeAccessDenied,
  makeAttachUserPolicy,
  makeAuthorizeIngress,
  makeCloudTrailEnvelope,
  makeCloudTrailRecord,
  makeConsoleLoginFailure,
  makeDeleteDetector,
  makeDeleteTrail,
  makeDisableSecurityHub,
  makePutBucketPolicy,
  makeRootCreateAccessKey,
  makeStopLogging,
  rootIdentity,
  SECURITY_GROUP,
  TRAIL_ARN,
} from "../../support/cloudtrail.factory";
import { fixturesIn, fixtureText, loadFixture } from "../../support/fixtures";

const OPTIONS = { alarmRules: [] };
const bare = cloudTrailNormalizer.bare!;

function fromRecord(record: Json, path = "$"): Finding[] {
  return bare.read(record, path, new ReadContext("sha256:test"), OPTIONS);
}

function fromEnvelope(doc: Json): Finding[] {
  const ctx = new ReadContext(typeof doc.id === "string" ? doc.id : "sha256:test");
  return cloudTrailNormalizer.fromEnvelope(readEnvelope(doc, ctx), ctx, OPTIONS);
}

/** Reads a fixture as the dispatcher would: envelopes by detail-type, `{"Records":[...]}` record by record. */
function fromFixture(relPath: string): Finding[] {
  const doc = JSON.parse(fixtureText(relPath)) as Json;
  if ("detail-type" in doc) return fromEnvelope(doc);
  if (Array.isArray(doc.Records))
    return (doc.Records as Json[]).flatMap((record, i) => fromRecord(record, `$.Records[${i}]`));
  expect(bare.matches(doc)).toBe(true);
  return fromRecord(doc);
}

const types = (findings: Finding[]) => findings.map((f) => f.type).sort();
const only = (findings: Finding[], type: string) => {
  const matching = findings.filter((f) => f.type === type);
  expect(matching).toHaveLength(1);
  return matching[0]!;
};

describe("cloudTrailNormalizer: real fixtures", () => {
  // Why each fixture yields what it yields:
  // - CreateBucket by root is root use and nothing else (CreateBucket is no CIS bucket-policy event).
  // - A root console sign-in without MFA is both root use and a sign-in without MFA.
  // - CreateUser by root: root use, and a new IAM user (persistence); CreateUser is not one of the 16
  //   CIS IAM policy events.
  // - Control Tower's CreateManagedAccount is logged by controltower.amazonaws.com, invoked by Service
  //   Catalog for an SSO role: CIS 4.15 watches organizations.amazonaws.com only (the Organizations
  //   CreateAccount that Control Tower triggers is a record of its own), the caller is no root, and the
  //   call succeeded. No control applies.
  // - A SAML-federated sign-in reports MFAUsed "No" whatever the identity provider enforced, so the
  //   SSO-aware CIS 4.2 filter (IAM users only) does not count it.
  const EXPECTED: Record<string, string[]> = {
    "cloudtrail/eventbridge-api-call-s3-createbucket-root-cwe-docs.json": ["cis.root-account-use"],
    "cloudtrail/eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json": [
      "cis.console-signin-without-mfa",
      "cis.root-account-use",
    ],
    "cloudtrail/raw-cloudwatch-deletealarms-grimoire-elastic.json": ["ir.cloudwatch-alarms-deleted"],
    "cloudtrail/raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json": [
      "cis.config-change",
    ],
    "cloudtrail/raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json": [],
    "cloudtrail/raw-ec2-deleteflowlogs-grimoire-elastic.json": ["ir.vpc-flow-logs-deleted"],
    "cloudtrail/raw-iam-createuser-by-root-long-term-access-key-sekoia.json": [
      "cis.root-account-use",
      "ir.iam-persistence",
    ],
    "cloudtrail/raw-kms-schedulekeydeletion-awsdocs.json": ["cis.kms-key-disabled-or-deleted"],
    "cloudtrail/raw-records-kms-disablekey-awsdocs.json": ["cis.kms-key-disabled-or-deleted"],
    "cloudtrail/raw-signin-consolelogin-failure-hidden-username-iam-docs.json": ["cis.console-auth-failure"],
    "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json": [
      "cis.console-signin-without-mfa",
      "cis.root-account-use",
    ],
    "cloudtrail/raw-signin-consolelogin-saml-assumedrole-nomfa-trailing-newline-sekoia.json": [],
  };

  it("has an expectation for every CloudTrail fixture", () => {
    // Prepare
    const fixtures = fixturesIn("cloudtrail").sort();
    // Act
    const expected = Object.keys(EXPECTED).sort();
    // Assess
    expect(expected).toEqual(fixtures);
  });

  for (const [fixture, expected] of Object.entries(EXPECTED)) {
    it(`${fixture.replace("cloudtrail/", "")} → ${expected.join(" + ") || "no finding"}`, () => {
      // Act
      const findings = fromFixture(fixture);
      // Assess
      expect(types(findings)).toEqual(expected);
      for (const finding of findings) expect(findingSchema.parse(finding)).toEqual(finding);
    });
  }

  it("reads root CreateBucket from its EventBridge envelope into a complete finding", () => {
    // Prepare
    const doc = loadFixture("cloudtrail/eventbridge-api-call-s3-createbucket-root-cwe-docs.json");
    // Act
    const [finding] = fromFixture("cloudtrail/eventbridge-api-call-s3-createbucket-root-cwe-docs.json");
    // Assess
    expect(finding).toMatchObject({
      source: "cloudtrail",
      kind: "detection",
      type: "cis.root-account-use",
      category: "root-account-use",
      runbookId: "root-account-use",
      identity: findingIdentity("cloudtrail", "123456789012", doc.detail.eventID, "cis.root-account-use"),
      severity: { label: "HIGH" },
      accountId: "123456789012",
      region: "us-east-1",
      firstSeenAt: "2016-02-20T01:09:13.000Z",
      lastSeenAt: "2016-02-20T01:09:13.000Z",
      updatedAt: "2016-02-20T01:09:13.000Z",
      count: 1,
      archived: false,
      resources: [
        {
          type: "iam-principal",
          id: "arn:aws:iam::123456789012:root",
          arn: "arn:aws:iam::123456789012:root",
          principalType: "Root",
          name: "root",
        },
      ],
      actor: {
        principal: { arn: "arn:aws:iam::123456789012:root", type: "Root", accountId: "123456789012" },
        ip: "100.100.100.100",
        userAgent: "[S3Console/0.4]",
      },
      correlationKey: "123456789012|global|iam-principal:arn:aws:iam::123456789012:root",
      origin: {
        product: "CloudTrail",
        sourceId: doc.detail.eventID,
        cloudTrail: {
          eventName: "CreateBucket",
          eventSource: "s3.amazonaws.com",
          eventId: doc.detail.eventID,
        },
        rawRef: doc.id,
        rawPath: "$.detail",
      },
      warnings: [],
    });
    expect(finding!.title).toContain("CreateBucket");
    expect(finding!.title).toContain("arn:aws:iam::123456789012:root");
  });

  it("puts a disabled KMS key where its ARN says it lives, and locates the record in its log file", () => {
    // Act
    const [finding] = fromFixture("cloudtrail/raw-records-kms-disablekey-awsdocs.json");
    // Assess
    expect(finding!.region).toBe("us-east-1");
    expect(finding!.resources[0]).toEqual({
      type: "kms-key",
      id: "1234abcd-12ab-34cd-56ef-1234567890ab",
      arn: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      accountId: "111122223333",
      region: "us-west-2",
    });
    expect(finding!.origin.rawPath).toBe("$.Records[0]");
    expect(finding!.severity.label).toBe("HIGH");
  });

  it("names no key from a KMS ARN that ends at `key/`, and says the finding is about the account", () => {
    // Prepare
    const record = loadFixture("cloudtrail/raw-records-kms-disablekey-awsdocs.json").Records[0];
    record.requestParameters.keyId = "arn:aws:kms:us-west-2:111122223333:key/";
    delete record.resources;
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(findingSchema.safeParse(finding).success).toBe(true);
    expect(finding!.resources[0]).toMatchObject({ type: "aws-account", id: "111122223333" });
    expect(finding!.warnings.map((w) => w.code)).toContain("resource_not_found");
  });

  it("takes the key from the record's resources when keyId is an ARN that ends at `key/`", () => {
    // Prepare
    const record = loadFixture("cloudtrail/raw-records-kms-disablekey-awsdocs.json").Records[0];
    record.requestParameters.keyId = "arn:aws:kms:us-west-2:111122223333:key/";
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(finding!.resources[0]).toMatchObject({
      type: "kms-key",
      id: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
  });

  it("ignores the non-ISO deletionDate inside responseElements", () => {
    // Act
    const [finding] = fromFixture("cloudtrail/raw-kms-schedulekeydeletion-awsdocs.json");
    // Assess
    expect(finding!.warnings).toEqual([]);
    expect(finding!.firstSeenAt).toBe("2021-03-23T18:58:30.000Z");
    expect(finding!.resources[0]!.id).toBe("1234abcd-12ab-34cd-56ef-1234567890ab");
  });

  it("keeps 9-, 10- and 13-digit account ids as written", () => {
    // Act
    const accounts = [
      "cloudtrail/raw-ec2-deleteflowlogs-grimoire-elastic.json",
      "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json",
      "cloudtrail/raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json",
    ].map((fixture) => fromFixture(fixture)[0]!.accountId);
    // Assess
    expect(accounts).toEqual(["000000000", "1111111111", "1010101010101"]);
  });

  it("reads the XML-style DeleteFlowLogs request and lists the flow log deleted", () => {
    // Act
    const [finding] = fromFixture("cloudtrail/raw-ec2-deleteflowlogs-grimoire-elastic.json");
    // Assess
    expect(finding!.category).toBe("logging-tampering");
    expect(finding!.resources).toEqual([
      { type: "aws-account", id: "000000000", accountId: "000000000" },
      {
        type: "other",
        id: "fl-07a9b55570fe770b6",
        accountId: "000000000",
        region: "us-east-1",
        sourceType: "AwsEc2FlowLog",
      },
    ]);
  });

  it("lists the alarms DeleteAlarms removed", () => {
    // Act
    const [finding] = fromFixture("cloudtrail/raw-cloudwatch-deletealarms-grimoire-elastic.json");
    // Assess
    expect(finding!.resources.map((r) => `${r.type}:${r.id}`)).toEqual([
      "aws-account:000000000",
      "cloudwatch-alarm:cpu-mon",
    ]);
  });

  it("rates a stopped Config recorder HIGH", () => {
    // Act
    const [finding] = fromFixture(
      "cloudtrail/raw-config-stopconfigurationrecorder-13digit-account-grimoire-elastic.json",
    );
    // Assess
    expect(finding!.severity.label).toBe("HIGH");
    expect(finding!.category).toBe("logging-tampering");
  });

  it("keeps a hidden user name as written but makes the account, not the mask, the resource", () => {
    // Act
    const [finding] = fromFixture("cloudtrail/raw-signin-consolelogin-failure-hidden-username-iam-docs.json");
    // Assess
    expect(finding!.actor?.principal?.name).toBe(HIDDEN_USER_NAME);
    expect(finding!.resources[0]).toEqual({
      type: "aws-account",
      id: "123456789012",
      accountId: "123456789012",
    });
    expect(finding!.identity).toBe(
      findingIdentity(
        "cloudtrail",
        "123456789012",
        "a7654656-0417-45c6-9386-ea8231385051",
        "cis.console-auth-failure",
      ),
    );
    expect(finding!.severity.label).toBe("LOW");
    expect(finding!.description).toContain("No username found in supplied account");
    expect(finding!.warnings.map((w) => w.code)).toContain("resource_not_found");
  });

  it("reads the SAML sign-in from text ending in a newline, and counts an IAM user's twin as without MFA", () => {
    // Prepare
    const text = fixtureText(
      "cloudtrail/raw-signin-consolelogin-saml-assumedrole-nomfa-trailing-newline-sekoia.json",
    );
    const record = JSON.parse(text) as Json;
    const asIamUser = {
      ...record,
      userIdentity: { ...(record.userIdentity as Json), type: "IAMUser", userName: "user@example.org" },
    };
    // Act
    const federated = fromRecord(record);
    const iamUser = fromRecord(asIamUser);
    // Assess
    expect(text.endsWith("\n")).toBe(true);
    expect(federated).toEqual([]);
    expect(types(iamUser)).toEqual(["cis.console-signin-without-mfa"]);
  });

  it("names a service caller as a domain, and falls back from an all-zero eventID", () => {
    // Prepare: the Control Tower record, refused, so that a detection applies.
    const record = {
      ...loadFixture(
        "cloudtrail/raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json",
      ),
      errorCode: "AccessDenied",
    };
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(finding!.type).toBe("cis.unauthorized-api-calls");
    expect(finding!.actor?.ip).toBeUndefined();
    expect(finding!.actor?.domain).toBe("servicecatalog.amazonaws.com");
    expect(finding!.actor?.principal?.name).toBe("AWSReservedSSO_AWSAdministratorAccess_abcdef1234567890");
    expect(finding!.origin.sourceId).toBe("2024-07-10T16:48:26.000Z/CreateManagedAccount/no-request-id");
    expect(finding!.origin.cloudTrail?.eventId).toBeUndefined();
    expect(finding!.warnings.map((w) => w.code)).toContain("placeholder_id");
  });

  it("would see Organizations' own CreateAccount record, which Control Tower's call is not", () => {
    // Prepare
    const record = {
      ...loadFixture(
        "cloudtrail/raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json",
      ),
      eventSource: "organizations.amazonaws.com",
      eventName: "CreateAccount",
    };
    // Act
    const findings = fromRecord(record);
    // Assess
    expect(types(findings)).toEqual(["cis.organizations-change"]);
    expect(findings[0]!.severity.label).toBe("MEDIUM");
  });
});

describe("cloudTrailNormalizer: documented records", () => {
  it("StopLogging is a HIGH trail change on the trail, named by ARN", () => {
    // Act
    const findings = fromRecord(makeStopLogging());
    // Assess
    expect(types(findings)).toEqual(["cis.cloudtrail-config-change"]);
    expect(findings[0]!.severity.label).toBe("HIGH");
    expect(findings[0]!.resources[0]).toEqual({
      type: "cloudtrail-trail",
      id: "management-events",
      arn: TRAIL_ARN,
      accountId: ACCOUNT,
      region: "us-east-1",
    });
  });

  it("DeleteTrail by name correlates with StopLogging by ARN; StartLogging is MEDIUM", () => {
    // Act
    const [deleted] = fromRecord(makeDeleteTrail());
    const [stopped] = fromRecord(makeStopLogging());
    const [started] = fromRecord(makeStopLogging({ eventName: "StartLogging" }));
    // Assess
    expect(deleted!.severity.label).toBe("HIGH");
    expect(deleted!.correlationKey).toBe(stopped!.correlationKey);
    expect(started!.severity.label).toBe("MEDIUM");
  });

  it("CreateAccessKey by root is root use and a CRITICAL root key, listing the new key", () => {
    // Act
    const findings = fromRecord(makeRootCreateAccessKey());
    // Assess
    expect(types(findings)).toEqual(["cis.root-account-use", "ir.root-access-key-created"]);
    const key = only(findings, "ir.root-access-key-created");
    expect(key.severity).toEqual({ label: "CRITICAL", score: 95 });
    expect(key.resources.map((r) => `${r.type}:${r.id}`)).toEqual([
      `iam-principal:arn:aws:iam::${ACCOUNT}:root`,
      "access-key:AKIAI44QH8DHBEXAMPLE",
    ]);
    expect(new Set(findings.map((f) => f.identity)).size).toBe(2);
  });

  it("root creating a key for an IAM user is root use, not a root key", () => {
    // Act
    const findings = fromRecord(makeRootCreateAccessKey({ requestParameters: { userName: "Bob" } }));
    // Assess
    expect(types(findings)).toEqual(["cis.root-account-use"]);
  });

  it("AttachUserPolicy is an IAM policy change by its caller, naming the target", () => {
    // Act
    const [finding, ...rest] = fromRecord(makeAttachUserPolicy());
    // Assess
    expect(rest).toEqual([]);
    expect(finding!.type).toBe("cis.iam-policy-change");
    expect(finding!.severity.label).toBe("MEDIUM");
    expect(finding!.resources[0]).toMatchObject({
      type: "iam-principal",
      id: `arn:aws:iam::${ACCOUNT}:user/Mary_Major`,
      principalType: "IAMUser",
      name: "Mary_Major",
    });
    expect(finding!.description).toContain("userName Bob");
    expect(finding!.description).toContain("arn:aws:iam::aws:policy/AdministratorAccess");
  });

  it("AttachUserPolicy by root yields one finding per matched detection", () => {
    // Act
    const findings = fromRecord(makeAttachUserPolicy({ userIdentity: rootIdentity() }));
    // Assess
    expect(types(findings)).toEqual(["cis.iam-policy-change", "cis.root-account-use"]);
    expect(findings.every((f) => f.origin.sourceId === findings[0]!.origin.sourceId)).toBe(true);
  });

  for (const [cidr, ruleId] of [
    ["0.0.0.0/0", "sgr-0abc000000000000"],
    ["::/0", "sgr-0abc000000000000"],
  ] as const) {
    it(`AuthorizeSecurityGroupIngress from ${cidr} opens the group to the world (HIGH)`, () => {
      // Act
      const findings = fromRecord(makeAuthorizeIngress([cidr]));
      // Assess
      expect(types(findings)).toEqual(["cis.security-group-change", "ir.security-group-world-open"]);
      const open = only(findings, "ir.security-group-world-open");
      expect(open.severity.label).toBe("HIGH");
      expect(open.category).toBe("security-group-exposure");
      expect(open.resources[0]).toEqual({
        type: "security-group",
        id: SECURITY_GROUP,
        accountId: ACCOUNT,
        region: "us-east-1",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr, worldOpen: true, ruleId }],
      });
      expect(open.description).toContain(`port 22 from ${cidr} (the whole internet)`);
      expect(only(findings, "cis.security-group-change").correlationKey).toBe(open.correlationKey);
    });
  }

  it("a private range is a security group change, not a world-open one", () => {
    // Act
    const findings = fromRecord(makeAuthorizeIngress(["10.0.0.0/8"]));
    // Assess
    expect(types(findings)).toEqual(["cis.security-group-change"]);
    expect(findings[0]!.severity.label).toBe("LOW");
    expect(findings[0]!.resources[0]).toMatchObject({
      type: "security-group",
      id: SECURITY_GROUP,
      ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "10.0.0.0/8", worldOpen: false }],
    });
  });

  it("flags each rule of a mixed request and matches each to the rule EC2 created", () => {
    // Act
    const open = only(
      fromRecord(makeAuthorizeIngress(["10.0.0.0/8", "0:0:0:0:0:0:0:0/0"])),
      "ir.security-group-world-open",
    );
    // Assess
    const ingress = open.resources[0]!.type === "security-group" ? open.resources[0]!.ingress : undefined;
    expect(ingress).toEqual([
      {
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidr: "10.0.0.0/8",
        worldOpen: false,
        ruleId: "sgr-0abc000000000000",
      },
      {
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidr: "0:0:0:0:0:0:0:0/0",
        worldOpen: true,
        ruleId: "sgr-0abc000000000001",
      },
    ]);
  });

  it("reads the legacy single-rule request and ports written as strings", () => {
    // Prepare
    const record = makeAuthorizeIngress([], {
      requestParameters: {
        groupId: SECURITY_GROUP,
        ipProtocol: "tcp",
        fromPort: "3389",
        toPort: "3389",
        cidrIp: "0/0",
      },
      responseElements: { _return: true },
    });
    // Act
    const open = only(fromRecord(record), "ir.security-group-world-open");
    // Assess
    expect(open.resources[0]).toMatchObject({
      ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidr: "0/0", worldOpen: true }],
    });
    expect(open.warnings.map((w) => w.code)).toEqual(["coerced_number", "coerced_number"]);
  });

  it("a refused world-open request opened nothing: change + unauthorized, no world-open finding", () => {
    // Act
    const findings = fromRecord(
      makeAuthorizeIngress(["0.0.0.0/0"], {
        errorCode: "Client.UnauthorizedOperation",
        responseElements: null,
      }),
    );
    // Assess
    expect(types(findings)).toEqual(["cis.security-group-change", "cis.unauthorized-api-calls"]);
    expect(only(findings, "cis.security-group-change").title).toContain(
      "(failed: Client.UnauthorizedOperation)",
    );
  });

  it("PutBucketPolicy is a bucket policy change on the bucket", () => {
    // Act
    const findings = fromRecord(makePutBucketPolicy());
    // Assess
    expect(types(findings)).toEqual(["cis.s3-bucket-policy-change"]);
    expect(findings[0]!.category).toBe("s3-data-exposure");
    expect(findings[0]!.resources[0]).toEqual({
      type: "s3-bucket",
      id: BUCKET,
      arn: `arn:aws:s3:::${BUCKET}`,
      accountId: ACCOUNT,
    });
    expect(findings[0]!.correlationKey).toBe(`${ACCOUNT}|global|s3-bucket:${BUCKET}`);
  });

  it("DeleteDetector disables GuardDuty (HIGH) and names the detector", () => {
    // Act
    const findings = fromRecord(makeDeleteDetector());
    // Assess
    expect(types(findings)).toEqual(["ir.guardduty-disabled"]);
    expect(findings[0]!.severity.label).toBe("HIGH");
    expect(findings[0]!.resources.map((r) => `${r.type}:${r.id}`)).toEqual([
      `aws-account:${ACCOUNT}`,
      `other:${DETECTOR}`,
    ]);
  });

  it("UpdateDetector counts only when it suspends the detector", () => {
    // Prepare
    const update = (enable: unknown) =>
      makeDeleteDetector({
        eventName: "UpdateDetector",
        requestParameters: { detectorId: DETECTOR, enable },
      });
    // Act
    const suspended = fromRecord(update(false));
    const tuned = fromRecord(update(true));
    // Assess
    expect(types(suspended)).toEqual(["ir.guardduty-disabled"]);
    expect(tuned).toEqual([]);
  });

  it("DisableSecurityHub disables Security Hub; the same-named disassociation is told apart by service", () => {
    // Act
    const disabled = fromRecord(makeDisableSecurityHub());
    const hubLeft = fromRecord(makeDisableSecurityHub({ eventName: "DisassociateFromAdministratorAccount" }));
    const dutyLeft = fromRecord(makeDeleteDetector({ eventName: "DisassociateFromAdministratorAccount" }));
    // Assess
    expect(types(disabled)).toEqual(["ir.securityhub-disabled"]);
    expect(disabled[0]!.severity.label).toBe("HIGH");
    expect(types(hubLeft)).toEqual(["ir.securityhub-disabled"]);
    expect(types(dutyLeft)).toEqual(["ir.guardduty-disabled"]);
  });

  for (const errorCode of ["AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"])
    it(`errorCode ${errorCode} is an unauthorized API call by the caller`, () => {
      // Act
      const findings = fromRecord(makeAccessDenied({ errorCode }));
      // Assess
      expect(types(findings)).toEqual(["cis.unauthorized-api-calls"]);
      expect(findings[0]!.severity.label).toBe("LOW");
      expect(findings[0]!.resources[0]!.id).toBe(`arn:aws:iam::${ACCOUNT}:user/Mary_Major`);
      expect(findings[0]!.title).toContain(`(failed: ${errorCode})`);
    });

  it("other errors are not unauthorized calls", () => {
    // Act
    const findings = fromRecord(makeAccessDenied({ errorCode: "ThrottlingException" }));
    // Assess
    expect(findings).toEqual([]);
  });

  it("a failed console sign-in of a known user is about that user", () => {
    // Act
    const findings = fromRecord(makeConsoleLoginFailure());
    // Assess
    expect(types(findings)).toEqual(["cis.console-auth-failure"]);
    expect(findings[0]!.resources[0]).toEqual({
      type: "iam-principal",
      id: "AIDACKCEVSQ6C2EXAMPLE",
      accountId: ACCOUNT,
      principalType: "IAMUser",
      name: "Mary_Major",
    });
    expect(findings[0]!.actor?.principal?.accessKeyId).toBeUndefined();
  });

  it("leaving the organization is HIGH; creating an account is MEDIUM", () => {
    // Prepare
    const org = (eventName: string) =>
      makeCloudTrailRecord({ eventSource: "organizations.amazonaws.com", eventName });
    // Act
    const [left] = fromRecord(org("LeaveOrganization"));
    const [created] = fromRecord(org("CreateAccount"));
    // Assess
    expect(left!.severity.label).toBe("HIGH");
    expect(created!.severity.label).toBe("MEDIUM");
  });

  it("a call about one instance is about that instance", () => {
    // Prepare
    const record = makeAccessDenied({
      eventSource: "config.amazonaws.com",
      eventName: "PutConfigurationRecorder",
      errorCode: undefined,
      requestParameters: { instanceId: "i-0abcd1234efgh5678" },
    });
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(finding!.resources[0]).toMatchObject({ type: "ec2-instance", id: "i-0abcd1234efgh5678" });
  });

  it("an event no detection matches yields no finding", () => {
    // Act
    const findings = fromRecord(makeCloudTrailRecord());
    // Assess
    expect(findings).toEqual([]);
  });

  it("keeps untrusted text verbatim (rendering escapes it later)", () => {
    // Prepare
    const userName = "<!channel> & <https://evil.example|click>";
    const record = makeAccessDenied({
      userIdentity: { type: "IAMUser", accountId: ACCOUNT, userName, principalId: "AIDAEXAMPLE" },
    });
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(finding!.title).toContain(userName);
    expect(finding!.actor?.principal?.name).toBe(userName);
  });

  it("falls back to eventTime + eventName + requestID when there is no eventID", () => {
    // Prepare
    const record = makeStopLogging({ eventID: undefined, requestID: "req-1" });
    // Act
    const [finding] = fromRecord(record);
    // Assess
    expect(finding!.origin.sourceId).toBe("2024-05-01T10:00:00.000Z/StopLogging/req-1");
    expect(finding!.identity).toBe(
      findingIdentity(
        "cloudtrail",
        ACCOUNT,
        "2024-05-01T10:00:00.000Z/StopLogging/req-1",
        "cis.cloudtrail-config-change",
      ),
    );
  });

  it("looks up event names as data: 'toString' or 'constructor' are just names", () => {
    // Act
    const findings = fromRecord(makeAccessDenied({ eventName: "toString" }));
    // Assess
    expect(findings.map((f) => f.severity)).toEqual([{ label: "LOW", score: 20 }]);
  });
});

describe("cloudTrailNormalizer: descriptions and callers", () => {
  it("describes each finding of a record by its detection, then the call, its resource and its target", () => {
    // Prepare
    const record = makeAttachUserPolicy({ userIdentity: rootIdentity() });
    const rootArn = rootIdentity().arn;
    const call = `AttachUserPolicy (iam.amazonaws.com) was called by ${rootArn} from 198.51.100.7 in us-east-1 at 2024-05-01T10:00:00.000Z.`;
    const target = " Target: userName Bob, policyArn arn:aws:iam::aws:policy/AdministratorAccess.";
    const detection = (id: string) => CLOUDTRAIL_DETECTIONS.find((d) => d.id === id)!;
    // Act
    const findings = fromRecord(record);
    // Assess
    expect(findings.map((f) => [f.type, f.description])).toEqual(
      ["cis.root-account-use", "cis.iam-policy-change"].map((id) => [
        id,
        `${detection(id).description} ${call} Resource: iam-principal ${rootArn}.${target}`,
      ]),
    );
    expect(findings.map((f) => f.title)).toEqual([
      `Root account used: AttachUserPolicy by ${rootArn}`,
      `IAM policy changed: AttachUserPolicy by ${rootArn}`,
    ]);
  });

  it("says how a failed call failed, or what a sign-in failure said", () => {
    // Act
    const [refused] = fromRecord(
      makeAccessDenied({
        errorCode: "AccessDenied",
        errorMessage: "not authorized",
        sourceIPAddress: undefined,
      }),
    );
    const [signIn] = fromRecord(makeConsoleLoginFailure());
    // Assess
    expect(refused!.description).toContain(
      " in us-east-1 at 2024-05-01T10:00:00.000Z; it failed with AccessDenied (not authorized).",
    );
    expect(refused!.title).toContain("(failed: AccessDenied)");
    expect(signIn!.description).toContain(`: ${makeConsoleLoginFailure().errorMessage}.`);
  });

  it("names the caller's address as an ip exactly when it is an IP address, else as a domain", () => {
    // Prepare
    const part = fc.oneof(
      fc.nat({ max: 999 }).map(String),
      fc.constantFrom("0", "00", "0255", "256", "", "x", "1e2"),
    );
    const address = fc
      .oneof(
        fc.array(part, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(".")),
        fc.constantFrom(
          " 10.0.0.1 ",
          "2001:db8::1",
          "::ffff:10.0.0.1",
          "ec2.amazonaws.com",
          "AWS Internal",
          "0/0",
        ),
        fc.string({ minLength: 1, maxLength: 16 }),
      )
      .filter((text) => text !== ""); // an empty address is no address: see below
    fc.assert(
      fc.property(address, (sourceIPAddress) => {
        // Act
        const [finding] = fromRecord(makeAccessDenied({ sourceIPAddress }));
        // Assess
        const isIp = parseIp(sourceIPAddress) !== undefined;
        expect(finding!.actor?.ip).toBe(isIp ? sourceIPAddress : undefined);
        expect(finding!.actor?.domain).toBe(isIp ? undefined : sourceIPAddress);
      }),
      { numRuns: 500 },
    );
    const [unaddressed] = fromRecord(makeAccessDenied({ sourceIPAddress: "" }));
    expect(unaddressed!.actor).not.toHaveProperty("ip");
    expect(unaddressed!.actor).not.toHaveProperty("domain");
  });
});

describe("cloudTrailNormalizer: envelopes", () => {
  it("declares the CloudTrail detail-types", () => {
    // Assess
    expect([...cloudTrailNormalizer.detailTypes].sort()).toEqual([
      "AWS API Call via CloudTrail",
      "AWS Console Sign In via CloudTrail",
    ]);
  });

  it("reads a CloudTrail record whose envelope says source aws.guardduty like the bare record", () => {
    // Prepare
    const record = makeStopLogging();
    const envelope = makeCloudTrailEnvelope(record, { source: "aws.guardduty" });
    // Act
    const wrapped = fromEnvelope(envelope);
    const alone = fromRecord(record);
    // Assess
    expect(wrapped.map((f) => ({ ...f, origin: { ...f.origin, rawRef: "", rawPath: "" } }))).toEqual(
      alone.map((f) => ({ ...f, origin: { ...f.origin, rawRef: "", rawPath: "" } })),
    );
    expect(wrapped[0]!.origin).toMatchObject({ rawPath: "$.detail", rawRef: envelope.id });
  });

  it("fills account, region and time from the envelope when the record lacks them", () => {
    // Prepare
    const record = makeDeleteDetector({
      recipientAccountId: undefined,
      userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::210987654321:assumed-role/Ops/kim" },
      awsRegion: undefined,
      eventTime: undefined,
    });
    const envelope = makeCloudTrailEnvelope(record, {
      account: "210987654321",
      region: "eu-west-1",
      time: "2024-05-02T08:00:00Z",
    });
    // Act
    const [finding] = fromEnvelope(envelope);
    // Assess
    expect(finding).toMatchObject({
      accountId: "210987654321",
      region: "eu-west-1",
      firstSeenAt: "2024-05-02T08:00:00.000Z",
    });
    expect(finding!.warnings.map((w) => w.code)).toEqual(["fallback_time"]);
  });

  it("refuses a record without eventName or eventSource, naming the path", () => {
    // Prepare
    const noName = makeCloudTrailEnvelope(makeStopLogging({ eventName: undefined }));
    const noSource = makeStopLogging({ eventSource: undefined });
    // Act
    const errors = [() => fromEnvelope(noName), () => fromRecord(noSource, "$.Records[3]")].map((read) => {
      try {
        read();
      } catch (e) {
        return e;
      }
      return undefined;
    });
    // Assess
    expect(errors[0]).toBeInstanceOf(InputError);
    expect(errors[0]).toMatchObject({ code: "missing_field", path: "$.detail.eventName" });
    expect(errors[1]).toMatchObject({ code: "missing_field", path: "$.Records[3].eventSource" });
  });

  it("refuses a matching record whose time cannot be read", () => {
    // Act
    const read = () => fromRecord(makeStopLogging({ eventTime: "yesterday-ish" }));
    // Assess
    expect(read).toThrow(InputError);
    expect(read).toThrow(/eventTime/);
  });

  it("recognises bare records by shape only", () => {
    // Assess
    expect(bare.matches(makeStopLogging())).toBe(true);
    expect(
      bare.matches(
        loadFixture(
          "cloudtrail/raw-detail-controltower-createmanagedaccount-sso-assumedrole-invokedby-rust-runtime.json",
        ),
      ),
    ).toBe(true);
    expect(bare.matches({ eventSource: "s3.amazonaws.com", eventName: "PutBucketPolicy" })).toBe(false);
    expect(
      bare.matches(loadFixture("guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json")),
    ).toBe(false);
  });
});

// ── Properties ───────────────────────────────────────────────────────────────────────────────────

const BASES: CloudTrailRecord[] = [
  makeStopLogging(),
  makeRootCreateAccessKey(),
  makeAttachUserPolicy({ userIdentity: rootIdentity() }),
  makeAuthorizeIngress(["0.0.0.0/0", "::/0", "10.0.0.0/8"]),
  makePutBucketPolicy(),
  makeDeleteDetector({
    eventName: "UpdateDetector",
    requestParameters: { detectorId: DETECTOR, enable: false },
  }),
  makeDisableSecurityHub(),
  makeAccessDenied(),
  makeConsoleLoginFailure(),
  ...fixturesIn("cloudtrail").flatMap((f) => {
    const doc = loadFixture(f);
    return doc.detail ? [doc.detail] : doc.Records ? doc.Records : [doc];
  }),
];

const PATHS = [
  "eventName",
  "eventSource",
  "eventTime",
  "eventID",
  "requestID",
  "eventType",
  "errorCode",
  "errorMessage",
  "recipientAccountId",
  "awsRegion",
  "sourceIPAddress",
  "userAgent",
  "resources",
  "userIdentity",
  "userIdentity.type",
  "userIdentity.arn",
  "userIdentity.userName",
  "userIdentity.invokedBy",
  "userIdentity.sessionContext",
  "userIdentity.sessionContext.sessionIssuer",
  "additionalEventData",
  "additionalEventData.MFAUsed",
  "requestParameters",
  "requestParameters.groupId",
  "requestParameters.name",
  "requestParameters.keyId",
  "requestParameters.bucketName",
  "requestParameters.userName",
  "requestParameters.enable",
  "requestParameters.ipPermissions",
  "requestParameters.ipPermissions.items",
  "responseElements",
  "responseElements.ConsoleLogin",
  "responseElements.keyId",
  "responseElements.securityGroupRuleSet",
  "responseElements.securityGroupRuleSet.items",
];

const interesting = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    "0.0.0.0/0",
    "::/0",
    "Root",
    "IAMUser",
    "AccessDenied",
    "Success",
    "Failure",
    "constructor",
    "__proto__",
    HIDDEN_USER_NAME,
    "",
    " ",
    "00000000-0000-0000-0000-000000000000",
    "arn:aws:kms:us-west-2:111122223333:key/",
    "arn:aws:cloudtrail:::trail/",
    { items: [{ cidrIp: "0.0.0.0/0" }, null, 7] },
    { content: { tag: 1 } },
  ),
);

/** Sets (or, with undefined, deletes) a dotted path, making the parents objects when they are not. */
function setPath(doc: Json, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = doc;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const mutatedRecord = fc
  .record({
    base: fc.constantFrom(...BASES),
    edits: fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.option(interesting, { nil: undefined })), {
      minLength: 1,
      maxLength: 6,
    }),
  })
  .map(({ base, edits }) => {
    const doc = structuredClone(base) as Json;
    for (const [path, value] of edits) setPath(doc, path, value);
    return doc;
  });

/** Findings on success, or the error; anything but InputError fails the property. */
function readSafely(read: () => Finding[]): Finding[] {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return [];
  }
}

describe("cloudTrailNormalizer: properties", () => {
  it("mutated records throw only InputError, and every finding satisfies the schema", () => {
    fc.assert(
      fc.property(mutatedRecord, (record) => {
        for (const finding of readSafely(() => fromRecord(record))) {
          expect(findingSchema.parse(finding)).toEqual(finding);
          expect(finding.identity.startsWith("cloudtrail:")).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("mutated records inside envelopes throw only InputError, and findings satisfy the schema", () => {
    fc.assert(
      fc.property(
        mutatedRecord,
        fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
        (record, account) => {
          const envelope = makeCloudTrailEnvelope(record, { account });
          for (const finding of readSafely(() => fromEnvelope(envelope)))
            expect(findingSchema.parse(finding)).toEqual(finding);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("arbitrary objects throw only InputError", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...PATHS, "x", "Records"), fc.jsonValue({ maxDepth: 3 })),
        (doc) => {
          for (const finding of readSafely(() => fromRecord(doc as Json))) findingSchema.parse(finding);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an ingress range opens the group to the world exactly when the range is the whole address space", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const cidr = fc.oneof(
      fc
        .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 }))
        .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
      fc.constantFrom("0.0.0.0/0", "0/0", "::/0", "0::0/0", "::/1", "2001:db8::/32", "0.0.0.0/1", "0.0.0.0"),
    );
    fc.assert(
      fc.property(cidr, (range) => {
        const findings = fromRecord(makeAuthorizeIngress([range]));
        expect(findings.some((f) => f.type === "ir.security-group-world-open")).toBe(isWorldOpen(range));
        expect(findings.some((f) => f.type === "cis.security-group-change")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
