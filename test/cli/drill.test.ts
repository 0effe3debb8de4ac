/**
 * `ir drill` and `ir replay` against a small fake of the running service (node:http on 127.0.0.1, port 0:
 * POST /events answering `{"results": [...]}`, GET /api/incidents a JSON array, GET /api/incidents/<id> the
 * incident's commands), the AWS drill against a mocked GuardDutyClient, and the commands' wiring through
 * the real `ir` binary.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccessDeniedException,
  CreateSampleFindingsCommand,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from "@aws-sdk/client-guardduty";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestText } from "../../app/ingest";
import {
  CLOCK_SKEW_MS,
  type DrillIo,
  freshSample,
  runAwsDrill,
  runLocalDrill,
  runReplay,
  SAMPLE_PATH,
} from "../../cli/drill";
import { explain } from "../../core/explain";
import { fixtureText, loadFixture } from "../support/fixtures";
import { makeSdkTorRelayFinding, TORRELAY_FIXTURE_PATH } from "../support/guardduty-sdk.factory";
import { makeLocalApp } from "../support/local-app";

const NOW = new Date("2024-05-01T12:00:00.000Z");
const DETECTOR = "4b85f358-65e7-49b6-b9ae-b3816303fb12";

// --- the fake service -------------------------------------------------------------------------------------

interface Posted {
  body: string;
  headers: IncomingHttpHeaders;
}
interface Incident {
  id: string;
  correlationKey: string;
  phase: string;
  severity: string;
  title: string;
}

interface FakeService {
  url: string;
  posted: Posted[];
  incidentPolls: number;
  detailPolls: number;
  /** Answer to POST /events; default 202, every event accepted. */
  answer: (body: string, n: number) => { status: number; json: unknown };
  /** GET /api/incidents answers these… */
  incidents: Incident[];
  /** …plus this one from poll `atPoll` on. */
  opening: { atPoll: number; incident: Incident } | undefined;
  /** GET /api/incidents/<id>, by poll number (from 1); undefined → 404. */
  detail: ((poll: number) => unknown) | undefined;
  close: () => Promise<void>;
}

