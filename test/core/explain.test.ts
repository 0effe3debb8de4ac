/**
 * explain(): the dispatcher end to end in-process — routing by detail-type, containers, PutEvents entries,
 * cross-source correlation, and that no input whatsoever escapes as anything but a typed result.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLOUDTRAIL_DETECTIONS } from "../../core/detections/cloudtrail-catalog";
import { explain } from "../../core/explain";
import { findingSchema } from "../../core/findings/finding";
import { NORMALIZERS } from "../../core/normalize";
import { matchingRules, RULES } from "../../core/rules/rules";
import {
  iamUserIdentity,
  makeCloudTrailEnvelope,
  makeCloudTrailRecord,
  rootIdentity,
} from "../support/cloudtrail.factory";
import { makeWafBlockedRequestsAlarm } from "../support/cloudwatch.factory";
import { fixturesIn, fixtureText, loadFixture } from "../support/fixtures";

const GD_EKS =
  "guardduty/eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json";
const WAF_BLOCK = "waf/wafv2-log-block-custom-rule-labels-ja3-alb-fake-region-mojibake-args-sekoia.json";

describe("explain routing", () => {
  it("routes on detail-type, never on source alone", () => {
    // A CloudTrail API call about GuardDuty arrives with source aws.guardduty.
    const record = makeCloudTrailRecord({
      eventSource: "guardduty.amazonaws.com",
      eventName: "DeleteDetector",
    });
    const event = makeCloudTrailEnvelope(record, { source: "aws.guardduty" });
    const [result] = explain(JSON.stringify(event)).results;
    expect(result!.error).toBeNull();
    expect(result!.findings.map((f) => [f.source, f.category])).toEqual([
      ["cloudtrail", "logging-tampering"],
    ]);
  });

  it("reads PutEvents entries (Detail as a string) like delivered events", () => {
    const event = loadFixture(GD_EKS);
    const request = {
      Entries: [
        { Source: event.source, DetailType: event["detail-type"], Detail: JSON.stringify(event.detail) },
      ],
    };
    const { results } = explain(JSON.stringify(request));
    expect(results.map((r) => [r.input, r.rules, r.findings[0]?.type])).toEqual([
      ["$.Entries[0]", ["guardduty-findings"], "Discovery:Kubernetes/MaliciousIPCaller"],
    ]);
  });

  it("reads GetFindings pages element by element with their paths", () => {
    const finding = loadFixture("guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json");
    const { results } = explain(JSON.stringify({ Findings: [finding, { nonsense: true }] }), {
      rawRef: "page-7.json",
    });
    expect(results.map((r) => [r.input, r.error?.code ?? null, r.findings.length])).toEqual([
      ["$.Findings[0]", null, 1],
      ["$.Findings[1]", "unknown_event", 0],
    ]);
    expect(results[0]!.findings[0]!.origin.rawPath).toBe("$.Findings[0]");
    expect(results[0]!.findings[0]!.origin.rawRef).toBe("page-7.json");
  });

  it("locates findings of envelopes inside arrays and references them by envelope id", () => {
    const event = loadFixture(GD_EKS);
    const { results } = explain(JSON.stringify([event, event]));
    expect(results[1]!.findings[0]!.origin).toMatchObject({ rawRef: event.id, rawPath: "$[1].detail" });
  });

  it("correlates a WAF BLOCK log record and a BlockedRequests alarm on the same web ACL", () => {
    const log = loadFixture(WAF_BLOCK);
    const alarm = makeWafBlockedRequestsAlarm("web-acl-corp", {
      account: "111111111111",
      region: "eu-east-1",
    });
    const [fromLog, fromAlarm] = explain(JSON.stringify([log, alarm])).results.map((r) => r.findings[0]);
    expect(fromAlarm!.resources[0]).toMatchObject({ type: "waf-web-acl", id: "web-acl-corp" });
    expect(fromAlarm!.correlationKey).toBe(fromLog!.correlationKey);
  });
});

describe("bare document recognition", () => {
  it("recognises every bare fixture by exactly one normalizer, so checking order cannot matter", () => {
    const bare = ["guardduty", "securityhub", "cloudtrail", "waf"]
      .flatMap(fixturesIn)
      .map((f) => loadFixture(f))
      .flatMap((doc) => (Array.isArray(doc.Records) ? doc.Records : [doc]))
      .filter((doc) => !("detail-type" in doc));
    expect(bare.length).toBeGreaterThan(15);
    for (const doc of bare)
      expect(NORMALIZERS.filter((n) => n.bare?.matches(doc)).map((n) => n.name)).toHaveLength(1);
  });
});

describe("rules route every CloudTrail detection", () => {
  // In AWS a detection only fires if some EventBridge rule delivers its event: every record the catalog
  // turns into a finding must be matched by at least one rule.
  const identities = [iamUserIdentity(), rootIdentity()];
  const cases = CLOUDTRAIL_DETECTIONS.flatMap((d) => {
    const sources =
      d.match.eventSources === "any" ? ["ec2.amazonaws.com", "s3.amazonaws.com"] : d.match.eventSources;
    const names = d.match.eventNames === "any" ? ["DescribeInstances", "GetObject"] : d.match.eventNames;
    return sources.flatMap((eventSource) =>
      names.map((eventName) => ({ detection: d.id, eventSource, eventName })),
    );
  });

  it.each(cases)("$detection: $eventSource $eventName", ({ detection, eventSource, eventName }) => {
    let produced = 0;
    for (const userIdentity of identities)
      for (const extra of [
        {},
        { errorCode: "AccessDenied", errorMessage: "denied" },
        { responseElements: { ConsoleLogin: "Failure" } },
        { requestParameters: { detectorId: "d1", enable: false } },
      ]) {
        const event = makeCloudTrailEnvelope(
          makeCloudTrailRecord({ eventSource, eventName, userIdentity, ...extra }),
        );
        const [result] = explain(JSON.stringify(event)).results;
        if (!result!.findings.some((f) => f.type === detection)) continue;
        produced++;
        expect(matchingRules(RULES, event), `${eventSource} ${eventName}`).not.toEqual([]);
      }
    // Detections whose conditions these plain records cannot meet (world-open ingress…) are covered by
    // the normalizer's own tests; every other one must have been produced at least once.
    if (!("all" in (CLOUDTRAIL_DETECTIONS.find((d) => d.id === detection)!.match as object)))
      expect(produced).toBeGreaterThan(0);
  });
});

describe("explain never fails untyped (property)", () => {
  const fixtures = [
    GD_EKS,
    WAF_BLOCK,
    "securityhub/custom-action-cis-1.6-multi-select-two-findings-asr.json",
  ].map(fixtureText);

  it("answers every input with results that are either findings or a typed error", () => {
    const mutated = fc
      .tuple(fc.constantFrom(...fixtures), fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 5 }))
      .map(([text, at, cut, insert]) => {
        const i = at % text.length;
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
        const { results } = explain(text);
        expect(results.length).toBeGreaterThan(0);
        for (const r of results) {
          if (r.error) {
            expect(r.findings).toEqual([]);
            expect(r.error.code).toMatch(/^[a-z_]+$/);
            expect(r.error.message.length).toBeGreaterThan(0);
          } else for (const f of r.findings) findingSchema.parse(f);
        }
      }),
      { numRuns: 400 },
    );
  });
});
