/**
 * `npm run bench`: builds the benchmarks with esbuild — the bundler that builds the Lambda functions, so
 * the code measured is the code that runs in production (tsx's on-the-fly transform adds a name-keeping
 * wrapper to every function, which is not what ships) — then runs the bundle. Arguments pass through
 * (`npm run bench -- normalize`). The bundle goes to .bench-dist/ (git-ignored), one level below the
 * repository root like bench/, so the benchmarks' relative fixture paths still resolve.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const outfile = `${root}.bench-dist/run.mjs`;

await build({
  entryPoints: [`${root}bench/run.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

const run = spawnSync(process.execPath, ["--enable-source-maps", outfile, ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(run.status ?? 1);
