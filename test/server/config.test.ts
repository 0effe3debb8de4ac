/**
 * Server settings: flags over environment over defaults, and the JSON config file validated with errors
 * that name the setting and the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SLA_POLICY } from "../../core/incident/sla-policy";
import {
  CommanderError,
  ConfigError,
  DEFAULT_PORT,
  DEFAULT_SERVER_CONFIG,
  loadConfigFile,
  parseConfig,
  parseServerOptions,
  responseConfigOf,
} from "../../server/config";

const errorMessage = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

const quiet = { writeOut: () => {}, writeErr: () => {} };

describe("parseServerOptions", () => {
  it("starts with no flags and no environment on the defaults", () => {
    // Act
    const options = parseServerOptions([], {}, quiet);
    // Assess
    expect(options).toEqual({
      port: DEFAULT_PORT,
      dataDir: "./.data",
      timeScale: 1,
      configPath: null,
      logLevel: "info",
    });
  });

  it("takes the environment, and flags over it", () => {
    // Prepare
    const env = { IR_PORT: "9000", IR_DATA_DIR: "/env/data", IR_TIME_SCALE: "30", IR_LOG_LEVEL: "warn" };
    // Act
    const fromEnv = parseServerOptions([], env, quiet);
    const fromFlags = parseServerOptions(
      ["--port", "0", "--data-dir", "/flag/data", "--time-scale", "60", "--config", "ir.json"],
      env,
      quiet,
    );
    // Assess
    expect(fromEnv).toMatchObject({ port: 9000, dataDir: "/env/data", timeScale: 30, logLevel: "warn" });
    expect(fromFlags).toMatchObject({ port: 0, dataDir: "/flag/data", timeScale: 60, configPath: "ir.json" });
  });

  it.each([
    [["--port", "70000"], /port number/],
    [["--port", "eighty"], /port number/],
    [["--time-scale", "0"], /number > 0/],
    [["--log-level", "loud"], /debug, info, warn, error/],
    [["--verbose"], /unknown option/],
  ])("refuses %j with a CommanderError that says why", (argv, reason) => {
    // Prepare
    const errors: string[] = [];
    // Act
    const attempt = () =>
      parseServerOptions(argv, {}, { writeOut: () => {}, writeErr: (s) => errors.push(s) });
    // Assess
    expect(attempt).toThrow(CommanderError);
    expect(errors.join("")).toMatch(reason);
  });

  it("names the environment variable when its value is bad", () => {
    // Act
    const attempt = () => parseServerOptions([], { IR_TIME_SCALE: "-2" }, quiet);
    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/IR_TIME_SCALE="-2"/);
  });
});

describe("config file", () => {
  const dirs: string[] = [];
  const file = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "ir-config-"));
    dirs.push(dir);
    const path = join(dir, "ir.json");
    writeFileSync(path, text);
    return path;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("merges partial policies over the response plan's defaults", () => {
    // Prepare
    const path = file(
      JSON.stringify({
        serviceName: "acme-ir",
        slaPolicy: { budgets: { HIGH: { detect: 10 } } },
        containmentPolicy: { mode: "auto", rules: [{ findingTypes: ["UnauthorizedAccess:EC2/*"] }] },
        responders: [{ id: "alice", slackUserId: "U123" }],
        api: { requireTokenForReads: true },
      }),
    );
    // Act
    const config = loadConfigFile(path);
    const response = responseConfigOf(config);
    // Assess
    expect(response.serviceName).toBe("acme-ir");
    expect(response.slaPolicy.budgets.HIGH.detect).toBe(10);
    expect(response.slaPolicy.budgets.HIGH.assess).toBe(DEFAULT_SLA_POLICY.budgets.HIGH.assess);
    expect(response.containmentPolicy.rules[0]).toMatchObject({ minSeverity: "HIGH", mode: "auto" });
    expect(config.responders).toEqual([{ id: "alice", slackUserId: "U123", roles: [] }]);
    expect(config.api.requireTokenForReads).toBe(true);
    expect(config.channels.incidents).toBe(DEFAULT_SERVER_CONFIG.channels.incidents);
  });

  it("lists every problem with its path in the file", () => {
    // Prepare
    const json = {
      slaPolicy: { budgets: { HIGH: { assess: 5 } } },
      containmentPolicy: { mode: "sometimes" },
      respondrs: [],
      responders: [{ id: "bob" }, { id: "bob" }],
    };
    // Act
    const message = errorMessage(() => parseConfig(json, "config file ir.json"));
    // Assess
    expect(message).toMatch(/^invalid config file ir\.json:/);
    expect(message).toMatch(/containmentPolicy\.mode: /);
    expect(message).toMatch(/\(top level\): Unrecognized key: "respondrs"/);
  });

  it("explains a cumulative SLA whose deadlines go backwards", () => {
    // Act
    const attempt = () => parseConfig({ slaPolicy: { budgets: { HIGH: { assess: 5 } } } });
    // Assess
    expect(attempt).toThrow(/slaPolicy\.budgets\.HIGH\.assess: in cumulative mode the assess deadline/);
  });

  it("refuses duplicate responders", () => {
    // Act
    const attempt = () => parseConfig({ responders: [{ id: "bob" }, { id: "bob" }] });
    // Assess
    expect(attempt).toThrow(/responders\[1\]\.id: duplicate responder bob/);
  });

  it("says when the file is missing or not JSON", () => {
    // Prepare
    const broken = file("{ nope");
    // Act
    const missing = () => loadConfigFile(join(tmpdir(), "does-not-exist-ir.json"));
    const invalid = () => loadConfigFile(broken);
    // Assess
    expect(missing).toThrow(/cannot read config file .*ENOENT/);
    expect(invalid).toThrow(/is not valid JSON/);
  });
});
