/**
 * `ir drill` and `ir replay`: exercise a running service end to end.
 *
 * - Local drill (default): a bundled GuardDuty sample finding, made fresh (new finding id, new instance id,
 *   times = now), is posted to POST /events as the EventBridge event GuardDuty would send; then GET
 *   /api/incidents is polled until an incident with the finding's correlation key appears, and GET
 *   /api/incidents/<id> until its chat message is posted. Each step prints what happened and how long it
 *   took. Exit 0 when the incident opened, 1 on any failure or when the (bounded) wait runs out.
 * - AWS drill (--detector, --region or --aws): GuardDuty CreateSampleFindings in the account of the default
 *   credential chain, then ListFindings/GetFindings until the sample shows up; prints the sample ids (the
 *   incident follows through EventBridge). Exit codes as above.
 * - Replay: posts each file (a directory's *.json in name order) to POST /events and prints every
 *   event's result. Exit 2 when any event was refused, 1 when the service could not be reached.
 *
 * Everything that touches the world (fetch, clocks, sleep, output, the GuardDuty client) comes in through
 * DrillIo, so tests run against a fake server and a mocked client.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { type Command, InvalidArgumentError } from "commander";
import { DynamoDbIncidentStore } from "../adapters/dynamodb/incident-store";
import {
  createSampleFindings,
  findDetectorId,
  findSampleFindings,
  type WireFinding,
} from "../adapters/guardduty/sample-findings";
import { explain } from "../core/explain";
import { guardDutyIdentity } from "../core/findings/correlation";
import type { IncidentStore } from "../core/ports/incident-store";

export const DEFAULT_URL = "http://127.0.0.1:8787";
export const SAMPLE_PATH = fileURLToPath(
  new URL("./samples/guardduty-ec2-torrelay-sample.json", import.meta.url),
);
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_INTERVAL_MS = 500;
/** Our clock and GuardDuty's may disagree a little: samples updated this long before the drill still count. */
export const CLOCK_SKEW_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface DrillIo {
  out: (line: string) => void;
  /** Monotonic milliseconds, for step timings. */
  elapsed: () => number;
  /** Wall-clock time, for the sample's timestamps and "updated since". */
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
  randomHex: (bytes: number) => string;
  guardDuty: (region: string | undefined) => GuardDutyClient;
  /** Reads the service's incident table (AWS drill with --table). */
  incidents: (region: string | undefined, table: string) => Pick<IncidentStore, "getFinding" | "getIncident">;
}

export const defaultIo = (): DrillIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  elapsed: () => performance.now(),
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  fetch: (input, init) => fetch(input, init),
  randomHex: (bytes) => randomBytes(bytes).toString("hex"),
  guardDuty: (region) => new GuardDutyClient(region ? { region } : {}),
  incidents: (region, table) =>
    new DynamoDbIncidentStore({ client: new DynamoDBClient(region ? { region } : {}), tableName: table }),
});

// --- steps ----------------------------------------------------------------------------------------------

/** Prints one line per step: mark, name, what happened, how long the step took. */
class StepPrinter {
  private last: number;
  constructor(private readonly io: DrillIo) {
    this.last = io.elapsed();
  }
  private line(mark: string, step: string, text: string): void {
    const now = this.io.elapsed();
    this.io.out(`${mark} ${step.padEnd(16)} ${text} (${formatMs(now - this.last)})`);
    this.last = now;
  }
  ok(step: string, text: string): void {
    this.line("✓", step, text);
  }
  fail(step: string, text: string): void {
    this.line("✗", step, text);
  }
  note(step: string, text: string): void {
    this.line("-", step, text);
  }
}

export const formatMs = (ms: number): string =>
  ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// --- HTTP -----------------------------------------------------------------------------------------------

export type EventResult =
  | { accepted: true; id: string; findings?: number }
  | { accepted: false; error: { code: string; message: string; path?: string } };

