/**
 * How every function is bundled, stated once: the CDK app hands it to NodejsFunction (local esbuild, no
 * Docker) and infra/bundle-metrics.ts hands the same options to esbuild's JS API to measure bundle size
 * and import time, so what is measured is what is deployed.
 *
 * ESM output for nodejs22.x; the banner gives bundled CommonJS dependencies a `require` for Node
 * built-ins (esbuild's ESM output has none). The AWS SDK v3 is left to the Lambda runtime, which ships
 * it: bundling every client the dispatch function needs would take it past the 1 MB budget.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FUNCTION_NAMES, type FunctionName } from "../core/contracts/function-env";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const LOCK_FILE = join(REPO_ROOT, "package-lock.json");
export const TSCONFIG = join(REPO_ROOT, "tsconfig.json");

/** Each function's entry point exports `handler`. */
export const entryOf = (name: FunctionName): string => join(REPO_ROOT, "functions", name, "handler.ts");

/** Functions whose entry point exists (functions/ and infra/ are written side by side). */
export const existingEntries = (): FunctionName[] =>
  FUNCTION_NAMES.filter((name) => existsSync(entryOf(name)));

export const BUNDLE = {
  /** Lambda's nodejs22.x; the code also runs on Node 20 locally (DESIGN §6). */
  target: "node22",
  format: "esm",
  minify: true,
  sourceMap: true,
  externalModules: ["@aws-sdk/*"],
  /** Prefer packages' ESM builds: smaller after tree shaking. */
  mainFields: ["module", "main"],
  banner:
    'import { createRequire as __irRequire } from "node:module"; const require = __irRequire(import.meta.url);',
  /** Budget per bundle (the JS file, source map excluded). */
  maxBytes: 1024 * 1024,
} as const;

/** The output file NodejsFunction writes for ESM. */
export const BUNDLE_FILE = "index.mjs";
