/**
 * The sequential scheduler: no two turns ever overlap (tasks and exclusive work alike), busy tasks do not
 * starve the others (waking a due task again keeps its place), failures do not kill the loop, work held
 * outside the turns gets a leased turn of its own, and stop lets the turn in hand and the held work finish.
 */
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../../../server/logger";
import {
  type ScheduledTask,
  SequentialScheduler,
  ShuttingDownError,
} from "../../../server/runtime/scheduler";

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds (bounded), so timing tests do not depend on machine speed. */
async function until(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await tick(2);
}

/** A task that records overlap: `active` must never exceed 1 across all tasks sharing `probe`. */
function probedTask(
  name: string,
  probe: { active: number; max: number; log: string[] },
  turns: number,
): ScheduledTask {
  let left = turns;
  return {
    name,
    intervalMs: 5,
    async run() {
      probe.active++;
      probe.max = Math.max(probe.max, probe.active);
      probe.log.push(`${name}:start`);
      await tick(); // real I/O in the middle of a turn
      probe.log.push(`${name}:end`);
      probe.active--;
      left = Math.max(0, left - 1);
      return { worked: left > 0 ? 1 : 0, more: left > 0 };
    },
  };
}

describe("SequentialScheduler", () => {
  let scheduler: SequentialScheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  it("never overlaps turns, even when tasks and exclusive work await real I/O", async () => {
    // Prepare
    const probe = { active: 0, max: 0, log: [] as string[] };
    scheduler = new SequentialScheduler(
      [probedTask("a", probe, 5), probedTask("b", probe, 5)],
      memoryLogger(),
    );
    // Act
    scheduler.start();
    const jobs = [1, 2, 3].map((n) =>
      scheduler!.exclusive(async () => {
        probe.active++;
        probe.max = Math.max(probe.max, probe.active);
        await tick();
        probe.active--;
        return n;
      }),
    );
    const results = await Promise.all(jobs);
    await tick(60);
    await scheduler.stop();
    // Assess
    expect(results).toEqual([1, 2, 3]);
    expect(probe.max).toBe(1);
    for (let i = 0; i < probe.log.length; i += 2) {
      expect(probe.log[i]!.replace(":start", "")).toBe(probe.log[i + 1]!.replace(":end", ""));
    }
  });

  it("lets a busy task and an idle-but-due task take turns instead of starving one", async () => {
    // Prepare
    const order: string[] = [];
    const busy: ScheduledTask = {
      name: "busy",
      intervalMs: 1000,
      async run() {
        order.push("busy");
        return { worked: 1, more: true };
      },
    };
    const other: ScheduledTask = {
      name: "other",
      intervalMs: 1,
      async run() {
        order.push("other");
        return { worked: 0, more: false };
      },
    };
    scheduler = new SequentialScheduler([busy, other], memoryLogger());
    // Act
    scheduler.start();
    await until(() => order.filter((t) => t === "other").length > 2);
    await scheduler.stop();
    // Assess
    expect(order.filter((t) => t === "other").length).toBeGreaterThan(2);
    expect(order.filter((t) => t === "busy").length).toBeGreaterThan(2);
  });

  it("logs a failing task and keeps running it and the others", async () => {
    // Prepare
    const log = memoryLogger();
    let failures = 0;
    let others = 0;
    scheduler = new SequentialScheduler(
      [
        {
          name: "flaky",
          intervalMs: 2,
          async run() {
            failures++;
            throw new Error("disk on fire");
          },
        },
        {
          name: "steady",
          intervalMs: 2,
          async run() {
            others++;
            return { worked: 0, more: false };
          },
        },
      ],
      log,
    );
    // Act
    scheduler.start();
    await until(() => failures > 1 && others > 1);
    // Assess
    expect(failures).toBeGreaterThan(1);
    expect(others).toBeGreaterThan(1);
    expect(log.lines.find((l) => l.msg === "task failed")).toMatchObject({
      task: "flaky",
      error: { name: "Error", message: "disk on fire" },
    });
  });

  it("wakes an idle task at once instead of waiting out its interval", async () => {
    // Prepare
    let runs = 0;
    scheduler = new SequentialScheduler(
      [
        {
          name: "inbox",
          intervalMs: 60_000,
          run: async () => ({ worked: runs++ === 0 ? 0 : 1, more: false }),
        },
      ],
      memoryLogger(),
    );
    scheduler.start();
    await until(() => runs === 1);
    await tick(5);
    const before = runs;
    // Act
    scheduler.wake("inbox");
    await until(() => runs === 2, 1000);
    // Assess
    expect(before).toBe(1);
    expect(runs).toBe(2);
  });

  it("stops after the turn in hand has finished, and refuses new work afterwards", async () => {
    // Prepare
    let finished = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    scheduler = new SequentialScheduler(
      [
        {
          name: "slow",
          intervalMs: 1,
          async run() {
            await gate;
            finished = true;
            return { worked: 1, more: false };
          },
        },
      ],
      memoryLogger(),
    );
    scheduler.start();
    await tick(2);
    // Act
    const stopped = scheduler.stop();
    await tick(5);
    const finishedBeforeRelease = finished;
    release();
    await stopped;
    // Assess
    expect(finishedBeforeRelease).toBe(false);
    expect(finished).toBe(true);
    await expect(scheduler.exclusive(async () => 1)).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it("runUntilIdle runs every task round after round until a round does nothing", async () => {
    // Prepare
    const probe = { active: 0, max: 0, log: [] as string[] };
    scheduler = new SequentialScheduler(
      [probedTask("a", probe, 3), probedTask("b", probe, 1)],
      memoryLogger(),
    );
    // Act
    const worked = await scheduler.runUntilIdle();
    // Assess
    expect(worked).toBe(2);
    expect(probe.log.filter((l) => l.endsWith(":start"))).toEqual([
      "a:start",
      "b:start",
      "a:start",
      "b:start",
      "a:start",
      "b:start",
    ]);
  });

  it("keeps a woken task's place when it is woken again, instead of letting a busy task go first", async () => {
    // Prepare: time moves only when the tasks say so.
    let now = 0;
    const order: string[] = [];
    const inbox: ScheduledTask = {
      name: "inbox",
      intervalMs: 1000,
      async run() {
        order.push("inbox");
        return { worked: 1, more: false };
      },
    };
    const busy: ScheduledTask = {
      name: "busy",
      intervalMs: 1000,
      async run() {
        order.push("busy");
        now += 1;
        scheduler?.wake("inbox"); // a POST during the busy turn
        now += 4;
        // another POST right after the turn, before the next one is chosen
        setImmediate(() => {
          now += 1;
          scheduler?.wake("inbox");
        });
        return { worked: 1, more: true };
      },
    };
    scheduler = new SequentialScheduler([inbox, busy], memoryLogger(), () => now);

    // Act
    scheduler.start();
    await until(() => order.length >= 3);
    await scheduler.stop();

    // Assess
    expect(order.slice(0, 3)).toEqual(["inbox", "busy", "inbox"]);
  });

  it("gives held work a turn of its own after the turn in progress, and stop waits for it", async () => {
    // Prepare
    const order: string[] = [];
    const sched = new SequentialScheduler([], memoryLogger());
    scheduler = sched;
    let answer: () => void = () => {};
    const io = new Promise<void>((resolve) => {
      answer = resolve;
    });
    sched.hold(
      (async () => {
        await io; // the slow call, outside any turn
        const release = await sched.lease();
        order.push("held:start");
        await tick();
        order.push("held:end");
        release();
      })(),
    );

    // Act
    await sched.exclusive(async () => {
      order.push("turn:start");
      answer();
      await tick(5);
      order.push("turn:end");
    });
    await sched.stop();

    // Assess
    expect(order).toEqual(["turn:start", "turn:end", "held:start", "held:end"]);
    await expect(sched.exclusive(async () => 1)).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it("runUntilIdle waits for held work and runs another round after it", async () => {
    // Prepare
    let finished = false;
    let rounds = 0;
    const sched: SequentialScheduler = new SequentialScheduler(
      [
        {
          name: "starts-io",
          intervalMs: 5,
          async run() {
            rounds++;
            if (rounds === 1)
              sched.hold(
                tick(10).then(() => {
                  finished = true;
                }),
              );
            return { worked: 0, more: false };
          },
        },
      ],
      memoryLogger(),
    );
    scheduler = sched;

    // Act
    await sched.runUntilIdle();

    // Assess
    expect(finished).toBe(true);
    expect(rounds).toBe(2);
  });
});
