/**
 * EventBridge PutEvents entries ({Source, DetailType, Detail: "<json string>", …}) read as the envelope
 * EventBridge would deliver, so replayed PutEvents payloads normalize like delivered events.
 */
import { InputError } from "../errors";
import { isObject, type Json, requireString } from "./read";

export const isPutEventsEntry = (doc: Json): boolean => "DetailType" in doc && "Detail" in doc;

export function envelopeFromEntry(entry: Json, path: string): Json {
  const detailText = requireString(entry.Detail, `${path}.Detail`);
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch {
    throw new InputError(
      "invalid_json",
      `${path}.Detail must be a JSON object encoded as a string`,
      `${path}.Detail`,
    );
  }
  if (!isObject(detail))
    throw new InputError("wrong_type", `${path}.Detail must encode a JSON object`, `${path}.Detail`);
  return {
    "detail-type": requireString(entry.DetailType, `${path}.DetailType`),
    source: requireString(entry.Source, `${path}.Source`),
    ...(typeof entry.Time === "string" ? { time: entry.Time } : {}),
    resources: Array.isArray(entry.Resources) ? entry.Resources : [],
    detail,
  };
}
