/**
 * AWS WAF (v2) full-log records → findings. WAF logs never arrive as EventBridge events; they are bare
 * documents recognised by shape (timestamp + webaclId + action + httpRequest).
 *
 * Invariants:
 * - Only a BLOCK is a signal. ALLOW and COUNT are traffic, and CAPTCHA / CHALLENGE are routine puzzles
 *   for clients without a token; surges of those show up through BlockedRequests-style alarms instead.
 *   An action WAF does not define is refused, never dropped.
 * - The primary resource is the web ACL with id = ACL name and the region of its ARN, exactly what a
 *   WAFV2 alarm's WebACL dimension gives, so log findings and alarm findings on one ACL share an incident.
 *   Global (CloudFront) ACLs keep their ARN region, us-east-1, where their metrics and alarms live.
 * - Severity follows the attack class of the terminating rule (RULE_CLASSES): injection and exploit
 *   rules HIGH, rate-based MEDIUM, IP reputation / anonymous IP / bot lists LOW, anything else MEDIUM.
 * - Identity is (web ACL, request id), falling back to (timestamp, client IP): one request, one finding.
 */
import { InputError } from "../errors";
import { buildFinding, type FindingDraft } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Actor, Finding } from "../findings/finding";
import type { Resource, ResourceOf } from "../findings/resource";
import { fromLabel, type SeverityLabel } from "../findings/severity";
import {
  arrayAt,
  childPath,
  isObject,
  isoFromMs,
  type Json,
  optionalTime,
  type ReadContext,
  requiredStringAt,
  requireObject,
  stringAt,
} from "./read";
import type { SourceNormalizer } from "./source-normalizer";

const ACTIONS = ["ALLOW", "BLOCK", "COUNT", "CAPTCHA", "CHALLENGE"] as const;
type WafAction = (typeof ACTIONS)[number];

const SIGNAL: Record<WafAction, boolean> = {
  ALLOW: false,
  BLOCK: true,
  COUNT: false,
  CAPTCHA: false,
  CHALLENGE: false,
};

/** Attack classes, first match wins; `pattern` is tested on the terminating rule, group and match types. */
export const RULE_CLASSES: readonly {
  name: string;
  severity: SeverityLabel;
  pattern?: RegExp;
  ruleType?: string;
}[] = [
  {
    name: "injection",
    severity: "HIGH",
    pattern: /SQL_?INJECTION|SQLi|XSS|CrossSiteScripting|sql-database/i,
  },
  {
    name: "exploit",
    severity: "HIGH",
    pattern:
      /KnownBadInputs|Log4J|(Linux|Unix|Windows|PHP)RuleSet|known-bad-inputs|linux-os|posix-os|windows-os|php-app/i,
  },
  { name: "rate-based", severity: "MEDIUM", ruleType: "RATE_BASED" },
  {
    name: "reputation",
    severity: "LOW",
    pattern: /IpReputationList|AnonymousIpList|BotControl|amazon-ip-list|anonymous-ip-list|bot-control/i,
  },
  { name: "custom", severity: "MEDIUM" },
];

const WEB_ACL_ARN = /^arn:[\w-]+:wafv2:([^:]*):([^:]*):(regional|global)\/webacl\/([^/]+)\/(.+)$/;

/** CloudFormation names of the resource kinds WAF logs name in httpSourceName. */
const SOURCE_TYPES: Record<string, string> = {
  ALB: "AWS::ElasticLoadBalancingV2::LoadBalancer",
  CF: "AWS::CloudFront::Distribution",
  APIGW: "AWS::ApiGateway::Stage",
  APPSYNC: "AWS::AppSync::GraphQLApi",
  COGNITOIDP: "AWS::Cognito::UserPool",
  APPRUNNER: "AWS::AppRunner::Service",
};

const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

// Speed: a field's JSON path is built only when a warning or error needs it (the field readers of ./read),
// optional members are set one by one in their usual order rather than spread in, and lists are walked
// with plain loops: this runs for every WAF record.

/**
 * WAF writes epoch milliseconds: that is the format, not something to warn about. Such a time is returned
 * as the number, to be formatted only if the record becomes a finding (most records are ALLOWs); any other
 * form is read and checked here.
 */
