/**
 * The dispatch function: outbox items written by a real commit on dynalite arrive as DynamoDB stream
 * records (their NEW_IMAGE read back from the table) and are executed through the AWS capabilities —
 * Slack against the local FakeSlack with the real WebClient, Security Hub / EventBridge / STS through
 * aws-sdk-client-mock — with results committed once, redeliveries skipped, and RetryLaterError reported
 * as a batch item failure after a bounded pause.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BatchUpdateFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Item } from "../../../adapters/dynamodb/attributes";
import type { DynamoDbIncidentStore } from "../../../adapters/dynamodb/incident-store";
import { commandKey } from "../../../adapters/dynamodb/items";
import { createCommandExecutor } from "../../../app/execute-command";
import { ingestFinding } from "../../../app/ingest";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import { awsCapabilities } from "../../../functions/dispatch/capabilities";
import type { DispatchClients } from "../../../functions/dispatch/clients";
import { loadDispatchConfig } from "../../../functions/dispatch/config";
import { createDispatchHandler } from "../../../functions/dispatch/handler";
import { observedStore } from "../../../functions/shared/runtime";
import { type Dynalite, startDynalite } from "../../support/dynalite";
import { FakeSlack } from "../../support/slack-server";
import { sequentialIds, TestClock } from "../../support/test-clock";
import { makeContext, makeStreamEvent, makeStreamRecord } from "../support/lambda-events.factory";
import { firstFindingOf, freshTable, GUARDDUTY_EVENT } from "../support/pipeline";
import { recordingTelemetry } from "../support/recording-telemetry";

const NOW = "2024-05-01T10:00:00.000Z";
const CHANNEL = "C0SECOPS";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ir/slack-AbCdEf";
const BUS = "ir-lifecycle";

const securityHubClient = new SecurityHubClient({ region: "us-east-1" });
const eventBridgeClient = new EventBridgeClient({ region: "us-east-1" });
const secretsClient = new SecretsManagerClient({ region: "us-east-1" });
const securityHub = mockClient(securityHubClient);
const eventBridge = mockClient(eventBridgeClient);
const secrets = mockClient(secretsClient);
const sts = mockClient(STSClient);

let dynalite: Dynalite;
let slack: FakeSlack;
let store: DynamoDbIncidentStore;
let tableName: string;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});
afterEach(async () => {
  await slack.close();
});

beforeEach(async () => {
  slack = await FakeSlack.start({ channels: [CHANNEL] });
  ({ store, tableName } = await freshTable(dynalite, NOW));
  for (const mock of [securityHub, eventBridge, secrets, sts]) mock.reset();
  secrets.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({ botToken: FakeSlack.TOKEN, signingSecret: "not-used-here" }),
  });
  securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "evt-1" }] });
  sts.on(AssumeRoleCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
});

const ENV = {
  IR_TABLE_NAME: "incidents",
  IR_SLACK_SECRET_ARN: SECRET_ARN,
  IR_SLACK_CHANNELS: JSON.stringify({ default: CHANNEL }),
  IR_RUNBOOK_BASE_URL: "https://runbooks.example.com/ir",
  IR_EVENT_BUS_NAME: BUS,
  IR_SECURITY_HUB_PRODUCT_ARN: "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
  IR_HOME_ACCOUNT_ID: "123456789012",
};

function setup(env: Record<string, string> = ENV) {
  const recorded = recordingTelemetry();
  const sleep = vi.fn(async (_ms: number) => undefined);
  const clients: DispatchClients = {
    sns: new SNSClient({ region: "us-east-1" }),
    securityHub: securityHubClient,
    eventBridge: eventBridgeClient,
    secretsManager: secretsClient,
    guardDuty: async (region) => new GuardDutyClient({ region }),
  };
  const config = {
    ...loadDispatchConfig({ ...env, IR_SLACK_API_URL: slack.url.replace(/\/$/, "") }),
    tableName,
  };
  const observed = observedStore(store, recorded.telemetry);
  const clock = new TestClock(NOW);
  const handler = createDispatchHandler({
    dispatch: {
      store: observed,
      clock,
      config: DEFAULT_RESPONSE_CONFIG,
      executor: createCommandExecutor(
        observed,
        awsCapabilities(config, clients, recorded.telemetry, { store: observed, clock }),
      ),
    },
    telemetry: recorded.telemetry,
    sleep,
  });
  return { handler, recorded, sleep };
}

/** Opens an incident for the GuardDuty fixture; its outbox items as the stream announces them. */
async function openIncident() {
  const finding = firstFindingOf(GUARDDUTY_EVENT);
  await ingestFinding(
    {
      store,
      quarantine: { put: async () => {}, list: async () => [] },
      clock: new TestClock(NOW),
      ids: sequentialIds(),
      config: DEFAULT_RESPONSE_CONFIG,
    },
    finding,
  );
  const commands = await store.commandsOf("IR-0001");
  const images = new Map<string, Item>();
  for (const command of commands) {
    const { Item: image } = await dynalite.client.send(
      new GetItemCommand({ TableName: tableName, Key: commandKey("IR-0001", command.id) }),
    );
    images.set(command.type, image!);
  }
  const recordOf = (type: string) => makeStreamRecord(images.get(type)!);
  return { finding, recordOf };
}

