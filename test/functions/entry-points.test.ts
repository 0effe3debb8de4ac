/**
 * The exported Lambda entry points themselves (`handler` of each function module):
 * - importing them does no I/O — no network connection, no SDK call, no fetch — and reads no
 *   configuration; a handler invoked without its environment fails with a ConfigError naming the variable;
 * - wired from the environment as infra sets it, they run the whole path: ingest → advance (SQS FIFO
 *   records) → dispatch (stream records of the outbox) → sweep, and slack → queue, on dynalite (reached
 *   through AWS_ENDPOINT_URL_DYNAMODB) with the other AWS services mocked at class level.
 */
import { createHmac } from "node:crypto";
import { Socket } from "node:net";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { commandKey } from "../../adapters/dynamodb/items";
import { type Dynalite, emulateTransactWrites, startDynalite } from "../support/dynalite";
import { loadFixture } from "../support/fixtures";
import {
  makeContext,
  makeFunctionUrlEvent,
  makeScheduledEvent,
  makeStreamEvent,
  makeStreamRecord,
  QUEUE_URL,
  sqsEventFromEntries,
} from "./support/lambda-events.factory";
import { GUARDDUTY_EVENT } from "./support/pipeline";

const MODULES = {
  ingest: "../../functions/ingest/handler",
  advance: "../../functions/advance/handler",
  dispatch: "../../functions/dispatch/handler",
  slack: "../../functions/slack/handler",
  sweep: "../../functions/sweep/handler",
} as const;
type Name = keyof typeof MODULES;
type AnyHandler = (event: unknown, context?: unknown) => Promise<unknown>;

const SIGNING_SECRET = "entry-points-signing-secret";
const mocks = {
  sqs: mockClient(SQSClient),
  eventBridge: mockClient(EventBridgeClient),
  secrets: mockClient(SecretsManagerClient),
  securityHub: mockClient(SecurityHubClient),
  sts: mockClient(STSClient),
};
const sdkCalls = () => Object.values(mocks).reduce((n, mock) => n + mock.calls().length, 0);

async function load(name: Name): Promise<AnyHandler> {
  const module = (await import(MODULES[name])) as { handler: AnyHandler };
  return module.handler;
}

describe("importing the entry points", () => {
  it("does no I/O and reads no configuration until the first invocation", async () => {
    // Prepare
    const connect = vi.spyOn(Socket.prototype, "connect");
    const fetchSpy = vi.fn();
    vi.stubGlobal("fetch", fetchSpy);

    // Act
    const handlers = await Promise.all((Object.keys(MODULES) as Name[]).map(load));

    // Assess
    expect(handlers.every((h) => typeof h === "function")).toBe(true);
    expect(connect).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(sdkCalls()).toBe(0);
    connect.mockRestore();
    vi.unstubAllGlobals();
  });

  it.each(Object.keys(MODULES) as Name[])(
    "%s fails without its environment, naming what is missing",
    async (name) => {
      // Prepare
      const handler = await load(name);

      // Act
      const run = handler({});

      // Assess
      await expect(run).rejects.toThrow(`${name} function configuration: IR_TABLE_NAME is not set`);
    },
  );
});

describe("the entry points wired from the environment", () => {
  let dynalite: Dynalite;
  let tableName: string;

  beforeAll(async () => {
    dynalite = await startDynalite();
    tableName = await dynalite.createTable();
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      POWERTOOLS_LOG_LEVEL: "SILENT",
      IR_TABLE_NAME: tableName,
      IR_ADVANCE_QUEUE_URL: QUEUE_URL,
      IR_EVENT_BUS_NAME: "ir-lifecycle",
      IR_SLACK_SECRET_ARN: "ir/slack",
      IR_SLACK_CHANNELS: '{"default":"C0SECOPS"}',
      IR_RUNBOOK_BASE_URL: "https://runbooks.example.com",
      IR_SLACK_RESPONDERS: '{"userIds":["U0ALICE"]}',
    });
    const { dynamodbClient } = await import("../../functions/shared/clients/dynamodb");
    emulateTransactWrites(dynamodbClient());
    mocks.sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    mocks.eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "evt-9" }] });
    mocks.secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ botToken: "xoxb-entry", signingSecret: SIGNING_SECRET }) });
  });
  afterAll(async () => {
    await dynalite.stop();
  });

  it("carries an EventBridge event through ingest, advance, dispatch and sweep", async () => {
    // Prepare
    const ingest = await load("ingest");
    const advance = await load("advance");
    const dispatch = await load("dispatch");
    const sweep = await load("sweep");
    mocks.sqs.resetHistory();

    // Act
    await ingest(loadFixture(GUARDDUTY_EVENT), makeContext());
    const entries = mocks.sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    const advanced = await advance(sqsEventFromEntries(entries), makeContext());
    const { DynamoDbIncidentStore } = await import("../../adapters/dynamodb/incident-store");
    const { dynamodbClient } = await import("../../functions/shared/clients/dynamodb");
    const store = new DynamoDbIncidentStore({ client: dynamodbClient(), tableName });
    const [incident] = await store.listIncidents({ open: true });
    const publish = (await store.commandsOf(incident!.id)).find((c) => c.type === "publishIncidentEvent")!;
    const { Item } = await dynamodbClient().send(
      new GetItemCommand({ TableName: tableName, Key: commandKey(incident!.id, publish.id) }),
    );
    const dispatched = await dispatch(makeStreamEvent([makeStreamRecord(Item!)]), makeContext());
    const swept = await sweep(makeScheduledEvent(), makeContext());

    // Assess
    expect(entries).toHaveLength(1);
    expect(advanced).toEqual({ batchItemFailures: [] });
    expect(dispatched).toEqual({ batchItemFailures: [] });
    expect(mocks.eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toMatchObject([
      { EventBusName: "ir-lifecycle", Source: "incident-response", DetailType: "Incident Opened" },
    ]);
    expect((await store.getCommand(publish.id))?.status).toBe("succeeded");
    expect(swept).toMatchObject({ batches: 1, more: false });
  });

  it("answers a signed Slack click and queues the action", async () => {
    // Prepare
    const slack = await load("slack");
    mocks.sqs.resetHistory();
    const posted: string[] = [];
    vi.stubGlobal("fetch", async (url: URL) => {
      posted.push(url.hostname);
      return new Response("ok");
    });
    const nowSeconds = String(Math.floor(Date.now() / 1000));
    const payload = {
      type: "block_actions",
      user: { id: "U0ALICE" },
      trigger_id: "1.2.3",
      container: { type: "message", message_ts: "1714557600.000100", channel_id: "C0SECOPS" },
      channel: { id: "C0SECOPS" },
      response_url: "https://hooks.slack.com/actions/T1/2/xyz",
      actions: [{ type: "button", action_id: "ir_ack", block_id: "b", value: "IR-20240501-00000000" }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const signature = `v0=${createHmac("sha256", SIGNING_SECRET).update(`v0:${nowSeconds}:${body}`).digest("hex")}`;

    // Act
    const response = await slack(
      makeFunctionUrlEvent({
        body,
        headers: { "x-slack-request-timestamp": nowSeconds, "x-slack-signature": signature },
      }),
      makeContext(),
    );

    // Assess
    expect(response).toMatchObject({ statusCode: 200 });
    const [queued] = mocks.sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(JSON.parse(queued!.MessageBody!)).toMatchObject({
      kind: "responder-action",
      incidentId: "IR-20240501-00000000",
      action: { type: "acknowledge" },
      actor: "U0ALICE",
    });
    expect(posted).toEqual(["hooks.slack.com"]);
    vi.unstubAllGlobals();
  });
});
