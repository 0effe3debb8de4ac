/**
 * The dispatcher's capabilities in AWS (app/execute-command.ts Capabilities), each from its adapter and
 * each present only when configured: a capability left out makes its commands fail visibly ("no chat
 * configured") rather than vanish. Containment and GuardDuty feedback need no settings and are always on
 * (the containment policy decides whether containment commands exist at all).
 *
 * Postmortem drafts are written by app/postmortem.ts from the store: the draft is the command's result.
 *
 * Slack: the token comes from Secrets Manager on first use; the SlackChatOps is rebuilt only when the
 * token changes (rotation), and one ChannelRateLimiter paces all of this container's writes. A chat call
 * refused with RetryLaterError is a rate limit (ChatOps contract) and is counted as SlackRateLimited.
 */

import { AwsContainment } from "../../adapters/containment/aws-containment";
import { IncidentPublisher } from "../../adapters/eventbridge/incident-publisher";
import { GuardDutyFeedback } from "../../adapters/guardduty/feedback";
import { SecurityHubFindingTracker } from "../../adapters/securityhub/finding-tracker";
import { ChannelRateLimiter } from "../../adapters/slack/channel-rate-limit";
import { SlackChatOps } from "../../adapters/slack/chat-ops";
import { createSlackWebClient } from "../../adapters/slack/web-client";
import { SnsAlerter } from "../../adapters/sns/alerter";
import type { Capabilities } from "../../app/execute-command";
import { createPostmortemWriter } from "../../app/postmortem";
import type { ChatOps } from "../../core/ports/chat-ops";
import type { Clock } from "../../core/ports/clock";
import { RetryLaterError } from "../../core/ports/command-executor";
import type { IncidentStore } from "../../core/ports/incident-store";
import { runbookUrl } from "../../core/runbooks/runbook-url";
import type { Telemetry } from "../shared/observability";
import { type SecretSource, type SlackSecrets, slackSecretsFrom } from "../shared/secrets";
import type { DispatchClients } from "./clients";
import type { DispatchConfig, SlackChatConfig } from "./config";

const trimSlash = (url: string) => url.replace(/\/+$/, "");

export function slackChat(
  config: SlackChatConfig,
  runbookBaseUrl: string,
  secrets: SecretSource<SlackSecrets>,
  telemetry: Telemetry,
): ChatOps {
  const rateLimiter = new ChannelRateLimiter();
  let current: { token: string; chat: SlackChatOps } | undefined;

  async function chat(): Promise<SlackChatOps> {
    const { botToken } = await secrets.get();
    if (current?.token !== botToken) {
      const client = createSlackWebClient({
        token: botToken,
        ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
      });
      current = {
        token: botToken,
        chat: new SlackChatOps({
          client,
          channels: config.channels,
          runbookBaseUrl,
          mentions: config.mentions,
          rateLimiter,
        }),
      };
    }
    return current.chat;
  }

  async function counted<T>(call: (chat: SlackChatOps) => Promise<T>): Promise<T> {
    try {
      return await call(await chat());
    } catch (error) {
      if (error instanceof RetryLaterError) telemetry.metric("SlackRateLimited");
      throw error;
    }
  }

  return {
    postIncidentMessage: (id, params) => counted((c) => c.postIncidentMessage(id, params)),
    updateIncidentMessage: (id, ref, params) => counted((c) => c.updateIncidentMessage(id, ref, params)),
    postThreadReply: (id, ref, params) => counted((c) => c.postThreadReply(id, ref, params)),
    mentionInChat: (id, ref, params) => counted((c) => c.mentionInChat(id, ref, params)),
  };
}

export function awsCapabilities(
  config: DispatchConfig,
  clients: DispatchClients,
  telemetry: Telemetry,
  app: { store: IncidentStore; clock: Clock },
): Capabilities {
  const serviceName = config.response.serviceName;
  const runbookBase = config.runbookBaseUrl ? trimSlash(config.runbookBaseUrl) : undefined;
  const incidentUrl = config.incidentBaseUrl
    ? (id: string) => `${trimSlash(config.incidentBaseUrl!)}/${encodeURIComponent(id)}`
    : undefined;
  const capabilities: Capabilities = {
    generatePostmortem: createPostmortemWriter({
      store: app.store,
      clock: app.clock,
      ...(runbookBase ? { runbookBaseUrl: runbookBase } : {}),
    }),
    containment: new AwsContainment(config.containment),
    sendGuardDutyFeedback: new GuardDutyFeedback({
      client: (where) => clients.guardDuty(where.region),
      archiveOnFalsePositive: config.guardDutyArchiveFalsePositives,
    }).sendFeedback,
  };
  if (config.slack && runbookBase) {
    capabilities.chat = slackChat(
      config.slack,
      runbookBase,
      slackSecretsFrom(clients.secretsManager, config.slack.secretId),
      telemetry,
    );
  }
  if (config.alertTopicArn) {
    capabilities.alerter = new SnsAlerter({
      client: clients.sns,
      topicArn: config.alertTopicArn,
      serviceName,
      ...(incidentUrl ? { incidentUrl } : {}),
      ...(runbookBase
        ? { runbookUrl: (id: string, section: string) => runbookUrl(runbookBase, id, section) }
        : {}),
    });
  }
  if (config.securityHub) {
    const { productArn, accountId, region } = config.securityHub;
    capabilities.findings = new SecurityHubFindingTracker({
      client: clients.securityHub,
      serviceName,
      productArn,
      awsAccountId: accountId,
      region,
      incidentUrl:
        incidentUrl ?? (() => `https://console.aws.amazon.com/securityhub/home?region=${region}#/findings`),
    });
  }
  if (config.eventBusName) {
    capabilities.publishIncidentEvent = new IncidentPublisher({
      client: clients.eventBridge,
      eventBusName: config.eventBusName,
      serviceName,
      ...(config.incidentBaseUrl ? { incidentBaseUrl: config.incidentBaseUrl } : {}),
      ...(runbookBase ? { runbookBaseUrl: runbookBase } : {}),
    }).publish;
  }
  return capabilities;
}
