/**
 * Local routing, the stand-in for EventBridge rules: matched envelopes and bare documents are ingested,
 * envelopes no rule matches are refused as unmatched, the rest is an error — and no input makes it throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findingSchema } from "../../../core/findings/finding";
import { DEFAULT_NORMALIZE_OPTIONS } from "../../../core/normalize";
import { routeInput } from "../../../server/runtime/route-events";
import { makePutEvents, makeTorRelayEvent, makeTorRelayFinding } from "../support/tor-relay.factory";

const route = (body: unknown) =>
  routeInput(typeof body === "string" ? body : JSON.stringify(body), {
    rawRef: "inbox-1",
    normalize: DEFAULT_NORMALIZE_OPTIONS,
  });

describe("routeInput", () => {
  it("gives each event its verdict and the rules it matched", () => {
    // Prepare
    const low = makeTorRelayEvent(2, { detail: { ...makeTorRelayFinding(2), severity: 1 } });
    // Act
    const routed = route([makeTorRelayEvent(1), low, makeTorRelayFinding(3), "x"]);
    // Assess
    expect(routed.map((r) => [r.input, r.verdict, r.rules])).toEqual([
      ["$[0]", "ingest", ["guardduty-findings"]],
      ["$[1]", "unmatched", []],
      ["$[2]", "ingest", []],
      ["$[3]", "error", []],
    ]);
    expect(routed[1]?.error).toMatchObject({ code: "unmatched", path: "$[1]" });
  });

  it("routes PutEvents entries by the envelope EventBridge would build", () => {
    // Act
    const routed = route(makePutEvents([makeTorRelayFinding(1), { ...makeTorRelayFinding(2), severity: 2 }]));
    // Assess
    expect(routed.map((r) => r.verdict)).toEqual(["ingest", "unmatched"]);
  });

  it("never throws; errors and unmatched carry an error, ingested events valid findings", () => {
    const arbitraryEvent = fc.record({
      "detail-type": fc.oneof(fc.constant("GuardDuty Finding"), fc.string()),
      source: fc.oneof(fc.constant("aws.guardduty"), fc.string()),
      detail: fc.oneof(fc.constant(makeTorRelayFinding(1)), fc.jsonValue()),
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.jsonValue(), arbitraryEvent, fc.array(arbitraryEvent)),
        (input) => {
          // Act
          const routed = route(input);
          // Assess
          for (const r of routed) {
            expect(r.verdict === "ingest").toBe(r.error === null);
            if (r.verdict !== "ingest") expect(r.findings).toEqual([]);
            for (const finding of r.findings) expect(findingSchema.safeParse(finding).success).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
