/**
 * `npm start` as a process: starts from an empty directory with no environment at all (loopback only,
 * data in ./.data, a generated operator token and the dashboard login link shown on stderr and never
 * logged), stops gracefully on SIGTERM with exit 0, and refuses a bad config file or half a Slack
 * configuration with exit 2 and the reason. With Slack configured, incident messages go to Slack.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSlack } from "../support/slack-server";
import { type ServerProcess, startServer } from "./support/server-process";
import { eventually } from "./support/test-server";
import { makeTorRelayEvent } from "./support/tor-relay.factory";

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
    expect(server.stderr.join("")).toContain(`\n  http://127.0.0.1:${port}/?token=${token}\n`);
    expect(listening).toMatchObject({ chat: "dashboard" });
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

  it.each([
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, /SLACK_SIGNING_SECRET is not set/],
    [
      { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" },
      /channels\.incidents is "#security-incidents"/,
    ],
  ])(
    "refuses an unusable Slack configuration %j with exit 2, before creating any data",
    {
      timeout: 60_000,
    },
    async (env, reason) => {
      // Prepare
      const dir = tempDir();
      const server = startServer(["--port", "0", "--data-dir", join(dir, "data")], {
        env: { PATH: process.env.PATH ?? "", ...env },
      });
      live.push(server);
      // Act
      const exit = await server.exited;
      // Assess
      expect(exit.code).toBe(2);
      expect(server.stderr.join("")).toMatch(reason);
      expect(existsSync(join(dir, "data"))).toBe(false);
    },
  );

  it("sends incident messages to Slack when the Slack environment is set", { timeout: 60_000 }, async () => {
    // Prepare
    const fake = await FakeSlack.start();
    try {
      const dir = tempDir();
      const config = join(dir, "ir.json");
      writeFileSync(config, JSON.stringify({ channels: { incidents: "C0SECOPS" } }));
      const server = startServer(["--port", "0", "--data-dir", join(dir, "data"), "--config", config], {
        env: {
          PATH: process.env.PATH ?? "",
          SLACK_BOT_TOKEN: FakeSlack.TOKEN,
          SLACK_SIGNING_SECRET: "signing-secret",
          SLACK_API_URL: fake.url,
        },
      });
      live.push(server);
      const port = await server.started;
      // Act
      const posted = await fetch(`http://127.0.0.1:${port}/events`, {
        method: "POST",
        body: JSON.stringify(makeTorRelayEvent(5)),
      });
      const messages = await eventually(
        async () => fake.messages("C0SECOPS"),
        (list) => list.length > 0,
        15_000,
      );
      server.child.kill("SIGTERM");
      const exit = await server.exited;
      // Assess
      expect(posted.status).toBe(202);
      expect(messages[0]?.text).toContain("i-00000000000000005");
      expect(JSON.stringify(messages[0]?.blocks)).toContain(`http://127.0.0.1:${port}/runbooks/`);
      expect(server.lines.find((l) => l.msg === "listening")).toMatchObject({ chat: "slack" });
      expect(exit).toEqual({ code: 0, signal: null });
      expect(JSON.stringify(server.lines)).not.toContain(FakeSlack.TOKEN);
    } finally {
      await fake.close();
    }
  });
});
