import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLOUDTRAIL_DETECTIONS, type CloudTrailDetection } from "../../../core/detections/cloudtrail-catalog";
import {
  detectionMatches,
  listOf,
  matchDetections,
  member,
  readField,
  section,
  severityFor,
} from "../../../core/detections/cloudtrail-match";
import { categorySchema } from "../../../core/findings/categories";
import { severityLabelSchema } from "../../../core/findings/severity";
import { makeAuthorizeIngress, makeCloudTrailRecord, rootIdentity } from "../../support/cloudtrail.factory";

const CATALOG: readonly CloudTrailDetection[] = CLOUDTRAIL_DETECTIONS;
const byId = (id: string) => CATALOG.find((d) => d.id === id)!;
const names = (id: string) => byId(id).match.eventNames;

describe("CloudTrail detection catalog", () => {
  it("gives every entry a unique, well-formed id", () => {
    // Act
    const ids = CATALOG.map((d) => d.id);
    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(cis|ir)\.[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("gives every entry a valid category and severity, a title and a description", () => {
    for (const d of CATALOG) {
      // Assess
      expect(categorySchema.safeParse(d.category).success, d.id).toBe(true);
      expect(severityLabelSchema.safeParse(d.severity).success, d.id).toBe(true);
      expect(d.title.trim(), d.id).not.toBe("");
      expect(d.description.trim(), d.id).not.toBe("");
    }
  });

  it("lists non-empty event names and sources, or says 'any' and narrows by a condition", () => {
    for (const d of CATALOG) {
      // Prepare
      const { eventNames, eventSources, all, any } = d.match;
      // Assess
      for (const list of [eventNames, eventSources]) {
        if (list === "any") continue;
        expect(list.length, d.id).toBeGreaterThan(0);
        for (const name of list) expect(name, d.id).toMatch(/^\S+$/);
        expect(new Set(list).size, d.id).toBe(list.length);
      }
      // A wildcard entry with no condition would turn every API call into a finding.
      if (eventNames === "any") expect((all?.length ?? 0) + (any?.length ?? 0), d.id).toBeGreaterThan(0);
    }
  });

  it("only refines event names the entry lists, with valid severities", () => {
    for (const d of CATALOG) {
      // Prepare
      const listed = d.match.eventNames === "any" ? [] : d.match.eventNames;
      const refined = [...Object.keys(d.severityByEvent ?? {}), ...Object.keys(d.match.byEvent ?? {})];
      // Assess
      for (const name of refined) expect(listed, d.id).toContain(name);
      for (const label of Object.values(d.severityByEvent ?? {}))
        expect(severityLabelSchema.safeParse(label).success, d.id).toBe(true);
    }
  });

  it("covers every CIS monitoring control once: v1.2 3.1–3.14, v1.4 4.1–4.15, Security Hub CloudWatch.1–14", () => {
    // Act
    const refs = (key: "v1_2" | "v1_4" | "securityHub") =>
      CATALOG.flatMap((d) => (d.cis?.[key] ? [d.cis[key]] : [])).sort();
    const range = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).sort();
    // Assess
    expect(refs("v1_2")).toEqual(range("3.", 14));
    expect(refs("v1_4")).toEqual(range("4.", 15));
    expect(refs("securityHub")).toEqual(range("CloudWatch.", 14));
  });

  it("uses the CIS filters' event lists", () => {
    // Assess
    expect(names("cis.iam-policy-change")).toHaveLength(16);
    expect(names("cis.cloudtrail-config-change")).toEqual([
      "CreateTrail",
      "UpdateTrail",
      "DeleteTrail",
      "StartLogging",
      "StopLogging",
    ]);
    expect(names("cis.kms-key-disabled-or-deleted")).toEqual(["DisableKey", "ScheduleKeyDeletion"]);
    expect(names("cis.s3-bucket-policy-change")).toHaveLength(9);
    expect(names("cis.config-change")).toEqual([
      "StopConfigurationRecorder",
      "DeleteDeliveryChannel",
      "PutDeliveryChannel",
      "PutConfigurationRecorder",
    ]);
    expect(names("cis.security-group-change")).toHaveLength(6);
    expect(names("cis.nacl-change")).toHaveLength(6);
    expect(names("cis.network-gateway-change")).toHaveLength(6);
    expect(names("cis.route-table-change")).toHaveLength(7);
    expect(names("cis.vpc-change")).toHaveLength(11);
    expect(names("cis.organizations-change")).toHaveLength(18);
  });

  it("rates the alarming calls of mixed controls higher than the routine ones", () => {
    // Assess
    expect(severityFor(byId("cis.cloudtrail-config-change"), "StopLogging")).toBe("HIGH");
    expect(severityFor(byId("cis.cloudtrail-config-change"), "CreateTrail")).toBe("MEDIUM");
    expect(severityFor(byId("cis.config-change"), "StopConfigurationRecorder")).toBe("HIGH");
    expect(severityFor(byId("cis.config-change"), "PutDeliveryChannel")).toBe("MEDIUM");
    expect(severityFor(byId("cis.root-account-use"), "valueOf")).toBe("HIGH");
  });
});

describe("CloudTrail predicates", () => {
  const matched = (overrides: Record<string, unknown>) => {
    const record = makeCloudTrailRecord(overrides);
    return matchDetections(record, String(record.eventSource), String(record.eventName)).map((d) => d.id);
  };

  it("reads CloudWatch-style globs: *UnauthorizedOperation is a suffix, AccessDenied* a prefix", () => {
    // Assess
    expect(matched({ errorCode: "Client.UnauthorizedOperation" })).toEqual(["cis.unauthorized-api-calls"]);
    expect(matched({ errorCode: "AccessDeniedException" })).toEqual(["cis.unauthorized-api-calls"]);
    expect(matched({ errorCode: "UnauthorizedOperationPending" })).toEqual([]);
    expect(matched({ errorCode: "NotAccessDenied" })).toEqual([]);
  });

  it("root use excludes calls invoked by a service and service events, and holds without eventType", () => {
    // Assess
    expect(matched({ userIdentity: rootIdentity() })).toEqual(["cis.root-account-use"]);
    expect(matched({ userIdentity: { ...rootIdentity(), invokedBy: "support.amazonaws.com" } })).toEqual([]);
    expect(matched({ userIdentity: rootIdentity(), eventType: "AwsServiceEvent" })).toEqual([]);
    expect(matched({ userIdentity: rootIdentity(), eventType: undefined })).toEqual(["cis.root-account-use"]);
  });

  it("pins event sources: Organizations' CreatePolicy is no IAM policy change, API Gateway's CreateRoute no route change", () => {
    // Assess
    expect(matched({ eventSource: "organizations.amazonaws.com", eventName: "CreatePolicy" })).toEqual([
      "cis.organizations-change",
    ]);
    expect(matched({ eventSource: "iam.amazonaws.com", eventName: "CreatePolicy" })).toEqual([
      "cis.iam-policy-change",
    ]);
    expect(matched({ eventSource: "apigateway.amazonaws.com", eventName: "CreateRoute" })).toEqual([]);
    expect(matched({ eventSource: "ec2.amazonaws.com", eventName: "CreateRoute" })).toEqual([
      "cis.route-table-change",
    ]);
  });

  it("counts a console sign-in without MFA only when it succeeded", () => {
    // Prepare
    const signIn = (result: string, mfa: string) => ({
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      responseElements: { ConsoleLogin: result },
      additionalEventData: { MFAUsed: mfa },
    });
    // Assess
    expect(matched(signIn("Success", "No"))).toEqual(["cis.console-signin-without-mfa"]);
    expect(matched(signIn("Success", "Yes"))).toEqual([]);
    expect(matched(signIn("Failure", "No"))).toEqual(["cis.console-auth-failure"]);
  });

  it("reads the XML dialect: a single <Api>Request wrapper, capitalised members, {content} leaves", () => {
    // Prepare
    const record = {
      requestParameters: { DeleteFlowLogsRequest: { FlowLogId: { content: "fl-1", tag: 1 } } },
      responseElements: { DeleteFlowLogsResponse: { unsuccessful: "" } },
    };
    // Act
    const flowLog = readField(record, "requestParameters.flowLogId");
    // Assess
    expect(flowLog).toBe("fl-1");
    expect(section(record, "responseElements")).toEqual({ unsuccessful: "" });
    expect(member({ constructor: "x" }, "toString")).toBeUndefined();
  });

  it("reads lists however they were logged", () => {
    // Assess
    expect(listOf({ items: [1, 2] })).toEqual([1, 2]);
    expect(listOf([3])).toEqual([3]);
    expect(listOf({ cidrIp: "0.0.0.0/0" })).toEqual([{ cidrIp: "0.0.0.0/0" }]);
    expect(listOf({})).toEqual([]);
    expect(listOf("fl-1")).toEqual(["fl-1"]);
    expect(listOf(null)).toEqual([]);
  });
});

describe("CloudTrail catalog index", () => {
  const listedNames = (pick: (d: CloudTrailDetection) => readonly string[] | "any") =>
    CATALOG.flatMap((d) => {
      const list = pick(d);
      return list === "any" ? [] : list;
    });
  const sources = [...listedNames((d) => d.match.eventSources), "apigateway.amazonaws.com", "constructor"];
  const eventNames = [
    ...listedNames((d) => d.match.eventNames),
    "DescribeInstances",
    "toString",
    "__proto__",
  ];
  // The fields the catalog's conditions read, with values that make them hold or fail.
  const overrides = fc.record(
    {
      errorCode: fc.constantFrom("AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException", ""),
      errorMessage: fc.constantFrom("Failed authentication", "No username found in supplied account"),
      eventType: fc.constantFrom("AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"),
      userIdentity: fc.constantFrom(
        rootIdentity(),
        { ...rootIdentity(), invokedBy: "support.amazonaws.com" },
        { type: "IAMUser", userName: "bob" },
        { Type: "Root" },
      ),
      additionalEventData: fc.constantFrom({ MFAUsed: "Yes" }, { MFAUsed: "No" }, { mfaused: "No" }),
      responseElements: fc.constantFrom(
        null,
        { ConsoleLogin: "Success" },
        { ConsoleLogin: "Failure" },
        makeAuthorizeIngress(["0.0.0.0/0"]).responseElements,
      ),
      requestParameters: fc.constantFrom(
        null,
        { enable: false },
        { Enable: "true" },
        { userName: "bob" },
        makeAuthorizeIngress(["::/0"]).requestParameters,
      ),
    },
    { requiredKeys: [] },
  );

  it("finds through its event index exactly what testing every entry in catalog order finds", () => {
    let matchedSome = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.constantFrom(...eventNames),
        overrides,
        (eventSource, eventName, fields) => {
          // Prepare
          const record = makeCloudTrailRecord({ eventSource, eventName, ...fields });
          // Act
          const indexed = matchDetections(record, eventSource, eventName).map((d) => d.id);
          const scanned = matchDetections(record, eventSource, eventName, [...CATALOG]).map((d) => d.id);
          // Assess
          const expected = CATALOG.filter((d) => detectionMatches(d, record, eventSource, eventName)).map(
            (d) => d.id,
          );
          expect(indexed).toEqual(expected);
          expect(scanned).toEqual(expected);
          if (expected.length > 0) matchedSome++;
        },
      ),
      { numRuns: 1000 },
    );
    // The property is only worth something if many records matched something.
    expect(matchedSome).toBeGreaterThan(100);
  });

  it("scans a catalog other than the built-in one, matching none of the built-in entries it lacks", () => {
    // Prepare
    const record = makeCloudTrailRecord({ userIdentity: rootIdentity(), errorCode: "AccessDenied" });
    const rootOnly = [byId("cis.root-account-use")];
    // Act
    const all = matchDetections(record, "ec2.amazonaws.com", "DescribeInstances").map((d) => d.id);
    const some = matchDetections(record, "ec2.amazonaws.com", "DescribeInstances", rootOnly).map((d) => d.id);
    // Assess
    expect(all).toEqual(["cis.unauthorized-api-calls", "cis.root-account-use"]);
    expect(some).toEqual(["cis.root-account-use"]);
  });
});

