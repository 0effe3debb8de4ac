/**
 * Clock sweep: 100 due incidents among 1 000 open vs among 100 000 open. The due ones are real incidents
 * (opened by ingest, acknowledgement clock breached); the rest are open but not due. The sweep finds the
 * due ones through the deadline index and steps each, so its cost should follow the due count, not the
 * open count. Target: at 100 k no more than 2× slower than at 1 k.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStores } from "../adapters/sqlite/open-store";
import { seedIncidents, syntheticIncidents } from "../adapters/sqlite/seed";
import { ingestText } from "../app/ingest";
import { DEFAULT_RESPONSE_CONFIG } from "../app/response-config";
import { sweep } from "../app/sweep";
import { guardDutyStream } from "./ingest.bench";
import type { BenchLine } from "./report";

const T0 = Date.parse("2024-05-01T10:00:00Z");
const DUE = 100;

async function sweepMs(open: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ir-sweep-"));
  const stores = openSqliteStores(join(dir, "incidents.db"));
  let clockMs = T0;
  let n = 0;
  const deps = {
    store: stores.store,
    quarantine: stores.quarantine,
    clock: { now: () => new Date(clockMs).toISOString() },
    ids: { incidentId: () => `IR-${++n}` },
    config: DEFAULT_RESPONSE_CONFIG,
  };
  for (const [i, text] of guardDutyStream(DUE, DUE).entries())
    await ingestText(deps, text, { channel: "bench", rawRef: `e${i}` });
  clockMs = T0 + 16 * 60_000; // every acknowledgement clock has breached
  // Open incidents whose next deadline is hours away: indexed, never due now.
  const later = new Date(clockMs + 3 * 3_600_000).toISOString();
  seedIncidents(stores.db, syntheticIncidents({ total: open - DUE, due: 0, now: later }));
  const start = performance.now();
  const outcome = await sweep(deps, DUE + 1);
  const ms = performance.now() - start;
  if (outcome.checked !== DUE || outcome.changed !== DUE)
    throw new Error(`sweep checked ${outcome.checked}, changed ${outcome.changed}`);
  stores.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchLine[]> {
  await sweepMs(1_000); // warm-up
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < 3; i++) {
    small.push(await sweepMs(1_000));
    large.push(await sweepMs(100_000));
  }
  const [s, l] = [median(small), median(large)];
  return [
    {
      name: "sweep-100-due-100k-vs-1k-open",
      ratio: l / s,
      target: "<=2",
      details: { ms_at_1k_open: s, ms_at_100k_open: l, due: DUE, per_due_incident_ms_at_100k: l / DUE },
    },
  ];
}
