import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideFinding, mergeFinding } from "../../../core/correlation/decide-finding";
import type { Finding } from "../../../core/findings/finding";
import { fromGuardDutySeverity } from "../../../core/findings/severity";
import { makeFinding } from "../../support/incident-events.factory";

const US = "incident-response";
const known = (finding: Finding) => ({ updatedAt: finding.updatedAt, count: finding.count, finding });
const later = (iso: string, minutes = 1) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

describe("decideFinding", () => {
  const base = makeFinding({ count: 3 });

  it("is new when the identity was never seen", () => {
    expect(decideFinding(undefined, base, US)).toBe("new");
  });

  it("is a duplicate when the same facts arrive again", () => {
    expect(decideFinding(known(base), { ...base }, US)).toBe("duplicate");
  });

  it("is an update with a later updatedAt and new facts, or a higher count", () => {
    expect(decideFinding(known(base), { ...base, count: 4 }, US)).toBe("update");
    const newer = { ...base, updatedAt: later(base.updatedAt), lastSeenAt: later(base.lastSeenAt) };
    expect(decideFinding(known(base), newer, US)).toBe("update");
  });

  it("ignores an older publication", () => {
    const older = { ...base, updatedAt: later(base.updatedAt, -5), count: 2 };
    expect(decideFinding(known(base), older, US)).toBe("stale");
  });

  it("treats a later copy that adds nothing (a Security Hub copy with no count) as a duplicate", () => {
    const copy = { ...base, source: "securityhub" as const, count: 1, updatedAt: later(base.updatedAt) };
    expect(decideFinding(known(base), copy, US)).toBe("duplicate");
  });

  it("ignores Security Hub echoing our own note back, but not someone else's", () => {
    const sh = { id: "arn:x", productArn: "arn:p", workflowStatus: "NOTIFIED" };
    const echo = (by: string): Finding => ({
      ...base,
      kind: "recovery",
      updatedAt: later(base.updatedAt),
      origin: { ...base.origin, securityHub: { ...sh, noteUpdatedBy: by } },
    });
    expect(decideFinding(known(base), echo(US), US)).toBe("own-update");
    expect(decideFinding(known(base), echo("alice"), US)).toBe("update");
  });

  it("merging never lowers count or severity and keeps the earliest first-seen (property)", () => {
    const arb = fc.record({
      count: fc.integer({ min: 1, max: 1000 }),
      severity: fc.double({ min: 1, max: 10, noNaN: true }),
      first: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const make = (x: typeof a) =>
          makeFinding({
            count: x.count,
            severity: fromGuardDutySeverity(x.severity),
            firstSeenAt: later(base.firstSeenAt, x.first),
          });
        const [fa, fb] = [make(a), make(b)];
        const merged = mergeFinding(fa, fb);
        expect(merged.count).toBe(Math.max(a.count, b.count));
        expect(merged.severity.score).toBe(Math.max(fa.severity.score, fb.severity.score));
        expect(merged.firstSeenAt).toBe(fa.firstSeenAt < fb.firstSeenAt ? fa.firstSeenAt : fb.firstSeenAt);
      }),
    );
  });
});
