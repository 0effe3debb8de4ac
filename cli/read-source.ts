/**
 * Reads the CLI's input: a file path, or `-` / nothing for standard input.
 */
import { readFileSync } from "node:fs";

export async function readSource(path: string | undefined): Promise<string> {
  if (path && path !== "-") return readFileSync(path, "utf8");
  if (process.stdin.isTTY) throw new Error("no input: pass a FILE, or pipe events to standard input");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
