/**
 * slack (Lambda Function URL): Slack's interaction and slash-command requests → handleSlackRequest
 * (verify the signature → parse → authorize → act once), answered within Slack's 3 s.
 *
 * Lambda freezes the container as soon as the response is returned, so nothing may run "after
 * responding". The handler's `work` therefore runs BEFORE the response is returned, and is made fast:
 * its `act` does not change the incident here but ENQUEUES the responder action on the advance queue
 * (the advance function applies it, at the time the person acted). What remains inline is one SQS send
 * plus, depending on the request, one views.open (must be immediate: trigger_id expires in 3 s) or one
 * response_url POST. If the action could not be queued the answer is 503, so Slack shows the person an
 * error instead of a success message for an action that was lost.
 *
 * The raw body is exactly what Slack signed: a base64 Function URL body is decoded first, nothing else is
 * touched. Secrets come from Secrets Manager (cached per container); nothing here logs a body or a secret.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import type { SlackResponders } from "../../adapters/slack/inbound/authorize";
import type { DedupeStore } from "../../adapters/slack/inbound/dedupe";
import { handleSlackRequest, type SlackHttpResponse } from "../../adapters/slack/inbound/handler";
import type { SlackPath } from "../../adapters/slack/inbound/parse-request";
import { createSlackWebClient } from "../../adapters/slack/web-client";
import type { IncidentStore } from "../../core/ports/incident-store";
import { incidentMessage, type OutgoingMessage, sendToAdvanceQueue } from "../shared/advance-message";
import { dynamodbClient } from "../shared/clients/dynamodb";
import { secretsManagerClient } from "../shared/clients/secrets-manager";
import { sqsClient } from "../shared/clients/sqs";
import { once } from "../shared/config-parse";
import { createTelemetry, errorFields, type Telemetry } from "../shared/observability";
import { dynamoStore } from "../shared/runtime";
import { type SecretSource, type SlackSecrets, slackSecretsFrom } from "../shared/secrets";
import { loadSlackConfig } from "./config";
import { DynamoDbDedupe } from "./dynamodb-dedupe";
import { createSlackWeb, type SlackWeb } from "./slack-web";

export interface SlackFunctionDeps {
  secrets: SecretSource<SlackSecrets>;
  /** Slack Web API calls with this bot token (the builder keeps one per token). */
  web(botToken: string): SlackWeb;
  responders: SlackResponders;
  dedupe: DedupeStore;
  incidents: Pick<IncidentStore, "getIncident" | "listIncidents" | "timeline">;
  enqueue(message: OutgoingMessage): Promise<void>;
  /** Milliseconds since the epoch. */
  now(): number;
  telemetry: Telemetry;
}

/** Always a structured result (status, headers, body), never a bare string. */
export type SlackFunctionResult = Exclude<LambdaFunctionURLResult, string>;

export type SlackFunctionHandler = (
  event: LambdaFunctionURLEvent,
  context?: Context,
) => Promise<SlackFunctionResult>;

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const plain = (statusCode: number, body: string): SlackFunctionResult => ({
  statusCode,
  headers: TEXT,
  body,
});

export function rawBodyOf(event: Pick<LambdaFunctionURLEvent, "body" | "isBase64Encoded">): string {
  if (event.body === undefined || event.body === null) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

export function createSlackHandler(deps: SlackFunctionDeps): SlackFunctionHandler {
  const { telemetry } = deps;
  const { logger } = telemetry;

  return async (event, context) => {
    if (context) logger.addContext(context);
    const now = deps.now();
    const path = event.rawPath.slice(0, 200);
    let secrets: SlackSecrets;
    try {
      secrets = await deps.secrets.get();
    } catch (error) {
      logger.error("Slack secrets unavailable", errorFields(error));
      return plain(503, "Slack integration is not available right now.");
    }
    const web = deps.web(secrets.botToken);
    let queued = 0;
    let enqueueFailed = false;

    let response: SlackHttpResponse;
    try {
      response = await handleSlackRequest(
        { path: path as SlackPath, rawBody: rawBodyOf(event), headers: event.headers ?? {} },
        now,
        {
          signingSecret: secrets.signingSecret,
          responders: deps.responders,
          isMemberOfGroup: (userId, groupId) => web.isMemberOfGroup(userId, groupId),
          dedupe: deps.dedupe,
          incidents: deps.incidents,
          openModal: (triggerId, view) => web.openModal(triggerId, view),
          respond: (responseUrl, reply) => web.respond(responseUrl, reply),
          async act(incidentId, action, actor) {
            const message = incidentMessage({
              kind: "responder-action",
              incidentId,
              action,
              actor,
              at: new Date(now).toISOString(),
            });
            try {
              await deps.enqueue(message);
            } catch (error) {
              enqueueFailed = true;
              throw error;
            }
            queued++;
            await telemetry.withIncident(incidentId, async () =>
              logger.info("responder action queued", { action: action.type, actor }),
            );
            return { status: "queued" };
          },
        },
      );
    } catch (error) {
      logger.error("Slack request failed", { path, ...errorFields(error) });
      return plain(500, "Something went wrong; try again.");
    }

    if (response.work) {
      try {
        await response.work();
      } catch (error) {
        logger.error("Slack follow-up failed", { path, enqueueFailed, ...errorFields(error) });
        if (enqueueFailed) return plain(503, "Could not record the action; please try again.");
      }
    }
    logger.info("Slack request answered", { path, status: response.status, queued });
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
}

const build = once(() => {
  const config = loadSlackConfig(process.env);
  const telemetry = createTelemetry({ serviceName: "slack" });
  const sqs: SQSClient = sqsClient();
  const dynamodb = dynamodbClient();
  let current: { token: string; web: SlackWeb } | undefined;
  return createSlackHandler({
    secrets: slackSecretsFrom(secretsManagerClient(), config.secretId),
    web(botToken) {
      if (current?.token !== botToken) {
        const client = createSlackWebClient({
          token: botToken,
          timeoutMs: 2_000,
          retryConfig: { retries: 0 },
          ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
        });
        current = { token: botToken, web: createSlackWeb({ client }) };
      }
      return current.web;
    },
    responders: config.responders,
    dedupe: new DynamoDbDedupe({ client: dynamodb, tableName: config.tableName }),
    incidents: dynamoStore(dynamodb, config.tableName),
    enqueue: (message) => sendToAdvanceQueue(sqs, config.advanceQueueUrl, [message]),
    now: Date.now,
    telemetry,
  });
});

/** The Lambda entry point: wired from the environment on first use, once per container. */
export const handler: SlackFunctionHandler = async (event, context) => build()(event, context);
