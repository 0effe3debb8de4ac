/**
 * A local EventBridge PutEvents endpoint, so anything that publishes with the AWS SDK or CLI (an
 * application's "Security Event"s, a replay script) can point `endpoint` at the local service unchanged.
 * `putEventsApp(accept)` is a Hono sub-app answering POST / with `X-Amz-Target: AWSEvents.PutEvents`.
 *
 * Invariants:
 * - The wire format is AWS's (JSON 1.1 protocol): request `{"Entries":[{Source, DetailType, Detail,
 *   Resources?, Time?, EventBusName?}]}` with 1–10 entries; response `{"FailedEntryCount": n, "Entries":
 *   [{"EventId"} | {"ErrorCode", "ErrorMessage"}]}`, one result per entry, in order. The real SDK client
 *   parses every answer, errors included.
 * - A malformed request (not JSON, wrong types, 0 or > 10 entries, an entry over 256 KB by AWS's size
 *   rule) is refused whole: 400 `{"__type": "ValidationException", "message"}`. An entry that is
 *   well-typed but unusable (missing Source/DetailType/Detail → InvalidArgument, Detail not a JSON object →
 *   MalformedDetail) fails alone, as EventBridge does; the other entries still go to `accept`.
 * - `accept` receives only valid entries, with `Time` as an ISO string, and must answer one result per
 *   entry it got; if it throws or miscounts, the whole request fails with 500 InternalException (the SDK
 *   retries those), so no entry is reported accepted that was not.
 * - SigV4 headers are ignored: the local server listens on loopback only.
 */
import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_EVENT_BYTES } from "../../core/errors";

export type PutEventsEntryResult = { eventId: string } | { errorCode: string; errorMessage: string };
export type AcceptPutEventsEntries = (
  entries: Array<Record<string, unknown>>,
) => Promise<PutEventsEntryResult[]>;

export const PUT_EVENTS_TARGET = "AWSEvents.PutEvents";
export const AMZ_JSON_1_1 = "application/x-amz-json-1.1";
export const MAX_ENTRIES = 10;
/** JSON escaping can grow a Detail up to 6×; anything larger than this cannot be a valid request. */
export const MAX_BODY_BYTES = 8 * MAX_EVENT_BYTES;

type AwsErrorType = "ValidationException" | "UnknownOperationException" | "InternalException";

const STRING_FIELDS = ["Source", "DetailType", "Detail", "EventBusName", "TraceHeader"] as const;
const REQUIRED_FIELDS = ["Source", "DetailType", "Detail"] as const;

class MalformedRequest extends Error {}

function awsError(c: Context, status: 400 | 413 | 500, type: AwsErrorType, message: string): Response {
  return c.body(JSON.stringify({ __type: type, message }), status, {
    "content-type": AMZ_JSON_1_1,
    "x-amzn-errortype": type,
    "x-amzn-requestid": randomUUID(),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** AWS's entry size: 14 bytes for Time, plus the UTF-8 bytes of Source, DetailType, Detail and Resources. */
export function putEventsEntrySize(entry: Record<string, unknown>): number {
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum: number, r) => sum + bytes(r), 0)
  );
}

/** ISO time from the JSON 1.1 timestamp (epoch seconds, possibly fractional) or an ISO/RFC string. */
function timeOf(value: unknown, at: string): string {
  const date =
    typeof value === "number"
      ? new Date(value * 1000)
      : typeof value === "string"
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new MalformedRequest(`${at}.Time must be a timestamp (epoch seconds or an ISO 8601 string)`);
  return date.toISOString();
}