async function startFakeService(): Promise<FakeService> {
  const fake: Omit<FakeService, "url" | "close"> = {
    posted: [],
    incidentPolls: 0,
    detailPolls: 0,
    answer: (_body, n) => ({
      status: 202,
      json: { results: [{ accepted: true, id: `evt-${n}`, findings: 1 }] },
    }),
    incidents: [],
    opening: undefined,
    detail: undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "POST" && path === "/events") {
        const body = Buffer.concat(chunks).toString("utf8");
        fake.posted.push({ body, headers: req.headers });
        const { status, json } = fake.answer(body, fake.posted.length);
        return send(status, json);
      }
      if (req.method === "GET" && path === "/api/incidents") {
        fake.incidentPolls += 1;
        const opened =
          fake.opening && fake.incidentPolls >= fake.opening.atPoll ? [fake.opening.incident] : [];
        return send(200, [...opened, ...fake.incidents]);
      }
      const detail = /^\/api\/incidents\/([^/]+)$/.exec(path);
      if (req.method === "GET" && detail) {
        fake.detailPolls += 1;
        const json = fake.detail?.(fake.detailPolls);
        return json === undefined ? send(404, { error: { code: "not_found" } }) : send(200, json);
      }
      send(404, { error: { code: "not_found", message: path } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** After the drill's event is posted, its incident shows up on the `afterPolls`-th poll that follows. */
function openIncidentAfter(fake: FakeService, afterPolls: number, id = "IR-7"): void {
  const answer = fake.answer;
  fake.answer = (body, n) => {
    const key = explain(body).results[0]?.findings[0]?.correlationKey ?? "?";
    fake.opening = {
      atPoll: fake.incidentPolls + afterPolls,
      incident: {
        id,
        correlationKey: key,
        phase: "detect",
        severity: "HIGH",
        title: "EC2 instance is communicating with a Tor Exit node.",
      },
    };
    return answer(body, n);
  };
}

const messageCommand = (status: string, result: unknown = null, error: string | null = null) => ({
  id: "IR-7",
  commands: [
    { id: "IR-7:1:0", type: "postIncidentMessage", status, result, error },
    { id: "IR-7:1:2", type: "publishIncidentEvent", status: "pending", result: null, error: null },
  ],
});

// --- io -----------------------------------------------------------------------------------------------------

function testIo(overrides: Partial<DrillIo> = {}): DrillIo & { lines: string[] } {
  const lines: string[] = [];
  let hex = 0;
  return {
    lines,
    out: (line) => lines.push(line),
    elapsed: () => performance.now(),
    now: () => NOW,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    fetch: (input, init) => fetch(input, init),
    randomHex: (bytes) => {
      hex += 1;
      return hex.toString(16).padStart(bytes * 2, "a");
    },
    guardDuty: () => {
      throw new Error("no AWS in this test");
    },
    incidents: () => {
      throw new Error("no incident table in this test");
    },
    ...overrides,
  };
}

const TIMING = /\((\d+ ms|\d+\.\d+ s)\)$/;

let fake: FakeService;
beforeEach(async () => {
  fake = await startFakeService();
});
afterEach(async () => {
  await fake.close();
});

// --- local drill --------------------------------------------------------------------------------------------

describe("ir drill (local)", () => {
  const options = () => ({ url: fake.url, timeoutMs: 3_000, intervalMs: 10 });

  it("posts a fresh sample, follows its incident until it opens and its message is posted, step by step", async () => {
    // Prepare
    openIncidentAfter(fake, 3);
    fake.detail = (poll) =>
      poll < 2
        ? messageCommand("pending")
        : messageCommand("succeeded", { channel: "#security-incidents", ts: "IR-7:1:0" });
    const io = testIo();

    // Act
    const code = await runLocalDrill({ ...options(), token: "s3cret" }, io);

    // Assess
    expect(code).toBe(0);
    const [posted] = fake.posted;
    const event = JSON.parse(posted!.body);
    const key = `111111111111|eu-west-2|ec2-instance:${event.detail.resource.instanceDetails.instanceId}`;
    expect(io.lines[0]).toBe(
      `drill: UnauthorizedAccess:EC2/TorRelay (finding ${event.detail.id}) → ${fake.url}, waiting up to 3.00 s`,
    );
    const steps = io.lines.slice(1, -1).map((line) => line.replace(TIMING, "(t)"));
    expect(steps).toEqual([
      "✓ posted           202 accepted, event evt-1 (t)",
      `✓ normalized       UnauthorizedAccess:EC2/TorRelay HIGH on ${key} (the service found 1 finding(s)) (t)`,
      "✓ incident opened  IR-7 (HIGH, detect): EC2 instance is communicating with a Tor Exit node. (t)",
      "✓ chat message     posted to the dashboard #security-incidents (dry run: no Slack configured) (t)",
    ]);
    expect(io.lines.slice(1, -1).every((line) => TIMING.test(line))).toBe(true);
    expect(io.lines.at(-1)).toMatch(/^drill passed in \d+(\.\d+)? (ms|s): incident IR-7$/);
    expect(fake.incidentPolls).toBe(3);
    expect(fake.detailPolls).toBe(2);
    expect(posted?.headers.authorization).toBe("Bearer s3cret");
    expect(posted?.headers["content-type"]).toBe("application/json");
  });

  it("posts GuardDuty's EventBridge event with a fresh finding id, a fresh instance and times of now", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    const sample = loadFixture(TORRELAY_FIXTURE_PATH);

    // Act
    await runLocalDrill(options(), testIo());
    await runLocalDrill(options(), testIo({ randomHex: (bytes) => "f".repeat(bytes * 2) }));

    // Assess
    const [first, second] = fake.posted.map((p) => JSON.parse(p.body));
    expect(first).toMatchObject({
      version: "0",
      "detail-type": "GuardDuty Finding",
      source: "aws.guardduty",
      account: "111111111111",
      region: "eu-west-2",
      time: NOW.toISOString(),
      resources: [],
    });
    const detail = first.detail;
    expect(detail.id).toMatch(/^[0-9a-f]{32}$/);
    expect(detail.id).not.toBe(sample.id);
    expect(detail.arn).toBe(sample.arn.replace(sample.id, detail.id));
    expect(detail.resource.instanceDetails.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(detail.title).toBe(sample.title.replace("i-99999999", detail.resource.instanceDetails.instanceId));
    expect(detail.resource.instanceDetails.imageId).toBe("ami-99999999");
    expect([
      detail.createdAt,
      detail.updatedAt,
      detail.service.eventFirstSeen,
      detail.service.eventLastSeen,
    ]).toEqual(Array(4).fill(NOW.toISOString()));
    expect(first.id).not.toBe(second.id);
    expect(second.detail.id).not.toBe(detail.id);
    expect(second.detail.resource.instanceDetails.instanceId).not.toBe(
      detail.resource.instanceDetails.instanceId,
    );
    // Apart from what was made fresh, it is the bundled sample.
    expect({
      ...detail,
      id: 0,
      arn: 0,
      title: 0,
      description: 0,
      createdAt: 0,
      updatedAt: 0,
      resource: 0,
      service: 0,
    }).toEqual({
      ...sample,
      id: 0,
      arn: 0,
      title: 0,
      description: 0,
      createdAt: 0,
      updatedAt: 0,
      resource: 0,
      service: 0,
    });
  });

  it("says where the message went when Slack posted it", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    fake.detail = () => messageCommand("succeeded", { channel: "C0123456", ts: "1714564800.000100" });
    const io = testIo();

    // Act
    const code = await runLocalDrill(options(), io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines).toContainEqual(
      expect.stringMatching(/^✓ chat message {5}posted to Slack C0123456 \(ts 1714564800\.000100\) /),
    );
  });

  it("passes, saying so, when the service's API does not report chat messages", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    const io = testIo();

    // Act
    const code = await runLocalDrill(options(), io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines).toContainEqual(
      expect.stringMatching(/^- chat message {5}not reported by this service's API/),
    );
  });

  it("fails when the incident message could not be posted", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    fake.detail = () => messageCommand("failed", null, "slack: channel_not_found");
    const io = testIo();

    // Act
    const code = await runLocalDrill(options(), io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.at(-1)).toMatch(/^✗ chat message {5}failed: slack: channel_not_found \(/);
  });

  it("gives up with exit 1 when no incident opens within the timeout, polling a bounded number of times", async () => {
    // Prepare
    const io = testIo();
    const started = performance.now();

    // Act
    const code = await runLocalDrill({ url: fake.url, timeoutMs: 200, intervalMs: 20 }, io);

    // Assess
    expect(code).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(fake.incidentPolls).toBeGreaterThanOrEqual(2);
    expect(fake.incidentPolls).toBeLessThanOrEqual(11);
    expect(io.lines.at(-1)).toMatch(
      /^✗ incident opened {2}no incident for 111111111111\|eu-west-2\|ec2-instance:i-[0-9a-f]{17} after /,
    );
  });

  it("gives up when the message stays pending past the timeout", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    fake.detail = () => messageCommand("pending");
    const io = testIo();

    // Act
    const code = await runLocalDrill({ url: fake.url, timeoutMs: 150, intervalMs: 20 }, io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.at(-1)).toMatch(/^✗ chat message {5}still pending after /);
  });

  it("fails at the first step when the service refuses the event", async () => {
    // Prepare
    fake.answer = () => ({
      status: 400,
      json: {
        error: { code: "unknown_event", message: "no normalizer for detail-type", path: '$["detail-type"]' },
        id: "x",
      },
    });
    const io = testIo();

    // Act
    const code = await runLocalDrill(options(), io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.at(-1)).toMatch(
      /^✗ posted {11}400 refused: unknown_event: no normalizer for detail-type at \$\["detail-type"\] \(/,
    );
    expect(fake.incidentPolls).toBe(0);
  });

  it("fails when the service is not running", async () => {
    // Prepare
    const url = fake.url;
    await fake.close();
    fake = await startFakeService();
    const io = testIo();

    // Act
    const code = await runLocalDrill({ url, timeoutMs: 500, intervalMs: 10 }, io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.at(-1)).toMatch(new RegExp(`^✗ posted {11}cannot reach ${url.replace(/\./g, "\\.")}`));
  });

  it("drills another EC2 finding type, and refuses a type the EC2 sample cannot carry", async () => {
    // Prepare
    openIncidentAfter(fake, 1);
    const sampleText = fixtureText(TORRELAY_FIXTURE_PATH);

    // Act
    const code = await runLocalDrill(
      { ...options(), type: "CryptoCurrency:EC2/BitcoinTool.B!DNS" },
      testIo(),
    );
    const refusing = () => freshSample(sampleText, testIo(), "UnauthorizedAccess:IAMUser/MaliciousIPCaller");

    // Assess
    expect(code).toBe(0);
    const detail = JSON.parse(fake.posted[0]!.body).detail;
    expect(detail.type).toBe("CryptoCurrency:EC2/BitcoinTool.B!DNS");
    expect(detail.title).toBe(
      `Drill: CryptoCurrency:EC2/BitcoinTool.B!DNS on EC2 instance ${detail.resource.instanceDetails.instanceId}.`,
    );
    expect(refusing).toThrow("the local drill sample is an EC2 finding");
  });

  it("bundles the fixture's sample, unchanged", () => {
    // Assess
    expect(JSON.parse(fixtureText(TORRELAY_FIXTURE_PATH))).toEqual(
      JSON.parse(readFileSync(SAMPLE_PATH, "utf8")),
    );
  });
});

// --- AWS drill --------------------------------------------------------------------------------------------

describe("ir drill (AWS)", () => {
  const client = new GuardDutyClient({ region: "eu-west-2" });
  const guardDuty = mockClient(client);
  const awsIo = () => testIo({ guardDuty: () => client });
  const TYPE = "UnauthorizedAccess:EC2/TorRelay";

  beforeEach(() => {
    guardDuty.reset();
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
    guardDuty.on(CreateSampleFindingsCommand).resolves({});
  });

  it("with --table, follows the sample into the service's table until its incident opens", async () => {
    // Prepare: GuardDuty lists the sample; the service (a real store) has opened an incident for it.
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: ["sample-1"] });
    guardDuty.on(GetFindingsCommand).resolves({
      Findings: [makeSdkTorRelayFinding({ id: "sample-1", updatedAt: "2024-05-01T12:00:03.000Z" })],
    });
    const app = makeLocalApp("2024-05-01T12:00:05.000Z");
    const bare = { ...loadFixture(TORRELAY_FIXTURE_PATH), id: "sample-1" };
    await ingestText(app.deps, JSON.stringify(bare), { channel: "test", rawRef: "r" });
    const io = testIo({ guardDuty: () => client, incidents: () => app.deps.store });
    // Act
    const code = await runAwsDrill(
      { type: TYPE, region: "eu-west-2", timeoutMs: 2_000, intervalMs: 10, table: "ir-table" },
      io,
    );
    // Assess
    app.close();
    expect(code).toBe(0);
    expect(io.lines.map((line) => line.replace(TIMING, "(t)"))).toContain(
      "✓ incident opened  IR-0001 (HIGH, phase detect) (t)",
    );
    expect(io.lines.at(-1)).toMatch(/^drill passed in .*: the sample opened an incident$/);
  });

  it("with --table, fails when no incident opens in time", async () => {
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: ["sample-1"] });
    guardDuty.on(GetFindingsCommand).resolves({
      Findings: [makeSdkTorRelayFinding({ id: "sample-1", updatedAt: "2024-05-01T12:00:03.000Z" })],
    });
    const app = makeLocalApp("2024-05-01T12:00:05.000Z");
    const io = testIo({ guardDuty: () => client, incidents: () => app.deps.store });
    const code = await runAwsDrill(
      { type: TYPE, region: "eu-west-2", timeoutMs: 200, intervalMs: 20, table: "ir-table" },
      io,
    );
    app.close();
    expect(code).toBe(1);
    expect(
      io.lines.some((l) => l.includes("no incident for guardduty:111111111111:eu-west-2:sample-1")),
    ).toBe(true);
  });

  it("creates a sample in the region's detector and reports its id once GuardDuty lists it", async () => {
    // Prepare
    guardDuty
      .on(ListFindingsCommand)
      .resolvesOnce({ FindingIds: [] })
      .resolves({ FindingIds: ["sample-1"] });
    guardDuty.on(GetFindingsCommand).resolves({
      Findings: [makeSdkTorRelayFinding({ id: "sample-1", updatedAt: "2024-05-01T12:00:03.000Z" })],
    });
    const io = awsIo();

    // Act
    const code = await runAwsDrill({ type: TYPE, region: "eu-west-2", timeoutMs: 2_000, intervalMs: 10 }, io);

    // Assess
    expect(code).toBe(0);
    expect(guardDuty.commandCalls(CreateSampleFindingsCommand).map((c) => c.args[0].input)).toEqual([
      { DetectorId: DETECTOR, FindingTypes: [TYPE] },
    ]);
    const listed = guardDuty.commandCalls(ListFindingsCommand).map((c) => c.args[0].input);
    expect(listed).toHaveLength(2);
    expect(listed[0]?.FindingCriteria?.Criterion?.updatedAt).toEqual({
      GreaterThanOrEqual: NOW.getTime() - CLOCK_SKEW_MS,
    });
    expect(io.lines.map((line) => line.replace(TIMING, "(t)"))).toEqual([
      `drill: ${TYPE} in GuardDuty (eu-west-2), waiting up to 2.00 s`,
      `✓ detector         ${DETECTOR} (t)`,
      `✓ sample created   CreateSampleFindings ${TYPE} on detector ${DETECTOR} (t)`,
      "✓ sample finding   sample-1 severity 8 updated 2024-05-01T12:00:03.000Z (t)",
      expect.stringMatching(/^drill passed in .*: GuardDuty publishes the sample to EventBridge/),
    ]);
  });

  it("uses the given detector without looking it up", async () => {
    // Prepare
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: ["sample-1"] });
    guardDuty.on(GetFindingsCommand).resolves({ Findings: [makeSdkTorRelayFinding({ id: "sample-1" })] });

    // Act
    const code = await runAwsDrill(
      { type: TYPE, detectorId: "d-given", timeoutMs: 1_000, intervalMs: 10 },
      awsIo(),
    );

    // Assess
    expect(code).toBe(0);
    expect(guardDuty.commandCalls(ListDetectorsCommand)).toEqual([]);
    expect(guardDuty.commandCalls(CreateSampleFindingsCommand)[0]?.args[0].input.DetectorId).toBe("d-given");
  });

  it("gives up with exit 1 when the sample never shows up", async () => {
    // Prepare
    guardDuty.on(ListFindingsCommand).resolves({ FindingIds: [] });
    const io = awsIo();

    // Act
    const code = await runAwsDrill({ type: TYPE, timeoutMs: 150, intervalMs: 20 }, io);

    // Assess
    expect(code).toBe(1);
    expect(guardDuty.commandCalls(ListFindingsCommand).length).toBeLessThanOrEqual(9);
    expect(io.lines.at(-1)).toMatch(
      /^✗ sample finding {3}no UnauthorizedAccess:EC2\/TorRelay sample updated since the drill began/,
    );
  });

  it("fails with AWS's reason when GuardDuty refuses", async () => {
    // Prepare
    guardDuty.on(CreateSampleFindingsCommand).rejects(
      new AccessDeniedException({
        message: "not authorized to perform guardduty:CreateSampleFindings",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const io = awsIo();

    // Act
    const code = await runAwsDrill({ type: TYPE, timeoutMs: 1_000, intervalMs: 10 }, io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.at(-1)).toMatch(
      /^✗ guardduty {8}GuardDuty CreateSampleFindings failed: AccessDeniedException: not authorized to perform guardduty:CreateSampleFindings \(/,
    );
  });
});

// --- replay -------------------------------------------------------------------------------------------------

describe("ir replay", () => {
  const refuseMarked = () => {
    fake.answer = (body, n) => ({
      status: 202,
      json: {
        results: body.includes("REFUSE")
          ? [
              { accepted: true, id: `in-${n}#$[0]`, findings: 1 },
              {
                accepted: false,
                id: `in-${n}#$[1]`,
                error: { code: "unknown_event", message: "no normalizer", path: "$[1]" },
              },
            ]
          : [{ accepted: true, id: `in-${n}#$`, findings: 1 }],
      },
    });
  };

  it("posts a directory's *.json files in name order and prints every event's result; exit 2 on a refusal", async () => {
    // Prepare
    refuseMarked();
    const dir = mkdtempSync(join(tmpdir(), "ir-replay-"));
    writeFileSync(join(dir, "b.json"), '[{"a":1},{"REFUSE":true}]');
    writeFileSync(join(dir, "a.json"), fixtureText(TORRELAY_FIXTURE_PATH));
    writeFileSync(join(dir, "notes.txt"), "not an event");
    const io = testIo();

    // Act
    const code = await runReplay(dir, { url: fake.url }, io);

    // Assess
    expect(code).toBe(2);
    expect(fake.posted.map((p) => p.body)).toEqual([
      fixtureText(TORRELAY_FIXTURE_PATH),
      '[{"a":1},{"REFUSE":true}]',
    ]);
    expect(io.lines.map((line) => line.replace(/\((\d+ ms|\d+\.\d+ s)\)/, "(t)"))).toEqual([
      "a.json: 202 (t)",
      "  [0] accepted in-1#$",
      "b.json: 202 (t)",
      "  [0] accepted in-2#$[0]",
      "  [1] refused unknown_event: no normalizer at $[1]",
      "replay: 2 file(s), 2 event(s) accepted, 1 refused",
    ]);
  });

  it("exits 0 when every event of a file was accepted", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "ir-replay-"));
    const file = join(dir, "finding.json");
    writeFileSync(file, fixtureText(TORRELAY_FIXTURE_PATH));
    const io = testIo();

    // Act
    const code = await runReplay(file, { url: fake.url, token: "t0k" }, io);

    // Assess
    expect(code).toBe(0);
    expect(fake.posted[0]?.headers.authorization).toBe("Bearer t0k");
    expect(io.lines.at(-1)).toBe("replay: 1 file(s), 1 event(s) accepted, 0 refused");
  });

  it("counts a whole-request refusal (413) as refused", async () => {
    // Prepare
    fake.answer = () => ({
      status: 413,
      json: { error: { code: "too_large", message: "body is over 262144 bytes", path: "$" } },
    });
    const dir = mkdtempSync(join(tmpdir(), "ir-replay-"));
    writeFileSync(join(dir, "big.json"), "{}");
    const io = testIo();

    // Act
    const code = await runReplay(dir, { url: fake.url }, io);

    // Assess
    expect(code).toBe(2);
    expect(io.lines[1]).toBe("  [0] refused too_large: body is over 262144 bytes at $");
  });

  it("exits 2 for a directory with nothing to replay, 1 when the service is down", async () => {
    // Prepare
    const empty = mkdtempSync(join(tmpdir(), "ir-replay-"));
    const full = mkdtempSync(join(tmpdir(), "ir-replay-"));
    writeFileSync(join(full, "x.json"), "{}");
    const url = fake.url;
    await fake.close();
    fake = await startFakeService();

    // Act
    const nothing = await runReplay(empty, { url }, testIo());
    const down = testIo();
    const unreachable = await runReplay(full, { url }, down);

    // Assess
    expect(nothing).toBe(2);
    expect(unreachable).toBe(1);
    expect(down.lines[0]).toMatch(/^x\.json: cannot reach /);
  });
});

