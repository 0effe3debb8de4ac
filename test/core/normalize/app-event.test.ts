import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALARM_RULES } from "../../../core/detections/alarm-rules";
import { InputError } from "../../../core/errors";
import { type Finding, findingSchema, primaryResource } from "../../../core/findings/finding";
import { APP_EVENT_TYPES, appEventNormalizer } from "../../../core/normalize/app-event";
import { readEnvelope } from "../../../core/normalize/envelope";
import { type Json, ReadContext } from "../../../core/normalize/read";
import { makeAppEvent, makeAppEventDetail } from "../../support/app-event.factory";

const options = { alarmRules: DEFAULT_ALARM_RULES };

function normalize(doc: unknown): Finding[] {
  const ctx = new ReadContext("test-ref");
  return appEventNormalizer.fromEnvelope(readEnvelope(doc as Json, ctx), ctx, options);
}

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

describe("appEventNormalizer", () => {
  it("reads the Security Event detail-type", () => {
    expect(appEventNormalizer.detailTypes).toEqual(["Security Event"]);
  });

  it.each(APP_EVENT_TYPES)("reads a %s event as an application-security detection", (eventType) => {
    // Prepare
    const doc = makeAppEvent({ detail: { eventType } });
    // Act
    const finding = only(doc);
    // Assess
    expect(findingSchema.parse(finding)).toEqual(finding);
    expect(finding).toMatchObject({
      source: "application",
      kind: "detection",
      type: eventType,
      category: "application-security",
      runbookId: "application-security",
      accountId: doc.account,
      region: doc.region,
      firstSeenAt: doc.detail.timestamp,
      warnings: [],
    });
  });

  it.each([
    ["low", "LOW"],
    ["Medium", "MEDIUM"],
    ["HIGH", "HIGH"],
    [" critical ", "CRITICAL"],
  ])("reads severity %j as %s", (severity, label) => {
    expect(only(makeAppEvent({ detail: { severity } })).severity.label).toBe(label);
  });

  it("reads a missing severity as medium, with a warning", () => {
    // Prepare
    const doc = makeAppEvent({ detail: { severity: undefined } });
    // Act
    const finding = only(doc);
    // Assess
    expect(finding.severity.label).toBe("MEDIUM");
    expect(finding.warnings).toEqual([
      expect.objectContaining({ code: "missing_field", path: "$.detail.severity" }),
    ]);
  });

  it("puts the resource, application and actor where correlation and chat look for them", () => {
    // Prepare
    const doc = makeAppEvent();
    // Act
    const finding = only(doc);
    // Assess
    expect(primaryResource(finding)).toEqual({
      type: "app-resource",
      id: doc.detail.resource,
      application: doc.source,
      accountId: doc.account,
      region: doc.region,
    });
    expect(finding.actor).toEqual({
      ip: doc.detail.ipAddress,
      userAgent: doc.detail.userAgent,
      principal: { name: doc.detail.userId, type: "ApplicationUser" },
    });
    expect(finding.correlationKey).toBe(`${doc.account}|${doc.region}|app-resource:${doc.detail.resource}`);
    expect(finding.description).toContain(doc.detail.action);
    expect(finding.description).toContain('"attempts":5');
  });

  it("prefers the detail's application name to the envelope source", () => {
    const finding = only(makeAppEvent({ detail: { application: "checkout-api" } }));
    expect(primaryResource(finding)).toMatchObject({ application: "checkout-api" });
    expect(finding.origin.product).toBe("checkout-api");
  });

  it("reads an epoch timestamp", () => {
    // Prepare
    const at = Date.UTC(2024, 4, 14, 9, 21, 7);
    // Act
    const finding = only(makeAppEvent({ detail: { timestamp: at } }));
    // Assess
    expect(finding.firstSeenAt).toBe(new Date(at).toISOString());
    expect(finding.warnings.map((w) => w.code)).toEqual(["epoch_time"]);
  });

  it("forgives the case of the event type, with a warning", () => {
    const finding = only(makeAppEvent({ detail: { eventType: "Failed_Login" } }));
    expect(finding.type).toBe("failed_login");
    expect(finding.warnings.map((w) => w.code)).toEqual(["normalized_value"]);
  });

  describe("identity", () => {
    it("prefers the application's eventId, so a re-sent event stays one finding", () => {
      // Prepare
      const first = makeAppEvent({ id: "envelope-1", detail: { eventId: "evt-42" } });
      const resent = makeAppEvent({ id: "envelope-2", detail: { eventId: "evt-42" } });
      // Act / Assess
      expect(only(resent).identity).toBe(only(first).identity);
      expect(only(first).identity).toContain("evt-42");
    });

    it("uses the EventBridge id without an eventId", () => {
      const doc = makeAppEvent({ id: "envelope-7" });
      expect(only(doc).identity).toBe("application:event:envelope-7");
    });

    it("falls back to a key from what the event says", () => {
      // Prepare
      const a = makeAppEvent({ id: undefined });
      const same = makeAppEvent({ id: undefined });
      const otherUser = makeAppEvent({ id: undefined, detail: { userId: "user-9" } });
      // Act
      const [ia, isame, iother] = [only(a).identity, only(same).identity, only(otherUser).identity];
      // Assess
      expect(ia).toBe(isame);
      expect(ia).not.toBe(iother);
      expect(ia).toContain(encodeURIComponent(a.detail.resource));
    });

    it("cannot be forged by a ':' inside a value", () => {
      // Prepare: userId "a:b" + resource "c" versus userId "a" + resource "b:c"
      const one = makeAppEvent({ id: undefined, detail: { userId: "a:b", resource: "c" } });
      const two = makeAppEvent({ id: undefined, detail: { userId: "a", resource: "b:c" } });
      // Act / Assess
      expect(only(one).identity).not.toBe(only(two).identity);
    });
  });

  it.each([
    ["an unknown event type", { eventType: "sql_injection" }, "invalid_value", "$.detail.eventType"],
    ["no event type", { eventType: undefined }, "missing_field", "$.detail.eventType"],
    ["an unknown severity", { severity: "urgent" }, "invalid_value", "$.detail.severity"],
    ["no time at all", { timestamp: undefined }, "missing_field", "$.detail.timestamp"],
  ])("refuses an event with %s", (_, detail, code, path) => {
    // Prepare
    const doc = makeAppEvent({ detail });
    if (path === "$.detail.timestamp") delete doc.time;
    // Act
    const error = inputError(() => normalize(doc));
    // Assess
    expect(error).toMatchObject({ code, path });
  });

  it("lists the allowed event types when refusing one", () => {
    const error = inputError(() => normalize(makeAppEvent({ detail: { eventType: "ddos" } })));
    for (const t of APP_EVENT_TYPES) expect(error.message).toContain(t);
  });
});

