/**
 * Live updates: the change feed polls the real store only while someone listens, emits exactly the
 * incidents whose version changed, and the SSE stream carries a hello (current versions) then one event
 * per change; a client that leaves stops the polling.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IncidentStore } from "../../../core/ports/incident-store";
import { ChangeFeed, type IncidentChange } from "../../../server/dashboard/live";
import { type DashboardHarness, makeDashboardHarness, PORT_PROBE, TOR_RELAY } from "./harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(5);
  }
}

const ROOT_SIGN_IN = "cloudtrail/raw-signin-consolelogin-root-success-nomfa-10digit-account-sekoia.json";

let t: DashboardHarness;
beforeEach(() => {
  t = makeDashboardHarness();
});
afterEach(() => t.close());

describe("ChangeFeed", () => {
  it("polls only while subscribed, from a fresh baseline each time", async () => {
    // Prepare
    const feed = new ChangeFeed(t.local.deps.store, { pollMs: 5 });
    expect(feed.running).toBe(false);

    // Act
    const sub = feed.subscribe(() => {});
    await sub.current;
    await sleep(40);
    sub.unsubscribe();
    const pollsAtStop = feed.polls;
    await sleep(40);

    // Assess
    expect(pollsAtStop).toBeGreaterThan(2);
    expect(feed.running).toBe(false);
    expect(feed.subscribers).toBe(0);
    expect(feed.polls).toBe(pollsAtStop);
  });

  it("gives current versions first, then emits only incidents whose version changed", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);
    const feed = new ChangeFeed(t.local.deps.store, { pollMs: 5 });
    const seen: IncidentChange[] = [];
    const sub = feed.subscribe((changes) => seen.push(...changes));
    const current = await sub.current;

    // Act: a new incident, then a change to the first one
    await t.ingestFixture(ROOT_SIGN_IN);
    await until(() => seen.find((c) => c.id === "IR-0002"));
    await t.ingestFixture(PORT_PROBE);
    const joined = await until(() => seen.find((c) => c.id === "IR-0001"));
    sub.unsubscribe();

    // Assess
    expect(current).toEqual([{ id: "IR-0001", version: 1, open: true, phase: "detect", severity: "HIGH" }]);
    // Each (id, version) at most once, and IR-0001 only after it changed (never its baseline version)
    const keys = seen.map((c) => `${c.id}@${c.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(seen.filter((c) => c.id === "IR-0001").every((c) => c.version > 1)).toBe(true);
    expect(joined.version).toBe((await t.local.deps.store.getIncident("IR-0001"))?.version);
  });

  it("keeps only the newest `limit` incidents in view", async () => {
    // Prepare
    await t.ingestFixture(TOR_RELAY);
    await t.ingestFixture(ROOT_SIGN_IN);
    const feed = new ChangeFeed(t.local.deps.store, { pollMs: 5, limit: 1 });

    // Act
    const sub = feed.subscribe(() => {});
    const current = await sub.current;
    sub.unsubscribe();

    // Assess
    expect(current.map((c) => c.id)).toEqual(["IR-0002"]);
  });

  it("reports a failing poll and keeps polling", async () => {
    // Prepare: a store that fails once, after the baseline
    const store = t.local.deps.store;
    let calls = 0;
    const flaky: Pick<IncidentStore, "listIncidents"> = {
      listIncidents: (filter) => {
        calls++;
        if (calls === 2) return Promise.reject(new Error("database is locked"));
        return store.listIncidents(filter);
      },
    };
    const errors: unknown[] = [];
    const feed = new ChangeFeed(flaky, { pollMs: 5, onError: (error) => errors.push(error) });
    const seen: IncidentChange[] = [];
    const sub = feed.subscribe((changes) => seen.push(...changes));
    await sub.current;

    // Act
    await until(() => (errors.length > 0 ? true : undefined));
    await t.ingestFixture(TOR_RELAY);
    const change = await until(() => seen.find((c) => c.id === "IR-0001"));
    sub.unsubscribe();

    // Assess
    expect(String(errors[0])).toContain("database is locked");
    expect(change.phase).toBe("detect");
  });
});

interface SseEvent {
  event: string;
  data: string;
}

/** Reads SSE events from a response body until `done` says stop (bounded). */
async function readEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (events: SseEvent[]) => boolean,
  timeoutMs = 3_000,
): Promise<SseEvent[]> {
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (!done(events)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching event; got ${JSON.stringify(events)}`);
    const chunk = await Promise.race([
      reader.read(),
      sleep(left).then(() => ({ done: true, value: undefined }) as const),
    ]);
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("\n");
      if (event) events.push({ event, data });
      end = buffer.indexOf("\n\n");
    }
  }
  return events;
}

describe("GET /events/stream", () => {
  it("says hello with the current versions, emits an event when an incident changes, and stops polling when the client leaves", async () => {
    // Prepare: the root sign-in input holds two findings, so its incident is at version 2
    await t.ingestFixture(ROOT_SIGN_IN);
    const res = await t.app.request("/events/stream");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const [hello] = await readEvents(reader, (events) => events.length >= 1);

    // Act
    await t.ingestFixture(TOR_RELAY);
    const events = await readEvents(reader, (e) => e.some((x) => x.event === "incident"));
    await reader.cancel();
    await until(() => (t.dashboard.feed.subscribers === 0 ? true : undefined));

    // Assess
    expect(hello).toEqual({ event: "hello", data: JSON.stringify({ incidents: [["IR-0001", 2, 1]] }) });
    const change = JSON.parse(events.find((e) => e.event === "incident")!.data);
    expect(change).toEqual({ id: "IR-0002", version: 1, open: true, phase: "detect", severity: "HIGH" });
    expect(t.dashboard.feed.running).toBe(false);
  });

  it("serves several clients from one poll loop", async () => {
    // Prepare
    const a = (await t.app.request("/events/stream")).body!.getReader();
    const b = (await t.app.request("/events/stream")).body!.getReader();
    await readEvents(a, (e) => e.length >= 1);
    await readEvents(b, (e) => e.length >= 1);

    // Act
    await t.ingestFixture(TOR_RELAY);
    const [gotA, gotB] = await Promise.all([
      readEvents(a, (e) => e.some((x) => x.event === "incident")),
      readEvents(b, (e) => e.some((x) => x.event === "incident")),
    ]);
    const subscribers = t.dashboard.feed.subscribers;
    await a.cancel();
    await b.cancel();

    // Assess
    expect(subscribers).toBe(2);
    expect(gotA.find((e) => e.event === "incident")?.data).toContain('"id":"IR-0001"');
    expect(gotB.find((e) => e.event === "incident")?.data).toContain('"id":"IR-0001"');
  });
});
