/**
 * The dispatcher loop, on the real runtime (SQLite on disk): RetryLaterError leaves a command pending and
 * it is not tried again before its time (and does not hold up the others); an unexpected error backs off.
 * Commands are found as their commits land (the pending list is read only at the start and every
 * rescan), a new incident's message goes ahead of older work, chat follow-ups wait for their message
 * without being polled, a turn keeps to its time budget, and a command waiting on real I/O finishes
 * outside the turn — one per incident — while the scheduler goes on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Command, CommandParams } from "../../../core/incident/commands";
import type { ChatMessageRef } from "../../../core/ports/chat-ops";
import { type CommandExecutor, RetryLaterError } from "../../../core/ports/command-executor";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { memoryLogger } from "../../../server/logger";
import { RuntimeCounters } from "../../../server/runtime/counters";
import { createDispatcher } from "../../../server/runtime/dispatcher";
import { ingestStoredInput } from "../../../server/runtime/route-events";
import { FakeChatOps } from "../../support/chat-ops.fake";
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

/** Chat whose incident message is refused for now, or held on a gate (a slow Slack call), at will. */
class GatedChat extends FakeChatOps {
  refuse = false;
  private gate: Promise<void> | undefined;
  private open: () => void = () => {};
  readonly started: string[] = [];

  hold(): void {
    this.gate = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }
  release(): void {
    this.gate = undefined;
    this.open();
  }
  override async postIncidentMessage(
    commandId: string,
    params: CommandParams<"postIncidentMessage">,
  ): Promise<ChatMessageRef> {
    if (this.refuse) throw new RetryLaterError("channel busy", 1000);
    this.started.push(commandId);
    if (this.gate) await this.gate;
    return super.postIncidentMessage(commandId, params);
  }
}

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done()) && Date.now() < deadline) await tick(2);
}

