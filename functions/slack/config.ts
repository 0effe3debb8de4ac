/** The slack function's configuration (functions/shared/config-parse.ts says how it is read). */
import * as z from "zod";
import {
  type BaseConfig,
  baseVariables,
  type Env,
  httpsUrl,
  json,
  optional,
  parseEnvironment,
  required,
  responseConfig,
  text,
} from "../shared/config-parse";
import { ENV } from "../shared/env-names";

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "a Slack user id such as U0123456789");
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, "a Slack user-group id such as S0123456789");
export const slackRespondersSchema = z.strictObject({
  userIds: z.array(slackUserId).default([]),
  groupIds: z.array(slackGroupId).default([]),
});

export const slackSchema = z.object({
  ...baseVariables(),
  [ENV.advanceQueueUrl]: required(httpsUrl()),
  [ENV.slackSecretArn]: required(text()),
  [ENV.slackApiUrl]: optional(httpsUrl()),
  [ENV.slackResponders]: required(json(slackRespondersSchema)),
});

export interface SlackConfig extends BaseConfig {
  advanceQueueUrl: string;
  secretId: string;
  apiUrl: string | undefined;
  responders: z.output<typeof slackRespondersSchema>;
}

export function loadSlackConfig(env: Env): SlackConfig {
  const e = parseEnvironment("slack", slackSchema, env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, undefined),
    advanceQueueUrl: e.IR_ADVANCE_QUEUE_URL,
    secretId: e.IR_SLACK_SECRET_ARN,
    apiUrl: e.IR_SLACK_API_URL,
    responders: e.IR_SLACK_RESPONDERS,
  };
}
