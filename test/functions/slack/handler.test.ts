/**
 * The slack function behind a Function URL: signed Slack requests (base64 bodies, as Function URLs deliver
 * form posts) are answered with the action ENQUEUED on the advance queue (exact SQS request asserted),
 * never applied after responding; double clicks act once across containers (DynamoDB dedupe on dynalite);
 * refusals, queue and secret failures get the right status; nothing secret or raw is logged. The queued
 * message is then fed to the advance function to show the click lands on the incident.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DynamoDbIncidentStore } from "../../../adapters/dynamodb/incident-store";
import type { SlackModalView, SlackReply } from "../../../adapters/slack/inbound/handler";
import { ingestFinding } from "../../../app/ingest";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import { createAdvanceHandler } from "../../../functions/advance/handler";
import { sendToAdvanceQueue, sha256 } from "../../../functions/shared/advance-message";
import { slackSecretsFrom } from "../../../functions/shared/secrets";
import { DynamoDbDedupe } from "../../../functions/slack/dynamodb-dedupe";
import { createSlackHandler } from "../../../functions/slack/handler";
import type { SlackWeb } from "../../../functions/slack/slack-web";
import {
  interactionBody,
  makeBlockActions,
  makeCommandBody,
  NOW,
  RESPONDER,
  SECRET,
  STRANGER,
  sign,
  TS,
} from "../../adapters/slack/inbound/slack-requests";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import { sequentialIds, TestClock } from "../../support/test-clock";
import { makeFunctionUrlEvent, QUEUE_URL, sqsEventFromEntries } from "../support/lambda-events.factory";
import { firstFindingOf, freshTable, GUARDDUTY_EVENT } from "../support/pipeline";
import { recordingTelemetry } from "../support/recording-telemetry";

const BOT_TOKEN = "xoxb-111-222-do-not-log-me";
const SECRET_ID = "ir/slack";
const AT = new Date(NOW).toISOString();

const sqsClient = new SQSClient({ region: "us-east-1" });
const sqs = mockClient(sqsClient);
const secretsClient = new SecretsManagerClient({ region: "us-east-1" });
const secretsMock = mockClient(secretsClient);
const sent = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);

let dynalite: Dynalite;
let store: DynamoDbIncidentStore;
let tableName: string;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});
beforeEach(async () => {
  ({ store, tableName } = await freshTable(dynalite, AT));
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  secretsMock.reset();
  secretsMock
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ botToken: BOT_TOKEN, signingSecret: SECRET }) });
});

interface WebCalls {
  modals: Array<{ triggerId: string; view: SlackModalView }>;
  replies: Array<{ responseUrl: string; reply: SlackReply }>;
  tokens: string[];
}

function setup() {
  const recorded = recordingTelemetry();
  const calls: WebCalls = { modals: [], replies: [], tokens: [] };
  const web = (token: string): SlackWeb => {
    calls.tokens.push(token);
    return {
      openModal: async (triggerId, view) => void calls.modals.push({ triggerId, view }),
      respond: async (responseUrl, reply) => void calls.replies.push({ responseUrl, reply }),
      isMemberOfGroup: async () => false,
    };
  };
  const handler = createSlackHandler({
    secrets: slackSecretsFrom(secretsClient, SECRET_ID),
    web,
    responders: { userIds: [RESPONDER], groupIds: [] },
    dedupe: new DynamoDbDedupe({ client: dynalite.client, tableName }),
    incidents: store,
    enqueue: (message) => sendToAdvanceQueue(sqsClient, QUEUE_URL, [message]),
    now: () => NOW,
    telemetry: recorded.telemetry,
  });
  return { handler, recorded, calls };
}

function signedEvent(path: string, body: string, options: { base64?: boolean; signature?: string } = {}) {
  return makeFunctionUrlEvent({
    path,
    body,
    ...(options.base64 === undefined ? {} : { base64: options.base64 }),
    headers: { "x-slack-request-timestamp": TS, "x-slack-signature": options.signature ?? sign(body) },
  });
}

const click = (overrides: Parameters<typeof makeBlockActions>[0] = {}) =>
  interactionBody(makeBlockActions({ value: "IR-0001", ...overrides }));

async function openIncident(): Promise<string> {
  const deps = {
    store,
    quarantine: { put: async () => {}, list: async () => [] },
    clock: new TestClock(AT),
    ids: sequentialIds(),
    config: DEFAULT_RESPONSE_CONFIG,
  };
  const outcome = await ingestFinding(deps, firstFindingOf(GUARDDUTY_EVENT));
  return "incidentId" in outcome ? outcome.incidentId : "";
}

describe("slack handler", () => {
  it("enqueues an acknowledgement from a base64 Function URL body, answers 200, and tells the person", async () => {
    // Prepare
    const { handler, calls } = setup();
    const body = click({ actionId: "ir_ack" });

    // Act
    const response = await handler(signedEvent("/slack/interactions", body));

    // Assess
    expect(response).toMatchObject({ statusCode: 200, body: "" });
    const message = JSON.stringify({
      kind: "responder-action",
      incidentId: "IR-0001",
      action: { type: "acknowledge" },
      actor: RESPONDER,
      at: AT,
    });
    expect(sent()).toEqual([
      {
        QueueUrl: QUEUE_URL,
        Entries: [
          {
            Id: "m0",
            MessageBody: message,
            MessageGroupId: sha256("incident:IR-0001"),
            MessageDeduplicationId: sha256(message),
          },
        ],
      },
    ]);
    expect(calls.replies).toEqual([
      {
        responseUrl: "https://hooks.slack.com/actions/T9TK3CUKW/1234567890/abcdefgh",
        reply: { response_type: "ephemeral", text: "Acknowledged IR-0001.", replace_original: false },
      },
    ]);
    expect(calls.tokens).toEqual([BOT_TOKEN]);
  });

  it("lands the queued click on the incident when the advance function applies it", async () => {
    // Prepare
    const incidentId = await openIncident();
    const { handler } = setup();
    await handler(signedEvent("/slack/interactions", click({ actionId: "ir_own", value: incidentId })));
    const advance = createAdvanceHandler({
      store,
      quarantine: { put: async () => {}, list: async () => [] },
      clock: new TestClock("2024-05-01T10:09:00.000Z"),
      ids: sequentialIds(),
      config: DEFAULT_RESPONSE_CONFIG,
      telemetry: recordingTelemetry().telemetry,
    });

    // Act
    const response = await advance(sqsEventFromEntries(sent()[0]!.Entries!));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const owner = (await store.timeline(incidentId)).filter((t) => t.kind === "owner.assigned");
    expect(owner).toMatchObject([{ actor: RESPONDER, at: AT, data: { owner: RESPONDER } }]);
  });

  it("accepts a body that is not base64-encoded as it is", async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const response = await handler(signedEvent("/slack/interactions", click(), { base64: false }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(sent()).toHaveLength(1);
  });

  it("acts once on a double click, even when the second lands on another container", async () => {
    // Prepare
    const first = setup();
    const second = setup();
    const body = click();

    // Act
    await first.handler(signedEvent("/slack/interactions", body));
    const again = await second.handler(signedEvent("/slack/interactions", body));

    // Assess
    expect(again.statusCode).toBe(200);
    expect(sent()).toHaveLength(1);
    expect(second.calls.replies).toEqual([]);
  });

  it("refuses a request whose signature does not match, before reading it", async () => {
    // Prepare
    const { handler, calls } = setup();
    const body = click();

    // Act
    const response = await handler(
      signedEvent("/slack/interactions", body, { signature: sign(body, TS, "wrong") }),
    );

    // Assess
    expect(response).toMatchObject({ statusCode: 401, body: "Slack request refused: bad_signature" });
    expect(sent()).toEqual([]);
    expect(calls.replies).toEqual([]);
  });

  it("does not enqueue for someone who is not a responder, and tells them why", async () => {
    // Prepare
    const { handler, calls } = setup();

    // Act
    const response = await handler(signedEvent("/slack/interactions", click({ userId: STRANGER })));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(sent()).toEqual([]);
    expect(calls.replies[0]?.reply.text).toMatch(/Only incident responders/);
  });

  it("answers 503 when the action cannot be queued, instead of claiming success", async () => {
    // Prepare
    const { handler, calls, recorded } = setup();
    sqs
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error("service unavailable"), { name: "ServiceUnavailable" }));

    // Act
    const response = await handler(signedEvent("/slack/interactions", click()));

    // Assess
    expect(response).toMatchObject({
      statusCode: 503,
      body: "Could not record the action; please try again.",
    });
    expect(calls.replies).toEqual([]);
    expect(recorded.lines().find((l) => l.level === "ERROR")).toMatchObject({ enqueueFailed: true });
  });

  it("acts on the retry of a click that got a 503, once the queue is back", async () => {
    // Prepare
    const { handler } = setup();
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(Object.assign(new Error("down"), { name: "ServiceUnavailable" }))
      .resolves({ Successful: [], Failed: [] });

    // Act
    const failed = await handler(signedEvent("/slack/interactions", click()));
    const retried = await handler(signedEvent("/slack/interactions", click()));
    const repeat = await handler(signedEvent("/slack/interactions", click()));

    // Assess
    expect([failed.statusCode, retried.statusCode, repeat.statusCode]).toEqual([503, 200, 200]);
    const sent = sqs.commandCalls(SendMessageBatchCommand);
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[1]!.args[0].input.Entries![0]!.MessageBody!)).toMatchObject({
      kind: "responder-action",
      incidentId: "IR-0001",
      action: { type: "acknowledge" },
    });
  });

  it("answers 503 when the Slack secrets cannot be read", async () => {
    // Prepare
    const { handler } = setup();
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ botToken: BOT_TOKEN }) });

    // Act
    const response = await handler(signedEvent("/slack/interactions", click()));

    // Assess
    expect(response.statusCode).toBe(503);
    expect(sent()).toEqual([]);
  });

  it("opens the note modal inline, before answering (trigger_id expires in 3 s), and enqueues nothing", async () => {
    // Prepare
    const { handler, calls } = setup();

    // Act
    const response = await handler(
      signedEvent("/slack/interactions", click({ actionId: "ir_note", triggerId: "trig-1" })),
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(calls.modals.map((m) => [m.triggerId, m.view.callback_id])).toEqual([["trig-1", "ir_note_modal"]]);
    expect(sent()).toEqual([]);
  });

  it("lists open incidents for /ir list from the table", async () => {
    // Prepare
    const incidentId = await openIncident();
    const { handler } = setup();

    // Act
    const response = await handler(signedEvent("/slack/commands", makeCommandBody("list")));

    // Assess
    expect(response.statusCode).toBe(200);
    const reply = JSON.parse(response.body as string);
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain(`*${incidentId}*`);
  });

  it("answers 404 for paths that are not Slack's", async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const response = await handler(signedEvent("/admin", click()));

    // Assess
    expect(response.statusCode).toBe(404);
    expect(sent()).toEqual([]);
  });

  it("logs neither the token, the signing secret nor the request body", async () => {
    // Prepare
    const { handler, recorded } = setup();
    const body = click();

    // Act
    await handler(signedEvent("/slack/interactions", body));

    // Assess
    const text = recorded.text();
    expect(text).toContain("Slack request answered");
    for (const secret of [BOT_TOKEN, SECRET, "hooks.slack.com", "9s8d9as89d8as9d8as989"]) {
      expect(text).not.toContain(secret);
    }
  });
});
