/**
 * Per-channel pacing on a fake clock: writes one slot apart, short waits taken in-process, long waits
 * handed back as RetryLaterError without reserving a slot, channels independent, a 429 pausing the channel.
 */
import { describe, expect, it } from "vitest";
import { ChannelRateLimiter } from "../../../adapters/slack/channel-rate-limit";
import { RetryLaterError } from "../../../core/ports/command-executor";

function makeLimiter(options: { intervalMs?: number; maxWaitMs?: number } = {}) {
  const clock = { t: 1_000_000, sleeps: [] as number[] };
  const limiter = new ChannelRateLimiter({
    ...options,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  });
  return { limiter, clock };
}

describe("ChannelRateLimiter", () => {
  it("lets the first write go at once and spaces the next one a full interval after it", async () => {
    // Prepare
    const { limiter, clock } = makeLimiter({ intervalMs: 1000, maxWaitMs: 1500 });

    // Act
    await limiter.acquire("C1");
    clock.t += 300;
    await limiter.acquire("C1");

    // Assess
    expect(clock.sleeps).toEqual([700]);
    expect(clock.t).toBe(1_001_000);
  });

  it("refuses with RetryLaterError carrying the wait when the next slot is further than maxWait", async () => {
    // Prepare
    const { limiter, clock } = makeLimiter({ intervalMs: 1000, maxWaitMs: 1500 });
    await limiter.acquire("C1");
    await limiter.acquire("C1"); // waits 1000, next slot at +2000

    // Act
    clock.t -= 1000; // a concurrent caller arriving while the second one waited
    const refused = limiter.acquire("C1");

    // Assess
    await expect(refused).rejects.toBeInstanceOf(RetryLaterError);
    await expect(refused).rejects.toMatchObject({ retryAfterMs: 2000 });
  });

  it("reserves nothing for a refused call", async () => {
    // Prepare
    const { limiter, clock } = makeLimiter({ intervalMs: 1000, maxWaitMs: 0 });
    await limiter.acquire("C1");
    await expect(limiter.acquire("C1")).rejects.toMatchObject({ retryAfterMs: 1000 });

    // Act
    clock.t += 1000;
    await limiter.acquire("C1");

    // Assess
    expect(clock.sleeps).toEqual([]);
  });

  it("paces each channel on its own", async () => {
    // Prepare
    const { limiter, clock } = makeLimiter({ intervalMs: 1000, maxWaitMs: 0 });

    // Act
    await limiter.acquire("C1");
    await limiter.acquire("C2");

    // Assess
    expect(clock.sleeps).toEqual([]);
    await expect(limiter.acquire("C1")).rejects.toBeInstanceOf(RetryLaterError);
  });

  it("holds a channel back for a 429's Retry-After", async () => {
    // Prepare
    const { limiter, clock } = makeLimiter({ intervalMs: 1000, maxWaitMs: 1500 });

    // Act
    limiter.pause("C1", 30_000);
    clock.t += 10_000;
    const refused = limiter.acquire("C1");

    // Assess
    await expect(refused).rejects.toMatchObject({ retryAfterMs: 20_000 });
    clock.t += 20_000;
    await limiter.acquire("C1");
    expect(clock.sleeps).toEqual([]);
  });
});