interface PostOutcome {
  status: number;
  results: EventResult[];
}

const authHeaders = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** POST /events; the service answers `{"results": [...]}` (202), or an error body on 4xx. */
async function postEvents(io: DrillIo, url: string, body: string, token?: string): Promise<PostOutcome> {
  const response = await io.fetch(new URL("/events", url), {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders(token) },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const results = (json as { results?: unknown } | undefined)?.results;
  if (Array.isArray(results)) return { status: response.status, results: results.map(readResult) };
  // A refusal of the whole request (413, 400 …) without per-event results.
  const error = (json as { error?: { code?: unknown; message?: unknown; path?: unknown } } | undefined)
    ?.error;
  return {
    status: response.status,
    results: [
      {
        accepted: false,
        error: {
          code: typeof error?.code === "string" ? error.code : `http_${response.status}`,
          message:
            typeof error?.message === "string" ? error.message : text.slice(0, 300) || response.statusText,
          ...(typeof error?.path === "string" ? { path: error.path } : {}),
        },
      },
    ],
  };
}

function readResult(value: unknown): EventResult {
  const r = (value ?? {}) as {
    accepted?: unknown;
    id?: unknown;
    findings?: unknown;
    error?: Record<string, unknown>;
  };
  if (r.accepted === true)
    return {
      accepted: true,
      id: typeof r.id === "string" ? r.id : "?",
      ...(typeof r.findings === "number" ? { findings: r.findings } : {}),
    };
  const e = r.error ?? {};
  return {
    accepted: false,
    error: {
      code: typeof e.code === "string" ? e.code : "refused",
      message: typeof e.message === "string" ? e.message : "no reason given",
      ...(typeof e.path === "string" ? { path: e.path } : {}),
    },
  };
}

async function getJson(
  io: DrillIo,
  url: string,
  path: string,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const response = await io.fetch(new URL(path, url), {
    headers: { accept: "application/json", ...authHeaders(token) },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    return { status: response.status, json: undefined };
  }
}

interface IncidentSummary {
  id: string;
  correlationKey: string;
  phase?: string;
  severity?: string;
  title?: string;
}

/** GET /api/incidents answers a JSON array (some servers wrap it as `{"incidents": [...]}`). */
function incidentsOf(json: unknown): IncidentSummary[] {
  const list = Array.isArray(json) ? json : (json as { incidents?: unknown } | undefined)?.incidents;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (i): i is IncidentSummary =>
      typeof i === "object" && i !== null && typeof i.id === "string" && typeof i.correlationKey === "string",
  );
}

type ChatEvidence =
  | { state: "posted"; channel: string; ts: string }
  | { state: "failed"; error: string }
  | { state: "pending" }
  | { state: "unknown" };

/**
 * What the incident's detail says about its chat message: the postIncidentMessage command (status and
 * result {channel, ts}) or a chat message of kind "message", wherever it sits in the document.
 */
export function chatEvidence(json: unknown): ChatEvidence {
  let found: ChatEvidence = { state: "unknown" };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || typeof value !== "object" || value === null || found.state === "posted") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (record.type === "postIncidentMessage") {
      const result = (record.result ?? {}) as { channel?: unknown; ts?: unknown };
      if (
        record.status === "succeeded" &&
        typeof result.channel === "string" &&
        typeof result.ts === "string"
      )
        found = { state: "posted", channel: result.channel, ts: result.ts };
      else if (record.status === "failed")
        found = { state: "failed", error: typeof record.error === "string" ? record.error : "failed" };
      else if (found.state === "unknown") found = { state: "pending" };
      return;
    }
    if (record.kind === "message" && typeof record.channel === "string" && typeof record.ts === "string") {
      found = { state: "posted", channel: record.channel, ts: record.ts };
      return;
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  visit(json, 0);
  return found;
}

/** Slack message timestamps look like `1714564800.000100`; the dashboard's are command ids. */
const chatText = (channel: string, ts: string): string =>
  /^\d+\.\d+$/.test(ts)
    ? `posted to Slack ${channel} (ts ${ts})`
    : `posted to the dashboard ${channel} (dry run: no Slack configured)`;

// --- the sample -----------------------------------------------------------------------------------------

export interface FreshSample {
  /** The EventBridge event to post. */
  event: Record<string, unknown>;
  findingId: string;
  instanceId: string;
  type: string;
}

/**
 * The bundled finding made fresh: new finding id (and ARN), a new instance id everywhere it appears (so the
 * drill opens its own incident), times set to `now`, and optionally another EC2 finding type.
 */
export function freshSample(
  sampleText: string,
  io: Pick<DrillIo, "now" | "randomHex">,
  type?: string,
): FreshSample {
  const original = JSON.parse(sampleText) as WireFinding & {
    id: string;
    arn: string;
    type: string;
    accountId: string;
    region: string;
    resource: { instanceDetails: { instanceId: string } };
  };
  if (type !== undefined && type !== original.type && !/:EC2\//.test(type))
    throw new InvalidArgumentError(
      `the local drill sample is an EC2 finding: use an EC2 finding type (…:EC2/…), or drill ${type} in AWS with --detector/--region/--aws`,
    );
  const findingId = io.randomHex(16);
  const instanceId = `i-${io.randomHex(9).slice(0, 17)}`;
  const now = io.now().toISOString();
  // Whole tokens only: "ami-99999999" must not become "am" + the new instance id.
  const wholeToken = (text: string) =>
    new RegExp(`(?<![\\w-])${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`, "g");
  const finding = JSON.parse(
    sampleText
      .replace(wholeToken(original.resource.instanceDetails.instanceId), instanceId)
      .replace(wholeToken(original.id), findingId),
  ) as typeof original & { service: Record<string, unknown> };
  finding.createdAt = now;
  finding.updatedAt = now;
  finding.service.eventFirstSeen = now;
  finding.service.eventLastSeen = now;
  if (type !== undefined && type !== original.type) {
    finding.type = type;
    finding.title = `Drill: ${type} on EC2 instance ${instanceId}.`;
  }
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "GuardDuty Finding",
    source: "aws.guardduty",
    account: finding.accountId,
    time: now,
    region: finding.region,
    resources: [],
    detail: finding,
  };
  return { event, findingId, instanceId, type: finding.type };
}

// --- local drill ----------------------------------------------------------------------------------------

export interface LocalDrillOptions {
  url: string;
  type?: string;
  timeoutMs: number;
  intervalMs: number;
  token?: string;
  samplePath?: string;
}

export async function runLocalDrill(options: LocalDrillOptions, io: DrillIo): Promise<number> {
  const started = io.elapsed();
  const deadline = started + options.timeoutMs;
  const sample = freshSample(readFileSync(options.samplePath ?? SAMPLE_PATH, "utf8"), io, options.type);
  const body = JSON.stringify(sample.event);
  io.out(
    `drill: ${sample.type} (finding ${sample.findingId}) → ${options.url}, waiting up to ${formatMs(options.timeoutMs)}`,
  );
  const steps = new StepPrinter(io);

  let posted: PostOutcome;
  try {
    posted = await postEvents(io, options.url, body, options.token);
  } catch (error) {
    steps.fail("posted", `cannot reach ${options.url}: ${reason(error)}`);
    return 1;
  }
  const [result] = posted.results;
  if (!result?.accepted) {
    steps.fail("posted", `${posted.status} refused: ${result ? describeRefusal(result) : "no result"}`);
    return 1;
  }
  steps.ok("posted", `${posted.status} accepted, event ${result.id}`);

  const [explained] = explain(body).results;
  const finding = explained?.findings[0];
  if (!finding) {
    steps.fail("normalized", `the sample yields no finding: ${explained?.error?.message ?? "unknown"}`);
    return 1;
  }
  const counted = result.findings === undefined ? "" : ` (the service found ${result.findings} finding(s))`;
  steps.ok("normalized", `${finding.type} ${finding.severity.label} on ${finding.correlationKey}${counted}`);

  let incident: IncidentSummary | undefined;
  for (;;) {
    try {
      const { status, json } = await getJson(io, options.url, "/api/incidents", options.token);
      if (status >= 400) {
        steps.fail("incident opened", `GET /api/incidents answered ${status}`);
        return 1;
      }
      incident = incidentsOf(json).find((i) => i.correlationKey === finding.correlationKey);
    } catch (error) {
      steps.fail("incident opened", `cannot reach ${options.url}: ${reason(error)}`);
      return 1;
    }
    if (incident) break;
    if (io.elapsed() + options.intervalMs > deadline) {
      steps.fail(
        "incident opened",
        `no incident for ${finding.correlationKey} after ${formatMs(io.elapsed() - started)}`,
      );
      return 1;
    }
    await io.sleep(options.intervalMs);
  }
  steps.ok(
    "incident opened",
    `${incident.id} (${incident.severity ?? "?"}, ${incident.phase ?? "?"}): ${incident.title ?? ""}`.trimEnd(),
  );

  for (;;) {
    let evidence: ChatEvidence;
    try {
      const { status, json } = await getJson(
        io,
        options.url,
        `/api/incidents/${encodeURIComponent(incident.id)}`,
        options.token,
      );
      evidence = status >= 400 ? { state: "unknown" } : chatEvidence(json);
    } catch {
      evidence = { state: "unknown" };
    }
    if (evidence.state === "posted") {
      steps.ok("chat message", chatText(evidence.channel, evidence.ts));
      break;
    }
    if (evidence.state === "failed") {
      steps.fail("chat message", `failed: ${evidence.error}`);
      return 1;
    }
    if (evidence.state === "unknown") {
      steps.note("chat message", "not reported by this service's API: check the dashboard or the channel");
      break;
    }
    if (io.elapsed() + options.intervalMs > deadline) {
      steps.fail("chat message", `still pending after ${formatMs(io.elapsed() - started)}`);
      return 1;
    }
    await io.sleep(options.intervalMs);
  }
  io.out(`drill passed in ${formatMs(io.elapsed() - started)}: incident ${incident.id}`);
  return 0;
}

// --- AWS drill ------------------------------------------------------------------------------------------

export interface AwsDrillOptions {
  type: string;
  detectorId?: string;
  region?: string;
  timeoutMs: number;
  intervalMs: number;
  /** The service's DynamoDB table: with it, the drill follows the sample until its incident opens. */
  table?: string;
}

export async function runAwsDrill(options: AwsDrillOptions, io: DrillIo): Promise<number> {
  const started = io.elapsed();
  const deadline = started + options.timeoutMs;
  const client = io.guardDuty(options.region);
  const since = io.now().getTime() - CLOCK_SKEW_MS;
  io.out(
    `drill: ${options.type} in GuardDuty${options.region ? ` (${options.region})` : ""}, waiting up to ${formatMs(options.timeoutMs)}`,
  );
  const steps = new StepPrinter(io);
  let sample: WireFinding | undefined;
  try {
    let detectorId = options.detectorId;
    if (!detectorId) {
      detectorId = await findDetectorId(client);
      steps.ok("detector", detectorId);
    }
    await createSampleFindings(client, detectorId, [options.type]);
    steps.ok("sample created", `CreateSampleFindings ${options.type} on detector ${detectorId}`);
    for (;;) {
      const samples = await findSampleFindings(client, detectorId, options.type, since);
      if (samples.length > 0) {
        for (const s of samples)
          steps.ok(
            "sample finding",
            `${String(s.id)} severity ${String(s.severity)} updated ${String(s.updatedAt)}`,
          );
        sample = samples[0];
        break;
      }
      if (io.elapsed() + options.intervalMs > deadline) {
        steps.fail(
          "sample finding",
          `no ${options.type} sample updated since the drill began, after ${formatMs(io.elapsed() - started)}`,
        );
        return 1;
      }
      await io.sleep(options.intervalMs);
    }
  } catch (error) {
    steps.fail("guardduty", reason(error));
    return 1;
  }
  if (!options.table || !sample) {
    io.out(
      `drill passed in ${formatMs(io.elapsed() - started)}: GuardDuty publishes the sample to EventBridge; the incident follows from there (pass --table to follow it)`,
    );
    return 0;
  }
  // Follow the sample through EventBridge → ingest → advance into the service's table.
  const identity = guardDutyIdentity(
    String(sample.accountId),
    String(sample.region ?? options.region),
    String(sample.id),
  );
  const incidents = io.incidents(options.region, options.table);
  try {
    for (;;) {
      const record = await incidents.getFinding(identity);
      const incident = record ? await incidents.getIncident(record.incidentId) : undefined;
      if (incident) {
        steps.ok("incident opened", `${incident.id} (${incident.severity}, phase ${incident.phase})`);
        break;
      }
      if (io.elapsed() + options.intervalMs > deadline) {
        steps.fail(
          "incident opened",
          `no incident for ${identity} after ${formatMs(io.elapsed() - started)}`,
        );
        return 1;
      }
      await io.sleep(options.intervalMs);
    }
  } catch (error) {
    steps.fail("incident table", reason(error));
    return 1;
  }
  io.out(`drill passed in ${formatMs(io.elapsed() - started)}: the sample opened an incident`);
  return 0;
}

// --- replay ---------------------------------------------------------------------------------------------

export interface ReplayOptions {
  url: string;
  token?: string;
}

/** The files a replay posts: the file itself, or a directory's *.json in name order. */
export function replayFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(path, name));
}

