/**
 * The generatePostmortem capability end to end: an incident driven through the response plan with act(),
 * the command the workflow emits on entering postmortem dispatched through createCommandExecutor, and the
 * draft checked where it is kept: the command's stored result.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act } from "../../app/act";
import { dispatch } from "../../app/dispatch";
import { createCommandExecutor } from "../../app/execute-command";
import { ingestText } from "../../app/ingest";
import { createPostmortemWriter, IncidentNotFoundError, type PostmortemDraft } from "../../app/postmortem";
import { parseCommand } from "../../core/incident/commands";
import type { StoredTimelineEntry } from "../../core/ports/incident-store";
import { POSTMORTEM_SECTIONS } from "../../core/postmortem/generate-postmortem";
import { formatTime } from "../../core/postmortem/markdown";
import { fixtureText } from "../support/fixtures";
import { makeLocalApp } from "../support/local-app";

const T0 = "2024-05-01T10:00:00.000Z";
const GD_FILE = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";

let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp(T0);
});
afterEach(() => app.close());

/** Opens the incident and walks it to postmortem: ack +5, owner and note, advances at +20/+40/+200/+420. */
async function driveToPostmortem(): Promise<string> {
  const [outcome] = await ingestText(app.deps, fixtureText(GD_FILE), { channel: "test", rawRef: GD_FILE });
  const opened = outcome!.findings[0]!;
  if (opened.decision !== "opened") throw new Error(`expected a new incident, got ${opened.decision}`);
  const id = opened.incidentId;
  const steps: Array<[number, Parameters<typeof act>[2], string]> = [
    [5, { type: "acknowledge" }, "U_ALICE"],
    [6, { type: "assign", owner: "U_BOB" }, "U_ALICE"],
    [10, { type: "note", note: "instance i-99999999 belongs to team payments" }, "U_BOB"],
    [20, { type: "advance", note: "one instance, outbound Tor only" }, "U_BOB"],
    [40, { type: "advance" }, "U_BOB"],
    [200, { type: "advance" }, "U_BOB"],
    [420, { type: "advance" }, "U_ALICE"],
  ];
  for (const [minutes, action, actor] of steps) {
    app.clock.at(T0, minutes);
    expect((await act(app.deps, id, action, actor)).status).toBe("changed");
  }
  return id;
}

/** Dispatches every pending command but the postmortem with the recording executor (chat, Security Hub…). */
async function dispatchOthers(): Promise<void> {
  for (const command of await app.deps.store.pendingCommands(100))
    if (command.type !== "generatePostmortem") await dispatch(app.deps, command);
}

describe("generatePostmortem capability", () => {
  it("stores a draft with every section and the real timeline as the command's result", async () => {
    // Prepare
    const id = await driveToPostmortem();
    expect((await app.deps.store.getIncident(id))!.phase).toBe("postmortem");
    app.clock.at(T0, 421);
    await dispatchOthers();
    const command = (await app.deps.store.commandsOf(id)).find((c) => c.type === "generatePostmortem")!;
    expect(command.status).toBe("pending");
    const timelineBefore: StoredTimelineEntry[] = await app.deps.store.timeline(id);
    const writer = createPostmortemWriter({
      store: app.deps.store,
      clock: app.clock,
      runbookBaseUrl: "https://runbooks.example",
    });
    const executor = createCommandExecutor(app.deps.store, { generatePostmortem: writer });

    // Act
    app.clock.at(T0, 422);
    const outcome = await dispatch({ ...app.deps, executor }, command);

    // Assess
    expect(outcome).toEqual({ status: "succeeded", commandId: command.id });
    const stored = (await app.deps.store.getCommand(command.id))!;
    expect(stored.status).toBe("succeeded");
    const draft = stored.result as unknown as PostmortemDraft;
    expect(draft.generatedAt).toBe("2024-05-01T17:02:00.000Z");
    const { markdown } = draft;
    const headings = markdown
      .split("\n")
      .filter((l) => l.startsWith("## "))
      .map((l) => l.slice(3));
    expect(headings).toEqual([...POSTMORTEM_SECTIONS]);

    // Every entry the store held when the draft was written, in order, with its time and actor.
    expect(markdown).toContain(`${timelineBefore.length} entries.`);
    const rows = markdown.split("\n").filter((l) => /^\| 2024-\d\d-\d\d .* \| T0\+/.test(l));
    expect(rows).toHaveLength(timelineBefore.length);
    timelineBefore.forEach((entry, i) => {
      expect(rows[i]!.startsWith(`| ${formatTime(entry.at)} |`)).toBe(true);
      expect(rows[i]).toContain(` | ${entry.kind} | `);
    });
    expect(markdown).toContain(
      "| 2024-05-01 10:05:00Z | T0+5m | U_ALICE | incident.acknowledged | Acknowledged by U_ALICE |",
    );
    expect(markdown).toContain("instance i-99999999 belongs to team payments");

    // Phases against the plan's deadlines: all in time; recovered at +7 h.
    expect(markdown).toContain(
      "| Detect | 2024-05-01 10:00:00Z | 2024-05-01 10:05:00Z | 5m | 2024-05-01 10:15:00Z (T0+15m) | — | met |",
    );
    expect(markdown).toContain(
      "| Contain | 2024-05-01 10:20:00Z | 2024-05-01 10:40:00Z | 20m | 2024-05-01 11:00:00Z (T0+1h 00m) | — | met |",
    );
    expect(markdown).toContain("| Duration (T0 → recovery) | 7h 00m |");
    expect(markdown).toContain("No SLA breach.");
    expect(markdown).toContain("(https://runbooks.example/runbooks/ec2-compromise.md#postmortem)");
    expect(markdown).toContain("| Owner | U_BOB |");
    expect(markdown).toMatch(/\| U_ALICE \| 3 \|/); // ack, assign, advance to postmortem
    expect(markdown).toMatch(/\| U_BOB \| 4 \|/); // note, three advances
    expect(markdown).toContain("| guardduty | UnauthorizedAccess:EC2/TorRelay |");
    // The chat announcement the recording executor answered is among the actions.
    expect(markdown).toMatch(/\| postIncidentMessage \| announced in chat .* \| succeeded \|/);

    // The result is on the incident's timeline too.
    const after = await app.deps.store.timeline(id);
    expect(after.at(-1)).toMatchObject({ kind: "command.succeeded", text: "generatePostmortem done" });
    // …and announced in the incident's chat thread, with where to download it.
    const replies = (await app.deps.store.pendingCommands(100)).filter((c) => c.type === "postThreadReply");
    expect(replies.map((c) => c.params.topic)).toContain("postmortem.drafted");
    expect(JSON.stringify(replies.at(-1)!.params)).toContain(`/api/incidents/${id}/postmortem`);
  });

  it("fails visibly when the incident does not exist", async () => {
    const id = await driveToPostmortem();
    const stored = (await app.deps.store.commandsOf(id)).find((c) => c.type === "generatePostmortem")!;
    const command = parseCommand({ ...stored, incidentId: "IR-9999" });
    const writer = createPostmortemWriter({ store: app.deps.store, clock: app.clock });
    if (command.type !== "generatePostmortem") throw new Error("wrong command");
    await expect(writer(command)).rejects.toBeInstanceOf(IncidentNotFoundError);
  });
});
