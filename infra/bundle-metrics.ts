/**
 * Bundle size and module import time of each function, built with esbuild's JS API and the options
 * NodejsFunction uses (infra/bundling.ts): the tests hold every bundle to 1 MB, and `npm run bench`
 * prints the import times (target ≤ 150 ms, the part of a cold start the code controls).
 *
 * Bundles are written under node_modules/.cache/ir-bundles so the SDK packages left external (as in
 * Lambda, where the runtime provides them) resolve from the project's node_modules when a bundle is
 * imported. Import time is measured in a fresh Node process per run (nothing cached), with source maps
 * enabled as the functions run (NODE_OPTIONS), the environment variables the function requires set to
 * dummy values, no AWS credentials and no network: module scope must not call AWS. Two figures per
 * function: the whole import (what a cold start pays, external SDK packages included) and the bundle's
 * own code with the external packages it imports statically already loaded (what the bundle itself
 * costs). Externals reached only through `import()` are not loaded by an import, so neither counts them.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { ENV, FUNCTION_ENV, type FunctionName } from "../core/contracts/function-env";
import { BUNDLE, BUNDLE_FILE, entryOf, existingEntries, REPO_ROOT, TSCONFIG } from "./bundling";

export const BUNDLE_CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "ir-bundles");
export const IMPORT_TIME_TARGET_MS = 150;

/** The esbuild options NodejsFunction derives from BUNDLE (see aws-lambda-nodejs bundling.js). */
export function esbuildOptionsFor(name: FunctionName, outdir = join(BUNDLE_CACHE_DIR, name)): BuildOptions {
  return {
    entryPoints: [entryOf(name)],
    bundle: true,
    platform: "node",
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    external: [...BUNDLE.externalModules],
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    tsconfig: TSCONFIG,
    outfile: join(outdir, BUNDLE_FILE),
    metafile: true,
    logLevel: "silent",
  };
}

export interface BundleReport {
  name: FunctionName;
  outfile: string;
  /** Size of the JS output according to the metafile (source map excluded). */
  bytes: number;
  /** The inputs that weigh most in the output, largest first. */
  largestInputs: { path: string; bytes: number }[];
  /** The npm packages bundled in (a name per package, sorted). */
  bundledPackages: string[];
  /** Packages the bundle imports statically from the runtime (loaded with the bundle). */
  externals: string[];
  /** Packages the bundle only reaches through `import()` (loaded when, if ever, that path runs). */
  lazyExternals: string[];
}

export async function bundleFunction(name: FunctionName, outdir?: string): Promise<BundleReport> {
  const options = esbuildOptionsFor(name, outdir);
  const result = await build(options);
  const outfile = options.outfile!;
  const [outputPath, output] =
    Object.entries(result.metafile!.outputs).find(([path]) => path.endsWith(BUNDLE_FILE)) ?? [];
  if (!outputPath || !output) throw new Error(`esbuild wrote no ${BUNDLE_FILE} for ${name}`);
  const largestInputs = Object.entries(output.inputs)
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
  const packages = output.imports.filter((i) => i.external && !i.path.startsWith("node:"));
  const externals = [
    ...new Set(packages.filter((i) => i.kind !== "dynamic-import").map((i) => i.path)),
  ].sort();
  const lazyExternals = [...new Set(packages.filter((i) => i.kind === "dynamic-import").map((i) => i.path))]
    .filter((path) => !externals.includes(path))
    .sort();
  const bundledPackages = [
    ...new Set(
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1])
        .filter((pkg): pkg is string => pkg !== undefined),
    ),
  ].sort();
  return { name, outfile, bytes: output.bytes, largestInputs, bundledPackages, externals, lazyExternals };
}

