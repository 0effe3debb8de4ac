/**
 * The dispatcher loop: commands go out oldest first; RetryLaterError leaves a command pending and it is
 * not tried again before its time (and does not hold up the others); an unexpected error backs off.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Command } from "../../../core/incident/commands";
import { type CommandExecutor, RetryLaterError } from "../../../core/ports/command-executor";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { memoryLogger } from "../../../server/logger";
import { RuntimeCounters } from "../../../server/runtime/counters";
import { createDispatcher } from "../../../server/runtime/dispatcher";
import { ingestStoredInput } from "../../../server/runtime/route-events";
import { makeTestRuntime, type TestRuntime } from "../support/test-runtime";
import { makeTorRelayEvent } from "../support/tor-relay.factory";

describe("dispatcher", () => {
  let t: TestRuntime;
  let now: number;
  beforeEach(async () => {
    t = makeTestRuntime();
    now = 0;
    const item = t.rt.inbox.enqueue(JSON.stringify(makeTorRelayEvent(1)), "http", t.clock.now());
    await ingestStoredInput(t.rt.deps, item);
  });
  afterEach(() => t.close());

  function dispatcher(executor: CommandExecutor, store?: IncidentStore) {
    const counters = new RuntimeCounters();
    const task = createDispatcher({
      dispatch: { ...t.rt.deps, executor, ...(store ? { store } : {}) },
      log: memoryLogger(),
      counters,
      nowMs: () => now,
    });
    return { task, counters };
  }

  it("keeps a rate-limited command pending until its retry time, without holding up the others", async () => {
    // Prepare
    const tried: string[] = [];
    let limited = true;
    const executor: CommandExecutor = {
      async execute(command: Command) {
        tried.push(command.type);
        if (command.type === "publishIncidentEvent" && limited) throw new RetryLaterError("429", 1000);
        return command.type === "postIncidentMessage" ? { channel: "C", ts: "1.0" } : undefined;
      },
    };
    const { task, counters } = dispatcher(executor);
    // Act
    await task.run();
    const pendingAfterFirst = (await t.rt.deps.store.pendingCommands(10)).map((c) => c.type);
    now = 500;
    await task.run();
    const triesAt500 = tried.filter((type) => type === "publishIncidentEvent").length;
    limited = false;
    now = 1000;
    await task.run();
    // Assess
    expect(pendingAfterFirst).toContain("publishIncidentEvent");
    expect(tried.filter((type) => type !== "publishIncidentEvent").length).toBeGreaterThan(1);
    expect(triesAt500).toBe(1);
    expect(await t.rt.deps.store.pendingCommands(10)).toEqual([]);
    expect(counters.commands.get("retry-later")).toBe(1);
  });

  it("backs off a command whose dispatch throws unexpectedly, then retries it", async () => {
    // Prepare
    let broken = true;
    const store = Object.create(t.rt.deps.store) as IncidentStore;
    store.getCommand = async (id) => {
      if (broken && id.endsWith(":1:0")) throw new Error("database is locked");
      return t.rt.deps.store.getCommand(id);
    };
    const executor: CommandExecutor = { execute: async () => ({ channel: "C", ts: "1.0" }) };
    const { task, counters } = dispatcher(executor, store);
    const first = (await t.rt.deps.store.pendingCommands(1))[0]!;
    // Act
    await task.run();
    broken = false;
    now = 999;
    await task.run();
    const stillPending = (await t.rt.deps.store.getCommand(first.id))?.status;
    now = 1000;
    await task.run();
    // Assess
    expect(first.id.endsWith(":1:0")).toBe(true);
    expect(stillPending).toBe("pending");
    expect((await t.rt.deps.store.getCommand(first.id))?.status).toBe("succeeded");
    expect(counters.commands.get("error")).toBe(1);
  });

  it("runs the local capabilities end to end: every command of a new incident succeeds as a dry run", async () => {
    // Prepare
    const { task } = dispatcher(t.rt.deps.executor);
    // Act: results feed the workflow, which may issue follow-up commands
    for (let turn = 0; turn < 10 && (await task.run()).worked > 0; turn++);
    // Assess
    const [incident] = await t.rt.deps.store.listIncidents();
    const commands = await t.rt.deps.store.commandsOf(incident!.id);
    expect(commands.length).toBeGreaterThan(2);
    expect(commands.filter((c) => c.status !== "succeeded")).toEqual([]);
    expect(commands.find((c) => c.type === "planContainment")?.result).toMatchObject({ dryRun: true });
    expect(t.rt.chat.messagesOf(incident!.id)[0]?.kind).toBe("message");
  });
});
