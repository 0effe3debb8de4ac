/**
 * Matching CloudTrail records against the detection catalog, and the tolerant readers that matching and
 * the normalizer share.
 *
 * Invariants:
 * - Nothing here throws on any JSON: a field that is missing or of the wrong shape reads as absent.
 * - Request and response bodies come in two dialects: the usual camelCase JSON, and an XML-derived one
 *   (`{"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-…", "tag": 1}}}`) that newer EC2 APIs log.
 *   `section` and `member` read both, so the catalog can name fields once (`requestParameters.flowLogId`).
 * - Lookups never reach the prototype chain (an event named "constructor" is just a name).
 * - Speed: the catalog is compiled once (field paths split, globs turned into regexes, detections indexed
 *   by eventSource + eventName), so a record is only tested against the few entries that can match it.
 */
import type { IngressRule } from "../findings/resource";
import { isWorldOpen, parseCidr } from "../net/cidr";
import { isObject, type Json, optionalNumber, type ReadContext } from "../normalize/read";
import {
  CLOUDTRAIL_DETECTIONS,
  type CloudTrailDetection,
  type Condition,
  type RecordField,
} from "./cloudtrail-catalog";

/** An own property, never an inherited one. */
export const own = <T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;

/** XML-derived leaf `{ "content": "fl-0123", "tag": 1 }` → its content. */
export function unwrapContent(value: unknown): unknown {
  if (!isObject(value) || !Object.hasOwn(value, "content")) return value;
  for (const k of Object.keys(value)) if (k !== "content" && k !== "tag" && k !== "xmlns") return value;
  return value.content;
}

const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
};

const asciiLower = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);

/**
 * `key.toLowerCase() === name.toLowerCase()` for an ASCII `name`, without lower-casing copies. No character
 * lower-cases to several ASCII ones, so only keys of the same length can match; a key with other than
 * ASCII in it is lower-cased as usual (the Kelvin sign lower-cases to "k").
 */
