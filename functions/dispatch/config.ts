/** The dispatch function's configuration (functions/shared/config-parse.ts says how it is read). */
import * as z from "zod";
import { slackChannelsSchema } from "../../adapters/slack/chat-ops";
import {
  type BaseConfig,
  baseVariables,
  type Env,
  flag,
  httpsUrl,
  json,
  optional,
  parseEnvironment,
  responseConfig,
  responseConfigSchema,
  text,
} from "../shared/config-parse";
import { ENV } from "../shared/env-names";

const mentionsSchema = z.record(
  z.string().min(1),
  z.string().regex(/^[UWS][A-Z0-9]{2,}$/, "a Slack user (U…) or user-group (S…) id"),
);

const SECURITY_HUB_PRODUCT = /^arn:aws[a-z-]*:securityhub:([a-z0-9-]+):(\d{12}):product\/\d{12}\/default$/;
const securityHubProductArn = () =>
  text().regex(
    SECURITY_HUB_PRODUCT,
    "must be arn:aws:securityhub:<region>:<account>:product/<account>/default",
  );

export const dispatchSchema = z.object({
  ...baseVariables(),
  [ENV.responseConfig]: optional(json(responseConfigSchema())),
  [ENV.slackSecretArn]: optional(text()),
  [ENV.slackApiUrl]: optional(httpsUrl()),
  [ENV.slackChannels]: optional(json(slackChannelsSchema)),
  [ENV.slackMentions]: optional(json(mentionsSchema)),
  [ENV.runbookBaseUrl]: optional(httpsUrl()),
  [ENV.incidentBaseUrl]: optional(httpsUrl()),
  [ENV.alertTopicArn]: optional(text().regex(/^arn:aws[a-z-]*:sns:/, "must be an SNS topic ARN")),
  [ENV.eventBusName]: optional(text()),
  [ENV.securityHubProductArn]: optional(securityHubProductArn()),
  [ENV.containmentRoleName]: optional(text()),
  [ENV.containmentExternalId]: optional(text()),
  [ENV.homeAccountId]: optional(text().regex(/^\d{12}$/, "must be a 12-digit account id")),
  [ENV.guardDutyArchiveFalsePositives]: optional(flag()),
});

export interface SlackChatConfig {
  secretId: string;
  apiUrl: string | undefined;
  channels: z.output<typeof slackChannelsSchema>;
  mentions: Record<string, string>;
}

export interface DispatchConfig extends BaseConfig {
  /** Absent: chat commands fail visibly ("no chat configured"). */
  slack: SlackChatConfig | undefined;
  runbookBaseUrl: string | undefined;
  incidentBaseUrl: string | undefined;
  alertTopicArn: string | undefined;
  eventBusName: string | undefined;
  securityHub: { productArn: string; region: string; accountId: string } | undefined;
  containment: { roleName?: string; externalId?: string; homeAccountId?: string };
  guardDutyArchiveFalsePositives: boolean;
}

export function loadDispatchConfig(env: Env): DispatchConfig {
  const e = parseEnvironment("dispatch", dispatchSchema, env);
  const hub = e.IR_SECURITY_HUB_PRODUCT_ARN?.match(SECURITY_HUB_PRODUCT);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    slack:
      e.IR_SLACK_SECRET_ARN && e.IR_SLACK_CHANNELS
        ? {
            secretId: e.IR_SLACK_SECRET_ARN,
            apiUrl: e.IR_SLACK_API_URL,
            channels: e.IR_SLACK_CHANNELS,
            mentions: e.IR_SLACK_MENTIONS ?? {},
          }
        : undefined,
    runbookBaseUrl: e.IR_RUNBOOK_BASE_URL,
    incidentBaseUrl: e.IR_INCIDENT_BASE_URL,
    alertTopicArn: e.IR_ALERT_TOPIC_ARN,
    eventBusName: e.IR_EVENT_BUS_NAME,
    securityHub:
      hub && e.IR_SECURITY_HUB_PRODUCT_ARN
        ? { productArn: e.IR_SECURITY_HUB_PRODUCT_ARN, region: hub[1]!, accountId: hub[2]! }
        : undefined,
    containment: {
      ...(e.IR_CONTAINMENT_ROLE_NAME ? { roleName: e.IR_CONTAINMENT_ROLE_NAME } : {}),
      ...(e.IR_CONTAINMENT_EXTERNAL_ID ? { externalId: e.IR_CONTAINMENT_EXTERNAL_ID } : {}),
      ...(e.IR_HOME_ACCOUNT_ID ? { homeAccountId: e.IR_HOME_ACCOUNT_ID } : {}),
    },
    guardDutyArchiveFalsePositives: e.IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES ?? false,
  };
}
