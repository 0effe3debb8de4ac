/**
 * The use-cases wired to real parts for tests: the SQLite store on a file in a fresh temp dir, a settable
 * clock, sequential ids and a recording executor.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStores } from "../../adapters/sqlite/open-store";
import { DEFAULT_RESPONSE_CONFIG, type ResponseConfig } from "../../app/response-config";
import { RecordingExecutor } from "./recording-executor";
import { sequentialIds, TestClock } from "./test-clock";

export function makeLocalApp(start: string, config: Partial<ResponseConfig> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ir-app-"));
  const stores = openSqliteStores(join(dir, "incidents.db"));
  const clock = new TestClock(start);
  const executor = new RecordingExecutor();
  const deps = {
    store: stores.store,
    quarantine: stores.quarantine,
    clock,
    ids: sequentialIds(),
    executor,
    config: { ...DEFAULT_RESPONSE_CONFIG, ...config },
  };
  return { deps, clock, executor, stores, close: () => stores.close() };
}
