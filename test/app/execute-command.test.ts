import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act } from "../../app/act";
import { dispatch } from "../../app/dispatch";
import { CapabilityMissingError, createCommandExecutor } from "../../app/execute-command";
import { ingestText } from "../../app/ingest";
import { parseCommand } from "../../core/incident/commands";
import { RetryLaterError } from "../../core/ports/command-executor";
import { FakeChatOps } from "../support/chat-ops.fake";
import { fixtureText } from "../support/fixtures";
import { makeLocalApp } from "../support/local-app";

let app: ReturnType<typeof makeLocalApp>;
beforeEach(async () => {
  app = makeLocalApp("2024-05-01T10:00:00.000Z");
  await ingestText(
    app.deps,
    fixtureText("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json"),
    {
      channel: "test",
      rawRef: "r",
    },
  );
});
afterEach(() => app.close());

const pendingOf = async (type: string) =>
  (await app.deps.store.pendingCommands(100)).filter((c) => c.type === type);

describe("createCommandExecutor", () => {
  it("posts the incident message, then sends updates to that same message", async () => {
    const chat = new FakeChatOps();
    const deps = { ...app.deps, executor: createCommandExecutor(app.deps.store, { chat }) };
    const [post] = await pendingOf("postIncidentMessage");
    expect((await dispatch(deps, post!)).status).toBe("succeeded");
    await act(deps, "IR-0001", { type: "acknowledge" }, "U_ALICE");
    for (const update of await pendingOf("updateIncidentMessage")) await dispatch(deps, update);
    const updates = chat.calls.filter((c) => c.kind === "update");
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.message).toEqual({ channel: "C_SEC", ts: "1714557600.000001" });
  });

  it("makes replies wait (retry later) until the incident message exists", async () => {
    const executor = createCommandExecutor(app.deps.store, { chat: new FakeChatOps() });
    await act(app.deps, "IR-0001", { type: "acknowledge" }, "U_ALICE");
    const [update] = await pendingOf("updateIncidentMessage");
    await expect(executor.execute(parseCommand(update))).rejects.toBeInstanceOf(RetryLaterError);
  });

  it("fails a command whose capability is not configured, visibly", async () => {
    const executor = createCommandExecutor(app.deps.store, {});
    const [sync] = await pendingOf("updateSecurityHubFindings");
    await expect(executor.execute(parseCommand(sync))).rejects.toBeInstanceOf(CapabilityMissingError);
    const outcome = await dispatch({ ...app.deps, executor }, sync!);
    expect(outcome.status).toBe("failed");
    expect((await app.deps.store.getCommand(sync!.id))!.error).toMatch(/no Security Hub configured/);
  });
});
