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
  return Object.keys(value).every((k) => k === "content" || k === "tag" || k === "xmlns")
    ? value.content
    : value;
}

/** A member of an object by name; the XML dialect capitalises (`GroupId`), so case is ignored on a miss. */
export function member(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, key)) return unwrapContent(obj[key]);
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return unwrapContent(v);
  return undefined;
}

/** A dotted path of members (`accessKey.accessKeyId`). */
export const memberPath = (obj: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((value, key) => member(value, key), obj);

/** `requestParameters` / `responseElements`, unwrapping the XML dialect's single `<Api>Request` wrapper. */
export function section(record: Json, key: "requestParameters" | "responseElements"): Json | undefined {
  const value = record[key];
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value).filter((k) => k !== "xmlns");
  const only = keys.length === 1 ? keys[0]! : undefined;
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

/** Scalars named by a request (or response) member, flattened from whatever list shape it has. */
export const scalarsOf = (obj: unknown, path: string): string[] =>
  listOf(memberPath(obj, path)).flatMap((v) => {
    const text = scalar(unwrapContent(v));
    return text === undefined ? [] : [text];
  });

/** A field of the record by its catalog path. */
export function readField(record: Json, field: RecordField): unknown {
  const [head, ...rest] = field.split(".") as [string, ...string[]];
  const root =
    head === "requestParameters" || head === "responseElements"
      ? section(record, head)
      : member(record, head);
  return rest.reduce<unknown>((value, key) => member(value, key), root);
}

const globCache = new Map<string, RegExp>();
function globMatches(pattern: string, text: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
    globCache.set(pattern, re);
  }
  return re.test(text);
}
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function holds(condition: Condition, record: Json): boolean {
  if ("worldOpenIngress" in condition) return ingressRulesOf(record).some((rule) => rule.worldOpen);
  const raw = readField(record, condition.field);
  const value = scalar(raw);
  if ("in" in condition) return value !== undefined && condition.in.includes(value);
  if ("notIn" in condition) return value === undefined || !condition.notIn.includes(value);
  if ("like" in condition) return value !== undefined && condition.like.some((p) => globMatches(p, value));
  return raw === undefined || raw === null || raw === "";
}

const listed = (list: readonly string[] | "any", value: string) => list === "any" || list.includes(value);

/** Does one detection's predicate hold for this record? */
export function detectionMatches(
  detection: CloudTrailDetection,
  record: Json,
  eventSource: string,
  eventName: string,
): boolean {
  const { match } = detection;
  if (!listed(match.eventSources, eventSource) || !listed(match.eventNames, eventName)) return false;
  if (match.all && !match.all.every((c) => holds(c, record))) return false;
  if (match.any && !match.any.some((c) => holds(c, record))) return false;
  const extra = own(match.byEvent, eventName);
  return extra === undefined || extra.every((c) => holds(c, record));
}

/** Every detection the record matches, in catalog order. */
export function matchDetections(
  record: Json,
  eventSource: string,
  eventName: string,
  catalog: readonly CloudTrailDetection[] = CLOUDTRAIL_DETECTIONS,
): CloudTrailDetection[] {
  return catalog.filter((d) => detectionMatches(d, record, eventSource, eventName));
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
