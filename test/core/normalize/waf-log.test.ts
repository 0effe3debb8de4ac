import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALARM_RULES } from "../../../core/detections/alarm-rules";
import { InputError } from "../../../core/errors";
import { type Finding, findingSchema, primaryResource } from "../../../core/findings/finding";
import { readEnvelope } from "../../../core/normalize/envelope";
import { type Json, ReadContext } from "../../../core/normalize/read";
import { classifyRule, isWafLogRecord, wafLogNormalizer } from "../../../core/normalize/waf-log";
import { fixturesIn, loadFixture } from "../../support/fixtures";
import { DELETE, mutate } from "../../support/mutate";

const options = { alarmRules: DEFAULT_ALARM_RULES };

const normalize = (doc: unknown, path = "$"): Finding[] =>
  wafLogNormalizer.bare!.read(doc as Json, path, new ReadContext("test-ref"), options);

function only(doc: unknown): Finding {
  const findings = normalize(doc);
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

const BLOCK_CUSTOM = "waf/wafv2-log-block-custom-rule-labels-ja3-alb-fake-region-mojibake-args-sekoia.json";
const BLOCK_SQLI = "waf/wafv2-log-block-sqli-body-sensitivity-low-cloudfront-real-scanner-sekoia.json";
const BLOCK_XSS = "waf/wafv2-log-block-xss-query-string-cloudfront-real-scanner-sekoia.json";
const ALLOW_GRAPHQL = "waf/wafv2-log-allow-ipreputation-graphql-http2-escaped-sec-ch-ua-sekoia.json";

/** A fixture record with some fields replaced: for cases the fixtures lack (managed groups, rate rules). */
const fromFixture = (path: string, overrides: Json): Json => ({ ...loadFixture(path), ...overrides });

describe("wafLogNormalizer on the real fixtures", () => {
  const blocks: Record<string, { severity: string; acl: string; region: string; account: string }> = {
    [BLOCK_CUSTOM]: { severity: "MEDIUM", acl: "web-acl-corp", region: "eu-east-1", account: "111111111111" },
    [BLOCK_SQLI]: { severity: "HIGH", acl: "ACME", region: "us-east-1", account: "582598250481" },
    [BLOCK_XSS]: { severity: "HIGH", acl: "ACME", region: "us-east-1", account: "582598250481" },
  };

  it("recognises every WAF fixture by shape, and no EventBridge event", () => {
    for (const path of fixturesIn("waf")) expect(isWafLogRecord(loadFixture(path))).toBe(true);
    for (const path of fixturesIn("cloudwatch")) expect(isWafLogRecord(loadFixture(path))).toBe(false);
  });

  for (const path of fixturesIn("waf"))
    it(`${path} → ${path in blocks ? "one finding" : "nothing (not a BLOCK)"}`, () => {
      // Prepare
      const doc = loadFixture(path);
      const want = blocks[path];
      // Act
      const findings = normalize(doc);
      // Assess
      if (want === undefined) {
        expect(doc.action).not.toBe("BLOCK");
        expect(findings).toEqual([]);
        return;
      }
      const finding = findings[0]!;
      expect(findings).toHaveLength(1);
      expect(findingSchema.parse(finding)).toEqual(finding);
      expect(finding).toMatchObject({
        source: "waf",
        kind: "detection",
        type: `WAF/${doc.terminatingRuleId}`,
        category: "waf-attack",
        severity: { label: want.severity },
        accountId: want.account,
        region: want.region,
        firstSeenAt: new Date(doc.timestamp).toISOString(),
        identity: `waf:${doc.webaclId}:${doc.httpRequest.requestId}`,
        actor: { ip: doc.httpRequest.clientIp, location: { country: doc.httpRequest.country } },
        correlationKey: `${want.account}|${want.region}|waf-web-acl:${want.acl}`,
        warnings: [],
      });
      expect(primaryResource(finding)).toEqual({
        type: "waf-web-acl",
        id: want.acl,
        name: want.acl,
        arn: doc.webaclId,
        accountId: want.account,
        region: want.region,
        ruleIds: [doc.terminatingRuleId],
        clientIps: [doc.httpRequest.clientIp],
      });
    });

  it("keeps the fake region and the mojibake as they are", () => {
    // Prepare
    const doc = loadFixture(BLOCK_CUSTOM);
    // Act
    const finding = only(doc);
    // Assess
    expect(doc.httpRequest.args).toContain("¶");
    expect(finding.region).toBe("eu-east-1");
    expect(finding.actor?.userAgent).toBe(
      doc.httpRequest.headers.find((h: Json) => h.name === "User-Agent").value,
    );
  });

  it("reads the user agent whatever the header's case", () => {
    // Prepare: the GraphQL record has lower-case headers; make it a BLOCK
    const doc = fromFixture(ALLOW_GRAPHQL, { action: "BLOCK", terminatingRuleId: "block-graphql" });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.actor?.userAgent).toMatch(/^Mozilla\/5\.0 \(Windows NT 10\.0/);
  });

  it("names the protected resource from httpSourceName/httpSourceId", () => {
    const finding = only(loadFixture(BLOCK_SQLI));
    expect(finding.resources[1]).toMatchObject({
      type: "other",
      id: "E2S4G6AQPVW9DQ",
      sourceType: "AWS::CloudFront::Distribution",
    });
  });
});

describe("wafLogNormalizer decisions", () => {
  it.each(["ALLOW", "COUNT", "CAPTCHA", "CHALLENGE"])("%s is not a signal", (action) => {
    expect(normalize(fromFixture(BLOCK_XSS, { action }))).toEqual([]);
  });

  it("refuses an action WAF does not define", () => {
    const error = inputError(() => normalize(fromFixture(BLOCK_XSS, { action: "TARPIT" }), "$[3]"));
    expect(error).toMatchObject({ code: "invalid_value", path: "$[3].action" });
  });

  it.each([
    [
      "a managed SQLi rule group",
      {
        terminatingRuleId: "AWS-AWSManagedRulesSQLiRuleSet",
        terminatingRuleType: "MANAGED_RULE_GROUP",
        terminatingRuleMatchDetails: [],
        ruleGroupList: [
          {
            ruleGroupId: "AWS#AWSManagedRulesSQLiRuleSet",
            terminatingRule: { ruleId: "SQLi_QUERYARGUMENTS", action: "BLOCK", ruleMatchDetails: null },
            nonTerminatingMatchingRules: [],
            excludedRules: null,
          },
        ],
      },
      "HIGH",
      ["AWS-AWSManagedRulesSQLiRuleSet", "SQLi_QUERYARGUMENTS"],
    ],
    [
      "Log4j in the known-bad-inputs group",
      {
        terminatingRuleId: "AWS-AWSManagedRulesKnownBadInputsRuleSet",
        terminatingRuleType: "MANAGED_RULE_GROUP",
        terminatingRuleMatchDetails: [],
        ruleGroupList: [
          {
            ruleGroupId: "AWS#AWSManagedRulesKnownBadInputsRuleSet",
            terminatingRule: { ruleId: "Log4JRCE_HEADER", action: "BLOCK" },
          },
        ],
      },
      "HIGH",
      ["AWS-AWSManagedRulesKnownBadInputsRuleSet", "Log4JRCE_HEADER"],
    ],
    [
      "a rate-based rule",
      {
        terminatingRuleId: "rate-limit-per-ip",
        terminatingRuleType: "RATE_BASED",
        terminatingRuleMatchDetails: [],
        rateBasedRuleList: [{ rateBasedRuleName: "rate-limit-per-ip", limitKey: "IP", maxRateAllowed: 100 }],
      },
      "MEDIUM",
      ["rate-limit-per-ip"],
    ],
    [
      "the IP reputation list",
      {
        terminatingRuleId: "AWS-AWSManagedRulesAmazonIpReputationList",
        terminatingRuleType: "MANAGED_RULE_GROUP",
        terminatingRuleMatchDetails: [],
        ruleGroupList: [
          {
            ruleGroupId: "AWS#AWSManagedRulesAmazonIpReputationList",
            terminatingRule: { ruleId: "AWSManagedIPReputationList", action: "BLOCK" },
          },
        ],
      },
      "LOW",
      ["AWS-AWSManagedRulesAmazonIpReputationList", "AWSManagedIPReputationList"],
    ],
  ])("rates a block by %s as %s", (_, overrides, severity, ruleIds) => {
    // Prepare
    const doc = fromFixture(BLOCK_CUSTOM, overrides);
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.severity.label).toBe(severity);
    expect(finding.type).toBe(`WAF/${overrides.terminatingRuleId}`);
    expect(primaryResource(finding)).toMatchObject({ ruleIds });
  });

  it("classifies by the first matching attack class", () => {
    expect(classifyRule("RATE_BASED", ["XSS"]).name).toBe("injection");
    expect(classifyRule("RATE_BASED", ["per-ip"]).name).toBe("rate-based");
    expect(classifyRule("REGULAR", ["block-wheel-calls"]).name).toBe("custom");
  });

  it("identifies a record without request id by time and client IP, so replays stay one finding", () => {
    // Prepare
    const base = loadFixture(BLOCK_XSS);
    const noId = { ...base, httpRequest: { ...base.httpRequest, requestId: undefined } };
    const otherIp = { ...noId, httpRequest: { ...noId.httpRequest, clientIp: "198.51.100.7" } };
    // Act
    const [a, b, c] = [only(noId), only(structuredClone(noId)), only(otherIp)];
    // Assess
    expect(a.identity).toBe(b.identity);
    expect(a.identity).not.toBe(c.identity);
    expect(a.identity).toContain(base.httpRequest.clientIp);
  });

  it("reads a web ACL id that is not an ARN with a warning", () => {
    // Prepare: WAF Classic logs carry a bare web ACL id
    const doc = fromFixture(BLOCK_XSS, { webaclId: "0b5e8a12-51d2-4a9a-9f11-7c5f4e6a1d22" });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding).toMatchObject({ accountId: "unknown", region: "unknown" });
    expect(primaryResource(finding).id).toBe(doc.webaclId);
    expect(finding.warnings.map((w) => w.code)).toEqual(["unreadable_arn"]);
  });

  it.each([
    ["no webaclId", { webaclId: undefined }, "missing_field", "$.webaclId"],
    ["a non-object httpRequest", { httpRequest: "GET /" }, "wrong_type", "$.httpRequest"],
    ["an unreadable timestamp", { timestamp: "soon" }, "invalid_value", "$.timestamp"],
  ])("refuses a record with %s", (_, overrides, code, path) => {
    const error = inputError(() => normalize(fromFixture(BLOCK_XSS, overrides)));
    expect(error).toMatchObject({ code, path });
  });

  it("is never an EventBridge event", () => {
    // Prepare
    const ctx = new ReadContext("x");
    const envelope = readEnvelope({ "detail-type": "WAF Log", detail: loadFixture(BLOCK_XSS) }, ctx);
    // Act
    const error = inputError(() => wafLogNormalizer.fromEnvelope(envelope, ctx, options));
    // Assess
    expect(wafLogNormalizer.detailTypes).toEqual([]);
    expect(error.code).toBe("unknown_event");
  });
});

