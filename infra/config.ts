/**
 * Finding and reading the one deployment config file. Its path comes from `cdk … -c config=PATH`, else
 * the IR_DEPLOY_CONFIG environment variable, else config/deployment.json; a missing or invalid file
 * stops synth with a message that says what to fix (one line per problem, with its path in the file).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { App } from "aws-cdk-lib";
import { type DeploymentConfig, parseDeploymentConfig } from "../core/config/deployment-config";
import { REPO_ROOT } from "./bundling";

export const CONFIG_CONTEXT_KEY = "config";
export const CONFIG_ENV_VARIABLE = "IR_DEPLOY_CONFIG";
export const DEFAULT_CONFIG_PATH = "config/deployment.json";
export const EXAMPLE_CONFIG_PATH = "config/example.json";

export function configPathOf(app: App, env: NodeJS.ProcessEnv = process.env): string {
  const fromContext: unknown = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  const path =
    (typeof fromContext === "string" && fromContext) || env[CONFIG_ENV_VARIABLE] || DEFAULT_CONFIG_PATH;
  return resolve(REPO_ROOT, path);
}

export function loadDeploymentConfig(path: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read the deployment config ${path} (${code ?? String(error)}): copy ${EXAMPLE_CONFIG_PATH} to ${DEFAULT_CONFIG_PATH} and edit it, or pass -c ${CONFIG_CONTEXT_KEY}=PATH`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the deployment config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseDeploymentConfig(json, `deployment config ${path}`);
}
