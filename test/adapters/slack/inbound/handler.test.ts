import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildModal,
  handleSlackRequest,
  NOTE_BLOCK_ID,
  SLACK_ACTION_IDS,
  type SlackHttpRequest,
  type SlackHttpResponse,
  type SlackResponderAction,
} from "../../../../adapters/slack/inbound/handler";
import { act, responderActionSchema } from "../../../../app/act";
import { ingestText } from "../../../../app/ingest";
import { fixtureText } from "../../../support/fixtures";
import { makeLocalApp } from "../../../support/local-app";
import {
  GROUP_MEMBER,
  interactionBody,
  makeBlockActions,
  makeDeps,
  makeViewSubmission,
  NOW,
  RESPONDER,
  SECRET,
  STRANGER,
  sign,
  signedRequest,
  TS,
} from "./slack-requests";

const click = (
  overrides: Parameters<typeof makeBlockActions>[0] = {},
  extraHeaders: Record<string, string> = {},
) => signedRequest("/slack/interactions", interactionBody(makeBlockActions(overrides)), { extraHeaders });

const submit = (overrides: Parameters<typeof makeViewSubmission>[0] = {}) =>
  signedRequest("/slack/interactions", interactionBody(makeViewSubmission(overrides)));

/** Sends the request and, like the runtimes, runs its work after the response. */
async function send(request: SlackHttpRequest, deps: ReturnType<typeof makeDeps>["deps"], now = NOW) {
  const response = await handleSlackRequest(request, now, deps);
  await response.work?.();
  return response;
}

const bodyJson = (response: SlackHttpResponse) => JSON.parse(response.body);

