/**
 * The optional CIS trail: configured as the benchmark asks, one metric filter and alarm per monitoring
 * control, and every event a filter names is also routed by the matching core EventBridge rule.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildRules } from "../../core/rules/rules";
import { CIS_FILTERS } from "../../infra/constructs/cis-cloudtrail";
import { FULL_CONFIG, MINIMAL_CONFIG, synthesize } from "./support/synth";

type Json = Record<string, unknown>;
let full: Template;
let minimal: Template;

beforeAll(() => {
  full = synthesize(FULL_CONFIG).home;
  minimal = synthesize(MINIMAL_CONFIG).home;
}, 120_000);

const properties = (template: Template, type: string) =>
  Object.values(template.findResources(type)).map((r) => (r as { Properties: Json }).Properties);

/** Event names a CIS filter pattern tests for equality (`$.eventName = X` or `= "X"`). */
const eventNamesIn = (pattern: string): string[] =>
  [...pattern.matchAll(/\$\.eventName\s*=\s*"?([A-Za-z]+)"?/g)].map((m) => m[1]!);

describe("CIS CloudTrail", () => {
  it("is multi-region, validated, KMS-encrypted and delivered to CloudWatch Logs", () => {
    // Act
    const [trail] = properties(full, "AWS::CloudTrail::Trail");
    // Assess
    expect(trail).toMatchObject({
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      TrailName: "ir-test-cis",
      KMSKeyId: { "Fn::GetAtt": [expect.any(String), "Arn"] },
      CloudWatchLogsLogGroupArn: { "Fn::GetAtt": [expect.any(String), "Arn"] },
    });
  });

  it("keeps its logs in a private, TLS-only, access-logged bucket", () => {
    // Act
    const buckets = properties(full, "AWS::S3::Bucket");
    // Assess
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets)
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    expect(buckets.filter((b) => b.LoggingConfiguration !== undefined)).toHaveLength(1);
  });

  it("has one metric filter and one alarm to the security topic per CIS control", () => {
    // Act
    const filters = properties(full, "AWS::Logs::MetricFilter");
    const alarms = properties(full, "AWS::CloudWatch::Alarm").filter((a) =>
      String(a.AlarmName ?? "").includes("-cis-"),
    );
    // Assess
    expect(filters.map((f) => f.FilterPattern).sort()).toEqual(CIS_FILTERS.map((f) => f.pattern).sort());
    expect(alarms).toHaveLength(CIS_FILTERS.length);
    for (const alarm of alarms) {
      expect(alarm.Threshold).toBe(1);
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^SecurityTopic/) }]);
    }
  });

  it("covers CIS 4.1 to 4.15 once each", () => {
    // Assess
    expect(CIS_FILTERS.map((f) => f.cis)).toEqual(Array.from({ length: 15 }, (_, i) => `4.${i + 1}`));
  });

  it("names only events that the matching core EventBridge rule also routes", () => {
    expect(CIS_FILTERS.filter((f) => eventNamesIn(f.pattern).length > 0).length).toBeGreaterThanOrEqual(12);
    // Prepare
    const rules = new Map(buildRules({ guardDutyMinSeverity: 4 }).map((r) => [r.name, r]));
    for (const filter of CIS_FILTERS) {
      // Act
      const names = eventNamesIn(filter.pattern);
      const routed = JSON.stringify(rules.get(filter.coreRule)?.pattern);
      // Assess
      expect(routed, filter.id).toBeDefined();
      // A rule without an eventName condition (console sign-in) routes every event name of its source.
      if (routed!.includes('"eventName"'))
        for (const name of names) expect(routed, `${filter.id} ${name}`).toContain(`"${name}"`);
    }
  });

  it("is absent unless the config asks for it", () => {
    // Assess
    minimal.resourceCountIs("AWS::CloudTrail::Trail", 0);
    minimal.resourceCountIs("AWS::Logs::MetricFilter", 0);
  });
});
