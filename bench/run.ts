/**
 * `npm run bench`: runs every benchmark and prints one BENCH line per figure. `npm run bench -- NAME`
 * runs only the benchmarks whose file name contains NAME.
 */
import { type BenchLine, formatBench } from "./report";

const BENCHMARKS: Record<string, () => Promise<{ run: () => BenchLine[] | Promise<BenchLine[]> }>> = {
  normalize: () => import("./normalize.bench"),
  ingest: () => import("./ingest.bench"),
  sweep: () => import("./sweep.bench"),
  storm: () => import("./storm.bench"),
  "function-import": () => import("./function-import.bench"),
};

const only = process.argv[2];
for (const [name, load] of Object.entries(BENCHMARKS)) {
  if (only && !name.includes(only)) continue;
  const bench = await load();
  for (const line of await bench.run()) console.log(formatBench(line));
}
