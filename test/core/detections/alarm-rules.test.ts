import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlarmFacts,
  alarmNameMatches,
  alarmRuleMatches,
  DEFAULT_ALARM_RULES,
  matchAlarmRule,
  nameSpellings,
  parseAlarmRules,
} from "../../../core/detections/alarm-rules";
import { InputError } from "../../../core/errors";
import { type AlarmRule, alarmRuleSchema } from "../../../core/normalize/alarm-rule";

/** Reference glob: every character escaped, `*` → any run of code units. */
const referenceGlob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
      .join("[\\s\\S]*")}$`,
  );

const alarm = (alarmName: string, ...metrics: [string, string][]): AlarmFacts => ({
  alarmName,
  metrics: metrics.map(([namespace, metricName]) => ({ namespace, metricName })),
});

const rule = (overrides: Partial<AlarmRule>): AlarmRule => ({
  id: "r",
  title: "R",
  severity: "LOW",
  category: "generic",
  ...overrides,
});

describe("alarmNameMatches", () => {
  it.each([
    ["*", "", true],
    ["*", "anything at all", true],
    ["CIS-*", "CIS-3.3-RootAccountUsage", true],
    ["CIS-*", "cis-3.3-RootAccountUsage", false],
    ["*Root*Usage", "CIS-RootAccountUsage", true],
    ["*Root*Usage", "CIS-RootAccountUsage-2", false],
    ["a.c", "abc", false],
    ["a.c", "a.c", true],
    ["(x)+[y]", "(x)+[y]", true],
    ["a**b", "ab", true],
    ["", "", true],
    ["", "a", false],
  ])("%j against %j is %s", (pattern, name, expected) => {
    // Prepare / Act
    const matched = alarmNameMatches(pattern, name);
    // Assess
    expect(matched).toBe(expected);
  });

  const alphabet = fc.constantFrom(
    "a",
    "b",
    "A",
    "*",
    ".",
    "+",
    "?",
    "(",
    "[",
    "\\",
    "$",
    "^",
    "-",
    "é",
    "\n",
  );
  const text = fc.string({ unit: alphabet, maxLength: 12 });

  it("agrees with a RegExp built from the escaped pattern", () => {
    fc.assert(
      fc.property(text, text, (pattern, name) => {
        expect(alarmNameMatches(pattern, name)).toBe(referenceGlob(pattern).test(name));
      }),
      { numRuns: 2000 },
    );
  });

  it("matches every name made by filling the pattern's stars", () => {
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 12, maxLength: 12 }), (pattern, fills) => {
        // Prepare: replace each `*` with some text, so the name matches by construction
        const name = pattern
          .split("*")
          .map((part, i, parts) => part + (i < parts.length - 1 ? fills[i % fills.length] : ""))
          .join("");
        // Act / Assess
        expect(alarmNameMatches(pattern, name)).toBe(true);
      }),
    );
  });
});

describe("alarmRuleMatches", () => {
  it("requires namespace and metric name on the same metric", () => {
    // Prepare
    const r = rule({ namespace: "AWS/ECS", metricName: "RunningTaskCount" });
    // Act / Assess
    expect(
      alarmRuleMatches(r, alarm("x", ["AWS/ECS", "CPUUtilization"], ["AWS/EC2", "RunningTaskCount"])),
    ).toBe(false);
    expect(
      alarmRuleMatches(r, alarm("x", ["AWS/EC2", "CPUUtilization"], ["AWS/ECS", "RunningTaskCount"])),
    ).toBe(true);
  });

  it("never matches an alarm without metrics on namespace or metric name", () => {
    // Prepare: composite and Metrics Insights alarms have no metricStat
    const composite = alarm("ServiceAggregatedAlarm");
    // Act / Assess
    expect(alarmRuleMatches(rule({ namespace: "AWS/EC2" }), composite)).toBe(false);
    expect(alarmRuleMatches(rule({ alarmName: "Service*" }), composite)).toBe(true);
  });

  it("needs every stated condition", () => {
    const r = rule({ alarmName: "prod-*", namespace: "AWS/WAFV2" });
    expect(alarmRuleMatches(r, alarm("prod-waf", ["AWS/WAFV2", "BlockedRequests"]))).toBe(true);
    expect(alarmRuleMatches(r, alarm("dev-waf", ["AWS/WAFV2", "BlockedRequests"]))).toBe(false);
    expect(alarmRuleMatches(r, alarm("prod-waf", ["AWS/EC2", "BlockedRequests"]))).toBe(false);
  });

  it("takes the first matching rule", () => {
    // Prepare
    const rules = [rule({ id: "first", alarmName: "a*" }), rule({ id: "second", alarmName: "*" })];
    // Act / Assess
    expect(matchAlarmRule(rules, alarm("abc"))?.id).toBe("first");
    expect(matchAlarmRule(rules, alarm("xyz"))?.id).toBe("second");
    expect(matchAlarmRule([], alarm("abc"))).toBeUndefined();
  });
});

describe("DEFAULT_ALARM_RULES", () => {
  const match = (facts: AlarmFacts) => matchAlarmRule(DEFAULT_ALARM_RULES, facts);

  it("are all valid alarm rules, and none matches every alarm", () => {
    for (const r of DEFAULT_ALARM_RULES) {
      expect(alarmRuleSchema.parse(r)).toEqual(r);
      expect(r.alarmName !== undefined || r.namespace !== undefined || r.metricName !== undefined).toBe(true);
    }
  });

  it("leave ordinary operational alarms unmatched", () => {
    expect(match(alarm("ServerCpuTooHigh", ["AWS/EC2", "CPUUtilization"]))).toBeUndefined();
    expect(match(alarm("flaky-service", ["AWS/Lambda", "Errors"]))).toBeUndefined();
  });

  it.each([
    // CIS monitoring alarms recognised by name, in the spellings people use
    ["CIS-3.3-RootAccountUsage", [], "cis-root-usage", "HIGH", "root-account-use"],
    ["root-account-usage-alarm", [], "cis-root-usage", "HIGH", "root-account-use"],
    ["cis_unauthorized_api_calls", [], "cis-unauthorized-api-calls", "MEDIUM", "iam-credential-compromise"],
    ["ConsoleSigninWithoutMFA", [], "cis-console-signin-without-mfa", "MEDIUM", "iam-credential-compromise"],
    ["Console Login Failures", [], "cis-console-auth-failures", "MEDIUM", "iam-credential-compromise"],
    ["IAM_POLICY_CHANGES", [], "cis-iam-policy-changes", "MEDIUM", "iam-credential-compromise"],
    ["CIS-3.5-CloudTrailChanges", [], "cis-cloudtrail-changes", "HIGH", "logging-tampering"],
    ["awsConfigChanges", [], "cis-config-changes", "HIGH", "logging-tampering"],
    ["CIS-3.7-DisableOrDeleteCMK", [], "cis-kms-cmk-disable-delete", "HIGH", "generic"],
    ["s3-bucket-policy-changes", [], "cis-s3-bucket-policy-changes", "MEDIUM", "s3-data-exposure"],
    ["SecurityGroupChanges", [], "cis-security-group-changes", "MEDIUM", "security-group-exposure"],
    ["nacl-changes", [], "cis-nacl-changes", "MEDIUM", "security-group-exposure"],
    ["NetworkGatewayChanges", [], "cis-network-gateway-changes", "MEDIUM", "security-group-exposure"],
    ["route-table-changes", [], "cis-route-table-changes", "MEDIUM", "security-group-exposure"],
    ["CIS-3.14-VPCChanges", [], "cis-vpc-changes", "MEDIUM", "security-group-exposure"],
    ["OrganizationsChanges", [], "cis-organizations-changes", "MEDIUM", "generic"],
    // …and by their CloudTrailMetrics metric, whatever the alarm is called
    [
      "alarm-1",
      [["CloudTrailMetrics", "RootAccountUsageCount"]],
      "cis-root-usage",
      "HIGH",
      "root-account-use",
    ],
    [
      "alarm-2",
      [["CloudTrailMetrics", "AuthorizationFailureCount"]],
      "cis-unauthorized-api-calls",
      "MEDIUM",
      "iam-credential-compromise",
    ],
    [
      "alarm-3",
      [["CloudTrailMetrics", "CloudTrailEventCount"]],
      "cis-cloudtrail-changes",
      "HIGH",
      "logging-tampering",
    ],
    [
      "alarm-4",
      [["CloudTrailMetrics", "SecurityGroupEventCount"]],
      "cis-security-group-changes",
      "MEDIUM",
      "security-group-exposure",
    ],
    [
      "alarm-5",
      [["CloudTrailMetrics", "EC2LargeInstanceEventCount"]],
      "cloudtrail-metric-filter",
      "MEDIUM",
      "generic",
    ],
    // service metrics
    ["waf", [["AWS/WAFV2", "BlockedRequests"]], "waf-blocked-requests", "MEDIUM", "waf-attack"],
    ["tasks", [["ECS/ContainerInsights", "RunningTaskCount"]], "ecs-running-tasks-drop", "MEDIUM", "generic"],
    ["svc-RunningTasks-low", [["AWS/ECS", "CPUUtilization"]], "ecs-running-tasks-drop", "MEDIUM", "generic"],
    [
      "alb",
      [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"]],
      "alb-http-5xx",
      "MEDIUM",
      "application-security",
    ],
    [
      "alb",
      [["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count"]],
      "alb-http-4xx",
      "MEDIUM",
      "application-security",
    ],
    ["api", [["AWS/ApiGateway", "5XXError"]], "api-gateway-5xx", "MEDIUM", "application-security"],
    ["api", [["AWS/ApiGateway", "4xx"]], "api-gateway-4xx", "MEDIUM", "application-security"],
  ] as [string, [string, string][], string, string, string][])(
    "%s %j → %s",
    (alarmName, metrics, id, severity, category) => {
      // Act
      const matched = match(alarm(alarmName, ...metrics));
      // Assess
      expect(matched).toMatchObject({ id, severity, category });
    },
  );

  it("are case-sensitive on names: a differently cased name is not a spelling we know", () => {
    expect(match(alarm("ROOTACCOUNTUSAGE"))).toBeUndefined();
  });
});

describe("nameSpellings", () => {
  it("gives the usual spellings of a name", () => {
    expect(nameSpellings(["Root", "Account", "Usage"])).toEqual([
      "RootAccountUsage",
      "rootAccountUsage",
      "root-account-usage",
      "root_account_usage",
      "ROOT_ACCOUNT_USAGE",
      "Root Account Usage",
    ]);
  });
});

describe("parseAlarmRules", () => {
  it("accepts valid rules and refuses a bad one at its path", () => {
    // Prepare
    const good = { id: "mine", title: "Mine", severity: "HIGH", category: "waf-attack", alarmName: "x*" };
    const bad = { ...good, severity: "SEVERE" };
    // Act
    const parsed = parseAlarmRules([good]);
    const error = (() => {
      try {
        parseAlarmRules([good, bad]);
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(parsed).toEqual([good]);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: "invalid_value", path: "$.alarmRules[1].severity" });
  });
});

describe("matchAlarmRule against a linear scan", () => {
  /** The definition of first match wins, with no index: what the indexed matcher must agree with. */
  const firstByScan = (rules: readonly AlarmRule[], facts: AlarmFacts) =>
    rules.find((r) => alarmRuleMatches(r, facts));

  // Few letters so that names, globs and metric names often meet; globs of every length, so that some
  // are anchored (a literal part of three or more characters) and some are not.
  const letters = fc.constantFrom("a", "b", "c", "-", "*");
  const glob = fc.string({ unit: letters, maxLength: 8 });
  const name = fc.string({ unit: fc.constantFrom("a", "b", "c", "-"), maxLength: 14 });
  const namespace = fc.constantFrom("NS/A", "NS/B");
  const metricName = fc.constantFrom("M1", "M2", "M3");
  const ruleArb = fc
    .record({ alarmName: glob, namespace, metricName }, { requiredKeys: [] })
    .map((conditions) => rule(conditions));
  const rulesArb = fc
    .array(ruleArb, { maxLength: 30 })
    .map((rules) => rules.map((r, i) => ({ ...r, id: `rule-${i}` })));
  const factsArb = fc.record({
    alarmName: name,
    metrics: fc.array(fc.record({ namespace, metricName }, { requiredKeys: [] }), { maxLength: 3 }),
  });

  it("picks the same rule for any rule list and alarm", () => {
    fc.assert(
      fc.property(rulesArb, fc.array(factsArb, { minLength: 1, maxLength: 5 }), (rules, alarms) => {
        for (const facts of alarms) expect(matchAlarmRule(rules, facts)).toBe(firstByScan(rules, facts));
      }),
      { numRuns: 1000 },
    );
  });

  it("picks the same default rule for names built from the default table's own globs", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_ALARM_RULES.filter((r) => r.alarmName !== undefined)),
        fc.string({ maxLength: 6 }),
        fc.string({ maxLength: 6 }),
        (r, before, after) => {
          // Prepare: fill the glob's stars, so the name matches this rule and maybe an earlier one
          const facts = alarm(r.alarmName!.split("*").join(before) + after);
          // Act / Assess
          expect(matchAlarmRule(DEFAULT_ALARM_RULES, facts)).toBe(firstByScan(DEFAULT_ALARM_RULES, facts));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("sees rules added to a list it has already matched against", () => {
    // Prepare
    const rules: AlarmRule[] = [rule({ id: "named", alarmName: "*RootUsage*" })];
    expect(matchAlarmRule(rules, alarm("CpuHigh"))).toBeUndefined();
    rules.push(rule({ id: "catch-all" }));
    // Act
    const matched = matchAlarmRule(rules, alarm("CpuHigh"));
    // Assess
    expect(matched?.id).toBe("catch-all");
  });

  it("lets a rule with no condition win over every later rule", () => {
    // Prepare
    const rules = [
      rule({ id: "by-name", alarmName: "*Root*" }),
      rule({ id: "anything" }),
      rule({ id: "by-metric", metricName: "RootAccountUsage" }),
    ];
    // Act / Assess
    expect(matchAlarmRule(rules, alarm("RootUsage"))?.id).toBe("by-name");
    expect(matchAlarmRule(rules, alarm("x", ["CloudTrailMetrics", "RootAccountUsage"]))?.id).toBe("anything");
  });
});
