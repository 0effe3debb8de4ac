/**
 * `npm start` as a process: starts from an empty directory with no environment at all (loopback only,
 * data in ./.data, a generated operator token shown on stderr and never logged), stops gracefully on
 * SIGTERM with exit 0, and refuses a bad config file with exit 2 and the reason.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, startServer } from "./support/server-process";

describe("server process", () => {
  const dirs: string[] = [];
  const live: ServerProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "ir-main-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const server of live.splice(0)) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("starts with no environment in an empty directory, and stops on SIGTERM with exit 0", {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const cwd = tempDir();
    const server = startServer(["--port", "0"], { cwd, env: { PATH: process.env.PATH ?? "" } });
    live.push(server);
    // Act
    const port = await server.started;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    server.child.kill("SIGTERM");
    const exit = await server.exited;
    // Assess
    expect(health.status).toBe(200);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(existsSync(join(cwd, ".data", "incidents.db"))).toBe(true);
    const listening = server.lines.find((l) => l.msg === "listening");
    expect(listening).toMatchObject({ level: "info", url: `http://127.0.0.1:${port}`, dataDir: "./.data" });
    const token = /operator token[^\n]*\n\s+(\S+)/.exec(server.stderr.join(""))?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.lines.map((l) => JSON.stringify(l)).join("\n")).not.toContain(token);
    expect(server.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
  });

  it("refuses an invalid config file with exit 2 and says what is wrong", { timeout: 60_000 }, async () => {
    // Prepare
    const dir = tempDir();
    const config = join(dir, "ir.json");
    writeFileSync(config, JSON.stringify({ containmentPolicy: { mode: "yolo" } }));
    const server = startServer(["--port", "0", "--data-dir", join(dir, "data"), "--config", config]);
    live.push(server);
    // Act
    const exit = await server.exited;
    // Assess
    expect(exit.code).toBe(2);
    expect(server.stderr.join("")).toMatch(
      /invalid config file .*ir\.json:\n {2}- containmentPolicy\.mode: /,
    );
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("prints its options for --help and exits 0", { timeout: 60_000 }, async () => {
    // Act
    const server = startServer(["--help"]);
    live.push(server);
    const exit = await server.exited;
    // Assess
    expect(exit.code).toBe(0);
    const text = server.lines.map((l) => l.text).join("\n");
    for (const flag of ["--port", "--data-dir", "--time-scale", "--config"]) expect(text).toContain(flag);
  });
});