export async function runReplay(path: string, options: ReplayOptions, io: DrillIo): Promise<number> {
  const files = replayFiles(path);
  if (files.length === 0) {
    io.out(`replay: no *.json files in ${path}`);
    return 2;
  }
  let accepted = 0;
  let refused = 0;
  for (const file of files) {
    const started = io.elapsed();
    let outcome: PostOutcome;
    try {
      outcome = await postEvents(io, options.url, readFileSync(file, "utf8"), options.token);
    } catch (error) {
      io.out(`${basename(file)}: cannot reach ${options.url}: ${reason(error)}`);
      return 1;
    }
    io.out(`${basename(file)}: ${outcome.status} (${formatMs(io.elapsed() - started)})`);
    outcome.results.forEach((result, i) => {
      if (result.accepted) {
        accepted += 1;
        io.out(`  [${i}] accepted ${result.id}`);
      } else {
        refused += 1;
        io.out(`  [${i}] refused ${describeRefusal(result)}`);
      }
    });
  }
  io.out(`replay: ${files.length} file(s), ${accepted} event(s) accepted, ${refused} refused`);
  return refused > 0 ? 2 : 0;
}

const describeRefusal = (result: Extract<EventResult, { accepted: false }>): string =>
  `${result.error.code}: ${result.error.message}${result.error.path ? ` at ${result.error.path}` : ""}`;

