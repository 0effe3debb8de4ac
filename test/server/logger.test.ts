/**
 * Structured logs: one JSON line per event with level, msg and time, the level threshold respected, and
 * secrets redacted however deep they sit.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../server/logger";

const capture = (level?: "debug" | "info" | "warn" | "error") => {
  const lines: string[] = [];
  const log = createLogger({
    ...(level ? { level } : {}),
    write: (line) => lines.push(line),
    now: () => "2024-05-01T10:00:00.000Z",
  });
  return { log, lines };
};

describe("createLogger", () => {
  it("writes one JSON object per line: level, msg, time, then the fields", () => {
    // Prepare
    const { log, lines } = capture();
    // Act
    log.child({ component: "inbox" }).info("batch ingested", { items: 3 });
    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "info",
      msg: "batch ingested",
      time: "2024-05-01T10:00:00.000Z",
      component: "inbox",
      items: 3,
    });
  });

  it("drops lines below its level", () => {
    // Prepare
    const { log, lines } = capture("warn");
    // Act
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    // Assess
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(["warn", "error"]);
  });

  it("redacts anything that looks like a credential, at any depth", () => {
    // Prepare
    const { log, lines } = capture();
    // Act
    log.info("request", {
      operatorToken: "s3cr3t-1",
      headers: { Authorization: "Bearer s3cr3t-2", "x-slack-signature": "v0=s3cr3t-3" },
      nested: [{ slackSigningSecret: "s3cr3t-4", password: "s3cr3t-5" }],
      kept: "visible",
    });
    // Assess
    expect(lines[0]).not.toMatch(/s3cr3t/);
    expect(JSON.parse(lines[0]!).kept).toBe("visible");
    expect(JSON.parse(lines[0]!).headers.Authorization).toBe("[redacted]");
  });

  it("logs errors by name and message, and never throws on odd fields", () => {
    // Prepare
    const { log, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act
    log.error("failed", { error: new TypeError("bad thing"), big: 10n, cyclic });
    // Assess
    const line = JSON.parse(lines[0]!);
    expect(line.error).toEqual({ name: "TypeError", message: "bad thing" });
    expect(line.big).toBe("10");
  });
});