describe("appEventNormalizer properties", () => {
  const keys = Object.keys(makeAppEventDetail());

  it("arbitrary detail values throw only InputError and yield valid findings", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys, "eventId", "application"), fc.jsonValue({ maxDepth: 2 })),
        fc.boolean(),
        (overrides, keepEnvelopeFields) => {
          // Prepare
          const doc = makeAppEvent({ detail: overrides });
          if (!keepEnvelopeFields) {
            delete doc.id;
            delete doc.account;
            delete doc.time;
          }
          // Act
          let findings: Finding[] = [];
          try {
            findings = normalize(doc);
          } catch (e) {
            // Assess
            expect(e).toBeInstanceOf(InputError);
            return;
          }
          for (const f of findings) expect(findingSchema.parse(f)).toEqual(f);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("every valid type × severity × any strings is a valid finding of that type", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...APP_EVENT_TYPES),
        fc.constantFrom("low", "MEDIUM", "High", "critical"),
        fc.record({
          resource: fc.string(),
          userId: fc.string(),
          ipAddress: fc.string(),
          userAgent: fc.string(),
        }),
        (eventType, severity, strings) => {
          // Prepare
          const doc = makeAppEvent({ detail: { eventType, severity, ...strings } });
          // Act
          const finding = only(doc);
          // Assess
          expect(findingSchema.parse(finding)).toEqual(finding);
          expect(finding.type).toBe(eventType);
          expect(finding.severity.label).toBe(severity.toUpperCase());
        },
      ),
    );
  });
});
