/**
 * POST /events: the local event bus (DESIGN §4). The body is one EventBridge event, a JSON array of events,
 * JSON lines, PutEvents entries (`{"Entries":[…]}`) or an exported document (GetFindings page, CloudTrail
 * log file…).
 *
 * Invariants:
 * - Acknowledged only once durable: the raw body is committed to the inbox (its own transaction) BEFORE
 *   any answer that accepts it; the worker ingests it later. It is stored once, whole, whatever it holds.
 * - Bad input is answered AND kept: 413 over 256 KB (declared or actual size; the part read is
 *   quarantined), 400 when nothing in the body can be understood (stored too, so the worker quarantines
 *   it with its reasons), otherwise 202 with one result per event: accepted, or refused with a typed
 *   error — events that match no rule are refused as unmatched and quarantined, not dropped.
 * - Validation here is the same routing the worker applies (route-events.ts), so the answer predicts
 *   exactly what ingest will do with each event; result ids are the quarantine ids of refused events.
 */
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import type { InboxItem } from "../../adapters/sqlite/inbox";
import { type InputErrorInfo, MAX_EVENT_BYTES } from "../../core/errors";
import { type RoutedInput, routeInput } from "../runtime/route-events";
import type { Runtime } from "../runtime/runtime";
import { type LimitedBody, readLimitedBody } from "./read-body";

export type EventResult =
  | { accepted: true; id: string; findings: number }
  | { accepted: false; id: string; error: InputErrorInfo };

/** How much of an oversize body is kept in quarantine (enough to see what it was). */
const OVERSIZE_KEEP_CHARS = 64 * 1024;

const tooLarge = (bytes: number, declared: boolean): InputErrorInfo => ({
  code: "too_large",
  message: `${declared ? "declared body size" : "body"} is ${declared ? "" : "over "}${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes (256 KB)`,
  path: "$",
});

async function keepOversize(rt: Runtime, body: Extract<LimitedBody, { ok: false }>, receivedAt: string) {
  const raw = body.declared
    ? `[body not read: Content-Length ${body.bytes} exceeds the limit]`
    : `${body.prefix.slice(0, OVERSIZE_KEEP_CHARS)}\n[truncated: the body exceeded ${MAX_EVENT_BYTES} bytes]`;
  await rt.scheduler.exclusive(() =>
    rt.deps.quarantine.put({
      id: `http-oversize-${randomUUID()}#$`,
      receivedAt,
      channel: "http",
      error: tooLarge(body.bytes, body.declared),
      raw,
    }),
  );
}

/**
 * Stores a body durably in the inbox (committed when this returns), wakes the inbox worker, and says what
 * ingest will do with each event in it. The primitive behind POST /events, for other intakes too (e.g. a
 * PutEvents-compatible endpoint: answer an entry accepted only after this returned).
 */
export function receiveEvents(
  rt: Runtime,
  text: string,
  channel: string,
  receivedAt: string = rt.deps.clock.now(),
): { item: InboxItem; routed: RoutedInput[]; results: EventResult[] } {
  const item = rt.inbox.enqueue(text, channel, receivedAt);
  rt.scheduler.wake("inbox");
  const routed = routeInput(text, {
    rawRef: item.id,
    normalize: rt.response.normalize,
    ownSource: rt.response.serviceName,
  });
  const results: EventResult[] = routed.map((r) => {
    const id = `${item.id}#${r.input}`;
    return r.verdict === "ingest"
      ? { accepted: true, id, findings: r.findings.length }
      : { accepted: false, id, error: r.error! };
  });
  for (const r of routed) {
    if (r.verdict === "ingest") rt.counters.eventsAccepted++;
    else
      rt.counters.bump(rt.counters.eventsRejected, r.verdict === "unmatched" ? "unmatched" : r.error!.code);
  }
  return { item, routed, results };
}

export function registerEventRoutes(app: Hono, rt: Runtime): void {
  const log = rt.log.child({ component: "http.events" });

  app.post("/events", async (c) => {
    const body = await readLimitedBody(c.req.raw, MAX_EVENT_BYTES);
    const receivedAt = rt.deps.clock.now();
    if (!body.ok) {
      await keepOversize(rt, body, receivedAt);
      rt.counters.bump(rt.counters.requestsRejected, 413);
      log.warn("events refused: too large", { bytes: body.bytes, declared: body.declared });
      return c.json({ error: tooLarge(body.bytes, body.declared) }, 413);
    }

    const { item, routed, results } = receiveEvents(rt, body.text, "http", receivedAt);
    const accepted = results.filter((r) => r.accepted).length;
    log.info("events received", { inboxId: item.id, bytes: body.bytes, events: results.length, accepted });

    if (routed.every((r) => r.verdict === "error")) {
      rt.counters.bump(rt.counters.requestsRejected, 400);
      const first = routed[0]?.error ?? { code: "empty", message: "the input is empty", path: "$" };
      return c.json({ error: first, id: item.id, ...(results.length > 1 ? { results } : {}) }, 400);
    }
    return c.json({ results }, 202);
  });
}