function readTime(value: unknown, parent: string, ctx: ReadContext): number | string {
  if (typeof value === "number" && value >= MIN_MS && value < MAX_MS) return value;
  const path = `${parent}.timestamp`;
  const at = optionalTime(value, path, ctx);
  if (at === undefined) throw new InputError("invalid_value", `${path} is not a readable time`, path);
  return at;
}

function actionNamed(text: string): WafAction | undefined {
  for (const action of ACTIONS) if (action === text) return action;
  return undefined;
}

function readAction(doc: Json, parent: string): WafAction {
  const raw = requiredStringAt(doc, "action", parent);
  const action = actionNamed(raw) ?? actionNamed(raw.trim().toUpperCase());
  if (action === undefined) {
    const path = `${parent}.action`;
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${ACTIONS.join(", ")}; got "${raw.slice(0, 40)}"`,
      path,
    );
  }
  return action;
}

function userAgentOf(headers: unknown[], path: string, ctx: ReadContext): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i];
    if (!isObject(header)) {
      ctx.warn("ignored_field", childPath(path, i), "header is not an object; ignored");
      continue;
    }
    const { name } = header;
    // Length first: most headers are ruled out without lower-casing (a copy) every header name.
    if (typeof name === "string" && name.length === 10 && name.toLowerCase() === "user-agent")
      return stringAt(header, "value", childPath(path, i), ctx);
  }
  return undefined;
}

/** The rule group (if any) that terminated the request, and the rule inside it. */
function terminatingGroup(doc: Json, path: string, ctx: ReadContext): { groupId?: string; ruleId?: string } {
  const groups = arrayAt(doc, "ruleGroupList", path, ctx);
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (!isObject(group) || !isObject(group.terminatingRule)) continue;
    const at = childPath(`${path}.ruleGroupList`, i);
    return {
      groupId: stringAt(group, "ruleGroupId", at, ctx),
      ruleId: stringAt(group.terminatingRule, "ruleId", `${at}.terminatingRule`, ctx),
    };
  }
  return {};
}

function conditionTypes(doc: Json, path: string, ctx: ReadContext): string[] {
  const details = arrayAt(doc, "terminatingRuleMatchDetails", path, ctx);
  const types: string[] = [];
  for (let i = 0; i < details.length; i++) {
    const match = details[i];
    if (isObject(match) && typeof match.conditionType === "string") types.push(match.conditionType);
  }
  return types;
}

export function classifyRule(ruleType: string | undefined, texts: readonly string[]) {
  for (const c of RULE_CLASSES) {
    if (c.ruleType !== undefined && c.ruleType !== ruleType) continue;
    const pattern = c.pattern;
    if (pattern === undefined) return c;
    for (const t of texts) if (pattern.test(t)) return c;
  }
  return RULE_CLASSES[RULE_CLASSES.length - 1]!;
}

function webAclOf(webaclId: string, parent: string, ctx: ReadContext) {
  const m = WEB_ACL_ARN.exec(webaclId);
  if (m === null) {
    ctx.warn(
      "unreadable_arn",
      `${parent}.webaclId`,
      "webaclId is not a WAFv2 web ACL ARN; account and region unknown",
    );
    return { name: webaclId, accountId: "unknown", region: "unknown", arn: undefined };
  }
  // Indexed rather than destructured: destructuring a RegExp match walks the iterator protocol.
  return { name: m[4]!, accountId: m[2] || "unknown", region: m[1] || "unknown", arn: webaclId };
}

function read(doc: Json, path: string, ctx: ReadContext): Finding[] {
  const mark = ctx.warnings.length;
  const action = readAction(doc, path);
  const time = readTime(doc.timestamp, path, ctx);
  const webaclId = requiredStringAt(doc, "webaclId", path);
  const http = isObject(doc.httpRequest)
    ? doc.httpRequest
    : requireObject(doc.httpRequest, `${path}.httpRequest`);
  if (!SIGNAL[action]) return [];
  const at = typeof time === "number" ? isoFromMs(time) : time;

  const acl = webAclOf(webaclId, path, ctx);
  const ruleId = stringAt(doc, "terminatingRuleId", path, ctx) ?? "unknown-rule";
  const ruleType = stringAt(doc, "terminatingRuleType", path, ctx);
  const group = terminatingGroup(doc, path, ctx);
  const conditions = conditionTypes(doc, path, ctx);
  const texts = [ruleId];
  if (group.groupId !== undefined) texts.push(group.groupId);
  if (group.ruleId !== undefined) texts.push(group.ruleId);
  for (const condition of conditions) texts.push(condition);
  const ruleClass = classifyRule(ruleType, texts);

  const httpPath = `${path}.httpRequest`;
  const clientIp = stringAt(http, "clientIp", httpPath, ctx);
  const country = stringAt(http, "country", httpPath, ctx);
  const requestId = stringAt(http, "requestId", httpPath, ctx);
  const method = stringAt(http, "httpMethod", httpPath, ctx);
  const uri = stringAt(http, "uri", httpPath, ctx);
  const host = stringAt(http, "host", httpPath, ctx);
  const headers = arrayAt(http, "headers", httpPath, ctx);
  const userAgent = headers.length > 0 ? userAgentOf(headers, `${httpPath}.headers`, ctx) : undefined;
  const sourceName = stringAt(doc, "httpSourceName", path, ctx);
  const sourceId = stringAt(doc, "httpSourceId", path, ctx);

  const webAcl: ResourceOf<"waf-web-acl"> = { type: "waf-web-acl", id: acl.name, name: acl.name };
  if (acl.arn !== undefined) webAcl.arn = acl.arn;
  webAcl.accountId = acl.accountId;
  webAcl.region = acl.region;
  webAcl.ruleIds = group.ruleId !== undefined ? [ruleId, group.ruleId] : [ruleId];
  if (clientIp !== undefined) webAcl.clientIps = [clientIp];
  const resources: Resource[] = [webAcl];
  if (sourceId !== undefined)
    resources.push({
      type: "other",
      id: sourceId,
      accountId: acl.accountId,
      region: acl.region,
      sourceType: SOURCE_TYPES[(sourceName ?? "").toUpperCase()] ?? sourceName ?? "unknown",
    });

  const actor: Actor = {};
  if (clientIp !== undefined) actor.ip = clientIp;
  if (userAgent !== undefined) actor.userAgent = userAgent;
  if (country !== undefined) actor.location = { country };
  const target = `${host ?? ""}${uri ?? ""}`;
  const request = method === undefined ? target : target === "" ? method : `${method} ${target}`;
  const requestKey = requestId ?? `${at}:${clientIp ?? "unknown-ip"}`;
  const rule = group.ruleId !== undefined ? `${ruleId} (${group.ruleId})` : ruleId;
  let description = `Web ACL ${acl.name} blocked a request by rule ${rule}${ruleType !== undefined ? ` (${ruleType})` : ""}.`;
  if (conditions.length > 0) description += ` Matched: ${conditions.join(", ")}.`;
  if (country !== undefined) description += ` Client country: ${country}.`;

  // `actor` only when there is one, in its place between resources and origin.
  const draft = {
    source: "waf",
    identity: findingIdentity("waf", webaclId, requestKey),
    kind: "detection",
    type: `WAF/${ruleId}`,
    category: "waf-attack",
    title: `WAF blocked ${request || "a request"}${clientIp !== undefined ? ` from ${clientIp}` : ""} (${ruleClass.name}: ${rule})`,
    description,
    severity: fromLabel(ruleClass.severity),
    accountId: acl.accountId,
    region: acl.region,
    firstSeenAt: at,
    lastSeenAt: at,
    updatedAt: at,
    count: 1,
    archived: false,
    resources,
  } as FindingDraft;
  if (actor.ip !== undefined || actor.userAgent !== undefined || actor.location !== undefined)
    draft.actor = actor;
  draft.origin = { product: "AWS WAF", sourceId: requestKey, rawRef: ctx.rawRef, rawPath: path };
  draft.warnings = ctx.since(mark);
  return [buildFinding(draft)];
}

export const isWafLogRecord = (doc: Json): boolean =>
  "timestamp" in doc && "webaclId" in doc && "action" in doc && "httpRequest" in doc;

export const wafLogNormalizer: SourceNormalizer = {
  name: "waf-log",
  detailTypes: [],
  fromEnvelope: () => {
    throw new InputError("unknown_event", "WAF log records are not EventBridge events", '$["detail-type"]');
  },
  bare: { matches: isWafLogRecord, read: (doc, path, ctx) => read(doc, path, ctx) },
};