// ------------------------------------------------------------------------------------------------
// Properties

const replacement = fc.oneof(
  fc.constant(DELETE),
  fc.constantFrom(null, "", 0, -1, 1e308, "BLOCK", "block", "user-agent", "arn:aws:wafv2:::global/webacl//"),
  fc.jsonValue({ maxDepth: 2 }),
);

describe("wafLogNormalizer properties", () => {
  const bases = fixturesIn("waf").map(loadFixture);

  it("mutated records throw only InputError and yield valid findings", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 6 }),
        (base, edits) => {
          const doc = mutate({ ...base, action: "BLOCK" }, edits) as Json;
          let findings: Finding[] = [];
          try {
            findings = normalize(doc);
          } catch (e) {
            expect(e).toBeInstanceOf(InputError);
            return;
          }
          for (const f of findings) expect(findingSchema.parse(f)).toEqual(f);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("any BLOCK of any request on an ARN-named web ACL correlates on that ACL", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
        fc.constantFrom("eu-west-3", "us-east-1", "ap-south-1"),
        fc.constantFrom("regional", "global"),
        fc.jsonValue({ maxDepth: 2 }),
        (name, region, scope, httpRequest) => {
          // Prepare
          const webaclId = `arn:aws:wafv2:${region}:123456789012:${scope}/webacl/${name}/abc-123`;
          const doc = fromFixture(BLOCK_XSS, {
            webaclId,
            httpRequest:
              typeof httpRequest === "object" && httpRequest !== null && !Array.isArray(httpRequest)
                ? httpRequest
                : {},
          });
          // Act
          const finding = only(doc);
          // Assess
          expect(findingSchema.parse(finding)).toEqual(finding);
          expect(finding.correlationKey).toBe(`123456789012|${region}|waf-web-acl:${name}`);
        },
      ),
    );
  });
});
