/**
 * The Slack calls around an inbound request: views.open and usergroups.users.list on the WebClient
 * (stubbed with Slack's documented answers), response_url POSTs only to Slack's hooks host, and the
 * DynamoDB act-once store (dynalite) letting a key through once per TTL.
 */
import type { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModal } from "../../../adapters/slack/inbound/handler";
import { SlackApiError } from "../../../adapters/slack/web-client";
import { DynamoDbDedupe } from "../../../functions/slack/dynamodb-dedupe";
import { createSlackWeb, GROUP_CACHE_MS } from "../../../functions/slack/slack-web";
import { type Dynalite, startDynalite } from "../../support/dynalite";

function stubClient(members: Record<string, string[]>) {
  const calls: Array<[string, unknown]> = [];
  const client = {
    views: {
      open: async (args: unknown) => {
        calls.push(["views.open", args]);
        return { ok: true };
      },
    },
    usergroups: {
      users: {
        list: async (args: { usergroup: string }) => {
          calls.push(["usergroups.users.list", args]);
          const users = members[args.usergroup];
          if (!users)
            throw Object.assign(new Error("An API error occurred: no_such_subteam"), {
              code: "slack_webapi_platform_error",
              data: { ok: false, error: "no_such_subteam" },
            });
          return { ok: true, users };
        },
      },
    },
  };
  return { client: client as unknown as WebClient, calls };
}

describe("Slack web calls", () => {
  it("opens a modal with the trigger id", async () => {
    // Prepare
    const { client, calls } = stubClient({});
    const view = buildModal("note", "IR-0001");

    // Act
    await createSlackWeb({ client }).openModal("trig-1", view);

    // Assess
    expect(calls).toEqual([["views.open", { trigger_id: "trig-1", view }]]);
  });

  it("asks Slack for a group's members once per cache period", async () => {
    // Prepare
    let now = 0;
    const { client, calls } = stubClient({ S0SECOPS: ["U0ALICE", "U0BOB"] });
    const web = createSlackWeb({ client, now: () => now });

    // Act
    const alice = await web.isMemberOfGroup("U0ALICE", "S0SECOPS");
    const mallory = await web.isMemberOfGroup("U0MALLORY", "S0SECOPS");
    now = GROUP_CACHE_MS;
    await web.isMemberOfGroup("U0BOB", "S0SECOPS");

    // Assess
    expect([alice, mallory]).toEqual([true, false]);
    expect(calls.filter(([method]) => method === "usergroups.users.list")).toHaveLength(2);
  });

  it("reports a failed group lookup as a Slack error naming the code, and does not cache it", async () => {
    // Prepare
    const { client, calls } = stubClient({});
    const web = createSlackWeb({ client });

    // Act
    const first = await web.isMemberOfGroup("U0ALICE", "S0GONE").catch((e: unknown) => e);
    await web.isMemberOfGroup("U0ALICE", "S0GONE").catch(() => undefined);

    // Assess
    expect(first).toBeInstanceOf(SlackApiError);
    expect((first as Error).message).toBe("Slack usergroups.users.list failed: no_such_subteam");
    expect(calls).toHaveLength(2);
  });

  it("posts a reply to Slack's response_url as JSON", async () => {
    // Prepare
    const posted: Array<{ url: string; init: RequestInit }> = [];
    const fetchStub = (async (url: URL, init: RequestInit) => {
      posted.push({ url: url.href, init });
      return new Response("ok", { status: 200 });
    }) as unknown as typeof fetch;
    const web = createSlackWeb({ client: stubClient({}).client, fetch: fetchStub });
    const reply = { response_type: "ephemeral" as const, text: "Acknowledged IR-0001." };

    // Act
    await web.respond("https://hooks.slack.com/actions/T1/2/abc", reply);

    // Assess
    expect(posted).toHaveLength(1);
    expect(posted[0]!.url).toBe("https://hooks.slack.com/actions/T1/2/abc");
    expect(posted[0]!.init.method).toBe("POST");
    expect(JSON.parse(String(posted[0]!.init.body))).toEqual(reply);
  });

  it.each([
    "http://hooks.slack.com/actions/T1/2/abc",
    "https://hooks.slack.com.evil.example/actions",
    "https://169.254.169.254/latest/meta-data",
    "not a url",
  ])("never posts to a response_url off Slack's hooks host: %s", async (url) => {
    // Prepare
    let fetched = 0;
    const fetchStub = (async () => {
      fetched++;
      return new Response("ok");
    }) as unknown as typeof fetch;
    const web = createSlackWeb({ client: stubClient({}).client, fetch: fetchStub });

    // Act
    const result = web.respond(url, { response_type: "ephemeral", text: "x" });

    // Assess
    await expect(result).rejects.toThrow(/response_url/);
    expect(fetched).toBe(0);
  });

  it("fails when Slack refuses the reply", async () => {
    // Prepare
    const fetchStub = (async () => new Response("expired_url", { status: 404 })) as unknown as typeof fetch;
    const web = createSlackWeb({ client: stubClient({}).client, fetch: fetchStub });

    // Act
    const result = web.respond("https://hooks.slack.com/actions/T1/2/abc", {
      response_type: "ephemeral",
      text: "x",
    });

    // Assess
    await expect(result).rejects.toThrow("Slack response_url answered HTTP 404");
  });
});

describe("DynamoDB act-once store", () => {
  let dynalite: Dynalite;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite.stop();
  });

  it("lets a key through once within its TTL and again after it", async () => {
    // Prepare
    const tableName = await dynalite.createTable();
    const a = new DynamoDbDedupe({ client: dynalite.client, tableName, ttlMs: 1000 });
    const b = new DynamoDbDedupe({ client: dynalite.client, tableName, ttlMs: 1000 });

    // Act
    const first = await a.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 10_000);
    const repeat = await b.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 10_999);
    const other = await b.firstTime("action|ir_ack|C1|1.2|U2|IR-1", 10_999);
    const expired = await a.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 11_000);

    // Assess
    expect([first, repeat, other, expired]).toEqual([true, false, true, true]);
  });

  it("forgets a released key in every container, and only that key", async () => {
    // Prepare
    const tableName = await dynalite.createTable();
    const a = new DynamoDbDedupe({ client: dynalite.client, tableName });
    const b = new DynamoDbDedupe({ client: dynalite.client, tableName });
    await a.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 10_000);
    await a.firstTime("action|ir_ack|C1|1.2|U2|IR-1", 10_000);

    // Act
    await a.release("action|ir_ack|C1|1.2|U1|IR-1");

    // Assess
    expect(await b.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 10_001)).toBe(true);
    expect(await b.firstTime("action|ir_ack|C1|1.2|U1|IR-1", 10_002)).toBe(false);
    expect(await b.firstTime("action|ir_ack|C1|1.2|U2|IR-1", 10_002)).toBe(false);
  });
});