describe("handleSlackRequest: verification comes first", () => {
  it("refuses an unsigned or mis-signed request with 401 before parsing, and acts on nothing", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    const good = click();
    const requests = [
      { ...good, headers: { ...good.headers, "x-slack-signature": sign("other") } },
      { ...good, headers: { "x-slack-request-timestamp": TS } },
      { ...good, rawBody: `${good.rawBody}&x=1` },
      { ...good, rawBody: "not a form at all {" }, // would be a 400 if it were parsed
    ];
    // Act
    const responses = await Promise.all(requests.map((r) => send(r, deps)));
    // Assess
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(responses.every((r) => r.work === undefined && !r.body.includes(SECRET))).toBe(true);
    expect(recorded.acts).toEqual([]);
  });

  it("refuses stale and future requests, and oversized bodies with 413", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    const big = signedRequest("/slack/interactions", `payload=${"x".repeat(70_000)}`);
    // Act
    const stale = await send(click(), deps, NOW + 6 * 60_000);
    const future = await send(click(), deps, NOW - 6 * 60_000);
    const oversize = await send(big, deps);
    // Assess
    expect([stale.status, future.status, oversize.status]).toEqual([401, 401, 413]);
    expect(stale.body).toContain("stale_timestamp");
    expect(future.body).toContain("future_timestamp");
    expect(recorded.acts).toEqual([]);
  });

  it("answers a malformed but signed body with 400 and a clear message", async () => {
    // Prepare
    const { deps } = makeDeps();
    // Act
    const noPayload = await send(signedRequest("/slack/interactions", "token=abc"), deps);
    const badJson = await send(signedRequest("/slack/interactions", "payload=%7B"), deps);
    // Assess
    expect(noPayload).toMatchObject({ status: 400, body: expect.stringContaining("payload") });
    expect(badJson).toMatchObject({ status: 400, body: expect.stringContaining("not valid JSON") });
  });

  it("property: arbitrary signed bodies get 200 or 400, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/slack/interactions" as const, "/slack/commands" as const),
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((json) => interactionBody(json)),
          fc
            .record({
              type: fc.constantFrom("block_actions", "view_submission"),
              actions: fc.jsonValue(),
              view: fc.jsonValue(),
            })
            .map((json) => interactionBody({ ...json, user: { id: RESPONDER } })),
        ),
        async (path, body) => {
          const { deps, recorded } = makeDeps();
          const response = await send(signedRequest(path, body), deps);
          return [200, 400].includes(response.status) && recorded.acts.length === 0;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("handleSlackRequest: buttons", () => {
  const cases: Array<[string, SlackResponderAction]> = [
    [SLACK_ACTION_IDS.acknowledge, { type: "acknowledge" }],
    [SLACK_ACTION_IDS.own, { type: "assign", owner: RESPONDER }],
    [SLACK_ACTION_IDS.approveContainment, { type: "approve-containment" }],
    [SLACK_ACTION_IDS.denyContainment, { type: "deny-containment" }],
    [SLACK_ACTION_IDS.falsePositive, { type: "false-positive" }],
    [SLACK_ACTION_IDS.escalate, { type: "escalate" }],
  ];

  it.each(cases)(
    "%s acts on the incident in the button's value, after answering 200",
    async (actionId, expected) => {
      // Prepare
      const { deps, recorded } = makeDeps();
      // Act
      const response = await handleSlackRequest(click({ actionId, value: "IR-0042" }), NOW, deps);
      const actedBeforeWork = recorded.acts.length;
      await response.work?.();
      // Assess
      expect(response).toMatchObject({ status: 200, body: "" });
      expect(actedBeforeWork).toBe(0);
      expect(recorded.acts).toEqual([{ incidentId: "IR-0042", action: expected, actor: RESPONDER }]);
      expect(responderActionSchema.parse(expected)).toEqual(expected);
    },
  );

  it("the ids are the documented ones", () => {
    expect(Object.values(SLACK_ACTION_IDS).sort()).toEqual(
      [
        "ir_ack",
        "ir_advance",
        "ir_approve",
        "ir_deny",
        "ir_escalate",
        "ir_false_positive",
        "ir_note",
        "ir_own",
      ].sort(),
    );
  });

  it("tells the clicker how it went, ephemerally and without replacing the incident message", async () => {
    // Prepare
    const outcomes = ["changed", "unchanged", "not-found"];
    const { deps, recorded } = makeDeps({ act: async () => ({ status: outcomes.shift()! }) });
    // Act
    for (const ts of ["1.1", "1.2", "1.3"]) await send(click({ messageTs: ts }), deps);
    // Assess
    expect(recorded.replies.map((r) => r.reply)).toEqual([
      { response_type: "ephemeral", replace_original: false, text: "Acknowledged IR-0001." },
      {
        response_type: "ephemeral",
        replace_original: false,
        text: expect.stringContaining("Nothing changed"),
      },
      { response_type: "ephemeral", replace_original: false, text: "There is no incident IR-0001." },
    ]);
    expect(recorded.replies[0]?.responseUrl).toBe(makeBlockActions().response_url);
  });

  it("a double click acts once; the same click by someone else acts for them", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    // Act
    const first = await send(click(), deps);
    const second = await send(click(), deps, NOW + 400);
    await send(click({ userId: GROUP_MEMBER }), deps, NOW + 800);
    // Assess
    expect(first.work).toBeDefined();
    expect(second).toMatchObject({ status: 200, body: "" });
    expect(second.work).toBeUndefined();
    expect(recorded.acts.map((a) => a.actor)).toEqual([RESPONDER, GROUP_MEMBER]);
  });

  it("a click whose action could not be recorded is not lost: the retry acts", async () => {
    // Prepare
    let failNext = true;
    const acted: string[] = [];
    const { deps } = makeDeps({
      act: async (_incidentId, action) => {
        if (failNext) {
          failNext = false;
          throw new Error("queue unavailable");
        }
        acted.push(action.type);
        return { status: "changed" };
      },
    });
    // Act
    const failed = handleSlackRequest(click(), NOW, deps).then((r) => r.work?.());
    await expect(failed).rejects.toThrow("queue unavailable");
    await send(
      click({}, { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error" }),
      deps,
      NOW + 500,
    );
    await send(click(), deps, NOW + 900);
    // Assess: the retry acted once; the click after it is a repeat again
    expect(acted).toEqual(["acknowledge"]);
  });

  it("a modal submission whose action failed can be submitted again", async () => {
    // Prepare
    let calls = 0;
    const { deps } = makeDeps({
      act: async () => {
        calls++;
        if (calls === 1) throw new Error("queue unavailable");
        return { status: "changed" };
      },
    });
    // Act
    const failed = handleSlackRequest(submit(), NOW, deps).then((r) => r.work?.());
    await expect(failed).rejects.toThrow("queue unavailable");
    await send(submit(), deps, NOW + 500);
    await send(submit(), deps, NOW + 900);
    // Assess
    expect(calls).toBe(2);
  });

  it("a Slack retry (X-Slack-Retry-Num) of a click acts once", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    // Act
    await send(click({ actionId: "ir_approve" }), deps);
    const retry = await send(
      click({ actionId: "ir_approve" }, { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" }),
      deps,
      NOW + 60_000,
    );
    // Assess
    expect(retry.status).toBe(200);
    expect(recorded.acts).toHaveLength(1);
  });

  it("a stranger gets an ephemeral refusal (in the body and via response_url) and nothing happens", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    // Act
    const responses = [];
    for (const actionId of Object.values(SLACK_ACTION_IDS))
      responses.push(await send(click({ actionId, userId: STRANGER }), deps));
    // Assess
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(bodyJson(response)).toEqual({
        response_type: "ephemeral",
        text: expect.stringContaining("Only incident responders"),
      });
    }
    expect(recorded.replies).toHaveLength(Object.values(SLACK_ACTION_IDS).length);
    expect(recorded.replies.every((r) => r.reply.response_type === "ephemeral")).toBe(true);
    expect(recorded.acts).toEqual([]);
    expect(recorded.modals).toEqual([]);
  });

  it("a refused click does not use up the key: once authorized, the same click acts", async () => {
    // Prepare
    let allowed = false;
    const { deps, recorded } = makeDeps({ isMemberOfGroup: async () => allowed });
    // Act
    await send(click({ userId: STRANGER }), deps);
    allowed = true;
    await send(click({ userId: STRANGER }), deps);
    // Assess
    expect(recorded.acts.map((a) => a.actor)).toEqual([STRANGER]);
  });

  it("ignores clicks on buttons that are not ours (link buttons, other widgets)", async () => {
    const { deps, recorded } = makeDeps();
    const response = await send(click({ actionId: "ir_runbook_link", userId: STRANGER }), deps);
    expect(response).toEqual({ status: 200, headers: expect.any(Object), body: "" });
    expect(recorded.acts).toEqual([]);
    expect(recorded.replies).toEqual([]);
  });

  it("refuses a button whose value is not an incident id with 400", async () => {
    const { deps, recorded } = makeDeps();
    const response = await send(click({ value: "<!channel> IR-1" }), deps);
    expect(response.status).toBe(400);
    expect(recorded.acts).toEqual([]);
  });

  it("an action the incident refuses is told to the clicker, escaped", async () => {
    // Prepare
    const { InputError } = await import("../../../../core/errors");
    const { deps, recorded } = makeDeps({
      act: async () => {
        throw new InputError("invalid_value", "cannot <!here> now");
      },
    });
    // Act
    await send(click(), deps);
    // Assess
    expect(recorded.replies[0]?.reply.text).toBe("Could not do that on IR-0001: cannot &lt;!here&gt; now");
  });
});

describe("handleSlackRequest: modals", () => {
  it.each([
    [SLACK_ACTION_IDS.advance, "ir_advance_modal", true],
    [SLACK_ACTION_IDS.note, "ir_note_modal", false],
  ])(
    "%s opens a modal asking for a note (in work, with the trigger id)",
    async (actionId, callbackId, optional) => {
      // Prepare
      const { deps, recorded } = makeDeps();
      // Act
      const response = await handleSlackRequest(
        click({ actionId, value: "IR-0042", triggerId: "trig-1" }),
        NOW,
        deps,
      );
      const openedBeforeWork = recorded.modals.length;
      await response.work?.();
      // Assess
      expect(response).toMatchObject({ status: 200, body: "" });
      expect(openedBeforeWork).toBe(0);
      expect(recorded.modals).toHaveLength(1);
      const { triggerId, view } = recorded.modals[0]!;
      expect(triggerId).toBe("trig-1");
      expect(view).toMatchObject({ type: "modal", callback_id: callbackId });
      expect(JSON.parse(view.private_metadata)).toEqual({ incidentId: "IR-0042" });
      expect(view.blocks[1]).toMatchObject({ block_id: NOTE_BLOCK_ID, optional });
      expect(view.title.text.length).toBeLessThanOrEqual(24); // Slack's modal title limit
      expect(recorded.acts).toEqual([]);
    },
  );

  it("submitting the advance modal advances with the note; an empty note advances without one", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    // Act
    const response = await send(
      submit({ callbackId: "ir_advance_modal", incidentId: "IR-0042", note: "  scoped: one host " }),
      deps,
    );
    await send(submit({ callbackId: "ir_advance_modal", note: null, viewId: "V2" }), deps);
    // Assess
    expect(response).toMatchObject({ status: 200, body: "" });
    expect(recorded.acts).toEqual([
      { incidentId: "IR-0042", action: { type: "advance", note: "scoped: one host" }, actor: RESPONDER },
      { incidentId: "IR-0001", action: { type: "advance" }, actor: RESPONDER },
    ]);
  });

  it("submitting the note modal adds the note; an empty note keeps the modal open with an error", async () => {
    // Prepare
    const { deps, recorded } = makeDeps();
    // Act
    const empty = await send(submit({ note: "   " }), deps);
    const written = await send(submit({ note: "owner is team payments" }), deps);
    // Assess
    expect(bodyJson(empty)).toEqual({
      response_action: "errors",
      errors: { [NOTE_BLOCK_ID]: "Write a note first." },
    });
    expect(written.body).toBe("");
    expect(recorded.acts).toEqual([
      { incidentId: "IR-0001", action: { type: "note", note: "owner is team payments" }, actor: RESPONDER },
    ]);
  });

  it("a double submit of the same modal acts once", async () => {
    const { deps, recorded } = makeDeps();
    await send(submit(), deps);
    const again = await send(submit(), deps);
    expect(again.work).toBeUndefined();
    expect(recorded.acts).toHaveLength(1);
  });

  it("a stranger's submit is refused in the modal and nothing happens", async () => {
    const { deps, recorded } = makeDeps();
    const response = await send(submit({ userId: STRANGER }), deps);
    expect(bodyJson(response)).toEqual({
      response_action: "errors",
      errors: { [NOTE_BLOCK_ID]: expect.stringContaining("Only incident responders") },
    });
    expect(recorded.acts).toEqual([]);
  });

  it("refuses a submit whose metadata is not ours with 400, and ignores other apps' modals", async () => {
    const { deps, recorded } = makeDeps();
    const bad = await send(submit({ privateMetadata: "{nope" }), deps);
    const other = await send(submit({ callbackId: "someone_elses_modal" }), deps);
    expect(bad.status).toBe(400);
    expect(other).toMatchObject({ status: 200, body: "" });
    expect(recorded.acts).toEqual([]);
  });

  it("escapes the incident id shown in the modal", () => {
    const view = buildModal("note", "IR-1&2");
    expect(JSON.stringify(view.blocks[0])).toContain("IR-1&amp;2");
  });
});

describe("handleSlackRequest with the real act and SQLite store", () => {
  let app: ReturnType<typeof makeLocalApp> | undefined;
  afterEach(() => app?.close());

  it("a click acknowledges the incident once, as the clicking user", async () => {
    // Prepare
    app = makeLocalApp("2024-05-01T10:00:00.000Z");
    const local = app;
    await ingestText(
      local.deps,
      fixtureText("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json"),
      {
        channel: "test",
        rawRef: "r",
      },
    );
    const { deps, recorded } = makeDeps({
      act: (incidentId, action, actor) => act(local.deps, incidentId, action, actor),
      incidents: local.deps.store,
    });
    // Act
    await send(click({ actionId: "ir_ack", value: "IR-0001" }), deps);
    await send(click({ actionId: "ir_ack", value: "IR-0001" }), deps, NOW + 300);
    // Assess
    const timeline = await local.deps.store.timeline("IR-0001");
    expect(timeline.filter((t) => t.actor === RESPONDER && t.kind === "incident.acknowledged")).toHaveLength(
      1,
    );
    expect(recorded.replies.map((r) => r.reply.text)).toEqual(["Acknowledged IR-0001."]);
  });
});
