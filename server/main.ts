/**
 * `npm start`: the local runtime in one process (DESIGN §4) — HTTP on 127.0.0.1, the SQLite store in the
 * data directory, and the inbox worker, dispatcher and SLA sweeper in one sequential scheduler.
 * Needs no network, no AWS credentials and no environment to start.
 *
 * Startup prints one `listening` log line carrying the actual port (so `--port 0` can be used by tests).
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
import { createHttpApp } from "./http/app";
import { generateOperatorToken } from "./http/auth";
import { createLogger } from "./logger";
import { createRuntime } from "./runtime/runtime";
import { ScaledClock } from "./runtime/scaled-clock";

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

function main(): void {
  const opts = options();
  const log = createLogger({ level: opts.logLevel });

  let config = DEFAULT_SERVER_CONFIG;
  if (opts.configPath) {
    try {
      config = loadConfigFile(opts.configPath);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`ir server: ${error.message}\n`);
      log.error("invalid configuration", { configPath: opts.configPath });
      process.exit(2);
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

  const clock = new ScaledClock(opts.timeScale);
  const runtime = createRuntime({
    dataDir: opts.dataDir,
    config,
    clock,
    log,
    operatorToken,
    timeScale: opts.timeScale,
  });
  const app = createHttpApp(runtime);

  const server: ServerType = serve({ fetch: app.fetch, port: opts.port, hostname: HOSTNAME }, (info) => {
    log.info("listening", {
      url: `http://${HOSTNAME}:${info.port}`,
      port: info.port,
      dataDir: opts.dataDir,
      timeScale: opts.timeScale,
      serviceName: config.serviceName,
      containmentMode: config.containmentPolicy.mode,
      operatorAuth: fromEnv ? "IR_OPERATOR_TOKEN" : "generated (see stderr)",
    });
    runtime.start();
  });
  server.on("error", (error) => {
    log.error("server error", { error });
    void runtime.stop().finally(() => process.exit(1));
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
    await runtime.stop();
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

main();