const reason = (error: unknown): string =>
  error instanceof Error
    ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
    : String(error);

// --- commands -------------------------------------------------------------------------------------------

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3_600)
    throw new InvalidArgumentError("expected seconds, more than 0 and at most 3600");
  return seconds * 1_000;
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected a URL such as http://127.0.0.1:8787");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError("expected an http(s) URL");
  return value.replace(/\/+$/, "");
}

interface DrillFlags {
  type?: string;
  url?: string;
  detector?: string;
  region?: string;
  aws?: boolean;
  timeout?: number;
  interval?: number;
  token?: string;
  table?: string;
}

/** Registers `ir drill` and `ir replay` on the program; `io` is replaced in tests. */
export function registerDrillCommands(program: Command, io: () => DrillIo = defaultIo): void {
  program
    .command("drill")
    .description(
      "Run a drill: locally, post a fresh GuardDuty sample finding to the running service and follow it until its " +
        "incident opens; in AWS (--detector, --region or --aws), create a GuardDuty sample finding and report its id.\n" +
        "Exit 0 when the drill passed, 1 when a step failed or the wait ran out.",
    )
    .option(
      "--type <type>",
      "GuardDuty finding type (local: an EC2 type; default the bundled UnauthorizedAccess:EC2/TorRelay)",
    )
    .option("--url <url>", `the local service (default ${DEFAULT_URL})`, httpUrl)
    .option("--detector <id>", "AWS: the GuardDuty detector (default: the region's detector)")
    .option("--region <region>", "AWS: the region (default: the SDK's, e.g. AWS_REGION)")
    .option("--aws", "AWS mode with the default region and detector")
    .option("--timeout <seconds>", `how long to wait (default ${DEFAULT_TIMEOUT_MS / 1000})`, positiveSeconds)
    .option("--interval <seconds>", `poll interval (default ${DEFAULT_INTERVAL_MS / 1000})`, positiveSeconds)
    .option("--token <token>", "operator token for the local API (env IR_OPERATOR_TOKEN)")
    .option(
      "--table <name>",
      "AWS drill: the service's DynamoDB table, to follow the sample until its incident opens",
    )
    .action(async (flags: DrillFlags) => {
      const aws = flags.aws === true || flags.detector !== undefined || flags.region !== undefined;
      if (aws && flags.url !== undefined)
        throw new InvalidArgumentError(
          "choose --url (local drill) or --detector/--region/--aws (AWS drill), not both",
        );
      const timeoutMs = flags.timeout ?? DEFAULT_TIMEOUT_MS;
      const intervalMs = flags.interval ?? DEFAULT_INTERVAL_MS;
      if (aws) {
        if (!flags.type) throw new InvalidArgumentError("an AWS drill needs --type <GuardDuty finding type>");
        process.exitCode = await runAwsDrill(
          {
            type: flags.type,
            timeoutMs,
            intervalMs,
            ...(flags.detector ? { detectorId: flags.detector } : {}),
            ...(flags.region ? { region: flags.region } : {}),
            ...(flags.table ? { table: flags.table } : {}),
          },
          io(),
        );
        return;
      }
      const token = flags.token ?? process.env.IR_OPERATOR_TOKEN;
      process.exitCode = await runLocalDrill(
        {
          url: flags.url ?? DEFAULT_URL,
          timeoutMs,
          intervalMs,
          ...(flags.type ? { type: flags.type } : {}),
          ...(token ? { token } : {}),
        },
        io(),
      );
    });

  program
    .command("replay")
    .description(
      "Post events to the running service's POST /events: a file, or every *.json file of a directory in name order. " +
        "Prints each event's result.\nExit 0 when all were accepted, 2 when any was refused, 1 when the service could not be reached.",
    )
    .argument("<path>", "event file or directory")
    .option("--url <url>", `the local service (default ${DEFAULT_URL})`, httpUrl)
    .option("--token <token>", "operator token for the local API (env IR_OPERATOR_TOKEN)")
    .option(
      "--table <name>",
      "AWS drill: the service's DynamoDB table, to follow the sample until its incident opens",
    )
    .action(async (path: string, flags: { url?: string; token?: string }) => {
      const token = flags.token ?? process.env.IR_OPERATOR_TOKEN;
      process.exitCode = await runReplay(
        path,
        { url: flags.url ?? DEFAULT_URL, ...(token ? { token } : {}) },
        io(),
      );
    });
}
