/**
 * Crash safety of the local runtime, end to end with the real process: a stream of distinct GuardDuty
 * findings is posted while the server is SIGKILLed at random moments (3 times) and restarted on the same
 * data directory; finally it drains and stops gracefully. Every event answered 202 must be reflected
 * exactly once — its finding stored once, in an incident of its own, announced once — and nothing else
 * may appear (only events that were posted, with no error or leftover queue).
 *
 * Bounded: fixed numbers of kills and events, loopback only, every wait has a deadline. The seed is
 * printed so a failure can be replayed with IR_CRASH_SEED.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStores } from "../../adapters/sqlite/open-store";
import { explain } from "../../core/explain";
import { DATABASE_FILE } from "../../server/runtime/runtime";
import { type ServerProcess, startServer } from "./support/server-process";
import { bodyOf } from "./support/test-runtime";
import { makeTorRelayEvent } from "./support/tor-relay.factory";

const KILLS = 3;
const MAX_EVENTS = 600;
const FINAL_EVENTS = 40;
const CONCURRENCY = 4;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const eventText = (n: number) => JSON.stringify(makeTorRelayEvent(n));
const identityOf = (n: number) => explain(eventText(n)).results[0]!.findings[0]!.identity;

describe("crash safety", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ir-crash-"));
  const live: ServerProcess[] = [];
  afterAll(() => {
    for (const server of live) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  const seed = Number(process.env.IR_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const acked = new Set<number>();
  const maybe = new Set<number>(); // in flight when the server died: stored or not, never both ways
  let next = 0;

  /** Posts events n = next, next+1, … from CONCURRENCY clients until `stopAt` or a connection error. */
  async function stream(port: number, stopAt: number): Promise<void> {
    const client = async () => {
      while (next < stopAt) {
        const n = next++;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/events`, {
            method: "POST",
            body: eventText(n),
          });
          const answer = await bodyOf(response);
          if (response.status !== 202 || !answer.results[0].accepted)
            throw new Error(`event ${n}: ${response.status}`);
          acked.add(n);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith("event ")) throw error;
          maybe.add(n); // the connection died with the server
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
  }

  async function launch(): Promise<{ server: ServerProcess; port: number }> {
    const server = startServer(["--port", "0", "--data-dir", dataDir], {
      env: { PATH: process.env.PATH ?? "", IR_OPERATOR_TOKEN: "crash-test-token" },
    });
    live.push(server);
    return { server, port: await server.started };
  }

  async function metric(port: number, name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    return Number(line?.split(" ")[1] ?? Number.NaN);
  }

  it("reflects every acknowledged event exactly once across SIGKILLs and restarts", async () => {
    console.info(`crash-safety seed ${seed} (replay with IR_CRASH_SEED=${seed})`);
    // Prepare / Act: stream events, killing the server at random moments.
    for (let kill = 0; kill < KILLS; kill++) {
      const { server, port } = await launch();
      const streaming = stream(port, MAX_EVENTS - FINAL_EVENTS);
      await sleep(100 + Math.floor(random() * 500));
      server.child.kill("SIGKILL");
      expect((await server.exited).signal).toBe("SIGKILL");
      await streaming;
    }
    const { server, port } = await launch();
    const stopAt = next + FINAL_EVENTS;
    await stream(port, stopAt);
    for (let i = 0; i < 300; i++) {
      if ((await metric(port, "ir_inbox_depth")) === 0 && (await metric(port, "ir_outbox_pending")) === 0)
        break;
      await sleep(50);
    }
    server.child.kill("SIGTERM");
    const exit = await server.exited;

    // Assess
    expect(exit.code).toBe(0);
    expect(server.lines.some((l) => l.msg === "stopped")).toBe(true);
    console.info(`acknowledged ${acked.size}, in flight at a kill ${maybe.size}`);
    expect(acked.size).toBeGreaterThan(FINAL_EVENTS);
    const stores = openSqliteStores(join(dataDir, DATABASE_FILE));
    try {
      const incidents = await stores.store.listIncidents();
      const present = new Map<string, string>(); // finding identity → incident
      for (const incident of incidents) {
        const findings = await stores.store.findingsOf(incident.id);
        expect(findings).toHaveLength(1);
        present.set(findings[0]!.identity, incident.id);
        const commands = await stores.store.commandsOf(incident.id);
        expect(commands.filter((c) => c.type === "postIncidentMessage")).toHaveLength(1);
        expect(commands.filter((c) => c.status === "pending")).toEqual([]);
        expect(
          stores.db
            .prepare("SELECT count(*) FROM chat_messages WHERE incident_id = ? AND kind = 'message'")
            .pluck()
            .get(incident.id),
        ).toBe(1);
      }
      for (const n of acked)
        expect(present.has(identityOf(n)), `acknowledged event ${n} was lost`).toBe(true);
      const posted = new Set([...acked, ...maybe].map(identityOf));
      for (const identity of present.keys()) expect(posted.has(identity)).toBe(true);
      expect(present.size).toBe(incidents.length);
      expect(incidents.length).toBeGreaterThanOrEqual(acked.size);
      expect(incidents.length).toBeLessThanOrEqual(acked.size + maybe.size);
      expect(stores.db.prepare("SELECT count(*) FROM inbox").pluck().get()).toBe(0);
      expect(await stores.quarantine.list(10)).toEqual([]);
    } finally {
      stores.close();
    }
  }, 120_000);
});
