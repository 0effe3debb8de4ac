/**
 * The function bundles: each within 1 MB (from esbuild's metafile, built with NodejsFunction's options)
 * with the AWS SDK clients it calls bundled in — exactly those, so no function parses a client it never
 * calls — and only the packages infra/bundling.ts names left to the runtime; and the whole app
 * synthesizing through NodejsFunction's local esbuild — no Docker, no AWS credentials, cdk-nag passing —
 * into assets of the very size the metafile measured. A function whose entry point functions/ has not
 * written yet is skipped (and named in the skip).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FUNCTION_NAMES, type FunctionName } from "../../core/contracts/function-env";
import { BUNDLE_CACHE_DIR, bundleFunction } from "../../infra/bundle-metrics";
import {
  BUNDLE,
  BUNDLE_FILE,
  entryOf,
  LAZY_SDK_PACKAGES,
  REPO_ROOT,
  RUNTIME_SDK_CLIENTS,
} from "../../infra/bundling";
import { FULL_CONFIG } from "./support/synth";

const BUNDLE_TIMEOUT = 120_000;
const SYNTH_TIMEOUT = 300_000;
const allEntriesExist = FUNCTION_NAMES.every((name) => existsSync(entryOf(name)));
const outdirFor = (name: FunctionName) => join(BUNDLE_CACHE_DIR, "test", name);

/** The SDK clients each function calls: bundled, or from the runtime when bundling.ts says so. */
const CLIENTS: Record<FunctionName, readonly string[]> = {
  ingest: ["dynamodb", "sqs"],
  advance: ["dynamodb"],
  dispatch: [
    "dynamodb",
    "secrets-manager",
    "sns",
    "securityhub",
    "eventbridge",
    "guardduty",
    "ec2",
    "iam",
    "sts",
  ],
  slack: ["dynamodb", "sqs", "secrets-manager"],
  sweep: ["dynamodb"],
};
const fromRuntime: readonly string[] = RUNTIME_SDK_CLIENTS;
const lazy: readonly string[] = LAZY_SDK_PACKAGES;

describe.each(FUNCTION_NAMES)("the %s bundle", (name) => {
  it.skipIf(!existsSync(entryOf(name)))(
    `fits in ${BUNDLE.maxBytes} bytes with the SDK clients it calls, and only those`,
    async () => {
      // Prepare
      const clients = CLIENTS[name].map((client) => `@aws-sdk/client-${client}`);
      // Act
      const report = await bundleFunction(name, outdirFor(name));
      // Assess
      expect(
        report.bytes,
        `largest inputs: ${JSON.stringify(report.largestInputs.slice(0, 5))}`,
      ).toBeLessThanOrEqual(BUNDLE.maxBytes);
      expect(statSync(report.outfile).size).toBe(report.bytes);
      const bundledClients = report.bundledPackages.filter((pkg) => pkg.startsWith("@aws-sdk/client-"));
      // From the runtime: imported with the bundle, or with import() on first use.
      const runtimeClients = [...report.externals, ...report.lazyExternals]
        .filter((pkg) => pkg.startsWith("@aws-sdk/client-"))
        .sort();
      expect(bundledClients).toEqual(clients.filter((client) => !fromRuntime.includes(client)).sort());
      expect(runtimeClients).toEqual(clients.filter((client) => fromRuntime.includes(client)).sort());
      // …and those only with import() on first use: a static import would load them on every cold start.
      expect(report.externals.filter((pkg) => fromRuntime.includes(pkg))).toEqual([]);
      // Only the runtime's SDK is left out; the packages left for paths Lambda never takes stay unloaded.
      for (const external of [...report.externals, ...report.lazyExternals])
        expect(external).toMatch(/^@aws-sdk\//);
      expect(report.externals.filter((pkg) => lazy.includes(pkg))).toEqual([]);
      expect(report.bundledPackages.filter((pkg) => lazy.includes(pkg))).toEqual([]);
    },
    BUNDLE_TIMEOUT,
  );
});

describe("cdk synth", () => {
  it.skipIf(!allEntriesExist)(
    "bundles with the local esbuild, offline and without credentials, into assets the metafile measured",
    async () => {
      // Prepare
      const dir = mkdtempSync(join(tmpdir(), "ir-synth-"));
      const configPath = join(dir, "deployment.json");
      writeFileSync(configPath, JSON.stringify(FULL_CONFIG));
      const outdir = join(dir, "cdk.out");
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CDK_OUTDIR: outdir,
        IR_DEPLOY_CONFIG: configPath,
      };
      // Measured before and after synth: an edit to functions/ in between must not look like an option drift.
      const before = new Map<FunctionName, number>();
      for (const name of FUNCTION_NAMES)
        before.set(name, (await bundleFunction(name, outdirFor(name))).bytes);
      // Act
      const run = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["infra/app.ts"], {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
        timeout: SYNTH_TIMEOUT,
      });
      // Assess
      expect(run.status, run.stderr.slice(-4000)).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, "ir-test.template.json"), "utf8"));
      const functions = Object.entries(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).filter(([, r]) => r.Type === "AWS::Lambda::Function");
      expect(functions).toHaveLength(FUNCTION_NAMES.length);
      for (const name of FUNCTION_NAMES) {
        const prefix = `Functions${name[0]!.toUpperCase()}${name.slice(1)}`;
        const [, fn] = functions.find(([id]) => id.startsWith(prefix))!;
        const key = String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, "");
        const asset = join(outdir, `asset.${key}`, BUNDLE_FILE);
        const after = (await bundleFunction(name, outdirFor(name))).bytes;
        expect([before.get(name), after], name).toContain(statSync(asset).size);
      }
    },
    SYNTH_TIMEOUT,
  );
});
