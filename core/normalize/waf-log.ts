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
import { buildFinding } from "../findings/build";
import { findingIdentity } from "../findings/correlation";
import type { Actor, Finding } from "../findings/finding";
import type { Resource } from "../findings/resource";
import { fromLabel, type SeverityLabel } from "../findings/severity";
import {
  childPath,
  isObject,
  type Json,
  optionalArray,
  optionalString,
  optionalTime,
  type ReadContext,
  requireObject,
  requireString,
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

/**
 * WAF writes epoch milliseconds: that is the format, not something to warn about. Such a time is returned
 * as the number, to be formatted only if the record becomes a finding (most records are ALLOWs, and
 * formatting is the costliest step of reading one); any other form is read and checked here.
 */
function readTime(value: unknown, path: string, ctx: ReadContext): number | string {
  if (typeof value === "number" && value >= MIN_MS && value < MAX_MS) return value;
  const at = optionalTime(value, path, ctx);
  if (at === undefined) throw new InputError("invalid_value", `${path} is not a readable time`, path);
  return at;
}

function actionNamed(text: string): WafAction | undefined {
  for (const action of ACTIONS) if (action === text) return action;
  return undefined;
}

function readAction(value: unknown, path: string): WafAction {
  const raw = requireString(value, path);
  const action = actionNamed(raw) ?? actionNamed(raw.trim().toUpperCase());
  if (action === undefined)
    throw new InputError(
      "invalid_value",
      `${path} must be one of ${ACTIONS.join(", ")}; got "${raw.slice(0, 40)}"`,
      path,
    );
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
      return optionalString(header.value, `${childPath(path, i)}.value`, ctx);
  }
  return undefined;
}

/** The rule group (if any) that terminated the request, and the rule inside it. */
function terminatingGroup(doc: Json, path: string, ctx: ReadContext): { groupId?: string; ruleId?: string } {
  const groups = optionalArray(doc.ruleGroupList, `${path}.ruleGroupList`, ctx);
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (!isObject(group) || !isObject(group.terminatingRule)) continue;
    const at = childPath(`${path}.ruleGroupList`, i);
    return {
      groupId: optionalString(group.ruleGroupId, `${at}.ruleGroupId`, ctx),
      ruleId: optionalString(group.terminatingRule.ruleId, `${at}.terminatingRule.ruleId`, ctx),
    };
  }
  return {};
}

function conditionTypes(doc: Json, path: string, ctx: ReadContext): string[] {
  return optionalArray(doc.terminatingRuleMatchDetails, `${path}.terminatingRuleMatchDetails`, ctx).flatMap(
    (m) => (isObject(m) && typeof m.conditionType === "string" ? [m.conditionType] : []),
  );
}

export function classifyRule(ruleType: string | undefined, texts: readonly string[]) {
  return (
    RULE_CLASSES.find(
      (c) =>
        (c.ruleType === undefined || c.ruleType === ruleType) &&
        (c.pattern === undefined || texts.some((t) => c.pattern!.test(t))),
    ) ?? RULE_CLASSES[RULE_CLASSES.length - 1]!
  );
}

function webAclOf(webaclId: string, path: string, ctx: ReadContext) {
  const m = webaclId.match(WEB_ACL_ARN);
  if (m === null) {
    ctx.warn("unreadable_arn", path, "webaclId is not a WAFv2 web ACL ARN; account and region unknown");
    return { name: webaclId, accountId: "unknown", region: "unknown", arn: undefined };
  }
  const [, region, accountId, , name] = m;
  return { name: name!, accountId: accountId || "unknown", region: region || "unknown", arn: webaclId };
}

