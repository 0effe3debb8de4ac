/**
 * Per-channel pacing on a fake clock: writes one slot apart, short waits taken in-process, long waits
 * handed back as RetryLaterError without reserving a slot, channels independent, a 429 pausing the channel.
 * With `reserveWhenRefused`, refused writes that name a ticket queue for the channel's next slots, first
 * come first served, and are told exactly when their slot is; a late or vanished ticket loses its slot
 * without stalling the others, and a channel never sees more than two writes within one interval.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChannelRateLimiter } from "../../../adapters/slack/channel-rate-limit";
import { RetryLaterError } from "../../../core/ports/command-executor";

function makeLimiter(
  options: { intervalMs?: number; maxWaitMs?: number; reserveWhenRefused?: boolean } = {},
) {
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

/** The wait a refused acquire names, or "granted". */
async function attempt(limiter: ChannelRateLimiter, channel: string, ticket?: string) {
  try {
    await limiter.acquire(channel, ticket);
    return "granted" as const;
  } catch (error) {
    if (error instanceof RetryLaterError) return error.retryAfterMs;
    throw error;
  }
}

describe("ChannelRateLimiter with reserveWhenRefused", () => {
  const queued = () => makeLimiter({ intervalMs: 1000, maxWaitMs: 0, reserveWhenRefused: true });

  it("tells refused writes when their own slot comes, one interval apart, in arrival order", async () => {
    // Prepare
    const { limiter } = queued();
    await limiter.acquire("C1", "first");

    // Act
    const waits = [await attempt(limiter, "C1", "a"), await attempt(limiter, "C1", "b")];
    const c = await attempt(limiter, "C1", "c");

    // Assess
    expect([...waits, c]).toEqual([1000, 2000, 3000]);
    expect(limiter.waiting("C1")).toBe(3);
  });

  it("lets a ticket take its slot when it comes back on time, ahead of newer callers", async () => {
    // Prepare
    const { limiter, clock } = queued();
    await limiter.acquire("C1", "first");
    await attempt(limiter, "C1", "a"); // slot at +1000
    await attempt(limiter, "C1", "b"); // slot at +2000

    // Act
    clock.t += 1000;
    const newcomer = await attempt(limiter, "C1", "new");
    const a = await attempt(limiter, "C1", "a");
    clock.t += 1000;
    const b = await attempt(limiter, "C1", "b");

    // Assess
    expect(newcomer).toBe(2000); // queued behind b, not in front of a
    expect([a, b]).toEqual(["granted", "granted"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("keeps the place of a ticket that comes back early and tells it the rest of its wait", async () => {
    // Prepare
    const { limiter, clock } = queued();
    await limiter.acquire("C1", "first");
    await attempt(limiter, "C1", "a");
    await attempt(limiter, "C1", "b"); // slot at +2000

    // Act
    clock.t += 500;
    const early = await attempt(limiter, "C1", "b");
    const others = await attempt(limiter, "C1", "c");

    // Assess
    expect(early).toBe(1500);
    expect(others).toBe(2500); // b's early return reserved nothing more
  });

  it("drops a slot whose ticket never came back, without stalling the tickets behind it", async () => {
    // Prepare
    const { limiter, clock } = queued();
    await limiter.acquire("C1", "first");
    await attempt(limiter, "C1", "gone"); // slot at +1000, never claimed
    await attempt(limiter, "C1", "b"); // slot at +2000

    // Act
    clock.t += 2000;
    const b = await attempt(limiter, "C1", "b");
    clock.t += 1500;
    const late = await attempt(limiter, "C1", "gone");

    // Assess
    expect(b).toBe("granted");
    expect(late).toBe("granted"); // its old slot is lost; it takes the channel's next free one, now free
    expect(limiter.waiting("C1")).toBe(0);
  });

  it("reserves nothing for a write that names no ticket, or when the option is off", async () => {
    // Prepare
    const on = queued();
    const off = makeLimiter({ intervalMs: 1000, maxWaitMs: 0 });
    await on.limiter.acquire("C1");
    await off.limiter.acquire("C1");

    // Act
    const anonymous = [await attempt(on.limiter, "C1"), await attempt(on.limiter, "C1")];
    const unqueued = [await attempt(off.limiter, "C1", "a"), await attempt(off.limiter, "C1", "b")];

    // Assess
    expect(anonymous).toEqual([1000, 1000]);
    expect(unqueued).toEqual([1000, 1000]);
    expect(off.limiter.waiting("C1")).toBe(0);
  });

  it("moves the queue behind a 429's Retry-After, keeping its order", async () => {
    // Prepare
    const { limiter, clock } = queued();
    await limiter.acquire("C1", "first");
    await attempt(limiter, "C1", "a");
    await attempt(limiter, "C1", "b");

    // Act
    limiter.pause("C1", 10_000);
    const a = await attempt(limiter, "C1", "a");
    const b = await attempt(limiter, "C1", "b");
    const c = await attempt(limiter, "C1", "c");
    clock.t += 10_000;
    const aNow = await attempt(limiter, "C1", "a");

    // Assess
    expect([a, b, c]).toEqual([10_000, 11_000, 12_000]);
    expect(aNow).toBe("granted");
  });

  it("never lets three writes into one interval, and every ticket that keeps coming back gets through", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Per step: which ticket shows up (0-5) and how far the clock moves (0-1.5 intervals).
        fc.array(fc.tuple(fc.nat(5), fc.nat(1500)), { minLength: 1, maxLength: 120 }),
        async (steps) => {
          // Prepare
          const { limiter, clock } = queued();
          const writes: number[] = [];
          const due = new Map<number, number>();
          // Act: a ticket tries when it is due (or whenever it is picked, for the early and the late)
          for (const [ticket, advance] of steps) {
            clock.t += advance;
            const result = await attempt(limiter, "C1", `t${ticket}`);
            if (result === "granted") writes.push(clock.t);
            else due.set(ticket, clock.t + result);
          }
          // ...then every ticket still waiting comes back exactly when told, until all are through.
          for (let round = 0; due.size > 0 && round < 50; round++) {
            const [ticket, at] = [...due].sort((x, y) => x[1] - y[1])[0]!;
            clock.t = Math.max(clock.t, at);
            const result = await attempt(limiter, "C1", `t${ticket}`);
            if (result === "granted") {
              writes.push(clock.t);
              due.delete(ticket);
            } else due.set(ticket, clock.t + result);
          }
          // Assess
          expect(due.size).toBe(0);
          for (let i = 2; i < writes.length; i++)
            expect(writes[i]! - writes[i - 2]!).toBeGreaterThanOrEqual(1000);
        },
      ),
      { numRuns: 200 },
    );
  });
});
