/**
 * `npm start`: the local runtime in one process (DESIGN §4) — HTTP on 127.0.0.1 (events, PutEvents, API,
 * metrics, runbooks, Slack endpoints, dashboard: server/wiring/local-server.ts), the SQLite store in the
 * data directory, and the inbox worker, dispatcher and SLA sweeper in one sequential scheduler.
 * Needs no network, no AWS credentials and no environment to start; with SLACK_BOT_TOKEN and
 * SLACK_SIGNING_SECRET set, chat goes to Slack (SLACK_API_URL: a Slack-compatible API for tests).
 *
 * Startup prints one `listening` log line carrying the actual port (so `--port 0` can be used by tests),
 * and the dashboard login link on stderr (it carries the operator token: never in the structured log).
 * SIGTERM / SIGINT: stop accepting connections, let in-flight requests and the batch in hand finish,
 * close the database, exit 0. A second signal exits at once (1).
 */
import { type ServerType, serve } from "@hono/node-server";
import {
  CommanderError,
  ConfigError,
  DEFAULT_SERVER_CONFIG,
  HOSTNAME,
  loadConfigFile,
  parseServerOptions,
  type ServerOptions,
} from "./config";
import { generateOperatorToken } from "./http/auth";
import { createLogger, type Logger } from "./logger";
import { ScaledClock } from "./runtime/scaled-clock";
import { createLocalServer, type LocalServer } from "./wiring/local-server";
import { slackSettingsFromEnv } from "./wiring/slack";

const SHUTDOWN_GRACE_MS = 5000;

function options(): ServerOptions {
  try {
    return parseServerOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof ConfigError) {
      process.stderr.write(`ir server: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** A ConfigError ends the process with exit 2 and its reason on stderr; anything else is rethrown. */
function exitOnConfigError(error: unknown, log: Logger, fields: Record<string, unknown> = {}): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`ir server: ${error.message}\n`);
  log.error("invalid configuration", fields);
  process.exit(2);
}

async function main(): Promise<void> {
  const opts = options();
  const log = createLogger({ level: opts.logLevel });

  let config = DEFAULT_SERVER_CONFIG;
  if (opts.configPath) {
    try {
      config = loadConfigFile(opts.configPath);
    } catch (error) {
      exitOnConfigError(error, log, { configPath: opts.configPath });
    }
  }

  const fromEnv = process.env.IR_OPERATOR_TOKEN?.trim();
  const operatorToken = fromEnv || generateOperatorToken();
  if (!fromEnv) {
    // Shown once, on stderr and outside the structured log (logs never carry secrets).
    process.stderr.write(
      `ir server: operator token for POST /api/* (generated; set IR_OPERATOR_TOKEN to choose one):\n  ${operatorToken}\n`,
    );
  }

  let local: LocalServer;
  try {
    local = await createLocalServer({
      dataDir: opts.dataDir,
      config,
      clock: new ScaledClock(opts.timeScale),
      log,
      operatorToken,
      timeScale: opts.timeScale,
      slack: slackSettingsFromEnv(process.env),
    });
  } catch (error) {
    exitOnConfigError(error, log);
  }
  const { runtime, app } = local;

  const server: ServerType = serve({ fetch: app.fetch, port: opts.port, hostname: HOSTNAME }, (info) => {
    const url = `http://${HOSTNAME}:${info.port}`;
    local.listening(url);
    log.info("listening", {
      url,
      port: info.port,
      dataDir: opts.dataDir,
      timeScale: opts.timeScale,
      serviceName: config.serviceName,
      containmentMode: config.containmentPolicy.mode,
      chat: runtime.localChat ? "dashboard" : "slack",
      operatorAuth: fromEnv ? "IR_OPERATOR_TOKEN" : "generated (see stderr)",
    });
    process.stderr.write(
      `ir server: dashboard (this link logs you in as operator):\n  ${local.loginUrl()}\n`,
    );
    runtime.start();
  });
  server.on("error", (error) => {
    log.error("server error", { error });
    void local.stop().finally(() => process.exit(1));
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("shutting down", { signal });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
    http.closeIdleConnections?.();
    const force = setTimeout(() => http.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(force);
    await local.stop();
    log.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("uncaughtException", (error) => {
    log.error("uncaught exception", { error });
    process.exit(1);
  });
  process.on("unhandledRejection", (error) => {
    log.error("unhandled rejection", { error });
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ir server: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