function equalsAsciiIgnoringCase(key: string, name: string): boolean {
  if (key.length !== name.length) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return key.toLowerCase() === name.toLowerCase();
    if (asciiLower(c) !== asciiLower(name.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * The first own key that equals `name` ignoring case. (`for…in` rather than `Object.keys`: this runs on
 * every miss, and for…in walks the object's cached key list without copying it; `Object.hasOwn` keeps
 * inherited keys out, so the keys seen and their order are Object.keys's.)
 */
function caselessKey(obj: Json, name: string): string | undefined {
  if (isAscii(name)) {
    for (const k in obj) if (equalsAsciiIgnoringCase(k, name) && Object.hasOwn(obj, k)) return k;
    return undefined;
  }
  const lower = name.toLowerCase();
  for (const k in obj) if (k.toLowerCase() === lower && Object.hasOwn(obj, k)) return k;
  return undefined;
}

/** A member of an object by name; the XML dialect capitalises (`GroupId`), so case is ignored on a miss. */
export function member(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, key)) return unwrapContent(obj[key]);
  const found = caselessKey(obj, key);
  return found === undefined ? undefined : unwrapContent(obj[found]);
}

/** Members along pre-split keys. */
function memberAlong(obj: unknown, keys: readonly string[]): unknown {
  let value = obj;
  for (const key of keys) value = member(value, key);
  return value;
}

/** A dotted path of members (`accessKey.accessKeyId`). */
export const memberPath = (obj: unknown, path: string): unknown =>
  path.includes(".") ? memberAlong(obj, path.split(".")) : member(obj, path);

/** The one own key other than `xmlns`, if there is exactly one (for…in as in `caselessKey`). */
function soleKey(obj: Json): string | undefined {
  let only: string | undefined;
  for (const k in obj) {
    if (k === "xmlns" || !Object.hasOwn(obj, k)) continue;
    if (only !== undefined) return undefined;
    only = k;
  }
  return only;
}

/** `requestParameters` / `responseElements`, unwrapping the XML dialect's single `<Api>Request` wrapper. */
export function section(record: Json, key: "requestParameters" | "responseElements"): Json | undefined {
  const value = record[key];
  if (!isObject(value)) return undefined;
  const only = soleKey(value);
  const suffix = key === "requestParameters" ? "Request" : "Response";
  if (only?.endsWith(suffix) && isObject(value[only])) return value[only] as Json;
  return value;
}

/** A scalar as text; blank strings, objects and arrays read as absent. */
export function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A member as a scalar (see `member` and `scalar`). */
export const scalarMember = (obj: unknown, key: string): string | undefined => scalar(member(obj, key));

/** A list however it was logged: an array, `{ items: [...] }`, `{ item: … }`, or a single value. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const items = member(value, "items") ?? member(value, "item");
    if (items !== undefined) return listOf(items);
    return Object.keys(value).length === 0 ? [] : [value];
  }
  return [value];
}

/** Scalars in a list however it was logged (see listOf), appended to `out`. */
function collectScalars(value: unknown, out: string[]): string[] {
  for (const v of listOf(value)) {
    const text = scalar(unwrapContent(v));
    if (text !== undefined) out.push(text);
  }
  return out;
}

/** Scalars named by a request (or response) member, flattened from whatever list shape it has. */
export const scalarsOf = (obj: unknown, path: string): string[] => collectScalars(memberPath(obj, path), []);

/** A record field split once: its head, read through `section` for the two bodies, then members. */
interface FieldReader {
  head: string;
  rest: readonly string[];
}

const splitField = (field: RecordField): FieldReader => {
  const [head, ...rest] = field.split(".") as [string, ...string[]];
  return { head, rest };
};

function readSplitField(record: Json, { head, rest }: FieldReader): unknown {
  const root =
    head === "requestParameters" || head === "responseElements"
      ? section(record, head)
      : member(record, head);
  return memberAlong(root, rest);
}

/** A field of the record by its catalog path. */
export const readField = (record: Json, field: RecordField): unknown =>
  readSplitField(record, splitField(field));

// ── Compiled catalog ─────────────────────────────────────────────────────────────────────────────────

type Test = (record: Json) => boolean;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const globRegExp = (pattern: string) => new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);

const opensToWorld: Test = (record) => ingressRulesOf(record).some((rule) => rule.worldOpen);

/** A condition as a test on the record (see `Condition` for what each form means). */
function compileCondition(condition: Condition): Test {
  if ("worldOpenIngress" in condition) return opensToWorld;
  const field = splitField(condition.field);
  if ("in" in condition) {
    const allowed = condition.in;
    return (record) => {
      const value = scalar(readSplitField(record, field));
      return value !== undefined && allowed.includes(value);
    };
  }
  if ("notIn" in condition) {
    const refused = condition.notIn;
    return (record) => {
      const value = scalar(readSplitField(record, field));
      return value === undefined || !refused.includes(value);
    };
  }
  if ("like" in condition) {
    const globs = condition.like.map(globRegExp);
    return (record) => {
      const value = scalar(readSplitField(record, field));
      if (value === undefined) return false;
      for (const glob of globs) if (glob.test(value)) return true;
      return false;
    };
  }
  return (record) => {
    const raw = readSplitField(record, field);
    return raw === undefined || raw === null || raw === "";
  };
}

/** A detection's conditions, compiled; the event source / name lists are left to the index. */
interface CompiledDetection {
  detection: CloudTrailDetection;
  all: readonly Test[];
  any: readonly Test[] | undefined;
  byEvent: ReadonlyMap<string, readonly Test[]>;
}

const compiledDetections = new WeakMap<CloudTrailDetection, CompiledDetection>();

function compiled(detection: CloudTrailDetection): CompiledDetection {
  let entry = compiledDetections.get(detection);
  if (entry === undefined) {
    const { match } = detection;
    entry = {
      detection,
      all: (match.all ?? []).map(compileCondition),
      any: match.any?.map(compileCondition),
      byEvent: new Map(
        Object.keys(match.byEvent ?? {}).map((name) => [
          name,
          (own(match.byEvent, name) ?? []).map(compileCondition),
        ]),
      ),
    };
    compiledDetections.set(detection, entry);
  }
  return entry;
}

const listed = (list: readonly string[] | "any", value: string) => list === "any" || list.includes(value);

const acceptsEvent = (detection: CloudTrailDetection, eventSource: string, eventName: string) =>
  listed(detection.match.eventSources, eventSource) && listed(detection.match.eventNames, eventName);

function someHolds(tests: readonly Test[], record: Json): boolean {
  for (const test of tests) if (test(record)) return true;
  return false;
}

/** The conditions of a detection already known to list this event source and name. */
function conditionsHold(entry: CompiledDetection, record: Json, eventName: string): boolean {
  for (const test of entry.all) if (!test(record)) return false;
  if (entry.any && !someHolds(entry.any, record)) return false;
  const extra = entry.byEvent.get(eventName);
  if (extra !== undefined) for (const test of extra) if (!test(record)) return false;
  return true;
}

/** Does one detection's predicate hold for this record? */
export function detectionMatches(
  detection: CloudTrailDetection,
  record: Json,
  eventSource: string,
  eventName: string,
): boolean {
  return (
    acceptsEvent(detection, eventSource, eventName) && conditionsHold(compiled(detection), record, eventName)
  );
}

/**
 * A catalog indexed by eventSource then eventName. Each listed pair maps to every entry that accepts it,
 * wildcards included, in catalog order; other pairs can only match the wildcard entries.
 * (Maps, not objects: an event named "constructor" finds nothing.)
 */
interface CatalogIndex {
  catalog: readonly CloudTrailDetection[];
  bySourceAndName: ReadonlyMap<string, ReadonlyMap<string, readonly CompiledDetection[]>>;
  /** Entries with "any" for a source or a name. */
  wildcards: readonly CompiledDetection[];
  /** Whether every wildcard entry says "any" for both, so accepts every pair. */
  wildcardsAcceptAll: boolean;
}

function indexCatalog(catalog: readonly CloudTrailDetection[]): CatalogIndex {
  const entries = catalog.map(compiled);
  const bySourceAndName = new Map<string, Map<string, CompiledDetection[]>>();
  for (const { detection } of entries) {
    const { eventSources, eventNames } = detection.match;
    if (eventSources === "any" || eventNames === "any") continue;
    for (const source of eventSources) {
      const byName = bySourceAndName.get(source) ?? new Map<string, CompiledDetection[]>();
      bySourceAndName.set(source, byName);
      for (const name of eventNames)
        if (!byName.has(name))
          byName.set(
            name,
            entries.filter((e) => acceptsEvent(e.detection, source, name)),
          );
    }
  }
  const wildcards = entries.filter(
    ({ detection: { match } }) => match.eventSources === "any" || match.eventNames === "any",
  );
  const wildcardsAcceptAll = wildcards.every(
    ({ detection: { match } }) => match.eventSources === "any" && match.eventNames === "any",
  );
  return { catalog, bySourceAndName, wildcards, wildcardsAcceptAll };
}

const DEFAULT_INDEX = indexCatalog(CLOUDTRAIL_DETECTIONS);

function candidates(
  index: CatalogIndex,
  eventSource: string,
  eventName: string,
): readonly CompiledDetection[] {
  const listedPair = index.bySourceAndName.get(eventSource)?.get(eventName);
  if (listedPair !== undefined) return listedPair;
  if (index.wildcardsAcceptAll) return index.wildcards;
  return index.wildcards.filter((e) => acceptsEvent(e.detection, eventSource, eventName));
}

/** Every detection the record matches, in catalog order. */
export function matchDetections(
  record: Json,
  eventSource: string,
  eventName: string,
  /** Defaults to the built-in catalog (CLOUDTRAIL_DETECTIONS). */
  catalog?: readonly CloudTrailDetection[],
): CloudTrailDetection[] {
  // Other catalogs (tests, custom rules) are scanned; only the built-in one is worth indexing up front.
  if (catalog !== undefined && catalog !== DEFAULT_INDEX.catalog)
    return catalog.filter((d) => detectionMatches(d, record, eventSource, eventName));
  const matched: CloudTrailDetection[] = [];
  for (const entry of candidates(DEFAULT_INDEX, eventSource, eventName))
    if (conditionsHold(entry, record, eventName)) matched.push(entry.detection);
  return matched;
}

/** The severity a detection gives this event name. */
export const severityFor = (detection: CloudTrailDetection, eventName: string) =>
  own(detection.severityByEvent, eventName) ?? detection.severity;

// ── Security group ingress ─────────────────────────────────────────────────────────────────────────

interface Permission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr: string;
}

