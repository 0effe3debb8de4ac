/**
 * Lambda cold-start cost: each function's esbuild bundle (as the CDK app builds it) is imported in a fresh
 * Node process and timed — whole import (bundle + the AWS SDK packages it loads) and the bundle's own code
 * with the SDK already loaded. Target: ≤ 150 ms per function. The bundle size is printed too (≤ 1 MB is
 * asserted in test/infra).
 */
import { measureImportTimes } from "../infra/bundle-metrics";
import type { BenchLine } from "./report";

export async function run(): Promise<BenchLine[]> {
  return (await measureImportTimes(5)).map((t) => ({
    name: `function-import-${t.name}`,
    ratio: t.medianMs / 150,
    target: "<=1",
    details: {
      import_ms: t.medianMs,
      own_code_import_ms: t.ownMedianMs,
      bundle_kb: Math.round(t.bytes / 1024),
      sdk_packages: t.externals.length,
    },
  }));
}
