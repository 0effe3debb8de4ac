/**
 * Finding storms through the whole local runtime, over HTTP: createRuntime on a temp data dir (time scale
 * 1, the real clock), served by @hono/node-server on 127.0.0.1:0, chat going to SlackChatOps with the real
 * @slack/web-api client pointed at FakeSlack (test/support/slack-server.ts), so the per-channel pacing
 * (adapters/slack/channel-rate-limit.ts) and every Slack round trip are real. All chat goes to ONE
 * channel, as the local Slack wiring (server/wiring/slack.ts) does.
 *
 * Rate limiter: the local wiring's own (server/wiring/slack.ts localRateLimiter): `maxWaitMs: 0`, i.e. a
 * write whose channel slot is taken is refused at once with RetryLaterError and its command stays pending,
 * holding its place in the channel's queue. Not the adapter's default (wait up to 1.5 s in-process): the
 * local dispatcher is a turn of the ONE sequential scheduler, so an in-process wait also stops the inbox
 * worker, and under a storm every dispatcher turn would sleep about a second.
 *
 * (a) storm — STORM_FINDINGS distinct GuardDuty findings over STORM_INSTANCES instances (instance = i % 50;
 *     severity climbs LOW → MEDIUM → HIGH → CRITICAL along the stream, so incident messages are re-rendered
 *     too), one per request, CONCURRENCY in flight; then a bounded wait for the inbox and the outbox.
 *     Printed: incidents (≤ 50); every 202-accepted finding accounted for (a finding record for its id;
 *     those still queued in the durable inbox are shown apart); Slack writes (chat.postMessage +
 *     chat.update) per channel, the most in any SLIDING 1-s window of FakeSlack's arrival times (Slack:
 *     ≈ 1/s; 2 tolerated, since two writes paced a second apart can arrive closer when the first request was
 *     slower), plus the smallest gap between two writes; reads (conversations.*, the duplicate checks: not
 *     paced) apart; the time to post, to ingest, to drain — or what is left and how long Slack's pace needs.
 * (b) latency — LATENCY_EVENTS findings at a steady LATENCY_RATE/s, each a NEW incident on a new instance.
 *     One channel takes one message per second, so 100 new incident messages per second cannot be POSTED;
 *     the figure is accept → DISPATCHED: from the client receiving the 202 to the incident's
 *     postIncidentMessage coming back from the chat adapter the first time, posted or refused for now
 *     (RetryLaterError). The 202 is the client's view of "accepted": the runtime may dispatch before the
 *     answer reaches the client, so small negative times are real; `p99_from_send_ms` (from the request
 *     being sent) is the conservative bound. Events not dispatched within the bound count as infinitely
 *     slow. Messages that did reach FakeSlack during the run are reported too (accept → arrival, p50).
 *     The same load with an in-memory chat (no Slack, no rate limit) is the baseline: what the pipeline
 *     itself takes.
 *
 * The machine's load (1-min load average, cores) is printed with each line: these are wall-clock figures.
 * Everything is loopback, every phase has a deadline, and it stops by itself (≈ 2 minutes at most).
 * Sizes can be lowered for a quick look: `STORM_FINDINGS=2000 LATENCY_EVENTS=200 npx tsx bench/run.ts storm`;
 * `STORM_PARTS=storm|latency|baseline` picks parts; `STORM_CHAT=in-memory` runs (a) without Slack.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import { SlackChatOps } from "../adapters/slack/chat-ops";
import { createSlackWebClient } from "../adapters/slack/web-client";
import type { ChatOps } from "../core/ports/chat-ops";
import type { StoredCommand } from "../core/ports/incident-store";
import { HOSTNAME, parseConfig } from "../server/config";
import { createHttpApp } from "../server/http/app";
import { createLogger } from "../server/logger";
import { createRuntime, type Runtime } from "../server/runtime/runtime";
import { ScaledClock } from "../server/runtime/scaled-clock";
import { localRateLimiter } from "../server/wiring/slack";
import { FakeChatOps } from "../test/support/chat-ops.fake";
import { FakeSlack } from "../test/support/slack-server";
import { type BenchLine, percentile } from "./report";

const sized = (name: string, fallback: number) => Number(process.env[name]) || fallback;

export const STORM_FINDINGS = sized("STORM_FINDINGS", 10_000);
export const STORM_INSTANCES = 50;
export const CONCURRENCY = 16;
export const LATENCY_EVENTS = sized("LATENCY_EVENTS", 1_000);
export const LATENCY_RATE = 100;
export const LATENCY_TARGET_MS = 25;
/** Slack's guidance: about one message per second per channel. */
export const SLACK_WRITES_PER_S = 1;