describe("CloudTrail tolerant readers", () => {
  /** What `member` means: the own key itself, else the first own key equal to it once both are lower-cased. */
  const referenceMember = (obj: Record<string, unknown>, key: string): unknown => {
    if (Object.hasOwn(obj, key)) return obj[key];
    const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : obj[found];
  };

  it("ignores case on a miss as toLowerCase does, preferring the exact key, then the first in key order", () => {
    // Assess
    expect(member({ GroupId: "first", groupId: "exact" }, "groupId")).toBe("exact");
    expect(member({ GROUPID: "first", GroupId: "second" }, "groupId")).toBe("first");
    expect(member({ groupIds: "longer" }, "groupId")).toBeUndefined();
    // The Kelvin sign lower-cases to an ASCII "k"; a capital I with a dot lower-cases to two characters.
    expect(member({ "\u212AeyId": "kelvin" }, "keyId")).toBe("kelvin");
    expect(member({ "i\u0307d": "dotted" }, "\u0130d")).toBe("dotted");
    expect(member({ id: "plain" }, "\u0130d")).toBeUndefined();
    expect(member(Object.create({ groupId: "inherited" }), "GroupId")).toBeUndefined();
  });

  it("reads any member of any object as the lower-casing reference does", () => {
    // Keys from letters whose lower-casing is not ASCII-simple, so the same-length shortcut is put to the test.
    const key = fc.string({
      unit: fc.constantFrom(
        "a",
        "A",
        "k",
        "K",
        "\u212A",
        "i",
        "I",
        "\u0130",
        "\u0307",
        "s",
        "S",
        "\u017F",
        "\u00E9",
        "\u00C9",
      ),
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 8 }), key, (obj, name) => {
        // Act
        const read = member(obj, name);
        // Assess
        expect(read).toBe(referenceMember(obj, name));
      }),
      { numRuns: 2000 },
    );
  });

  it("unwraps the XML dialect's lone <Api>Request wrapper, whatever its xmlns", () => {
    // Prepare
    const wrapped = {
      requestParameters: { xmlns: "http://ec2.amazonaws.com/doc/", DescribeRequest: { a: 1 } },
    };
    const twoMembers = { requestParameters: { OneRequest: { a: 1 }, other: 2 } };
    const notAnObject = { requestParameters: { OneRequest: "text" } };
    // Act
    const unwrapped = section(wrapped, "requestParameters");
    // Assess
    expect(unwrapped).toEqual({ a: 1 });
    expect(section(twoMembers, "requestParameters")).toBe(twoMembers.requestParameters);
    expect(section(notAnObject, "requestParameters")).toBe(notAnObject.requestParameters);
  });
});
