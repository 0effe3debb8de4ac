/**
 * The EventBridge PutEvents endpoint on the local server: `POST /` with an `X-Amz-Target` header goes to
 * putEventsApp (server/http/put-events.ts), so the AWS SDK or CLI pointed at `--endpoint-url
 * http://127.0.0.1:8787` publishes straight into the local service. Any other `POST /` falls through.
 *
 * Invariants:
 * - Entries take the same durable intake as POST /events (receiveEvents): stored in the inbox, committed,
 *   before any entry is answered with an EventId; the worker ingests them like any other body.
 * - Each entry is answered from the routing verdict POST /events would give it: accepted → EventId (the
 *   inbox id and entry path, `<inbox id>#$.Entries[i]`); refused (no rule matched, not understood) →
 *   ErrorCode = our error code and its message, and the entry is kept in quarantine as POST /events keeps
 *   it. (EventBridge itself would accept an event no rule matches; locally it is more useful to say so.)
 */
import type { Context } from "hono";
import type { Mount } from "../http/app";
import { type EventResult, receiveEvents } from "../http/events";
import { type PutEventsEntryResult, putEventsApp } from "../http/put-events";

export const PUT_EVENTS_CHANNEL = "put-events";

/** The results for entry `i`: its own, or — when the whole body failed — the body's. */
function resultsOf(results: readonly EventResult[], i: number): EventResult[] {
  const at = `$.Entries[${i}]`;
  const own = results.filter(
    (r) => r.id.endsWith(`#${at}`) || r.id.includes(`#${at}.`) || r.id.includes(`#${at}[`),
  );
  return own.length > 0 ? own : results.filter((r) => r.id.endsWith("#$"));
}

export function entryResults(results: readonly EventResult[], entries: number): PutEventsEntryResult[] {
  return Array.from({ length: entries }, (_, i): PutEventsEntryResult => {
    const mine = resultsOf(results, i);
    const refused = mine.find((r) => !r.accepted);
    if (refused && !refused.accepted)
      return { errorCode: refused.error.code, errorMessage: refused.error.message };
    const accepted = mine[0];
    if (!accepted) return { errorCode: "InternalFailure", errorMessage: "the entry was not routed" };
    return { eventId: accepted.id };
  });
}

export const putEventsMount: Mount = (app, rt) => {
  const log = rt.log.child({ component: "http.put-events" });
  const putEvents = putEventsApp(async (entries) => {
    const { item, results } = receiveEvents(rt, JSON.stringify({ Entries: entries }), PUT_EVENTS_CHANNEL);
    const answered = entryResults(results, entries.length);
    log.info("put-events received", {
      inboxId: item.id,
      entries: entries.length,
      accepted: answered.filter((r) => "eventId" in r).length,
    });
    return answered;
  });
  app.post("/", async (c: Context, next) => {
    if (c.req.header("x-amz-target") === undefined) return next();
    return putEvents.fetch(c.req.raw);
  });
};