/** Checks the request's types; throws MalformedRequest with AWS-like wording. */
function readEntries(body: unknown): Array<Record<string, unknown>> {
  if (!isRecord(body) || !Array.isArray(body.Entries))
    throw new MalformedRequest(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  const entries = body.Entries;
  if (entries.length < 1 || entries.length > MAX_ENTRIES)
    throw new MalformedRequest(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ` +
        `between 1 and ${MAX_ENTRIES} (got ${entries.length})`,
    );
  return entries.map((entry, i) => {
    const at = `Entries[${i}]`;
    if (!isRecord(entry)) throw new MalformedRequest(`${at} must be an object`);
    for (const field of STRING_FIELDS)
      if (entry[field] !== undefined && entry[field] !== null && typeof entry[field] !== "string")
        throw new MalformedRequest(`${at}.${field} must be a string`);
    if (
      entry.Resources !== undefined &&
      entry.Resources !== null &&
      !(Array.isArray(entry.Resources) && entry.Resources.every((r) => typeof r === "string"))
    )
      throw new MalformedRequest(`${at}.Resources must be a list of strings`);
    const size = putEventsEntrySize(entry);
    if (size > MAX_EVENT_BYTES)
      throw new MalformedRequest(
        `${at} is ${size} bytes: over the ${MAX_EVENT_BYTES}-byte PutEvents entry limit`,
      );
    return entry;
  });
}

type Checked = { entry: Record<string, unknown> } | { errorCode: string; errorMessage: string };

/** Per-entry checks EventBridge reports in the entry's result rather than refusing the request. */
function checkEntry(entry: Record<string, unknown>, i: number): Checked {
  for (const field of REQUIRED_FIELDS)
    if (typeof entry[field] !== "string" || (entry[field] as string).trim() === "")
      return {
        errorCode: "InvalidArgument",
        errorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (!isRecord(detail)) return { errorCode: "MalformedDetail", errorMessage: "Detail is malformed." };
  return {
    entry: {
      Source: entry.Source,
      DetailType: entry.DetailType,
      Detail: entry.Detail,
      Resources: Array.isArray(entry.Resources) ? entry.Resources : [],
      ...(entry.Time === undefined || entry.Time === null
        ? {}
        : { Time: timeOf(entry.Time, `Entries[${i}]`) }),
      ...(typeof entry.EventBusName === "string" ? { EventBusName: entry.EventBusName } : {}),
    },
  };
}

const isAmzJson = (contentType: string | undefined): boolean => {
  const mime = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  return mime === AMZ_JSON_1_1 || mime === "application/json";
};

const isEntryResult = (value: unknown): value is PutEventsEntryResult =>
  isRecord(value) &&
  (typeof value.eventId === "string" ||
    (typeof value.errorCode === "string" && typeof value.errorMessage === "string"));

/** The PutEvents sub-app; mount it where the SDK's `endpoint` points (POST /). */
export function putEventsApp(accept: AcceptPutEventsEntries): Hono {
  const app = new Hono();
  app.post(
    "/",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => awsError(c, 413, "ValidationException", `request body over ${MAX_BODY_BYTES} bytes`),
    }),
    async (c) => {
      const target = c.req.header("x-amz-target");
      if (target !== PUT_EVENTS_TARGET)
        return awsError(
          c,
          400,
          "UnknownOperationException",
          `only ${PUT_EVENTS_TARGET} is served here (X-Amz-Target: ${target ?? "missing"})`,
        );
      if (!isAmzJson(c.req.header("content-type")))
        return awsError(c, 400, "ValidationException", `Content-Type must be ${AMZ_JSON_1_1}`);

      const checked: Checked[] = [];
      try {
        let body: unknown;
        try {
          body = JSON.parse(await c.req.text());
        } catch {
          throw new MalformedRequest("the request body is not valid JSON");
        }
        readEntries(body).forEach((entry, i) => {
          checked.push(checkEntry(entry, i));
        });
      } catch (error) {
        if (error instanceof MalformedRequest) return awsError(c, 400, "ValidationException", error.message);
        throw error;
      }

      const valid = checked.flatMap((r) => ("entry" in r ? [r.entry] : []));
      let accepted: PutEventsEntryResult[] = [];
      if (valid.length > 0) {
        try {
          accepted = await accept(valid);
        } catch (error) {
          return awsError(
            c,
            500,
            "InternalException",
            `could not take the events: ${(error as Error).message}`,
          );
        }
        if (!Array.isArray(accepted) || accepted.length !== valid.length || !accepted.every(isEntryResult))
          return awsError(
            c,
            500,
            "InternalException",
            "the event intake answered a different number of results",
          );
      }

      let next = 0;
      const results = checked.map((r) => {
        const result = "entry" in r ? (accepted[next++] as PutEventsEntryResult) : r;
        return "eventId" in result
          ? { EventId: result.eventId }
          : { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage };
      });
      const failed = results.filter((r) => "ErrorCode" in r).length;
      return c.body(JSON.stringify({ FailedEntryCount: failed, Entries: results }), 200, {
        "content-type": AMZ_JSON_1_1,
        "x-amzn-requestid": randomUUID(),
      });
    },
  );
  return app;
}
