/**
 * The local runtime, composed: the app use-cases on the embedded SQLite store (incidents, outbox, inbox
 * and dashboard chat in one database file, one connection), local capabilities for the commands, and the
 * three loops — inbox worker, dispatcher, sweeper — as tasks of one sequential scheduler (see
 * scheduler.ts for why one). The HTTP app (server/http/app.ts) is built on top of a Runtime.
 *
 * Chat goes to the dashboard chat unless another ChatOps is given (Slack, server/wiring/slack.ts); the
 * dashboard chat table stays either way, so earlier local messages remain readable.
 *
 * Lifecycle: createRuntime opens (and migrates) the database; start() starts the loops; stop() lets the
 * turn in hand finish, then closes the database.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DashboardChat, type DashboardChatMessage } from "../../adapters/local/dashboard-chat";
import { DryRunContainment } from "../../adapters/local/dry-run-containment";
import { SqliteInbox } from "../../adapters/sqlite/inbox";
import { openSqliteStores, type SqliteStores } from "../../adapters/sqlite/open-store";
import type { DispatchDeps } from "../../app/dispatch";
import { createCommandExecutor } from "../../app/execute-command";
import type { IngestDeps } from "../../app/ingest";
import type { ResponseConfig } from "../../app/response-config";
import type { ChatOps } from "../../core/ports/chat-ops";
import type { Clock } from "../../core/ports/clock";
import type { IdGenerator } from "../../core/ports/id-generator";
import type { UnitOfWork } from "../../core/ports/unit-of-work";
import { responseConfigOf, type ServerConfig } from "../config";
import type { Logger } from "../logger";
import { RuntimeCounters } from "./counters";
import { createDispatcher, type Dispatcher } from "./dispatcher";
import { createInboxWorker } from "./inbox-worker";
import { randomIncidentIds } from "./incident-ids";
import { localCapabilities } from "./local-capabilities";
import { SequentialScheduler } from "./scheduler";
import { createSweeper, sweepIntervalMs } from "./sweeper";
import { watchCommittedCommands } from "./watched-store";

export const DATABASE_FILE = "incidents.db";
/** Postmortem draft copies, under the data directory. */
export const POSTMORTEM_DIR = "postmortems";

export interface RuntimeOptions {
  dataDir: string;
  config: ServerConfig;
  clock: Clock;
  log: Logger;
  /** Bearer token for the operator API (POST /api/*). */
  operatorToken: string;
  /** Service-time speed-up, for the sweep interval (default 1). */
  timeScale?: number;
  ids?: IdGenerator;
  /** Real time in ms for scheduling and retry delays (tests may pass their own). */
  nowMs?: () => number;
  /** Where incident chat goes instead of the dashboard chat (e.g. Slack). */
  chat?: ChatOps;
  /** The server's base URL once it listens (runbook links in postmortem drafts); undefined before. */
  baseUrl?: () => string | undefined;
}

export type RuntimeDeps = IngestDeps & DispatchDeps & { unitOfWork: UnitOfWork };

