/**
 * How every function is bundled, stated once: the CDK app hands it to NodejsFunction (local esbuild, no
 * Docker) and infra/bundle-metrics.ts hands the same options to esbuild's JS API to measure bundle size
 * and import time, so what is measured is what is deployed.
 *
 * ESM output for nodejs22.x; the banner gives bundled CommonJS dependencies a `require` for Node
 * built-ins (esbuild's ESM output has none).
 *
 * The AWS SDK clients a function calls are bundled with it (AWS's advice for cold starts, and it pins the
 * SDK version the tests ran with): one minified bundle parses and runs several times faster than the
 * same clients loaded file by file from the runtime's node_modules. Each function imports only the
 * clients it calls (functions/shared/clients/). Two kinds of SDK package stay with the runtime's copy
 * (Lambda's nodejs22.x ships SDK v3), listed below with why.
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

/**
 * Reached only through `import()` in the SDK's default credential chain, for credential sources a Lambda
 * function never uses (profiles, SSO, web identity, container and instance metadata): Lambda puts the
 * role's credentials in the environment, which the chain's first link (fromEnv, bundled) answers. Left
 * out they are never loaded at all; bundled they would be ~130 KB parsed on every cold start for nothing.
 * test/infra/bundles.test.ts checks no bundle imports one statically.
 */
export const LAZY_SDK_PACKAGES = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/credential-provider-http",
  "@aws-sdk/token-providers",
  "@aws-sdk/nested-clients",
] as const;

/**
 * Clients only the dispatch function uses, and only for rare commands (containment, GuardDuty feedback):
 * loaded from the runtime's SDK on first use (dynamic import), so cold starts do not parse them. Bundled,
 * they would take dispatch past the 1 MB budget (EC2's client alone is 550 KB minified: the SDK's schema
 * tables do not tree-shake) and past 150 ms of import time. See "Cold starts" in functions/README.md.
 */
export const RUNTIME_SDK_CLIENTS = [
  "@aws-sdk/client-guardduty",
  "@aws-sdk/client-ec2",
  "@aws-sdk/client-iam",
  "@aws-sdk/client-sts",
] as const;

export const BUNDLE = {
  /** Lambda's nodejs22.x; the code also runs on Node 20 locally (DESIGN §6). */
  target: "node22",
  format: "esm",
  minify: true,
  sourceMap: true,
  /** Maps without the sources embedded: stack traces still name file and line, and a cold start (which
   * loads the map with --enable-source-maps) reads a much smaller file. */
  sourcesContent: false,
  externalModules: [...LAZY_SDK_PACKAGES, ...RUNTIME_SDK_CLIENTS],
  /** Prefer packages' ESM builds: smaller after tree shaking. */
  mainFields: ["module", "main"],
  banner:
    'import { createRequire as __irRequire } from "node:module"; const require = __irRequire(import.meta.url);',
  /** Budget per bundle (the JS file, source map excluded). */
  maxBytes: 1024 * 1024,
} as const;

/** The output file NodejsFunction writes for ESM. */
export const BUNDLE_FILE = "index.mjs";
