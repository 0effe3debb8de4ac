import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { freshen } from "../../../cli/demo/freshen";
import { explain } from "../../../core/explain";
import { fixturesIn, fixtureText, loadFixture } from "../../support/fixtures";

const NOW = Date.parse("2026-11-21T10:00:00.000Z");

describe("freshen", () => {
  it("moves the latest time to now and keeps the gaps between times", () => {
    const gd = loadFixture("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json");
    const fresh = freshen(gd, NOW, "-d1") as typeof gd;
    const gap = (x: typeof gd) => Date.parse(x.updatedAt) - Date.parse(x.createdAt);
    expect(gap(fresh)).toBe(gap(gd));
    expect(Date.parse(fresh.updatedAt)).toBeLessThanOrEqual(NOW);
    expect(fresh.id).toBe(`${gd.id}-d1`);
  });

  it("keeps every fixture understood, with the same findings, only newer and unique", () => {
    for (const file of ["guardduty", "securityhub", "cloudtrail", "cloudwatch", "waf"].flatMap(fixturesIn)) {
      const before = explain(fixtureText(file)).results;
      const after = explain(JSON.stringify(freshen(loadFixture(file), NOW, "-d2"))).results;
      expect(
        after.map((r) => r.error?.code ?? null),
        file,
      ).toEqual(before.map((r) => r.error?.code ?? null));
      expect(
        after.flatMap((r) => r.findings.map((f) => f.type)),
        file,
      ).toEqual(before.flatMap((r) => r.findings.map((f) => f.type)));
      for (const f of after.flatMap((r) => r.findings))
        expect(Date.parse(f.updatedAt), file).toBeLessThanOrEqual(NOW);
    }
  });

  it("never throws and keeps the shape of any JSON (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = freshen(value, NOW, "-x");
        expect(typeof out).toBe(typeof value === "undefined" ? "undefined" : typeof value);
      }),
    );
  });
});
