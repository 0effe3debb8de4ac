/**
 * The whole local server as `npm start` wires it (server/wiring/local-server.ts), for tests: real SQLite in
 * a fresh temp dir, a settable clock, sequential incident ids, logs in memory. The scheduler loop is not
 * started (call `rt.scheduler.runUntilIdle()`), unless the test serves it on a real socket with `listen()`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { type ConfigFileInput, HOSTNAME, parseConfig } from "../../../server/config";
import { memoryLogger } from "../../../server/logger";
import { createLocalServer, type LocalServerOptions } from "../../../server/wiring/local-server";
import { sequentialIds, TestClock } from "../../support/test-clock";
import { T0, TOKEN } from "./test-runtime";

export interface TestServerOptions {
  start?: string;
  config?: ConfigFileInput;
  slack?: LocalServerOptions["slack"];
  runbooksDir?: string;
  fetch?: typeof fetch;
  nowMs?: () => number;
}

export async function makeTestServer(options: TestServerOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "ir-local-"));
  const clock = new TestClock(options.start ?? T0);
  const log = memoryLogger();
  const server = await createLocalServer({
    dataDir,
    config: parseConfig(options.config ?? {}),
    clock,
    log,
    operatorToken: TOKEN,
    ids: sequentialIds(),
    ...(options.slack ? { slack: options.slack } : {}),
    ...(options.runbooksDir ? { runbooksDir: options.runbooksDir } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  let http: ServerType | undefined;
  return {
    server,
    rt: server.runtime,
    app: server.app,
    clock,
    log,
    dataDir,
    /** Serves the app on 127.0.0.1:<any port>, tells the server its URL, and starts the loops. */
    async listen(): Promise<string> {
      const port = await new Promise<number>((resolve) => {
        http = serve({ fetch: server.app.fetch, port: 0, hostname: HOSTNAME }, (info: AddressInfo) =>
          resolve(info.port),
        );
      });
      const url = `http://${HOSTNAME}:${port}`;
      server.listening(url);
      server.runtime.start();
      return url;
    },
    async close() {
      if (http) {
        const closing = http;
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof makeTestServer>>;

/** Polls `read` until `done` says yes (real time; for tests with the loops running). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 5000,
): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}
