/**
 * The token bucket on a fake clock: a burst goes out at once, then calls are spaced at the rate;
 * idle time refills up to the burst only; concurrent callers are served in order.
 */
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../adapters/aws/token-bucket";
import { FakeTimer } from "../../support/fake-timer";

describe("TokenBucket", () => {
  it("lets a burst through, then spaces calls at the rate", async () => {
    // Prepare
    const timer = new FakeTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, timer });
    const times: number[] = [];

    // Act
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(timer.now());
    }

    // Assess
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it("refills while idle, but never beyond the burst", async () => {
    // Prepare
    const timer = new FakeTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2, timer });
    await bucket.take();
    await bucket.take();
    timer.advance(10_000);

    // Act
    const waits = [await bucket.take(), await bucket.take(), await bucket.take()];

    // Assess
    expect(waits).toEqual([0, 0, 100]);
  });

  it("serves concurrent callers one slot each, in arrival order", async () => {
    // Prepare: all three arrive at t=0, before any of them has slept (a frozen clock)
    const timer = { now: () => 0, sleep: async () => {} };
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 1, timer });

    // Act
    const waits = await Promise.all([bucket.take(), bucket.take(), bucket.take()]);

    // Assess
    expect(waits).toEqual([0, 200, 400]);
  });

  it("refuses a rate or burst that could never let a call through", () => {
    // Act / Assess
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
