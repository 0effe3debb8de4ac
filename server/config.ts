/**
 * The local runtime's settings: command-line flags and environment (where to listen, where the data lives,
 * how fast time runs) and the optional JSON config file (who we are, the SLA and containment policies,
 * responders, channels, API and storage options), validated with zod.
 *
 * Invariants:
 * - Nothing is required: with no flags, no env and no file the server starts on 127.0.0.1:8787 with the
 *   response plan's defaults and data in ./.data.
 * - Flags win over environment variables, which win over defaults.
 * - Every refusal is a ConfigError that says which setting is wrong and why (config file: one line per
 *   problem, with its path in the file); unknown keys in the file are errors, so typos do not pass silently.
 * - Secrets (operator token, Slack credentials) come only from the environment, never from the file.
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import * as z from "zod";
import { DEFAULT_RESPONSE_CONFIG, type ResponseConfig } from "../app/response-config";
import { severityLabelSchema } from "../core/findings/severity";
import { containmentPolicySchema } from "../core/incident/containment-policy";
import { slaPolicySchema } from "../core/incident/sla-policy";
import { isLogLevel, LOG_LEVELS, type LogLevel } from "./logger";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = "./.data";
/** The runtime listens on loopback only: it has no TLS and its event endpoint takes anything. */
export const HOSTNAME = "127.0.0.1";

const responderSchema = z.strictObject({
  /** How the responder is named on the timeline (and matched against Slack users by the Slack handler). */
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  slackUserId: z.string().min(1).max(50).optional(),
  email: z.string().min(3).max(320).optional(),
  roles: z.array(z.string().min(1).max(100)).default([]),
});

export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** Our name in Security Hub notes and on lifecycle events (recognises our own updates). */
    serviceName: z.string().min(1).max(100).default(DEFAULT_RESPONSE_CONFIG.serviceName),
    slaPolicy: slaPolicySchema.prefault({}),
    containmentPolicy: containmentPolicySchema.prefault({}),
    responders: z.array(responderSchema).default([]),
    channels: z
      .strictObject({
        /** Where incident messages go (the Slack channel, or the label on dashboard messages). */
        incidents: z.string().min(1).max(100).default("#security-incidents"),
        /** Slack channel ids for particular severities (e.g. CRITICAL to a war-room channel); others use `incidents`. */
        bySeverity: z.partialRecord(severityLabelSchema, z.string().min(1).max(100)).default({}),
      })
      .prefault({}),
    api: z
      .strictObject({
        /** Require the operator token for GET /api/* too (POST always requires it). */
        requireTokenForReads: z.boolean().default(false),
      })
      .prefault({}),
    inbox: z
      .strictObject({
        /** Inbox rows ingested per group commit. */
        batchSize: z.int().min(1).max(1000).default(100),
      })
      .prefault({}),
    storage: z
      .strictObject({
        /**
         * SQLite `synchronous`: "normal" survives a process crash (what an acknowledged event needs locally);
         * "full" also survives power loss, at one fsync per commit.
         */
        synchronous: z.enum(["normal", "full"]).default("normal"),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.responders.forEach((responder, i) => {
      if (seen.has(responder.id))
        ctx.addIssue({
          code: "custom",
          path: ["responders", i, "id"],
          message: `duplicate responder ${responder.id}`,
        });
      seen.add(responder.id);
    });
  });

export type ServerConfig = z.output<typeof configFileSchema>;
export type ConfigFileInput = z.input<typeof configFileSchema>;

const pathOf = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? "(top level)"
    : path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");

/** Validates parsed config JSON; `source` names it in errors. */
export function parseConfig(json: unknown, source = "config"): ServerConfig {
  const parsed = configFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${pathOf(issue.path)}: ${issue.message}`);
  throw new ConfigError(`invalid ${source}:\n${lines.join("\n")}`);
}

export function loadConfigFile(path: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${path}: ${code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, `config file ${path}`);
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = parseConfig({});

export const responseConfigOf = (config: ServerConfig): ResponseConfig => ({
  ...DEFAULT_RESPONSE_CONFIG,
  serviceName: config.serviceName,
  slaPolicy: config.slaPolicy,
  containmentPolicy: config.containmentPolicy,
});

export interface ServerOptions {
  port: number;
  dataDir: string;
  timeScale: number;
  configPath: string | null;
  logLevel: LogLevel;
}

function portArg(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535)
    throw new InvalidArgumentError("expected a port number 0-65535 (0: any free port)");
  return port;
}

function scaleArg(value: string): number {
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1_000_000)
    throw new InvalidArgumentError("expected a number > 0 (e.g. 60: one minute passes per second)");
  return scale;
}

function levelArg(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(", ")}`);
  return value;
}

/** An environment value through the same check as its flag, with the variable named in the error. */
function fromEnv<T>(env: NodeJS.ProcessEnv, name: string, parse: (value: string) => T): T | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === "") return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new ConfigError(`${name}=${JSON.stringify(value)}: ${(error as Error).message}`);
  }
}

/**
 * Reads flags (`argv` without node and script) and environment. Help and version requests, and bad flags,
 * surface as CommanderError (exit code in `.exitCode`); bad environment values as ConfigError.
 */
export function parseServerOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  output: { writeOut?: (s: string) => void; writeErr?: (s: string) => void } = {},
): ServerOptions {
  const program = new Command()
    .name("npm start --")
    .description(
      "Local incident-response runtime: HTTP API on 127.0.0.1, SQLite store, dispatcher and SLA sweeper.",
    )
    .option(
      "--port <port>",
      `port on 127.0.0.1, 0 for any free port (env IR_PORT; default ${DEFAULT_PORT})`,
      portArg,
    )
    .option(
      "--data-dir <dir>",
      `where the SQLite database lives (env IR_DATA_DIR; default ${DEFAULT_DATA_DIR})`,
    )
    .option(
      "--time-scale <n>",
      "run the service clock n times faster, for demos (env IR_TIME_SCALE; default 1)",
      scaleArg,
    )
    .option(
      "--config <path>",
      "JSON config file: serviceName, slaPolicy, containmentPolicy, responders… (env IR_CONFIG)",
    )
    .option("--log-level <level>", `${LOG_LEVELS.join(" | ")} (env IR_LOG_LEVEL; default info)`, levelArg)
    .exitOverride()
    .configureOutput({
      writeOut: output.writeOut ?? ((s) => process.stdout.write(s)),
      writeErr: output.writeErr ?? ((s) => process.stderr.write(s)),
    })
    .allowExcessArguments(false);
  program.parse([...argv], { from: "user" });
  const opts = program.opts<{
    port?: number;
    dataDir?: string;
    timeScale?: number;
    config?: string;
    logLevel?: LogLevel;
  }>();
  return {
    port: opts.port ?? fromEnv(env, "IR_PORT", portArg) ?? DEFAULT_PORT,
    dataDir: opts.dataDir ?? fromEnv(env, "IR_DATA_DIR", (v) => v) ?? DEFAULT_DATA_DIR,
    timeScale: opts.timeScale ?? fromEnv(env, "IR_TIME_SCALE", scaleArg) ?? 1,
    configPath: opts.config ?? fromEnv(env, "IR_CONFIG", (v) => v) ?? null,
    logLevel: opts.logLevel ?? fromEnv(env, "IR_LOG_LEVEL", levelArg) ?? "info",
  };
}

export { CommanderError };
