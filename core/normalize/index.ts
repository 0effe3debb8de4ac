/**
 * The normalizer dispatcher: one document in, findings out, or a typed InputError.
 *
 * Routing is by EventBridge `detail-type` for envelopes (never by `source` alone: a CloudTrail event may
 * carry `source: aws.guardduty`), and by shape for bare exported documents. Containers — a CloudTrail log
 * file `{"Records":[...]}`, a GetFindings page `{"Findings":[...]}`, a PutEvents request `{"Entries":[...]}`
 * — are read element by element, each element with its own result.
 */
import { DEFAULT_ALARM_RULES } from "../detections/alarm-rules";
import { InputError } from "../errors";
import type { Finding } from "../findings/finding";
import { appEventNormalizer } from "./app-event";
import { cloudTrailNormalizer } from "./cloudtrail";
import { cloudWatchAlarmNormalizer } from "./cloudwatch-alarm";
import { readEnvelope } from "./envelope";
import { guardDutyNormalizer } from "./guardduty";
import { envelopeFromEntry, isPutEventsEntry } from "./put-events-entry";
import { childPath, describeType, isObject, type Json, ReadContext } from "./read";
import { securityHubNormalizer } from "./securityhub";
import type { NormalizeOptions, SourceNormalizer } from "./source-normalizer";
import { wafLogNormalizer } from "./waf-log";

export type { NormalizeOptions } from "./source-normalizer";

export const NORMALIZERS: readonly SourceNormalizer[] = [
  guardDutyNormalizer,
  securityHubNormalizer,
  cloudTrailNormalizer,
  cloudWatchAlarmNormalizer,
  appEventNormalizer,
  wafLogNormalizer,
];

/** Bare documents are recognised by shape; the cheapest, most common checks go first. */
const BARE_ORDER: readonly NonNullable<SourceNormalizer["bare"]>[] = [
  cloudTrailNormalizer,
  wafLogNormalizer,
  guardDutyNormalizer,
  securityHubNormalizer,
].flatMap((n) => (n.bare ? [n.bare] : []));

/** The first bare reader that recognises `doc` (a loop: this runs for every bare document). */
function bareReaderFor(doc: Json): NonNullable<SourceNormalizer["bare"]> | undefined {
  for (const bare of BARE_ORDER) if (bare.matches(doc)) return bare;
  return undefined;
}

const byDetailType = new Map(NORMALIZERS.flatMap((n) => n.detailTypes.map((t) => [t, n] as const)));

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = { alarmRules: DEFAULT_ALARM_RULES };

/** One unit of input: an event, a bare finding or record. `at` locates it in the input. */
export interface Unit {
  at: string;
  /** The document (for envelopes: the EventBridge event, also what rules are matched against). */
  doc: Json;
  envelope: boolean;
}

/** The elements of a container's list, each a unit. */
function containerUnits(list: unknown[], at: string, key: "Records" | "Findings" | "Entries"): Unit[] {
  const listAt = childPath(at, key);
  if (list.length === 0) throw new InputError("empty", `${key} is empty`, listAt);
  return list.map((element, i): Unit => {
    const elementAt = childPath(listAt, i);
    if (!isObject(element))
      throw new InputError("wrong_type", `expected an object, got ${describeType(element)}`, elementAt);
    if (key === "Entries")
      return { at: elementAt, doc: envelopeFromEntry(element, elementAt), envelope: true };
    return { at: elementAt, doc: element, envelope: false };
  });
}

/** Expands containers into units; anything else is a unit of its own. Throws InputError on non-objects. */
export function expandDocument(doc: unknown, at = "$"): Unit[] {
  if (!isObject(doc))
    throw new InputError(
      "wrong_type",
      `expected a JSON object (an event or finding), got ${describeType(doc)}`,
      at,
    );
  if (!("detail" in doc)) {
    if (Array.isArray(doc.Records)) return containerUnits(doc.Records, at, "Records");
    if (Array.isArray(doc.Findings)) return containerUnits(doc.Findings, at, "Findings");
    if (Array.isArray(doc.Entries)) return containerUnits(doc.Entries, at, "Entries");
  }
  if (isPutEventsEntry(doc)) return [{ at, doc: envelopeFromEntry(doc, at), envelope: true }];
  return [{ at, doc, envelope: "detail-type" in doc }];
}

const KNOWN_DETAIL_TYPES = [...byDetailType.keys()].join(", ");

/** Normalizes one unit. Throws only InputError. */
export function normalizeUnit(
  unit: Unit,
  rawRef: string,
  options: NormalizeOptions = DEFAULT_NORMALIZE_OPTIONS,
): Finding[] {
  const ref = unit.envelope && typeof unit.doc.id === "string" && unit.doc.id !== "" ? unit.doc.id : rawRef;
  const ctx = new ReadContext(ref);
  let findings: Finding[];
  if (unit.envelope) {
    const envelope = readEnvelope(unit.doc, ctx);
    const normalizer = byDetailType.get(envelope.detailType);
    if (!normalizer)
      throw new InputError(
        "unknown_event",
        `no normalizer for detail-type "${envelope.detailType}"; known: ${KNOWN_DETAIL_TYPES}`,
        '$["detail-type"]',
      );
    findings = normalizer.fromEnvelope(envelope, ctx, options);
  } else {
    const bare = bareReaderFor(unit.doc);
    if (bare === undefined)
      throw new InputError(
        "unknown_event",
        "not a recognised event: expected an EventBridge event (detail-type + detail), a GuardDuty or ASFF finding, a CloudTrail record or a WAF log record",
        unit.at,
      );
    findings = bare.read(unit.doc, unit.at === "$" ? "$" : unit.at, ctx, options);
  }
  // Envelopes inside arrays: say where in the input the finding came from.
  if (unit.envelope && unit.at !== "$")
    for (const f of findings) f.origin.rawPath = f.origin.rawPath.replace(/^\$/, unit.at);
  return findings;
}

/** Rethrows anything that is not an InputError as one: bad input must never escape untyped. */
export function asInputError(error: unknown, at: string): InputError {
  if (error instanceof InputError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError("invalid_shape", `could not read this input: ${reason}`, at);
}