const CHANNEL = "C0STORM0001";
const WRITES = new Set(["chat.postMessage", "chat.update"]);
const CHAT_COMMANDS = new Set([
  "postIncidentMessage",
  "updateIncidentMessage",
  "postThreadReply",
  "mentionInChat",
]);
/** Deadlines (real ms): posting the storm, then ingesting it, then draining the outbox; latency waits. */
const POST_BOUND_MS = 45_000;
const INGEST_BOUND_MS = 20_000;
const DRAIN_BOUND_MS = 10_000;
const LATENCY_BOUND_MS = 10_000;
const POLL_MS = 250;

const FIXTURE = fileURLToPath(
  new URL(
    "../test/fixtures/events/guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json",
    import.meta.url,
  ),
);

interface GuardDutyFinding {
  id: string;
  arn: string;
  severity: number;
  resource: { instanceDetails: { instanceId: string } };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** A distinct GuardDuty finding (id `<prefix><n>`, 32 characters) on instance number `instance`. */
function makeFinding(base: GuardDutyFinding, prefix: string, n: number, instance: number, severity: number) {
  const finding = structuredClone(base);
  finding.id = `${prefix}${hex(n, 32 - prefix.length)}`;
  finding.arn = base.arn.replace(base.id, finding.id);
  finding.resource.instanceDetails.instanceId = `i-${hex(instance, 17)}`;
  finding.severity = severity;
  return finding;
}

/** The storm's severity: each instance's first quarter of findings LOW, then MEDIUM, HIGH, CRITICAL. */
const STORM_SEVERITIES = [2, 5, 8, 9.5];
const stormSeverity = (round: number, rounds: number) =>
  STORM_SEVERITIES[Math.min(3, Math.floor((4 * round) / rounds))]!;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => ms / 1000;
const machine = () => ({ load1: loadavg()[0] ?? 0, cpus: availableParallelism() });

/** The incident a command belongs to: ids are `<incidentId>:<version>:<n>`. */
const incidentOf = (commandId: string) => commandId.split(":").slice(0, -2).join(":");

/** The chat adapter, timed: when each postIncidentMessage first came back (posted or refused for now). */
class TimedChat implements ChatOps {
  readonly firstPostDecision = new Map<string, number>();
  constructor(private readonly inner: ChatOps) {}
  postIncidentMessage: ChatOps["postIncidentMessage"] = async (id, params) => {
    try {
      return await this.inner.postIncidentMessage(id, params);
    } finally {
      if (!this.firstPostDecision.has(id)) this.firstPostDecision.set(id, performance.now());
    }
  };
  updateIncidentMessage: ChatOps["updateIncidentMessage"] = (...args) =>
    this.inner.updateIncidentMessage(...args);
  postThreadReply: ChatOps["postThreadReply"] = (...args) => this.inner.postThreadReply(...args);
  mentionInChat: ChatOps["mentionInChat"] = (...args) => this.inner.mentionInChat(...args);
}

/** Where chat goes: SlackChatOps on FakeSlack, or an in-memory chat with no rate limit (the baseline). */
type ChatKind = "slack" | "in-memory";

interface Harness {
  rt: Runtime;
  slack: FakeSlack;
  chat: TimedChat;
  url: string;
  /** performance.now() at which FakeSlack recorded each request (same index as slack.requests). */
  requestTimes: number[];
  errorLogs: string[];
  close(): Promise<void>;
}

async function startHarness(kind: ChatKind): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "ir-storm-"));
  const slack = await FakeSlack.start({ channels: [CHANNEL] });
  // FakeSlack records each request (when it answers) but not when: stamp the records as they are pushed.
  const requestTimes: number[] = [];
  const record = slack.requests.push.bind(slack.requests);
  slack.requests.push = (...items) => {
    for (const _ of items) requestTimes.push(performance.now());
    return record(...items);
  };
  const chat = new TimedChat(
    kind === "in-memory"
      ? new FakeChatOps()
      : new SlackChatOps({
          client: createSlackWebClient({ token: FakeSlack.TOKEN, slackApiUrl: slack.url }),
          channels: { default: CHANNEL },
          runbookBaseUrl: "http://127.0.0.1:8787",
          rateLimiter: localRateLimiter(),
        }),
  );
  const errorLogs: string[] = [];
  const rt = createRuntime({
    dataDir: dir,
    config: parseConfig({ channels: { incidents: CHANNEL } }),
    clock: new ScaledClock(1),
    log: createLogger({ level: "error", write: (line) => errorLogs.push(line) }),
    operatorToken: "storm-bench-operator-token",
    timeScale: 1,
    chat,
  });
  const app = createHttpApp(rt);
  const server = await new Promise<ServerType>((resolve) => {
    const s: ServerType = serve({ fetch: app.fetch, port: 0, hostname: HOSTNAME }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  rt.start();
  return {
    rt,
    slack,
    chat,
    url: `http://${HOSTNAME}:${port}/events`,
    requestTimes,
    errorLogs,
    async close() {
      await rt.stop();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs one event; resolves with the time its 202 arrived, or null when it was not accepted. */
async function post(url: string, body: string): Promise<number | null> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const answer = (await response.json()) as { results?: Array<{ accepted: boolean }> };
    const at = performance.now();
    return response.status === 202 && answer.results?.[0]?.accepted === true ? at : null;
  } catch {
    return null;
  }
}

/** Store reads as a scheduler turn, so they never look into a batch in the middle of its transaction. */
const inTurn = <T>(h: Harness, work: () => Promise<T> | T) => h.rt.scheduler.exclusive(work);

const inboxEmpty = (h: Harness) => inTurn(h, () => h.rt.inbox.depth() === 0);
const outboxEmpty = (h: Harness) =>
  inTurn(h, async () => (await h.rt.deps.store.pendingCommands(1)).length === 0);

async function waitUntil(deadline: number, done: () => boolean | Promise<boolean>): Promise<boolean> {
  while (performance.now() < deadline) {
    if (await done()) return true;
    await sleep(POLL_MS);
  }
  return done();
}

/** The most entries any list has within a sliding window of `windowMs` (times in ms). */
export function maxPerWindow(lists: Iterable<number[]>, windowMs = 1000): number {
  let max = 0;
  for (const list of lists) {
    const sorted = [...list].sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < sorted.length; end++) {
      while (sorted[end]! - sorted[start]! >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
  }
  return max;
}

/** The smallest gap between two consecutive entries of any list (Infinity with fewer than two). */
export function minGap(lists: Iterable<number[]>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const list of lists) {
    const sorted = [...list].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) min = Math.min(min, sorted[i]! - sorted[i - 1]!);
  }
  return min;
}

function slackTraffic(h: Harness) {
  const writes = new Map<string, number[]>();
  let reads = 0;
  for (const [i, request] of h.slack.requests.entries()) {
    if (request.method.startsWith("conversations.")) reads++;
    if (!WRITES.has(request.method)) continue;
    const channel = String(request.body.channel);
    writes.set(channel, [...(writes.get(channel) ?? []), h.requestTimes[i]!]);
  }
  const count = [...writes.values()].reduce((n, list) => n + list.length, 0);
  return { writes, count, reads };
}

const countByType = (commands: StoredCommand[]): string => {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type}:${n}`).join(",") || "none";
};

async function storm(kind: ChatKind): Promise<BenchLine[]> {
  const base = JSON.parse(readFileSync(FIXTURE, "utf8")) as GuardDutyFinding;
  const rounds = Math.ceil(STORM_FINDINGS / STORM_INSTANCES);
  const bodies = Array.from({ length: STORM_FINDINGS }, (_, i) => {
    const round = Math.floor(i / STORM_INSTANCES);
    const finding = makeFinding(base, "5", i, i % STORM_INSTANCES, stormSeverity(round, rounds));
    return { id: finding.id, text: JSON.stringify(finding) };
  });
  const h = await startHarness(kind);
  try {
    // Act: post as fast as CONCURRENCY requests in flight allow, until all are sent or the deadline.
    const accepted: string[] = [];
    let refused = 0;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length && performance.now() < start + POST_BOUND_MS) {
          const body = bodies[next++]!;
          if ((await post(h.url, body.text)) === null) refused++;
          else accepted.push(body.id);
        }
      }),
    );
    const postedAt = performance.now();
    const ingested = await waitUntil(postedAt + INGEST_BOUND_MS, () => inboxEmpty(h));
    const ingestedAt = performance.now();
    const drained = await waitUntil(ingestedAt + DRAIN_BOUND_MS, () => outboxEmpty(h));
    const endedAt = performance.now();

    // Assess: what the store holds, what Slack saw.
    const state = await inTurn(h, async () => {
      const store = h.rt.deps.store;
      const incidents = await store.listIncidents({ limit: 1_000_000 });
      const recorded = new Set<string>();
      for (const incident of incidents)
        for (const record of await store.findingsOf(incident.id))
          recorded.add(record.finding.origin.sourceId);
      return {
        incidents: incidents.length,
        recorded,
        queued: h.rt.inbox.depth(),
        pending: await store.pendingCommands(1_000_000),
      };
    });
    const missing = accepted.filter((id) => !state.recorded.has(id)).length;
    const traffic = slackTraffic(h);
    const pendingChat = state.pending.filter((c) => CHAT_COMMANDS.has(c.type)).length;
    const load = machine();

    return [
      {
        name: "storm-incidents",
        ratio: state.incidents / STORM_INSTANCES,
        target: "<=1",
        details: {
          findings: STORM_FINDINGS,
          sent: next,
          accepted: accepted.length,
          refused,
          instances: STORM_INSTANCES,
          incidents: state.incidents,
          concurrency: CONCURRENCY,
          chat: kind,
          post_s: seconds(postedAt - start),
          accepted_per_s: Math.round(accepted.length / seconds(postedAt - start)),
          ingested: ingested ? "all" : state.queued === 0 ? "all-just-after-bound" : "not-within-bound",
          ingest_s: seconds(ingestedAt - start),
          ...load,
        },
      },
      {
        name: "storm-findings-accounted",
        ratio: accepted.length === 0 ? 0 : (accepted.length - missing) / accepted.length,
        target: ">=1",
        details: {
          accepted: accepted.length,
          with_finding_record: accepted.length - missing,
          missing,
          still_queued_in_inbox: state.queued,
          refused,
          ...load,
        },
      },
      {
        name: "storm-slack-writes-per-channel-1s",
        ratio: maxPerWindow(traffic.writes.values()) / SLACK_WRITES_PER_S,
        target: "<=2",
        details: {
          measure: "max_chat.postMessage+chat.update_per_channel_in_any_sliding_1s_at_FakeSlack",
          channels: traffic.writes.size,
          writes: traffic.count,
          min_gap_ms: minGap(traffic.writes.values()),
          reads: traffic.reads,
          updates_sent: h.slack.calls("chat.update").length,
          updates_coalesced: h.rt.counters.commands.get("coalesced") ?? 0,
          outbox: drained ? "drained" : "not-drained",
          total_s: seconds(endedAt - start),
          pending_at_end: state.pending.length,
          pending_types: countByType(state.pending),
          chat_backlog_s: pendingChat / SLACK_WRITES_PER_S / Math.max(1, traffic.writes.size),
          error_logs: h.errorLogs.length,
          ...load,
        },
      },
    ];
  } finally {
    await h.close();
  }
}

async function latency(kind: ChatKind): Promise<BenchLine[]> {
  const base = JSON.parse(readFileSync(FIXTURE, "utf8")) as GuardDutyFinding;
  const h = await startHarness(kind);
  try {
    // Act: a steady rate, each request sent on its own schedule whatever the previous answers do.
    const acceptedAt = new Map<string, number>();
    const sentAt = new Map<string, number>();
    let refused = 0;
    const sends: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const wait = start + (i * 1000) / LATENCY_RATE - performance.now();
      if (wait > 1) await sleep(wait);
      const finding = makeFinding(base, "b", i, 0x100000 + i, 8);
      sentAt.set(finding.id, performance.now());
      sends.push(
        post(h.url, JSON.stringify(finding)).then((at) => {
          if (at === null) refused++;
          else acceptedAt.set(finding.id, at);
        }),
      );
    }
    await Promise.all(sends);
    const sendSeconds = seconds(performance.now() - start);
    await waitUntil(
      performance.now() + LATENCY_BOUND_MS,
      () => h.chat.firstPostDecision.size >= acceptedAt.size,
    );

    // Assess: join each chat decision (and each Slack arrival) to its event's 202 through the store.
    const { dispatched, fromSend, posted } = await inTurn(h, async () => {
      const findingOf = async (commandId: string) =>
        (await h.rt.deps.store.findingsOf(incidentOf(commandId)))[0]?.finding.origin.sourceId ?? "";
      const acceptOf = async (commandId: string) => acceptedAt.get(await findingOf(commandId));
      const dispatched: number[] = [];
      const fromSend: number[] = [];
      for (const [commandId, at] of h.chat.firstPostDecision) {
        const id = await findingOf(commandId);
        const accepted = acceptedAt.get(id);
        if (accepted === undefined) continue;
        dispatched.push(at - accepted);
        fromSend.push(at - sentAt.get(id)!);
      }
      const posted: number[] = [];
      for (const [i, request] of h.slack.requests.entries()) {
        if (request.method !== "chat.postMessage" || request.body.thread_ts !== undefined) continue;
        const metadata = request.body.metadata as { event_payload?: { command_id?: unknown } } | undefined;
        const commandId = metadata?.event_payload?.command_id;
        const accepted = typeof commandId === "string" ? await acceptOf(commandId) : undefined;
        if (accepted !== undefined) posted.push(h.requestTimes[i]! - accepted);
      }
      return { dispatched, fromSend, posted: posted.sort((a, b) => a - b) };
    });
    const undispatched = acceptedAt.size - dispatched.length;
    // An event not dispatched within the bound counts as slower than anything measured.
    const withMissing = (list: number[]) =>
      [...list, ...Array<number>(undispatched).fill(Number.POSITIVE_INFINITY)].sort((a, b) => a - b);
    const sorted = withMissing(dispatched);
    const p99 = percentile(sorted, 99);
    return [
      {
        name: `storm-accept-to-chat-dispatch-p99${kind === "slack" ? "" : "-in-memory-chat"}`,
        ratio: p99 / LATENCY_TARGET_MS,
        target: "<=1",
        details: {
          measure: "202_received_to_postIncidentMessage_first_back_from_chat_adapter(posted_or_RetryLater)",
          chat: kind === "slack" ? "slack(1_channel)" : kind,
          events: LATENCY_EVENTS,
          rate_per_s: Math.round(LATENCY_EVENTS / sendSeconds),
          accepted: acceptedAt.size,
          refused,
          p50_ms: percentile(sorted, 50),
          p99_ms: p99,
          max_ms: sorted.at(-1) ?? Number.NaN,
          p99_from_send_ms: percentile(withMissing(fromSend), 99),
          not_dispatched_within_bound: undispatched,
          bound_s: seconds(LATENCY_BOUND_MS),
          ...(kind === "slack"
            ? { posted_to_slack: posted.length, posted_accept_to_slack_p50_ms: percentile(posted, 50) }
            : {}),
          ...machine(),
        },
      },
    ];
  } finally {
    await h.close();
  }
}

export async function run(): Promise<BenchLine[]> {
  const parts = process.env.STORM_PARTS ?? "storm,latency,baseline";
  const stormChat: ChatKind = process.env.STORM_CHAT === "in-memory" ? "in-memory" : "slack";
  return [
    ...(parts.includes("storm") ? await storm(stormChat) : []),
    ...(parts.includes("latency") ? await latency("slack") : []),
    ...(parts.includes("baseline") ? await latency("in-memory") : []),
  ];
}
