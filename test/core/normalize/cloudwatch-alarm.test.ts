import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALARM_RULES } from "../../../core/detections/alarm-rules";
import { InputError } from "../../../core/errors";
import { type Finding, findingSchema, primaryResource } from "../../../core/findings/finding";
import type { AlarmRule } from "../../../core/normalize/alarm-rule";
import {
  cloudWatchAlarmNormalizer,
  UNMATCHED_ALARM_SEVERITY,
  UNMATCHED_ALARM_TYPE,
} from "../../../core/normalize/cloudwatch-alarm";
import { readEnvelope } from "../../../core/normalize/envelope";
import { type Json, optionalTime, ReadContext } from "../../../core/normalize/read";
import { wafLogNormalizer } from "../../../core/normalize/waf-log";
import {
  alarmArn,
  makeAlarmEvent,
  makeCompositeAlarm,
  makeEcsTaskCountAlarm,
  makeMetricMathAlarm,
  makeRootUsageAlarm,
  makeWafBlockedRequestsAlarm,
  metricStat,
} from "../../support/cloudwatch.factory";
import { fixturesIn, fixtureText, loadFixture } from "../../support/fixtures";
import { DELETE, mutate } from "../../support/mutate";

const defaults = { alarmRules: DEFAULT_ALARM_RULES };

function normalize(doc: unknown, options = defaults): Finding[] {
  const ctx = new ReadContext("test-ref");
  return cloudWatchAlarmNormalizer.fromEnvelope(readEnvelope(doc as Json, ctx), ctx, options);
}

function only(doc: unknown, options = defaults): Finding {
  const findings = normalize(doc, options);
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}

type AlarmDoc = ReturnType<typeof makeAlarmEvent>;

/** "2019-10-02T17:04:40.989+0000" → "2019-10-02T17:04:40.989Z": what CloudWatch's offset form means. */
const iso = (cloudWatchTime: string) => cloudWatchTime.replace(/\+0000$/, "Z");

describe("cloudWatchAlarmNormalizer on the real fixtures", () => {
  const expected: Record<string, { kind: Finding["kind"]; name: string; namespace?: string }> = {
    "cloudwatch/alarm-metrics-insights-partial-data-awsdocs.json": {
      kind: "detection",
      name: "my-alarm-name",
    },
    "cloudwatch/alarm-ok-from-alarm-aurora-cpu-compact-sqs-body-cw-alert-router.json": {
      kind: "recovery",
      name: "test-service_aurora_serverless_cpu_utilization",
      namespace: "AWS/RDS",
    },
    "cloudwatch/alarm-ok-from-alarm-lambda-errors-real-mechanicalrock.json": {
      kind: "recovery",
      name: "flaky-service",
      namespace: "AWS/Lambda",
    },
    "cloudwatch/alarm-ok-from-insufficient-data-asg-cpu-cw-alert-router.json": {
      kind: "recovery",
      name: "test-service-alarm-abcd",
      namespace: "AWS/EC2",
    },
  };

  it("covers every cloudwatch fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(fixturesIn("cloudwatch").sort());
  });

  for (const [path, want] of Object.entries(expected))
    it(`${path} → ${want.kind} for ${want.name}`, () => {
      // Prepare
      const doc = loadFixture(path);
      // Act
      const finding = only(JSON.parse(fixtureText(path)));
      // Assess: none is a security alarm, so each is the generic, low, warned-about kind
      expect(findingSchema.parse(finding)).toEqual(finding);
      expect(finding).toMatchObject({
        source: "cloudwatch",
        kind: want.kind,
        type: UNMATCHED_ALARM_TYPE,
        category: "generic",
        severity: { label: UNMATCHED_ALARM_SEVERITY },
        accountId: doc.account,
        region: doc.region,
        updatedAt: iso(doc.detail.state.timestamp),
      });
      expect(primaryResource(finding)).toMatchObject({
        type: "cloudwatch-alarm",
        id: want.name,
        arn: doc.resources[0],
        ...(want.namespace ? { namespace: want.namespace } : {}),
      });
      expect(finding.warnings.map((w) => w.code)).toContain("no_alarm_rule");
      expect(finding.identity).toBe(`cloudwatch:${doc.resources[0]}:${iso(doc.detail.state.timestamp)}`);
    });

  it("reads the tab-indented event with its 13-digit account", () => {
    // Prepare
    const text = fixtureText("cloudwatch/alarm-ok-from-insufficient-data-asg-cpu-cw-alert-router.json");
    // Act
    const finding = only(JSON.parse(text));
    // Assess
    expect(text).toContain("\t");
    expect(finding.accountId).toBe("1234567890123");
    expect(finding.correlationKey).toBe("1234567890123|us-east-1|cloudwatch-alarm:test-service-alarm-abcd");
  });

  it("dates a recovery from the moment the alarm fired to the moment it cleared", () => {
    // Prepare
    const doc = loadFixture("cloudwatch/alarm-ok-from-alarm-lambda-errors-real-mechanicalrock.json");
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.firstSeenAt).toBe(iso(doc.detail.previousState.timestamp));
    expect(finding.lastSeenAt).toBe(iso(doc.detail.state.timestamp));
  });

  it("matches a Metrics Insights alarm by name only", () => {
    // Prepare: the SQL names no namespace the rule could see
    const doc = loadFixture("cloudwatch/alarm-metrics-insights-partial-data-awsdocs.json");
    const rules: AlarmRule[] = [
      {
        id: "by-namespace",
        title: "NS",
        severity: "HIGH",
        category: "generic",
        namespace: "partial_data_test",
      },
      { id: "by-name", title: "Name", severity: "HIGH", category: "generic", alarmName: "my-alarm-*" },
    ];
    // Act
    const finding = only(doc, { alarmRules: rules });
    // Assess
    expect(finding).toMatchObject({ type: "by-name", severity: { label: "HIGH" }, warnings: [] });
  });
});

