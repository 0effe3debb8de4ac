/**
 * POST /events through the Hono app: 202 with one result per event, 400 when nothing can be understood,
 * 413 over 256 KB (declared or actual), and in every case the body kept — in the inbox before the answer,
 * in quarantine for what cannot be ingested.
 */

import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "../../../core/errors";
import { DATABASE_FILE } from "../../../server/runtime/runtime";
import { fixtureText } from "../../support/fixtures";
import { bodyOf, makeTestRuntime, postEvents, type TestRuntime } from "../support/test-runtime";
import {
  makePutEvents,
  makeTorRelayEvent,
  makeTorRelayFinding,
  TOR_RELAY_FILE,
} from "../support/tor-relay.factory";

describe("POST /events", () => {
  let t: TestRuntime;
  beforeEach(() => {
    t = makeTestRuntime();
  });
  afterEach(() => t.close());

  it("stores one event durably before answering 202 with its id", async () => {
    // Prepare
    const text = JSON.stringify(makeTorRelayEvent(1));
    // Act
    const response = await postEvents(t, text);
    // Assess
    expect(response.status).toBe(202);
    expect(await bodyOf(response)).toEqual({ results: [{ accepted: true, id: "inbox-1#$", findings: 1 }] });
    const other = new Database(join(t.dataDir, DATABASE_FILE), { readonly: true });
    const stored = other.prepare("SELECT body FROM inbox").pluck().all();
    other.close();
    expect(stored).toEqual([text]);
  });

  it("answers per event for an array mixing good, unmatched and broken events, and stores the body once", async () => {
    // Prepare
    const lowSeverity = makeTorRelayEvent(2, { detail: { ...makeTorRelayFinding(2), severity: 1 } });
    // Act
    const response = await postEvents(t, [makeTorRelayEvent(1), lowSeverity, "not an event"]);
    // Assess
    expect(response.status).toBe(202);
    const { results } = await bodyOf(response);
    expect(results).toEqual([
      { accepted: true, id: "inbox-1#$[0]", findings: 1 },
      {
        accepted: false,
        id: "inbox-1#$[1]",
        error: expect.objectContaining({ code: "unmatched", path: "$[1]" }),
      },
      {
        accepted: false,
        id: "inbox-1#$[2]",
        error: expect.objectContaining({ code: "wrong_type", path: "$[2]" }),
      },
    ]);
    expect(t.rt.inbox.depth()).toBe(1);
    expect(t.rt.counters.eventsAccepted).toBe(1);
    expect(Object.fromEntries(t.rt.counters.eventsRejected)).toEqual({ unmatched: 1, wrong_type: 1 });
  });

  it("takes PutEvents entries and bare exported findings", async () => {
    // Prepare
    const entries = makePutEvents([makeTorRelayFinding(1), makeTorRelayFinding(2)]);
    // Act
    const put = await postEvents(t, entries);
    const bare = await postEvents(t, fixtureText(TOR_RELAY_FILE));
    // Assess
    expect(
      (await bodyOf(put)).results.map((r: { id: string; accepted: boolean }) => [r.id, r.accepted]),
    ).toEqual([
      ["inbox-1#$.Entries[0]", true],
      ["inbox-1#$.Entries[1]", true],
    ]);
    expect(await bodyOf(bare)).toEqual({ results: [{ accepted: true, id: "inbox-2#$", findings: 1 }] });
    await t.rt.scheduler.runUntilIdle();
    expect(await t.rt.deps.store.listIncidents()).toHaveLength(3);
  });

  it("answers 400 with a typed error when nothing can be understood, and still keeps the body", async () => {
    // Act
    const response = await postEvents(t, '{"detail-type": ');
    await t.rt.scheduler.runUntilIdle();
    // Assess
    expect(response.status).toBe(400);
    const answer = await bodyOf(response);
    expect(answer).toEqual({
      error: { code: "invalid_json", message: expect.stringMatching(/^not valid JSON/), path: "$" },
      id: "inbox-1",
    });
    const [kept] = await t.rt.deps.quarantine.list(5);
    expect(kept).toMatchObject({
      id: "inbox-1#$",
      channel: "http",
      raw: '{"detail-type": ',
      error: answer.error,
    });
  });

  it("answers 400 for an empty body", async () => {
    // Act
    const response = await postEvents(t, "");
    // Assess
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error.code).toBe("empty");
  });

  it("refuses a body over 256 KB with 413, whether declared or only found while reading", async () => {
    // Prepare
    const big = JSON.stringify({ ...makeTorRelayEvent(1), padding: "x".repeat(MAX_EVENT_BYTES) });
    // Act
    const declared = await postEvents(t, "{}", { "content-length": String(MAX_EVENT_BYTES + 1) });
    const actual = await postEvents(t, big);
    // Assess
    expect(declared.status).toBe(413);
    expect(actual.status).toBe(413);
    expect((await bodyOf(declared)).error).toMatchObject({ code: "too_large", path: "$" });
    expect((await bodyOf(actual)).error.message).toMatch(/limit is 262144 bytes/);
    expect(t.rt.inbox.depth()).toBe(0);
    const kept = await t.rt.deps.quarantine.list(5);
    expect(kept.map((q) => q.error.code)).toEqual(["too_large", "too_large"]);
    expect(
      kept.some((q) => q.raw.startsWith('{"version":"0"') && q.raw.endsWith("exceeded 262144 bytes]")),
    ).toBe(true);
    expect(t.rt.counters.requestsRejected.get(413)).toBe(2);
  });

  it("accepts exactly 256 KB", async () => {
    // Prepare
    const base = JSON.stringify({ ...makeTorRelayEvent(1), padding: "" });
    const exact = base.replace('"padding":""', `"padding":"${"x".repeat(MAX_EVENT_BYTES - base.length)}"`);
    // Act
    const response = await postEvents(t, exact);
    // Assess
    expect(Buffer.byteLength(exact)).toBe(MAX_EVENT_BYTES);
    expect(response.status).toBe(202);
  });

  it("never answers 500 and always keeps what it acknowledged, whatever the body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify([v, v])),
        ),
        async (text) => {
          // Prepare
          const before = t.rt.inbox.depth();
          // Act
          const response = await postEvents(t, text);
          // Assess
          expect([202, 400]).toContain(response.status);
          const answer = await bodyOf(response);
          if (response.status === 400)
            expect(answer.error).toEqual(
              expect.objectContaining({ code: expect.any(String), path: expect.any(String) }),
            );
          else
            for (const r of answer.results) expect(r.accepted || typeof r.error.code === "string").toBe(true);
          expect(t.rt.inbox.depth()).toBe(before + 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
