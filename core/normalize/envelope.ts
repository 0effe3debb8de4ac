/**
 * The EventBridge event envelope. Real envelopes are often partial (replayed via SNS/SQS, copied from
 * docs): only `detail-type` and `detail` are required; the rest is read when present.
 */
import { InputError } from "../errors";
import { type Json, optionalArray, optionalString, optionalTime, ReadContext, requireObject } from "./read";

export interface Envelope {
  id?: string;
  detailType: string;
  source?: string;
  account?: string;
  region?: string;
  time?: string;
  resources: string[];
  detail: Json;
}

export const isEnvelope = (doc: Json): boolean =>
  "detail-type" in doc || ("detail" in doc && "source" in doc);

/** The strings of a list (a loop rather than `filter`: this runs for every event). */
function stringsOf(list: unknown[]): string[] {
  const strings: string[] = [];
  for (const item of list) if (typeof item === "string") strings.push(item);
  return strings;
}

export function readEnvelope(doc: Json, ctx: ReadContext): Envelope {
  const detailType = doc["detail-type"];
  if (detailType === undefined)
    throw new InputError("missing_field", "$.detail-type is required", '$["detail-type"]');
  if (typeof detailType !== "string")
    throw new InputError("wrong_type", "$.detail-type must be a string", '$["detail-type"]');
  return {
    id: optionalString(doc.id, "$.id", ctx),
    detailType,
    source: optionalString(doc.source, "$.source", ctx),
    account: optionalString(doc.account, "$.account", ctx),
    region: optionalString(doc.region, "$.region", ctx),
    time: optionalTime(doc.time, "$.time", ctx),
    resources: stringsOf(optionalArray(doc.resources, "$.resources", ctx)),
    detail: requireObject(doc.detail, "$.detail"),
  };
}

export { ReadContext };
