/**
 * The real server as a child process (`node --import tsx server/main.ts …`), for tests that need process
 * boundaries: crash (SIGKILL), graceful stop (SIGTERM), exit codes. Output is drained continuously (a
 * full pipe would stall the server) and kept; `started` resolves with the port from the `listening` line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = fileURLToPath(new URL("../../../server/main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/tsx/dist/loader.mjs", import.meta.url));

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Parsed stdout log lines (non-JSON lines kept as { text }). */
  lines: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves with the listening port; rejects if the process exits first or takes too long. */
  started: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServer(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; startTimeoutMs?: number } = {},
): ServerProcess {
  const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? { PATH: process.env.PATH ?? "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const started = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start: ${stderr.join("")}`)),
      options.startTimeoutMs ?? 30_000,
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = { text: line };
      }
      lines.push(parsed);
      if (parsed.msg === "listening" && typeof parsed.port === "number") {
        clearTimeout(timer);
        resolve(parsed.port);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr.join("")}`));
    });
  });
  started.catch(() => {});
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  return { child, lines, stderr, started, exited };
}