// --- the real binary ----------------------------------------------------------------------------------------

const BIN = fileURLToPath(new URL("../../bin/ir.js", import.meta.url));

/** Runs `ir` asynchronously, so the fake service in this process can answer it. */
function runIr(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, IR_OPERATOR_TOKEN: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the ir binary", () => {
  it("runs `ir replay FILE --url` and exits 2 on a refusal", async () => {
    // Prepare
    fake.answer = () => ({
      status: 202,
      json: {
        results: [{ accepted: false, id: "x", error: { code: "unknown_event", message: "nope", path: "$" } }],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "ir-replay-"));
    writeFileSync(join(dir, "e.json"), "{}");

    // Act
    const run = await runIr(["replay", join(dir, "e.json"), "--url", fake.url]);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("  [0] refused unknown_event: nope at $");
    expect(fake.posted).toHaveLength(1);
  });

  it("runs `ir drill --url` to a passing drill", async () => {
    // Prepare
    openIncidentAfter(fake, 2);

    // Act
    const run = await runIr(["drill", "--url", fake.url, "--timeout", "10", "--interval", "0.05"]);

    // Assess
    expect(run.stderr).not.toContain("ir:");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/✓ incident opened {2}IR-7 \(HIGH, detect\)/);
  });

  it("refuses to mix a local URL with AWS flags", async () => {
    // Act
    const run = await runIr([
      "drill",
      "--url",
      fake.url,
      "--detector",
      DETECTOR,
      "--type",
      "Recon:EC2/Portscan",
    ]);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "choose --url (local drill) or --detector/--region/--aws (AWS drill), not both",
    );
    expect(fake.posted).toEqual([]);
  });
});