/** Dummy values for every variable a function may read: shaped like the real ones, pointing nowhere. */
const DUMMY_ENV: Record<string, string> = {
  [ENV.tableName]: "ir-bench-table",
  [ENV.advanceQueueUrl]: "https://sqs.us-east-1.amazonaws.com/111111111111/ir-bench.fifo",
  [ENV.serviceName]: "incident-response",
  [ENV.slackSecretArn]: "arn:aws:secretsmanager:us-east-1:111111111111:secret:ir-bench-AbCdEf",
  [ENV.slackChannels]: JSON.stringify({ default: "C0000000000" }),
  [ENV.slackResponders]: JSON.stringify({ userIds: ["U0000000000"], groupIds: [] }),
  [ENV.runbookBaseUrl]: "https://example.com/runbooks",
  [ENV.alertTopicArn]: "arn:aws:sns:us-east-1:111111111111:ir-bench",
  [ENV.eventBusName]: "ir-bench",
  [ENV.securityHubProductArn]: "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
  [ENV.homeAccountId]: "111111111111",
};

function envFor(name: FunctionName): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_REGION: "us-east-1", NODE_OPTIONS: "" };
  for (const variable of FUNCTION_ENV[name].required) env[variable] = DUMMY_ENV[variable] ?? "x";
  return env;
}

/** One import: wall-clock ms, and the CPU ms the process spent meanwhile (all threads). */
interface ImportRun {
  ms: number;
  cpuMs: number;
}

/**
 * Imports a bundle in a fresh Node process and returns how long the import took. With `preload`, those
 * packages are imported first and not timed: what is left is the bundle's own code. The CPU time is
 * reported too: on a machine shared with other work the wall clock also counts the waits for a core,
 * the CPU time much less so.
 */
function importOnce(name: FunctionName, file: string, preload: readonly string[] = []): Promise<ImportRun> {
  const url = pathToFileURL(file).href;
  const script = [
    `for (const m of ${JSON.stringify(preload)}) await import(m);`,
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(url)});`,
    "const ms = performance.now() - t; const cpu = process.cpuUsage(c);",
    "process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));",
  ].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script], {
      cwd: REPO_ROOT,
      env: envFor(name),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const run = code === 0 ? parseRun(out) : undefined;
      if (run) resolve(run);
      else
        reject(new Error(`importing the ${name} bundle failed (exit ${code}): ${err.trim().slice(0, 2000)}`));
    });
  });
}

function parseRun(out: string): ImportRun | undefined {
  try {
    const { ms, cpuMs } = JSON.parse(out) as Partial<ImportRun>;
    return Number.isFinite(ms) && Number.isFinite(cpuMs) ? { ms: ms!, cpuMs: cpuMs! } : undefined;
  } catch {
    return undefined;
  }
}

export interface ImportTime {
  name: FunctionName;
  /** Median over the runs of the whole import (bundle + the external packages it loads), ms. */
  medianMs: number;
  /** Median with the external packages it imports statically already loaded: the bundle's own code, ms. */
  ownMedianMs: number;
  /** Median CPU time of the whole import, ms (less sensitive to other load on the machine). */
  cpuMedianMs: number;
  runsMs: number[];
  ownRunsMs: number[];
  bytes: number;
  externals: string[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Bundles a function and measures its module import time over `runs` fresh processes. */
export async function measureImportTime(name: FunctionName, runs = 5): Promise<ImportTime> {
  const report = await bundleFunction(name);
  const whole: ImportRun[] = [];
  const ownRunsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    whole.push(await importOnce(name, report.outfile));
    ownRunsMs.push((await importOnce(name, report.outfile, report.externals)).ms);
  }
  const runsMs = whole.map((run) => run.ms);
  return {
    name,
    medianMs: median(runsMs),
    ownMedianMs: median(ownRunsMs),
    cpuMedianMs: median(whole.map((run) => run.cpuMs)),
    runsMs,
    ownRunsMs,
    bytes: report.bytes,
    externals: report.externals,
  };
}

/** Import times of every function whose entry point exists (bench: one BENCH line each). */
export async function measureImportTimes(runs = 5): Promise<ImportTime[]> {
  const times: ImportTime[] = [];
  for (const name of existingEntries()) times.push(await measureImportTime(name, runs));
  return times;
}
