/**
 * core/ and workflows/ are pure (DESIGN §2): no wall clock, no randomness, no environment, no console.
 * Time and ids arrive on events or through the Clock port. dependency-cruiser checks imports; this checks calls.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, "Date.now()"],
  [/\bnew Date\s*\(\s*\)/, "new Date() without an argument"],
  [/\bMath\.random\s*\(/, "Math.random()"],
  [/\bprocess\.env\b/, "process.env"],
  [/\bconsole\.\w+\s*\(/, "console"],
  [/\bperformance\.now\s*\(/, "performance.now()"],
  [/\bcrypto\.randomUUID\s*\(/, "crypto.randomUUID()"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Strips comments so a comment that names a forbidden call does not count. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

function impurities(text: string): string[] {
  const body = code(text);
  return FORBIDDEN.filter(([pattern]) => pattern.test(body)).map(([, name]) => name);
}

describe("pure layers", () => {
  it("recognises each forbidden call, and ignores it in comments", () => {
    expect(impurities("const t = Date.now();")).toEqual(["Date.now()"]);
    expect(impurities("const d = new Date();")).toEqual(["new Date() without an argument"]);
    expect(impurities("const d = new Date(event.at);")).toEqual([]);
    expect(impurities("if (Math.random() > 0.5) console.log(process.env.X)")).toEqual([
      "Math.random()",
      "process.env",
      "console",
    ]);
    expect(impurities("// never call Date.now() here\nconst x = 1;")).toEqual([]);
  });

  for (const layer of ["core", "workflows"]) {
    it(`${layer}/ reads no clock, randomness, environment or console`, () => {
      const offenders = sourceFiles(join(ROOT, layer))
        .map((file) => ({ file: relative(ROOT, file), found: impurities(readFileSync(file, "utf8")) }))
        .filter((f) => f.found.length > 0);
      expect(offenders).toEqual([]);
    });
  }
});