describe("dispatch handler", () => {
  it("executes new outbox commands through Slack, Security Hub and EventBridge and records their results", async () => {
    // Prepare
    const { finding, recordOf } = await openIncident();
    const { handler, recorded } = setup();
    const event = makeStreamEvent([
      recordOf("postIncidentMessage"),
      recordOf("updateSecurityHubFindings"),
      recordOf("publishIncidentEvent"),
    ]);

    // Act
    const response = await handler(event, makeContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [posted] = slack.messages(CHANNEL);
    expect(posted?.metadata).toMatchObject({
      event_type: "ir_command",
      event_payload: { command_id: "IR-0001:1:0" },
    });
    const updates = securityHub.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input);
    expect(updates).toMatchObject([
      {
        FindingIdentifiers: [{ Id: finding.origin.securityHub?.id ?? expect.any(String) }],
        Note: { UpdatedBy: "incident-response" },
        Workflow: { Status: "NOTIFIED" },
      },
    ]);
    const [put] = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries);
    expect(put).toMatchObject([
      { EventBusName: BUS, Source: "incident-response", DetailType: "Incident Opened" },
    ]);
    const byType = new Map((await store.commandsOf("IR-0001")).map((c) => [c.type, c]));
    expect(byType.get("postIncidentMessage")).toMatchObject({
      status: "succeeded",
      result: { channel: CHANNEL, ts: posted?.ts },
    });
    expect(byType.get("updateSecurityHubFindings")?.status).toBe("succeeded");
    expect(byType.get("publishIncidentEvent")).toMatchObject({
      status: "succeeded",
      result: { eventId: "evt-1" },
    });
    expect(recorded.text()).not.toContain(FakeSlack.TOKEN);
    expect(
      recorded
        .lines()
        .filter((l) => l.message === "command dispatched")
        .map((l) => l.correlation_id),
    ).toEqual(["IR-0001", "IR-0001", "IR-0001"]);
  });

  it("skips a redelivered record whose command already ran: Slack is not posted to twice", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { handler, recorded } = setup();
    const record = recordOf("postIncidentMessage");
    await handler(makeStreamEvent([record]));
    const before = slack.messages(CHANNEL).length;

    // Act
    const response = await handler(makeStreamEvent([record]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(slack.messages(CHANNEL)).toHaveLength(before);
    expect(
      recorded
        .lines()
        .filter((l) => l.message === "command dispatched")
        .map((l) => l.status),
    ).toEqual(["succeeded", "already-done"]);
  });

  it("reports a rate-limited command as a batch item failure, after pausing for its Retry-After", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { handler, recorded, sleep } = setup();
    slack.rateLimitNext(1, 7, "chat.postMessage");
    const post = recordOf("postIncidentMessage");
    const publish = recordOf("publishIncidentEvent");

    // Act
    const response = await handler(
      makeStreamEvent([post, publish]),
      makeContext({ remainingMs: () => 60_000 }),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: post.dynamodb!.SequenceNumber }]);
    expect(sleep).toHaveBeenCalledWith(7_000);
    expect(recorded.total("SlackRateLimited")).toBe(1);
    const byType = new Map((await store.commandsOf("IR-0001")).map((c) => [c.type, c.status]));
    expect(byType.get("postIncidentMessage")).toBe("pending");
    expect(byType.get("publishIncidentEvent")).toBe("succeeded");
  });

  it("caps the pause by the time the invocation has left", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { handler, sleep } = setup();
    slack.rateLimitNext(1, 30, "chat.postMessage");

    // Act
    await handler(
      makeStreamEvent([recordOf("postIncidentMessage")]),
      makeContext({ remainingMs: () => 5_000 }),
    );

    // Assess
    expect(sleep).toHaveBeenCalledWith(3_000);
  });

  it("records a command whose capability is not configured as failed, visibly, without retrying it", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { IR_EVENT_BUS_NAME: _bus, ...withoutBus } = ENV;
    const { handler } = setup(withoutBus);

    // Act
    const response = await handler(makeStreamEvent([recordOf("publishIncidentEvent")]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const publish = (await store.commandsOf("IR-0001")).find((c) => c.type === "publishIncidentEvent");
    expect(publish).toMatchObject({
      status: "failed",
      error: "no event bus configured: publishIncidentEvent cannot run",
    });
    expect(eventBridge.commandCalls(PutEventsCommand)).toEqual([]);
  });

  it("records an AWS refusal during containment planning as the command's failure", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { handler } = setup();

    // Act
    const response = await handler(makeStreamEvent([recordOf("planContainment")]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toContain(
      "arn:aws:iam::845345345:role/IncidentResponseContainment",
    );
    const plan = (await store.commandsOf("IR-0001")).find((c) => c.type === "planContainment");
    expect(plan?.status).toBe("failed");
    expect(plan?.error).toMatch(/AssumeRole/);
  });

  it("ignores stream records that are not new outbox items", async () => {
    // Prepare
    const { recordOf } = await openIncident();
    const { handler } = setup();
    const modified = makeStreamRecord(recordOf("postIncidentMessage").dynamodb!.NewImage as Item, {
      eventName: "MODIFY",
    });
    const { Item: incident } = await dynalite.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: "INCIDENT#IR-0001" }, sk: { S: "META" } } }),
    );

    // Act
    const response = await handler(makeStreamEvent([modified, makeStreamRecord(incident!)]));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(slack.calls("chat.postMessage")).toHaveLength(0);
    expect((await store.commandsOf("IR-0001")).every((c) => c.status === "pending")).toBe(true);
  });
});
