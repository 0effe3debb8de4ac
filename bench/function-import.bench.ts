/**
 * Lambda cold-start cost: each function's esbuild bundle (as the CDK app builds it) is imported in a fresh
 * Node process and timed — whole import (the bundle, with the SDK clients it bundles, plus any SDK package
 * it still imports from the runtime) and the bundle's own code with those runtime packages already loaded.
 * Target: ≤ 150 ms per function. Also printed: the bundle size (≤ 1 MB is asserted in test/infra) and
 * `sdk_packages`, how many SDK packages the import loads from the runtime rather than the bundle, and
 * `import_cpu_ms`, the CPU time of the whole import (steadier than the wall clock on a busy machine).
 */
import { IMPORT_TIME_TARGET_MS, measureImportTimes } from "../infra/bundle-metrics";
import type { BenchLine } from "./report";

export async function run(): Promise<BenchLine[]> {
  return (await measureImportTimes(5)).map((t) => ({
    name: `function-import-${t.name}`,
    ratio: t.medianMs / IMPORT_TIME_TARGET_MS,
    target: "<=1",
    details: {
      import_ms: t.medianMs,
      own_code_import_ms: t.ownMedianMs,
      import_cpu_ms: t.cpuMedianMs,
      bundle_kb: Math.round(t.bytes / 1024),
      sdk_packages: t.externals.length,
    },
  }));
}