export interface Runtime {
  readonly config: ServerConfig;
  readonly response: ResponseConfig;
  readonly dataDir: string;
  readonly stores: SqliteStores;
  readonly inbox: SqliteInbox;
  /** The dashboard chat (its messages, whether or not commands still go to it). */
  readonly chat: DashboardChat;
  /** Where chat commands go: the dashboard chat, or the ChatOps given in the options. */
  readonly chatOps: ChatOps;
  /** True when chat commands go to the dashboard chat (no Slack). */
  readonly localChat: boolean;
  readonly containment: DryRunContainment;
  /** Everything the use-cases need (ingest, act, advance, dispatch, sweep). */
  readonly deps: RuntimeDeps;
  readonly scheduler: SequentialScheduler;
  /** The dispatcher task (its turns run on the scheduler; exposed for its counts and for tests). */
  readonly dispatcher: Dispatcher;
  readonly counters: RuntimeCounters;
  readonly log: Logger;
  readonly operatorToken: string;
  /** When the runtime was created (real time), for /healthz. */
  readonly startedAt: string;
  /** The dashboard chat, for pages that show it. */
  chatOf(incidentId: string): DashboardChatMessage[];
  start(): void;
  stop(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, clock, log } = options;
  mkdirSync(options.dataDir, { recursive: true });
  const stores = openSqliteStores(join(options.dataDir, DATABASE_FILE));
  if (config.storage.synchronous === "full") stores.db.pragma("synchronous = FULL");
  const response = responseConfigOf(config);
  const counters = new RuntimeCounters();
  const inbox = new SqliteInbox(stores.db);
  const chatLog = log.child({ component: "chat" });
  const chat = new DashboardChat(stores.db, clock, {
    channel: config.channels.incidents,
    log: (msg, fields) => chatLog.info(msg, fields),
  });
  const chatOps: ChatOps = options.chat ?? chat;
  const containmentLog = log.child({ component: "containment" });
  const containment = new DryRunContainment((msg, fields) => containmentLog.info(msg, fields));
  const executor = createCommandExecutor(
    stores.store,
    localCapabilities({
      chat: chatOps,
      containment,
      log: log.child({ component: "capabilities" }),
      postmortem: {
        store: stores.store,
        clock,
        dir: join(options.dataDir, POSTMORTEM_DIR),
        ...(options.baseUrl ? { runbookBaseUrl: options.baseUrl } : {}),
      },
    }),
  );
  // Every commit's outbox commands go straight to the dispatcher's index (see dispatcher.ts).
  let dispatcher: Dispatcher | undefined;
  const store = watchCommittedCommands(stores.store, (commands) => dispatcher?.notice(commands));
  const deps: RuntimeDeps = {
    store,
    quarantine: stores.quarantine,
    unitOfWork: stores.unitOfWork,
    clock,
    config: response,
    ids: options.ids ?? randomIncidentIds(),
    executor,
  };

  // The scheduler is created after its tasks, which wake each other through it.
  let scheduler: SequentialScheduler | undefined;
  const wake = (name: string) => () => scheduler?.wake(name);
  dispatcher = createDispatcher({
    dispatch: deps,
    // A Slack round trip must not stop ingestion: slow commands finish outside their turn.
    turns: {
      lease: () => (scheduler ? scheduler.lease() : Promise.resolve(() => {})),
      hold: (work) => scheduler?.hold(work),
      wake: wake("dispatcher"),
    },
    log: log.child({ component: "dispatcher" }),
    counters,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  const tasks = [
    createInboxWorker({
      ingest: deps,
      unitOfWork: stores.unitOfWork,
      inbox,
      log: log.child({ component: "inbox" }),
      counters,
      batchSize: config.inbox.batchSize,
      onIngested: wake("dispatcher"),
      ...(options.nowMs ? { nowMs: options.nowMs } : {}),
    }),
    dispatcher,
    createSweeper({
      app: deps,
      log: log.child({ component: "sweeper" }),
      counters,
      intervalMs: sweepIntervalMs(options.timeScale ?? 1),
      onChanged: wake("dispatcher"),
    }),
  ];
  scheduler = new SequentialScheduler(tasks, log.child({ component: "scheduler" }), options.nowMs);
  const running = scheduler;
  const dispatching = dispatcher;
  let closed = false;

  return {
    config,
    response,
    dataDir: options.dataDir,
    stores,
    inbox,
    chat,
    chatOps,
    localChat: options.chat === undefined,
    containment,
    deps,
    scheduler: running,
    dispatcher: dispatching,
    counters,
    log,
    operatorToken: options.operatorToken,
    startedAt: new Date().toISOString(),
    chatOf: (incidentId) => chat.messagesOf(incidentId),
    start: () => running.start(),
    async stop() {
      if (closed) return;
      closed = true;
      await running.stop();
      stores.close();
    },
  };
}
