/**
 * A local runtime for tests: real SQLite in a fresh temp dir, a settable clock, sequential incident ids,
 * logs kept in memory, and the HTTP app over it (drive it with `app.request()`). The scheduler loop is not
 * started: tests call `rt.scheduler.runUntilIdle()` to drain inbox, outbox and clocks deterministically.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatOps } from "../../../core/ports/chat-ops";
import { type ConfigFileInput, parseConfig } from "../../../server/config";
import { createHttpApp } from "../../../server/http/app";
import { memoryLogger } from "../../../server/logger";
import { createRuntime } from "../../../server/runtime/runtime";
import { sequentialIds, TestClock } from "../../support/test-clock";

export const T0 = "2024-05-01T10:00:00.000Z";
export const TOKEN = "test-operator-token-0123456789";

export function makeTestRuntime(
  options: { start?: string; config?: ConfigFileInput; nowMs?: () => number; chat?: ChatOps } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "ir-server-"));
  const clock = new TestClock(options.start ?? T0);
  const log = memoryLogger();
  const rt = createRuntime({
    dataDir,
    config: parseConfig(options.config ?? {}),
    clock,
    log,
    operatorToken: TOKEN,
    ids: sequentialIds(),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
    ...(options.chat ? { chat: options.chat } : {}),
  });
  const app = createHttpApp(rt);
  return {
    rt,
    app,
    clock,
    log,
    dataDir,
    async close() {
      await rt.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestRuntime = ReturnType<typeof makeTestRuntime>;

export const postEvents = (t: TestRuntime, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request("/events", {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

export const postAction = (
  t: TestRuntime,
  incidentId: string,
  action: unknown,
  token: string | null = TOKEN,
) =>
  t.app.request(`/api/incidents/${encodeURIComponent(incidentId)}/actions`, {
    method: "POST",
    body: JSON.stringify(action),
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
  });

/** A response's JSON body, loosely typed for tests that poke at fields. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON
export const bodyOf = async (response: Response): Promise<any> => response.json();
