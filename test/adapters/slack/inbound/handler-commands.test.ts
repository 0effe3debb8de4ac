/**
 * `/ir` against the real SQLite store and the real `act`, with incidents created by ingesting a real
 * GuardDuty sample.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleSlackRequest, type SlackHttpResponse } from "../../../../adapters/slack/inbound/handler";
import { act } from "../../../../app/act";
import { ingestText } from "../../../../app/ingest";
import { fixtureText, loadFixture } from "../../../support/fixtures";
import { makeLocalApp } from "../../../support/local-app";
import { makeCommandBody, makeDeps, NOW, RESPONDER, STRANGER, signedRequest } from "./slack-requests";

const TOR_RELAY = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";

let app: ReturnType<typeof makeLocalApp>;
let handler: ReturnType<typeof makeDeps>;

beforeEach(() => {
  app = makeLocalApp("2024-05-01T10:00:00.000Z");
  const local = app;
  handler = makeDeps({
    act: (incidentId, action, actor) => act(local.deps, incidentId, action, actor),
    incidents: local.deps.store,
  });
});
afterEach(() => app.close());

const ingest = (text: string) => ingestText(app.deps, text, { channel: "test", rawRef: "r" });

async function ir(
  text: string,
  userId = RESPONDER,
): Promise<SlackHttpResponse & { reply: { response_type: string; text: string } }> {
  const response = await handleSlackRequest(
    signedRequest("/slack/commands", makeCommandBody(text, { userId })),
    NOW,
    handler.deps,
  );
  return { ...response, reply: JSON.parse(response.body) };
}

describe("/ir list", () => {
  it("lists open incidents with id, severity, phase and title, ephemerally", async () => {
    // Prepare
    await ingest(fixtureText(TOR_RELAY));
    const incident = (await app.deps.store.getIncident("IR-0001"))!;
    // Act
    const response = await ir("list");
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toContain("application/json");
    expect(response.reply.response_type).toBe("ephemeral");
    expect(response.reply.text).toContain(
      `*IR-0001* · ${incident.severity} · ${incident.phase} · EC2 instance i-99999999 is communicating with a Tor Exit node.`,
    );
    expect(incident).toMatchObject({ severity: "HIGH", phase: "detect" });
  });

  it("escapes untrusted titles so they cannot mention a channel or forge a link", async () => {
    // Prepare
    const finding = loadFixture(TOR_RELAY);
    finding.title = "<!channel> see <https://evil.example|the runbook> & act";
    await ingest(JSON.stringify(finding));
    // Act
    const response = await ir("list");
    // Assess
    expect(response.reply.text).toContain(
      "&lt;!channel&gt; see &lt;https://evil.example|the runbook&gt; &amp; act",
    );
    expect(response.reply.text).not.toMatch(/<!channel>|<https:/);
  });

  it("says so when nothing is open, and leaves closed incidents out", async () => {
    // Prepare
    await ingest(fixtureText(TOR_RELAY));
    await act(app.deps, "IR-0001", { type: "false-positive", note: "lab instance" }, RESPONDER);
    const closedOrSuppressed = (await app.deps.store.getIncident("IR-0001"))!;
    // Act
    const response = await ir("list");
    // Assess
    expect(closedOrSuppressed.open).toBe(false);
    expect(response.reply.text).toBe("No open incidents.");
  });
});

describe("/ir show", () => {
  it("shows one incident and its latest timeline", async () => {
    // Prepare
    await ingest(fixtureText(TOR_RELAY));
    const incident = (await app.deps.store.getIncident("IR-0001"))!;
    const lastEntry = (await app.deps.store.timeline("IR-0001")).at(-1)!;
    // Act
    const response = await ir("show IR-0001");
    // Assess
    expect(response.reply.response_type).toBe("ephemeral");
    expect(response.reply.text).toContain(`*IR-0001* ${incident.title}`);
    expect(response.reply.text).toContain(`Severity: ${incident.severity} · Phase: ${incident.phase} · open`);
    expect(response.reply.text).toContain(`Next deadline: ${incident.nextDeadline}`);
    expect(response.reply.text).toContain(lastEntry.text);
  });

  it("answers an unknown id, and shows usage without one", async () => {
    const missing = await ir("show IR-9999");
    const noId = await ir("show");
    const garbled = await ir("show <!channel>");
    expect(missing.reply.text).toBe("There is no incident IR-9999.");
    expect(noId.reply.text).toBe("Usage: `/ir show ID`");
    expect(garbled.reply.text).toBe("Usage: `/ir show ID`");
  });
});

describe("/ir ack", () => {
  it("answers at once, then acknowledges as the caller in work and reports back", async () => {
    // Prepare
    await ingest(fixtureText(TOR_RELAY));
    // Act
    const response = await ir("ack IR-0001");
    const ackedBeforeWork = (await app.deps.store.timeline("IR-0001")).some(
      (t) => t.kind === "incident.acknowledged",
    );
    await response.work?.();
    // Assess
    expect(response.reply).toEqual({ response_type: "ephemeral", text: "Acknowledging IR-0001…" });
    expect(ackedBeforeWork).toBe(false);
    const acks = (await app.deps.store.timeline("IR-0001")).filter((t) => t.kind === "incident.acknowledged");
    expect(acks.map((t) => t.actor)).toEqual([RESPONDER]);
    expect(handler.recorded.replies).toEqual([
      {
        responseUrl: "https://hooks.slack.com/commands/1234/5678",
        reply: { response_type: "ephemeral", text: "Acknowledged IR-0001." },
      },
    ]);
  });

  it("reports an unknown incident", async () => {
    const response = await ir("ack IR-0404");
    await response.work?.();
    expect(handler.recorded.replies.map((r) => r.reply.text)).toEqual(["There is no incident IR-0404."]);
  });
});

describe("/ir help and unknown subcommands", () => {
  it.each(["help", "", "  HELP  "])("%j shows help", async (text) => {
    const response = await ir(text);
    expect(response.reply.response_type).toBe("ephemeral");
    for (const sub of ["/ir list", "/ir show ID", "/ir ack ID", "/ir help"])
      expect(response.reply.text).toContain(sub);
  });

  it("an unknown subcommand gets help, naming it escaped", async () => {
    const response = await ir("<!here>");
    expect(response.reply.text).toContain("I don't know `/ir &lt;!here&gt;`");
    expect(response.reply.text).toContain("/ir list");
  });
});

describe("/ir authorization", () => {
  it("refuses list, show and ack to a stranger without revealing anything or acting", async () => {
    // Prepare
    await ingest(fixtureText(TOR_RELAY));
    // Act
    const responses = [
      await ir("list", STRANGER),
      await ir("show IR-0001", STRANGER),
      await ir("ack IR-0001", STRANGER),
    ];
    await Promise.all(responses.map((r) => r.work?.()));
    // Assess
    for (const response of responses) {
      expect(response.reply).toEqual({
        response_type: "ephemeral",
        text: expect.stringContaining("Only incident responders"),
      });
      expect(response.reply.text).not.toContain("IR-0001");
    }
    expect((await app.deps.store.timeline("IR-0001")).some((t) => t.kind === "incident.acknowledged")).toBe(
      false,
    );
  });
});
