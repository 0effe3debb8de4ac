import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, eventFor, RESPONDER_ACTIONS } from "../../app/act";
import { ingestText } from "../../app/ingest";
import { InputError } from "../../core/errors";
import { parseIncidentEvent } from "../../core/incident/events";
import { fixtureText } from "../support/fixtures";
import { makeLocalApp } from "../support/local-app";

const T0 = "2024-05-01T10:00:00.000Z";
let app: ReturnType<typeof makeLocalApp>;
beforeEach(() => {
  app = makeLocalApp(T0);
});
afterEach(() => app.close());

async function open(): Promise<string> {
  await ingestText(
    app.deps,
    fixtureText("guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json"),
    {
      channel: "test",
      rawRef: "r",
    },
  );
  return "IR-0001";
}

describe("eventFor", () => {
  it("maps every responder action to a valid incident event carrying actor and time", () => {
    for (const type of RESPONDER_ACTIONS) {
      const event = eventFor(
        { type, note: "because", owner: "U_BOB", url: "https://wiki.example/pm/1" },
        "U_ALICE",
        T0,
      );
      expect(parseIncidentEvent(event)).toEqual(event);
      expect(event).toMatchObject({ at: T0 });
      expect("actor" in event && event.actor).toBe("U_ALICE");
    }
  });

  it("refuses a note without text", () => {
    expect(() => eventFor({ type: "note", note: "  " }, "U_ALICE", T0)).toThrow(InputError);
  });
});

describe("act", () => {
  it("acknowledge, assign, advance and note change the incident and land on its timeline with the actor", async () => {
    const id = await open();
    app.clock.advance(2);
    await act(app.deps, id, { type: "acknowledge" }, "U_ALICE");
    await act(app.deps, id, { type: "assign", owner: "U_BOB" }, "U_ALICE");
    await act(app.deps, id, { type: "note", note: "instance belongs to team payments" }, "U_BOB");
    await act(app.deps, id, { type: "advance", note: "scoped: one instance" }, "U_BOB");
    expect((await app.deps.store.getIncident(id))!.phase).toBe("contain");
    const mine = (await app.deps.store.timeline(id)).filter((t) => t.actor.startsWith("U_"));
    expect(mine.map((t) => t.actor)).toEqual(expect.arrayContaining(["U_ALICE", "U_BOB"]));
    expect(mine.some((t) => t.text.includes("instance belongs to team payments"))).toBe(true);
  });

  it("acting twice changes nothing the second time, and an unknown incident is not found", async () => {
    const id = await open();
    expect((await act(app.deps, id, { type: "acknowledge" }, "U_ALICE")).status).toBe("changed");
    expect((await act(app.deps, id, { type: "acknowledge" }, "U_ALICE")).status).toBe("unchanged");
    expect((await act(app.deps, "IR-9999", { type: "acknowledge" }, "U_ALICE")).status).toBe("not-found");
  });
});