describe("cloudWatchAlarmNormalizer on documented alarm shapes", () => {
  it("reads an OK → ALARM WAF BlockedRequests alarm with the web ACL as primary resource", () => {
    // Prepare
    const doc = makeWafBlockedRequestsAlarm("web-acl-corp", { region: "eu-west-1", account: "111111111111" });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding).toMatchObject({
      kind: "detection",
      type: "waf-blocked-requests",
      category: "waf-attack",
      severity: { label: "MEDIUM" },
      runbookId: "waf-attack",
      correlationKey: "111111111111|eu-west-1|waf-web-acl:web-acl-corp",
      warnings: [],
    });
    expect(finding.resources.map((r) => [r.type, r.id])).toEqual([
      ["waf-web-acl", "web-acl-corp"],
      ["cloudwatch-alarm", doc.detail.alarmName],
    ]);
    expect(finding.resources[1]).toMatchObject({
      arn: doc.resources[0],
      namespace: "AWS/WAFV2",
      metricName: "BlockedRequests",
    });
  });

  it("correlates a WAF alarm with WAF log findings on the same web ACL", () => {
    // Prepare: the BLOCK log record is on web-acl-corp in account 111111111111, region eu-east-1
    const log = loadFixture(
      "waf/wafv2-log-block-custom-rule-labels-ja3-alb-fake-region-mojibake-args-sekoia.json",
    );
    const alarmDoc = makeWafBlockedRequestsAlarm("web-acl-corp", {
      region: "eu-east-1",
      account: "111111111111",
    });
    // Act
    const fromLog = wafLogNormalizer.bare!.read(log, "$", new ReadContext("log"), defaults)[0]!;
    const fromAlarm = only(alarmDoc);
    // Assess
    expect(fromAlarm.correlationKey).toBe(fromLog.correlationKey);
  });

  it("correlates a CloudFront web ACL alarm (no Region dimension) with the global ACL's logs", () => {
    // Prepare: CloudFront WAF metrics live in us-east-1 with WebACL and Rule dimensions only
    const log = loadFixture("waf/wafv2-log-block-xss-query-string-cloudfront-real-scanner-sekoia.json");
    const alarmDoc = makeWafBlockedRequestsAlarm(
      "ACME",
      { region: "us-east-1", account: "582598250481" },
      { WebACL: "ACME", Rule: "XSS-Detection-URL" },
    );
    // Act
    const fromLog = wafLogNormalizer.bare!.read(log, "$", new ReadContext("log"), defaults)[0]!;
    const fromAlarm = only(alarmDoc);
    // Assess
    expect(fromAlarm.correlationKey).toBe(fromLog.correlationKey);
    expect(primaryResource(fromAlarm)).toMatchObject({ ruleIds: ["XSS-Detection-URL"] });
  });

  it("reads a CIS root-usage metric-filter alarm", () => {
    // Prepare
    const doc = makeRootUsageAlarm();
    // Act
    const finding = only(doc);
    // Assess
    expect(finding).toMatchObject({
      kind: "detection",
      type: "cis-root-usage",
      category: "root-account-use",
      severity: { label: "HIGH" },
      firstSeenAt: iso(doc.detail.state.timestamp),
    });
    expect(primaryResource(finding)).toMatchObject({
      type: "cloudwatch-alarm",
      id: "CIS-1.7-RootAccountUsage",
      namespace: "CloudTrailMetrics",
      metricName: "RootAccountUsageCount",
    });
  });

  it("reads a composite alarm: matched by name, its rule described, triggering alarms listed", () => {
    // Prepare
    const doc = makeCompositeAlarm();
    const rules: AlarmRule[] = [
      { id: "ns", title: "NS", severity: "CRITICAL", category: "generic", namespace: "AWS/EC2" },
      { id: "svc", title: "Service", severity: "HIGH", category: "generic", alarmName: "Service*" },
    ];
    // Act
    const finding = only(doc, { alarmRules: rules });
    // Assess
    expect(finding.type).toBe("svc");
    expect(finding.description).toContain(doc.detail.configuration.alarmRule);
    expect(finding.resources.map((r) => [r.type, r.id])).toEqual([
      ["cloudwatch-alarm", "ServiceAggregatedAlarm"],
      ["cloudwatch-alarm", "ServerCpuTooHigh"],
    ]);
    expect(primaryResource(finding)).not.toHaveProperty("namespace");
  });

  it("matches a metric-math alarm on any of its input metrics", () => {
    // Prepare: NetworkOut is the second input
    const doc = makeMetricMathAlarm();
    const rules: AlarmRule[] = [
      {
        id: "egress",
        title: "Egress",
        severity: "HIGH",
        category: "ec2-compromise",
        metricName: "NetworkOut",
      },
    ];
    // Act
    const finding = only(doc, { alarmRules: rules });
    // Assess
    expect(finding).toMatchObject({
      type: "egress",
      category: "ec2-compromise",
      severity: { label: "HIGH" },
    });
    expect(primaryResource(finding)).toMatchObject({ namespace: "AWS/EC2", metricName: "NetworkIn" });
  });

  it("reads an ECS running-task alarm and names the cluster", () => {
    // Prepare
    const doc = makeEcsTaskCountAlarm();
    // Act
    const finding = only(doc);
    // Assess
    expect(finding).toMatchObject({ type: "ecs-running-tasks-drop", severity: { label: "MEDIUM" } });
    expect(finding.resources.map((r) => [r.type, r.id])).toEqual([
      ["cloudwatch-alarm", "payments-service-tasks-low"],
      ["ecs-cluster", "prod-cluster"],
    ]);
  });

  it("turns ALARM then OK into a detection and a recovery on one correlation key", () => {
    // Prepare
    const fired = makeRootUsageAlarm();
    const cleared = makeRootUsageAlarm({
      id: "another-envelope",
      previousState: fired.detail.state,
      state: {
        value: "OK",
        timestamp: "2019-10-02T17:09:40.120+0000",
        reason: "Threshold no longer crossed",
      },
    });
    // Act
    const detection = only(fired);
    const recovery = only(cleared);
    // Assess
    expect([detection.kind, recovery.kind]).toEqual(["detection", "recovery"]);
    expect(recovery.correlationKey).toBe(detection.correlationKey);
    expect(recovery.identity).not.toBe(detection.identity);
    expect(recovery.type).toBe(detection.type);
    expect(recovery.firstSeenAt).toBe(iso(fired.detail.state.timestamp));
  });

  it("reads duplicates of one transition as one finding, whatever the envelope or offset form", () => {
    // Prepare
    const first = makeRootUsageAlarm({ id: "delivery-1" });
    const again = makeRootUsageAlarm({ id: "delivery-2", state: { timestamp: "2019-10-02T17:04:40.989Z" } });
    // Act / Assess
    expect(only(again).identity).toBe(only(first).identity);
  });

  it("gives no finding for INSUFFICIENT_DATA", () => {
    expect(normalize(makeAlarmEvent({ state: { value: "INSUFFICIENT_DATA" } }))).toEqual([]);
  });

  it("lets rules given in options override the defaults", () => {
    // Prepare
    const doc = makeRootUsageAlarm();
    const mine: AlarmRule = {
      id: "break-glass",
      title: "Break-glass root use",
      severity: "CRITICAL",
      category: "root-account-use",
      alarmName: "CIS-*",
    };
    // Act
    const overridden = only(doc, { alarmRules: [mine, ...DEFAULT_ALARM_RULES] });
    const withoutDefaults = only(makeWafBlockedRequestsAlarm(), { alarmRules: [mine] });
    // Assess
    expect(overridden).toMatchObject({ type: "break-glass", severity: { label: "CRITICAL" } });
    expect(withoutDefaults.type).toBe(UNMATCHED_ALARM_TYPE);
  });

  it("fills account, region and name from the alarm ARN of a partial envelope", () => {
    // Prepare
    const doc = makeRootUsageAlarm();
    delete doc.account;
    delete doc.region;
    delete doc.detail.alarmName;
    doc.resources = [alarmArn("999988887777", "sa-east-1", "CIS-RootAccountUsage")];
    // Act
    const finding = only(doc);
    // Assess
    expect(finding).toMatchObject({ accountId: "999988887777", region: "sa-east-1", type: "cis-root-usage" });
    expect(primaryResource(finding).id).toBe("CIS-RootAccountUsage");
  });

  it("warns about unreadable reasonData and falls back to the envelope time", () => {
    // Prepare
    const doc = makeRootUsageAlarm({ state: { reasonData: "{not json", timestamp: "yesterday-ish" } });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.updatedAt).toBe(new Date(doc.time).toISOString());
    expect(finding.warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(["$.detail.state.reasonData", "$.detail.state.timestamp"]),
    );
  });

  it("keeps alarm tags on the alarm resource", () => {
    const doc = makeRootUsageAlarm({ detail: { alarmTags: { team: "security", env: "prod" } } });
    expect(primaryResource(only(doc)).tags).toEqual({ team: "security", env: "prod" });
  });

  it.each([
    [
      "no state",
      (d: AlarmDoc) => {
        delete d.detail.state;
      },
      "missing_field",
      "$.detail.state",
    ],
    [
      "no state value",
      (d: AlarmDoc) => {
        delete d.detail.state.value;
      },
      "missing_field",
      "$.detail.state.value",
    ],
    [
      "unknown state",
      (d: AlarmDoc) => {
        d.detail.state.value = "ON_FIRE";
      },
      "invalid_value",
      "$.detail.state.value",
    ],
    [
      "no name anywhere",
      (d: AlarmDoc) => {
        delete d.detail.alarmName;
        d.resources = [];
      },
      "missing_field",
      "$.detail.alarmName",
    ],
    [
      "no time anywhere",
      (d: AlarmDoc) => {
        delete d.detail.state.timestamp;
        delete d.time;
      },
      "missing_field",
      "$.detail.state.timestamp",
    ],
  ] as const)("refuses an event with %s", (_, mutate, code, path) => {
    // Prepare
    const doc = makeRootUsageAlarm();
    mutate(doc);
    // Act
    const error = inputError(() => normalize(doc));
    // Assess
    expect(error).toMatchObject({ code, path });
  });
});