function sameCidr(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb) return a.trim().toLowerCase() === b.trim().toLowerCase();
  return pa.version === pb.version && pa.network === pb.network && pa.prefix === pb.prefix;
}

const samePort = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || a === b;

/** Ports are numbers, sometimes strings; with no ReadContext (while matching) nothing is recorded. */
function port(value: unknown, path: string, ctx: ReadContext | undefined): number | undefined {
  if (ctx) return optionalNumber(value, path, ctx);
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

function permissionsOf(list: unknown[], basePath: string, ctx: ReadContext | undefined): Permission[] {
  return list.flatMap((p, i) => {
    if (!isObject(p)) return [];
    const at = `${basePath}[${i}]`;
    const protocol = scalar(member(p, "ipProtocol")) ?? "unknown";
    const fromPort = port(member(p, "fromPort"), `${at}.fromPort`, ctx);
    const toPort = port(member(p, "toPort"), `${at}.toPort`, ctx);
    const cidrs = [
      ...listOf(member(p, "ipRanges")).map((r) => (typeof r === "string" ? r : member(r, "cidrIp"))),
      ...listOf(member(p, "ipv6Ranges")).map((r) => (typeof r === "string" ? r : member(r, "cidrIpv6"))),
      // A response rule (securityGroupRuleSet) names its range directly.
      member(p, "cidrIpv4"),
      member(p, "cidrIpv6"),
    ].flatMap((c) => {
      const text = scalar(c);
      return text === undefined ? [] : [text.trim()];
    });
    return cidrs.map((cidr) => ({ protocol, fromPort, toPort, cidr }));
  });
}

/**
 * The ingress permissions an AuthorizeSecurityGroupIngress call adds, each flagged `worldOpen` when its
 * range is the whole IPv4 or IPv6 space, and given the new rule's id when the response names it.
 * Reads `ipPermissions` (JSON or XML dialect), the legacy single-rule form (`cidrIp` beside `groupId`),
 * and falls back to the response's `securityGroupRuleSet` when the request lists nothing.
 */
export function ingressRulesOf(record: Json, ctx?: ReadContext, recordPath = "$"): IngressRule[] {
  const params = section(record, "requestParameters");
  const response = section(record, "responseElements");
  const requested = permissionsOf(
    listOf(member(params, "ipPermissions")),
    `${recordPath}.requestParameters.ipPermissions.items`,
    ctx,
  );
  if (requested.length === 0 && member(params, "cidrIp") !== undefined)
    requested.push(
      ...permissionsOf(
        [{ ...params, ipRanges: [member(params, "cidrIp")] }],
        `${recordPath}.requestParameters`,
        ctx,
      ),
    );
  const created = listOf(member(response, "securityGroupRuleSet")).filter(
    (r) => isObject(r) && scalar(member(r, "isEgress")) !== "true",
  );
  const createdPermissions = created.map((r) => ({
    ruleId: scalar(member(r, "securityGroupRuleId")),
    permission: permissionsOf([r], `${recordPath}.responseElements.securityGroupRuleSet.items`, undefined)[0],
  }));
  const rules: Array<Permission & { ruleId?: string }> =
    requested.length > 0
      ? requested
      : createdPermissions.flatMap((c) => (c.permission ? [{ ...c.permission, ruleId: c.ruleId }] : []));
  const unclaimed = [...createdPermissions];
  return rules.map((rule) => {
    let ruleId = rule.ruleId;
    if (ruleId === undefined) {
      const i = unclaimed.findIndex(
        (c) =>
          c.permission !== undefined &&
          sameCidr(c.permission.cidr, rule.cidr) &&
          samePort(c.permission.fromPort, rule.fromPort) &&
          samePort(c.permission.toPort, rule.toPort),
      );
      if (i >= 0) ruleId = unclaimed.splice(i, 1)[0]!.ruleId;
    }
    const out: IngressRule = { protocol: rule.protocol, cidr: rule.cidr, worldOpen: isWorldOpen(rule.cidr) };
    if (rule.fromPort !== undefined) out.fromPort = rule.fromPort;
    if (rule.toPort !== undefined) out.toPort = rule.toPort;
    if (ruleId !== undefined) out.ruleId = ruleId;
    return out;
  });
}
