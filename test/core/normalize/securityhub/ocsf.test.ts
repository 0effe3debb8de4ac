import { describe, expect, it } from "vitest";
import { categoryForGuardDutyType } from "../../../../core/detections/guardduty-categories";
import { findingIdentity, guardDutyIdentity } from "../../../../core/findings/correlation";
import { findingSchema } from "../../../../core/findings/finding";
import { securityHubNormalizer } from "../../../../core/normalize/securityhub";
import {
  fromBare,
  fromEvent,
  makeFindingsImportedV2Event,
  makeGuardDutyAsffFinding,
  makeOcsfComplianceFinding,
  makeOcsfGuardDutyFinding,
  makeSecurityGroupControlFinding,
  thrown,
} from "../../../support/securityhub.factory";

describe("Findings Imported V2 (OCSF)", () => {
  it("reads a GuardDuty Detection Finding with the GuardDuty identity and type", () => {
    // Prepare
    const ocsf = makeOcsfGuardDutyFinding();
    const event = makeFindingsImportedV2Event([ocsf]);

    // Act
    const [finding] = fromEvent(event);

    // Assess
    expect(findingSchema.parse(finding)).toEqual(finding);
    expect(finding!.identity).toBe(
      guardDutyIdentity(ocsf.cloud.account.uid, ocsf.cloud.region, ocsf.finding_info.uid_alt),
    );
    expect(finding!.type).toBe("Stealth:IAMUser/CloudTrailLoggingDisabled");
    expect(finding!.category).toBe(categoryForGuardDutyType("Stealth:IAMUser/CloudTrailLoggingDisabled"));
    expect(finding!.severity.label).toBe("LOW");
    expect(finding!.kind).toBe("detection");
    expect(finding!.count).toBe(264);
    expect(finding!.firstSeenAt).toBe(ocsf.finding_info.first_seen_time_dt);
    expect(finding!.lastSeenAt).toBe(ocsf.finding_info.last_seen_time_dt);
    expect(finding!.updatedAt).toBe(ocsf.finding_info.modified_time_dt);
    expect(finding!.resources[0]).toMatchObject({
      type: "access-key",
      id: "ASIA4U76YS3TB3MEOA3O",
      userName: "cis_automation",
      userType: "AssumedRole",
      accountId: ocsf.cloud.account.uid,
    });
    expect(finding!.actor).toMatchObject({
      ip: "198.51.100.7",
      principal: { name: "cis_automation", accessKeyId: "ASIA4U76YS3TB3MEOA3O" },
    });
    expect(finding!.origin).toMatchObject({
      product: "GuardDuty",
      sourceId: ocsf.finding_info.uid,
      securityHub: {
        id: ocsf.finding_info.uid,
        productArn: ocsf.metadata.product.uid,
        workflowStatus: "New",
      },
      guardDuty: { detectorId: "b4c71b47fb852d3fc0e99a82fa2841aa", findingId: ocsf.finding_info.uid_alt },
      rawPath: "$.detail.findings[0]",
    });
    expect(finding!.warnings).toEqual([]);
  });

  it("gives the OCSF and ASFF copies of one GuardDuty finding the same identity", () => {
    // Prepare
    const ocsf = makeOcsfGuardDutyFinding();
    const asff = makeGuardDutyAsffFinding({
      Id: ocsf.finding_info.uid,
      AwsAccountId: ocsf.cloud.account.uid,
      Types: ["TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled"],
    });

    // Act
    const [fromOcsf] = fromEvent(makeFindingsImportedV2Event([ocsf]));
    const [fromAsff] = fromBare(asff);

    // Assess
    expect(fromOcsf!.identity).toBe(fromAsff!.identity);
    expect(fromOcsf!.type).toBe(fromAsff!.type);
  });

  it("reads a Security Hub CSPM control as a Compliance Finding", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding();

    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([ocsf]));

    // Assess
    expect(finding!.identity).toBe(findingIdentity("securityhub", ocsf.finding_info.uid));
    expect(finding!.type).toBe("S3.1");
    expect(finding!.category).toBe("s3-data-exposure");
    expect(finding!.severity.label).toBe("HIGH");
    expect(finding!.kind).toBe("detection");
    expect(finding!.region).toBe("ap-northeast-1");
    expect(finding!.resources[0]).toMatchObject({
      type: "s3-bucket",
      id: "my-public-bucket",
      arn: "arn:aws:s3:::my-public-bucket",
    });
    expect(finding!.origin.securityHub).toMatchObject({
      complianceStatus: "Fail",
      productArn: ocsf.metadata.product.uid,
    });
  });

  it("gives the OCSF and ASFF copies of one control finding the same identity", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding();
    const asff = makeSecurityGroupControlFinding([], { Id: ocsf.finding_info.uid });

    // Act
    const [fromOcsf] = fromEvent(makeFindingsImportedV2Event([ocsf]));
    const [fromAsff] = fromBare(asff);

    // Assess
    expect(fromOcsf!.identity).toBe(fromAsff!.identity);
  });

  it.each([
    [{ compliance: { control: "S3.1", status: "Pass", status_id: 1 } }, "recovery", false],
    [{ status: "Resolved", status_id: 4 }, "recovery", false],
    [{ status: "Suppressed", status_id: 3 }, "recovery", false],
    [{ status: "Archived", status_id: 5 }, "recovery", true],
    [{ activity_id: 3, activity_name: "Close" }, "recovery", true],
    [{ status: "In Progress", status_id: 2 }, "detection", false],
  ])("reads %j as a %s", (overrides, kind, archived) => {
    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([makeOcsfComplianceFinding(overrides)]));

    // Assess
    expect(finding!.kind).toBe(kind);
    expect(finding!.archived).toBe(archived);
  });

  it.each([
    [{ severity_id: 5, severity: "Critical" }, "CRITICAL"],
    [{ severity_id: 6, severity: "Fatal" }, "CRITICAL"],
    [{ severity_id: 1, severity: "Informational" }, "INFORMATIONAL"],
    [{ severity_id: 99, severity: "Medium" }, "MEDIUM"],
    [{ severity_id: undefined, severity: undefined }, "HIGH"],
  ])("reads severity %j as %s", (overrides, label) => {
    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([makeOcsfComplianceFinding(overrides)]));

    // Assess: the last row falls back on vendor_attributes.severity ("High").
    expect(finding!.severity.label).toBe(label);
  });

  it("reads a numbered control as a CIS control", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding({
      compliance: { control: "3.1", status: "Fail" },
      finding_info: {
        ...makeOcsfComplianceFinding().finding_info,
        title: "Ensure CloudTrail is enabled in all regions",
      },
    });

    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([ocsf]));

    // Assess
    expect(finding!.type).toBe("CIS 3.1");
    expect(finding!.category).toBe("logging-tampering");
  });

  it("reads epoch-millisecond times without a warning", () => {
    // Prepare
    const ocsf = makeOcsfGuardDutyFinding();
    const info = ocsf.finding_info;
    for (const key of ["first_seen_time_dt", "last_seen_time_dt", "modified_time_dt", "created_time_dt"])
      delete info[key];

    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([ocsf]));

    // Assess
    expect(finding!.firstSeenAt).toBe(new Date(info.first_seen_time).toISOString());
    expect(finding!.updatedAt).toBe(new Date(info.modified_time).toISOString());
    expect(finding!.warnings).toEqual([]);
  });

  it("puts a Data Security Finding's bucket first", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding({
      class_uid: 2006,
      metadata: { product: { name: "Macie", uid: "arn:aws:securityhub:us-east-1::productv2/aws/macie" } },
      compliance: undefined,
      databucket: { name: "payroll", uid: "arn:aws:s3:::payroll", type: "S3" },
      resources: [{ type: "AWS::S3::Object", uid: "exports/2025.csv" }],
    });

    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([ocsf]));

    // Assess
    expect(finding!.resources.map((r) => [r.type, r.id])).toEqual([
      ["s3-bucket", "payroll"],
      ["other", "exports/2025.csv"],
    ]);
    expect(finding!.category).toBe("s3-data-exposure");
  });

  it("falls back on metadata.uid for the id, with a warning", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding();
    delete ocsf.finding_info.uid;

    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([ocsf]));

    // Assess
    expect(finding!.identity).toBe(findingIdentity("securityhub", ocsf.metadata.uid));
    expect(finding!.warnings.map((w) => w.code)).toContain("fallback_id");
  });

  it("refuses a finding with no id at all, at finding_info.uid", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding();
    delete ocsf.finding_info.uid;
    delete ocsf.metadata.uid;

    // Act
    const error = thrown(() => fromEvent(makeFindingsImportedV2Event([ocsf])));

    // Assess
    expect(error).toMatchObject({ code: "missing_field", path: "$.detail.findings[0].finding_info.uid" });
  });

  it("takes a missing account from the envelope, and refuses when there is none", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding({ cloud: { region: "ap-northeast-1" }, resources: [] });
    const withAccount = makeFindingsImportedV2Event([ocsf], { account: "999988887777" });
    const withoutAccount = makeFindingsImportedV2Event([ocsf], { account: undefined });

    // Act
    const [finding] = fromEvent(withAccount);
    const error = thrown(() => fromEvent(withoutAccount));

    // Assess
    expect(finding!.accountId).toBe("999988887777");
    expect(finding!.resources[0]).toMatchObject({ type: "aws-account", id: "999988887777" });
    expect(error).toMatchObject({ code: "missing_field", path: "$.detail.findings[0].cloud.account.uid" });
  });

  it("reads an ASFF finding found in a V2 event as ASFF, with a warning", () => {
    // Act
    const [finding] = fromEvent(makeFindingsImportedV2Event([makeGuardDutyAsffFinding()]));

    // Assess
    expect(finding!.type).toBe("UnauthorizedAccess:EC2/SSHBruteForce");
    expect(finding!.warnings.map((w) => w.code)).toContain("unexpected_format");
  });

  it("reads a bare OCSF finding (a GetFindingsV2 element)", () => {
    // Prepare
    const ocsf = makeOcsfComplianceFinding();

    // Act
    const matches = securityHubNormalizer.bare!.matches(ocsf);
    const [finding] = fromBare(ocsf, "$.Findings[0]");

    // Assess
    expect(matches).toBe(true);
    expect(finding!.type).toBe("S3.1");
    expect(finding!.origin.rawPath).toBe("$.Findings[0]");
  });
});