describe("dispatcher on the runtime", () => {
  let t: TestRuntime;
  let now: number;
  let chat: GatedChat;
  let pendingReads: number;
  beforeEach(() => {
    now = 0;
    chat = new GatedChat();
    t = makeTestRuntime({ nowMs: () => now, chat });
    pendingReads = 0;
    const inner = t.rt.stores.store;
    const read = inner.pendingCommands.bind(inner);
    inner.pendingCommands = (limit) => {
      pendingReads++;
      return read(limit);
    };
  });
  afterEach(() => t.close());

  const ingest = async (n: number) => {
    const item = t.rt.inbox.enqueue(JSON.stringify(makeTorRelayEvent(n)), "http", t.clock.now());
    await ingestStoredInput(t.rt.deps, item);
  };
  const commandsOf = async (incidentId: string) => t.rt.deps.store.commandsOf(incidentId);
  const statusOf = async (incidentId: string, type: string) =>
    (await commandsOf(incidentId)).find((c) => c.type === type)?.status;
  const turn = () => t.rt.scheduler.exclusive(() => t.rt.dispatcher.run());

  it("dispatches commands as their commits land, reading the pending list only at start and each rescan", async () => {
    // Prepare
    await ingest(1);
    await turn();
    const readsAfterStart = pendingReads;

    // Act
    await ingest(2);
    await turn();
    const readsAfterNew = pendingReads;
    now += 10_000;
    await turn();

    // Assess
    expect(readsAfterStart).toBe(1);
    expect(await statusOf("IR-0002", "postIncidentMessage")).toBe("succeeded");
    expect(readsAfterNew).toBe(1);
    expect(pendingReads).toBe(2);
  });

  it("finds a command committed behind its back at the next rescan", async () => {
    // Prepare
    await turn();
    const item = t.rt.inbox.enqueue(JSON.stringify(makeTorRelayEvent(3)), "http", t.clock.now());
    await ingestStoredInput({ ...t.rt.deps, store: t.rt.stores.store }, item); // not the watched store

    // Act
    await turn();
    const beforeRescan = await statusOf("IR-0001", "postIncidentMessage");
    now += 10_000;
    await turn();

    // Assess
    expect(beforeRescan).toBe("pending");
    expect(await statusOf("IR-0001", "postIncidentMessage")).toBe("succeeded");
  });

  it("sends a new incident's message in the first turn after its commit, ahead of an older backlog", async () => {
    // Prepare: twenty incidents' Security Hub updates, lifecycle events and plans, more than a turn takes.
    for (let n = 1; n <= 20; n++) await ingest(n);
    chat.refuse = true;
    await turn(); // every message refused for now: waiting a second
    const backlog = (await t.rt.deps.store.pendingCommands(1000)).filter(
      (c) => c.type !== "postIncidentMessage",
    ).length;
    chat.refuse = false;

    // Act
    await ingest(21);
    await turn();

    // Assess
    expect(backlog).toBeGreaterThan(20);
    expect(chat.calls[0]?.commandId).toBe("IR-0021:1:0");
  });

  it("holds a thread reply while its incident's message is refused, and sends it once the message is out", async () => {
    // Prepare: the message refused for now; its plan's reply is issued meanwhile.
    chat.refuse = true;
    await ingest(1);
    for (let i = 0; i < 5; i++) await turn();
    const held = t.rt.dispatcher.held();
    now += 5_000; // five of the reply's would-be polls
    await turn();
    const refusals = t.rt.counters.commands.get("retry-later");

    // Act
    chat.refuse = false;
    now += 1_000;
    await t.rt.scheduler.runUntilIdle();

    // Assess
    expect(held).toBe(1);
    expect(refusals).toBe(2); // the message, twice; the reply never ran
    expect(chat.calls.map((c) => c.kind)).toEqual(["post", "reply"]);
    expect(await statusOf("IR-0001", "postThreadReply")).toBe("succeeded");
  });

  it("keeps a turn to its time budget, leaving the rest for the next turn", async () => {
    // Prepare
    for (let n = 1; n <= 3; n++) await ingest(n);
    const executor: CommandExecutor = {
      async execute(command: Command) {
        now += 3; // each command takes 3 ms
        return command.type === "postIncidentMessage" ? { channel: "C", ts: "1.0" } : undefined;
      },
    };
    const task = createDispatcher({
      dispatch: { ...t.rt.deps, executor },
      log: memoryLogger(),
      counters: new RuntimeCounters(),
      nowMs: () => now,
      turnBudgetMs: 5,
    });

    // Act
    const first = await task.run();

    // Assess
    expect(first).toEqual(expect.objectContaining({ worked: 2, more: true }));
  });

  it("lets a slow command finish outside the turn, one per incident, and feeds its result back in a turn", async () => {
    // Prepare
    await ingest(1);
    await ingest(2);
    chat.hold();

    // Act
    const first = await turn(); // both messages start; neither holds the turn
    const during = await t.rt.scheduler.exclusive(async () => ({
      post1: await statusOf("IR-0001", "postIncidentMessage"),
      others1: (await commandsOf("IR-0001")).filter((c) => c.status !== "pending").length,
    }));
    chat.release();
    await until(async () => (await statusOf("IR-0002", "postIncidentMessage")) === "succeeded");

    // Assess
    expect(first.worked).toBe(0);
    expect(chat.started).toEqual(["IR-0001:1:0", "IR-0002:1:0"]);
    expect(during).toEqual({ post1: "pending", others1: 0 }); // incident 1's other commands waited for it
    expect(await statusOf("IR-0001", "postIncidentMessage")).toBe("succeeded");
  });

  it("finishes the work held outside the turns before stopping", async () => {
    // Prepare
    await ingest(1);
    chat.hold();
    await turn();

    // Act
    let stopped = false;
    const stopping = t.rt.scheduler.stop().then(() => {
      stopped = true;
    });
    await tick(20);
    const stoppedBeforeRelease = stopped;
    chat.release();
    await stopping;

    // Assess
    expect(stoppedBeforeRelease).toBe(false);
    expect((await t.rt.deps.store.getCommand("IR-0001:1:0"))?.status).toBe("succeeded");
  });
});
