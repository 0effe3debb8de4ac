import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_DEDUPE_TTL_MS, InMemoryDedupe } from "../../../../adapters/slack/inbound/dedupe";

const T = 1_714_557_600_000;

describe("InMemoryDedupe", () => {
  it("says first time once per key, and again for other keys", async () => {
    // Prepare
    const dedupe = new InMemoryDedupe();
    // Act
    const answers = [
      await dedupe.firstTime("ir_ack|ts1|U_ALICE", T),
      await dedupe.firstTime("ir_ack|ts1|U_ALICE", T + 1),
      await dedupe.firstTime("ir_ack|ts1|U_BOB", T + 2),
      await dedupe.firstTime("ir_own|ts1|U_ALICE", T + 3),
    ];
    // Assess
    expect(answers).toEqual([true, false, true, true]);
  });

  it("lets a released key act again, and only that key", async () => {
    // Prepare
    const dedupe = new InMemoryDedupe();
    await dedupe.firstTime("failed", T);
    await dedupe.firstTime("done", T);
    // Act
    await dedupe.release("failed");
    // Assess
    expect(await dedupe.firstTime("failed", T + 1)).toBe(true);
    expect(await dedupe.firstTime("failed", T + 2)).toBe(false);
    expect(await dedupe.firstTime("done", T + 3)).toBe(false);
  });

  it("remembers a key for the TTL, then lets it act again", async () => {
    // Prepare
    const dedupe = new InMemoryDedupe(60_000);
    await dedupe.firstTime("k", T);
    // Act / Assess
    expect(await dedupe.firstTime("k", T + 59_999)).toBe(false);
    expect(await dedupe.firstTime("k", T + 60_000)).toBe(true);
    expect(await dedupe.firstTime("k", T + 60_001)).toBe(false);
  });

  it("stays bounded: expired keys are swept and past maxKeys the oldest is forgotten", async () => {
    // Prepare
    const dedupe = new InMemoryDedupe(1_000, 3);
    for (const key of ["a", "b", "c", "d"]) await dedupe.firstTime(key, T);
    // Act
    const sizeAtCap = dedupe.size;
    const aForgotten = await dedupe.firstTime("a", T);
    await dedupe.firstTime("z", T + 5_000);
    // Assess
    expect(sizeAtCap).toBe(3);
    expect(aForgotten).toBe(true);
    expect(dedupe.size).toBe(1);
  });

  it("property: within the TTL, each key is first exactly once whatever the order of arrivals", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 50 }), async (keys) => {
        const dedupe = new InMemoryDedupe();
        const firsts: string[] = [];
        for (const [i, key] of keys.entries()) if (await dedupe.firstTime(key, T + i)) firsts.push(key);
        return firsts.length === new Set(keys).size && new Set(firsts).size === firsts.length;
      }),
    );
    expect(DEFAULT_DEDUPE_TTL_MS).toBeGreaterThanOrEqual(5 * 60_000); // covers Slack's retries
  });
});