function read(doc: Json, path: string, ctx: ReadContext): Finding[] {
  const mark = ctx.warnings.length;
  const action = readAction(doc.action, `${path}.action`);
  const time = readTime(doc.timestamp, `${path}.timestamp`, ctx);
  const webaclId = requireString(doc.webaclId, `${path}.webaclId`);
  const http = requireObject(doc.httpRequest, `${path}.httpRequest`);
  if (!SIGNAL[action]) return [];
  const at = typeof time === "number" ? new Date(time).toISOString() : time;

  const acl = webAclOf(webaclId, `${path}.webaclId`, ctx);
  const ruleId = optionalString(doc.terminatingRuleId, `${path}.terminatingRuleId`, ctx) ?? "unknown-rule";
  const ruleType = optionalString(doc.terminatingRuleType, `${path}.terminatingRuleType`, ctx);
  const group = terminatingGroup(doc, path, ctx);
  const conditions = conditionTypes(doc, path, ctx);
  const ruleClass = classifyRule(
    ruleType,
    [ruleId, group.groupId, group.ruleId, ...conditions].filter((t) => t !== undefined),
  );

  // A well-formed field needs no path: it is only built for a warning.
  const str = (key: string) => {
    const value = http[key];
    if (typeof value === "string") return value === "" ? undefined : value;
    return value === undefined || value === null
      ? undefined
      : optionalString(value, `${path}.httpRequest.${key}`, ctx);
  };
  const clientIp = str("clientIp");
  const country = str("country");
  const requestId = str("requestId");
  const method = str("httpMethod");
  const uri = str("uri");
  const host = str("host");
  const headers = optionalArray(http.headers, `${path}.httpRequest.headers`, ctx);
  const userAgent = userAgentOf(headers, `${path}.httpRequest.headers`, ctx);
  const sourceName = optionalString(doc.httpSourceName, `${path}.httpSourceName`, ctx);
  const sourceId = optionalString(doc.httpSourceId, `${path}.httpSourceId`, ctx);

  const ruleIds = [ruleId, ...(group.ruleId !== undefined ? [group.ruleId] : [])];
  const resources: Resource[] = [
    {
      type: "waf-web-acl",
      id: acl.name,
      name: acl.name,
      ...(acl.arn !== undefined ? { arn: acl.arn } : {}),
      accountId: acl.accountId,
      region: acl.region,
      ruleIds,
      ...(clientIp !== undefined ? { clientIps: [clientIp] } : {}),
    },
  ];
  if (sourceId !== undefined)
    resources.push({
      type: "other",
      id: sourceId,
      accountId: acl.accountId,
      region: acl.region,
      sourceType: SOURCE_TYPES[(sourceName ?? "").toUpperCase()] ?? sourceName ?? "unknown",
    });

  const actor: Actor = {
    ...(clientIp !== undefined ? { ip: clientIp } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...(country !== undefined ? { location: { country } } : {}),
  };
  const request = [method, `${host ?? ""}${uri ?? ""}`].filter((s) => s !== undefined && s !== "").join(" ");
  const requestKey = requestId ?? `${at}:${clientIp ?? "unknown-ip"}`;
  const rule = group.ruleId !== undefined ? `${ruleId} (${group.ruleId})` : ruleId;

  return [
    buildFinding({
      source: "waf",
      identity: findingIdentity("waf", webaclId, requestKey),
      kind: "detection",
      type: `WAF/${ruleId}`,
      category: "waf-attack",
      title: `WAF blocked ${request || "a request"}${clientIp !== undefined ? ` from ${clientIp}` : ""} (${ruleClass.name}: ${rule})`,
      description: [
        `Web ACL ${acl.name} blocked a request by rule ${rule}${ruleType !== undefined ? ` (${ruleType})` : ""}.`,
        conditions.length > 0 ? `Matched: ${conditions.join(", ")}.` : undefined,
        country !== undefined ? `Client country: ${country}.` : undefined,
      ]
        .filter((s) => s !== undefined)
        .join(" "),
      severity: fromLabel(ruleClass.severity),
      accountId: acl.accountId,
      region: acl.region,
      firstSeenAt: at,
      lastSeenAt: at,
      updatedAt: at,
      count: 1,
      archived: false,
      resources,
      ...(Object.keys(actor).length > 0 ? { actor } : {}),
      origin: { product: "AWS WAF", sourceId: requestKey, rawRef: ctx.rawRef, rawPath: path },
      warnings: ctx.since(mark),
    }),
  ];
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
