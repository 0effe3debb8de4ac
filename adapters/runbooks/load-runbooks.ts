/**
 * Reads runbooks/*.md from disk for the server and tests: the I/O half of core/runbooks, which parses
 * text only. Each file must parse and be named after its front-matter id (`<id>.md`), because links are
 * built from ids (`runbooks/<id>.md#<section>`); a mismatch is reported with the file, never skipped.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRunbook, type Runbook } from "../../core/runbooks/parse-runbook";

/** The repository's runbooks directory, relative to this module (callers that bundle pass their own). */
export const DEFAULT_RUNBOOKS_DIR = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../runbooks");

export interface LoadedRunbook {
  /** The file name, e.g. `ec2-compromise.md`. */
  file: string;
  text: string;
  runbook: Runbook;
}

export class RunbookLoadError extends Error {
  override readonly name = "RunbookLoadError";
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** Every `*.md` runbook in `dir` (README.md excepted), sorted by file name. */
export async function loadRunbooks(dir: string = DEFAULT_RUNBOOKS_DIR): Promise<LoadedRunbook[]> {
  const files = (await readdir(dir))
    .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
    .sort();
  const loaded: LoadedRunbook[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), "utf8");
    let runbook: Runbook;
    try {
      runbook = parseRunbook(text);
    } catch (error) {
      throw new RunbookLoadError(file, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    if (`${runbook.frontMatter.id}.md` !== file)
      throw new RunbookLoadError(
        file,
        `front matter id "${runbook.frontMatter.id}" does not match the file name`,
      );
    loaded.push({ file, text, runbook });
  }
  return loaded;
}

/** Runbooks by id. */
export async function loadRunbookIndex(dir?: string): Promise<Map<string, Runbook>> {
  return new Map((await loadRunbooks(dir)).map(({ runbook }) => [runbook.frontMatter.id, runbook]));
}
