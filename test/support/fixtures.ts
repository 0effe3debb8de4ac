/**
 * Real sample events (copied from shared/fixtures; see test/fixtures/events/README.md for sources).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/events/", import.meta.url));

/** Exact text of a fixture, e.g. `fixtureText("guardduty/bare-recon-….json")`. */
export const fixtureText = (relPath: string): string => readFileSync(join(FIXTURES_DIR, relPath), "utf8");

/** Parsed fixture, typed loosely for tests that poke at fields. */
// biome-ignore lint/suspicious/noExplicitAny: test fixtures are arbitrary JSON
export const loadFixture = (relPath: string): any => JSON.parse(fixtureText(relPath));

/** All fixture paths of a category (`guardduty`, `securityhub`, `cloudtrail`, `cloudwatch`, `waf`). */
export const fixturesIn = (category: string): string[] =>
  readdirSync(join(FIXTURES_DIR, category))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `${category}/${f}`);
