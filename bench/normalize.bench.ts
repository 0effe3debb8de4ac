/**
 * Normalization throughput: parse + validate + normalize over a mix of every real fixture, against
 * JSON.parse alone on the same bytes in the same run (interleaved slices, best of each). Target: ratio ≥ 0.5.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { splitInput } from "../core/input/split-input";
import { expandDocument, normalizeUnit } from "../core/normalize";
import { type BenchLine, compareThroughput } from "./report";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/events/", import.meta.url));

export function loadFixtureTexts(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(FIXTURES, d.name))
        .filter((f) => f.endsWith(".json"))
        .map((f) => readFileSync(join(FIXTURES, d.name, f), "utf8")),
    );
}

export function normalizeText(text: string): number {
  let findings = 0;
  for (const item of splitInput(text)) {
    if (item.error) continue;
    for (const unit of expandDocument(item.doc, item.at)) {
      findings += normalizeUnit(unit, "bench").length;
    }
  }
  return findings;
}

export function run(): BenchLine[] {
  const texts = loadFixtureTexts();
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  let sink = 0;
  const { baseline, measured } = compareThroughput(
    () => {
      for (const t of texts) sink += JSON.parse(t) ? 1 : 0;
    },
    () => {
      for (const t of texts) sink += normalizeText(t);
    },
    texts.length,
  );
  if (sink < 0) console.log(sink);
  return [
    {
      name: "normalize-throughput",
      ratio: measured / baseline,
      target: ">=0.5",
      details: {
        normalize_docs_per_s: Math.round(measured),
        json_parse_docs_per_s: Math.round(baseline),
        normalize_mb_per_s: (measured * bytes) / texts.length / 1e6,
        json_parse_mb_per_s: (baseline * bytes) / texts.length / 1e6,
        docs: texts.length,
        bytes,
      },
    },
  ];
}
