import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSlackRequest } from "../../../../adapters/slack/inbound/parse-request";
import { InputError } from "../../../../core/errors";
import { interactionBody, makeBlockActions, makeCommandBody, makeViewSubmission } from "./slack-requests";

function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("parseSlackRequest: interactions", () => {
  it("reads a button click: who, which action and value, on which message, with its trigger and response url", () => {
    // Prepare
    const body = interactionBody(makeBlockActions({ actionId: "ir_own", value: "IR-0042", userId: "U_BOB" }));
    // Act
    const parsed = parseSlackRequest("/slack/interactions", body);
    // Assess
    expect(parsed).toEqual({
      kind: "block_actions",
      userId: "U_BOB",
      actions: [{ actionId: "ir_own", value: "IR-0042", blockId: "ir_actions" }],
      messageTs: "1548261231.000200",
      channelId: "C0SECOPS",
      triggerId: "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
      responseUrl: "https://hooks.slack.com/actions/T9TK3CUKW/1234567890/abcdefgh",
    });
  });

  it("falls back to message.ts and channel.id when the container lacks them", () => {
    // Prepare
    const { container: _container, ...payload } = makeBlockActions({ messageTs: "1700000000.000100" });
    // Act
    const parsed = parseSlackRequest("/slack/interactions", interactionBody(payload));
    // Assess
    expect(parsed).toMatchObject({ messageTs: "1700000000.000100", channelId: "C0SECOPS" });
  });

  it("reads a modal submit: view id, callback, metadata and the text inputs", () => {
    // Prepare
    const body = interactionBody(
      makeViewSubmission({ callbackId: "ir_advance_modal", incidentId: "IR-7", note: "done" }),
    );
    // Act
    const parsed = parseSlackRequest("/slack/interactions", body);
    // Assess
    expect(parsed).toEqual({
      kind: "view_submission",
      userId: "U_ALICE",
      viewId: "VNHU13V36",
      callbackId: "ir_advance_modal",
      privateMetadata: JSON.stringify({ incidentId: "IR-7" }),
      values: { ir_note_block: { ir_note_input: "done" } },
    });
  });

  it("keeps an empty optional input as undefined", () => {
    const parsed = parseSlackRequest(
      "/slack/interactions",
      interactionBody(makeViewSubmission({ note: null })),
    );
    expect(parsed).toMatchObject({ values: { ir_note_block: { ir_note_input: undefined } } });
  });

  it("parses other interaction types as ignored", () => {
    const parsed = parseSlackRequest(
      "/slack/interactions",
      interactionBody({ type: "view_closed", user: { id: "U1" } }),
    );
    expect(parsed).toEqual({ kind: "ignored", type: "view_closed" });
  });

  it.each([
    ["no payload field", "token=abc", "missing_field"],
    ["an empty body", "", "missing_field"],
    ["payload that is not JSON", "payload=%7Bnot+json", "invalid_json"],
    ["payload without a type", interactionBody({ user: { id: "U1" } }), "invalid_shape"],
    ["payload that is an array", interactionBody([1, 2]), "invalid_shape"],
    [
      "block_actions without actions",
      interactionBody({ ...makeBlockActions(), actions: [] }),
      "invalid_shape",
    ],
    [
      "block_actions without a user",
      interactionBody({ ...makeBlockActions(), user: undefined }),
      "invalid_shape",
    ],
    [
      "block_actions with a numeric action id",
      interactionBody({ ...makeBlockActions(), actions: [{ action_id: 7 }] }),
      "invalid_shape",
    ],
    [
      "view_submission without a view",
      interactionBody({ ...makeViewSubmission(), view: undefined }),
      "invalid_shape",
    ],
  ])("refuses %s with a clear InputError", (_name, body, code) => {
    // Act
    const error = inputErrorOf(() => parseSlackRequest("/slack/interactions", body));
    // Assess
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });
});

describe("parseSlackRequest: slash commands", () => {
  it("reads Slack's documented slash command example", () => {
    // Prepare: the body from Slack's "Verifying requests" docs
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    // Act
    const parsed = parseSlackRequest("/slack/commands", body);
    // Assess
    expect(parsed).toEqual({
      kind: "command",
      command: "/webhook-collect",
      text: "",
      userId: "U2CERLKJA",
      channelId: "G8PSS9T3V",
      responseUrl: "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
      triggerId: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    });
  });

  it("decodes the text and keeps the first of repeated fields", () => {
    const parsed = parseSlackRequest(
      "/slack/commands",
      `${makeCommandBody("show IR-0001 <!channel>")}&user_id=U_OTHER`,
    );
    expect(parsed).toMatchObject({ command: "/ir", text: "show IR-0001 <!channel>", userId: "U_ALICE" });
  });

  it.each([
    ["no user", "command=%2Fir&text=list"],
    ["no command", "user_id=U1&text=list"],
    ["a command without a slash", "command=ir&user_id=U1&text=list"],
    ["a JSON body", '{"command":"/ir","user_id":"U1"}'],
  ])("refuses %s", (_name, body) => {
    expect(inputErrorOf(() => parseSlackRequest("/slack/commands", body)).code).toBe("invalid_shape");
  });
});

describe("parseSlackRequest: properties", () => {
  const paths = fc.constantFrom("/slack/interactions" as const, "/slack/commands" as const);
  const onlyInputErrors = (path: "/slack/interactions" | "/slack/commands", body: string) => {
    try {
      const parsed = parseSlackRequest(path, body);
      return ["block_actions", "view_submission", "ignored", "command"].includes(parsed.kind);
    } catch (error) {
      return error instanceof InputError;
    }
  };

  it("arbitrary bodies never throw anything but InputError", () => {
    fc.assert(fc.property(paths, fc.string({ unit: "binary" }), onlyInputErrors), { numRuns: 500 });
  });

  it("arbitrary JSON payloads and forms never throw anything but InputError", () => {
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({
        type: fc.constantFrom("block_actions", "view_submission", "shortcut"),
        user: fc.jsonValue(),
        actions: fc.jsonValue(),
        view: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(payload, (json) => onlyInputErrors("/slack/interactions", interactionBody(json))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("command", "text", "user_id", "__proto__", "response_url"),
          fc.string(),
        ),
        (form) => onlyInputErrors("/slack/commands", new URLSearchParams(form).toString()),
      ),
      { numRuns: 500 },
    );
  });

  it("a mutated real payload still parses or is refused with an InputError", () => {
    const real = JSON.stringify(makeBlockActions());
    fc.assert(
      fc.property(fc.nat(), fc.string({ maxLength: 3 }), (at, insert) => {
        const i = at % real.length;
        const mutated = real.slice(0, i) + insert + real.slice(i + 1);
        return onlyInputErrors("/slack/interactions", new URLSearchParams({ payload: mutated }).toString());
      }),
      { numRuns: 500 },
    );
  });
});