// ------------------------------------------------------------------------------------------------
// Properties: mutated and arbitrary input never throws anything but InputError; outputs are valid.

const replacement = fc.oneof(
  fc.constant(DELETE),
  fc.constantFrom(
    null,
    "",
    0,
    -1,
    1e308,
    "ALARM",
    "OK",
    "INSUFFICIENT_DATA",
    "2024-13-45T99:99:99+0000",
    "*",
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

function expectOnlyInputErrorsAndValidFindings(doc: unknown, options = defaults) {
  let findings: Finding[] = [];
  try {
    findings = normalize(doc, options);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return;
  }
  for (const f of findings) expect(findingSchema.parse(f)).toEqual(f);
}

describe("cloudWatchAlarmNormalizer properties", () => {
  const bases = [
    ...fixturesIn("cloudwatch").map(loadFixture),
    makeWafBlockedRequestsAlarm(),
    makeRootUsageAlarm(),
    makeCompositeAlarm(),
    makeMetricMathAlarm(),
    makeEcsTaskCountAlarm(),
  ];

  it("mutated alarm events throw only InputError and yield valid findings", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 6 }),
        (base, edits) => expectOnlyInputErrorsAndValidFindings(mutate(base, edits)),
      ),
      { numRuns: 500 },
    );
  });

  it("arbitrary details and configurations throw only InputError", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3 }), (detail, configuration) => {
        expectOnlyInputErrorsAndValidFindings({ ...makeAlarmEvent(), detail });
        expectOnlyInputErrorsAndValidFindings(makeAlarmEvent({ configuration: configuration as Json }));
      }),
      { numRuns: 300 },
    );
  });

  it("any alarm in ALARM with a readable time is a valid detection", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (alarmName, namespace, metricName) => {
          // Prepare
          const doc = makeAlarmEvent({
            alarmName,
            configuration: { metrics: [metricStat(namespace, metricName)] },
          });
          // Act
          const finding = only(doc);
          // Assess
          expect(findingSchema.parse(finding)).toEqual(finding);
          expect(finding.kind).toBe("detection");
        },
      ),
    );
  });
});

describe("cloudWatchAlarmNormalizer state times", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  /** CloudWatch's `2019-10-02T17:04:40.989+0000` form, with fields that may name no real time. */
  const cloudWatchForm = fc
    .record({
      year: fc.integer({ min: 1985, max: 2205 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 24 }),
      minute: fc.integer({ min: 0, max: 60 }),
      second: fc.integer({ min: 0, max: 60 }),
      ms: fc.integer({ min: 0, max: 999 }),
    })
    .map(
      (t) =>
        `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(t.ms, 3)}+0000`,
    );

  /** What the generic time reader makes of a state timestamp: the finding's time and its warnings there. */
  function generic(timestamp: unknown, envelopeTime: string) {
    const ctx = new ReadContext("expected");
    const at =
      optionalTime(timestamp, "$.detail.state.timestamp", ctx) ?? optionalTime(envelopeTime, "$.time", ctx);
    return { at, warnings: ctx.warnings.filter((w) => w.path === "$.detail.state.timestamp") };
  }

  it("reads every state timestamp as the generic time reader does, real calendar day or not", () => {
    fc.assert(
      fc.property(fc.oneof(cloudWatchForm, fc.string({ maxLength: 30 })), (timestamp) => {
        // Prepare
        const doc = makeRootUsageAlarm({ state: { timestamp } });
        const expected = generic(timestamp, doc.time);
        // Act
        const finding = only(doc);
        // Assess
        expect(finding.updatedAt).toBe(expected.at);
        expect(finding.warnings.filter((w) => w.path === "$.detail.state.timestamp")).toEqual(
          expected.warnings,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["2023-02-29T10:00:00.000+0000"], // not a leap year: Date rolls over to March 1st
    ["2024-02-29T10:00:00.000+0000"],
    ["2100-02-29T10:00:00.000+0000"], // a century, not a leap year
    ["2000-02-29T10:00:00.000+0000"], // divisible by 400: a leap year
    ["2022-04-31T10:00:00.000+0000"],
    ["2022-12-31T23:59:59.999+0000"],
    ["2022-02-30T10:00:00.000+0000"],
  ])("dates a %s state as the generic reader does", (timestamp) => {
    // Prepare
    const doc = makeRootUsageAlarm({ state: { timestamp } });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.updatedAt).toBe(generic(timestamp, doc.time).at);
  });
});
