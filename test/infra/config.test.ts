/**
 * Loading the deployment config file: where it is looked for, and what a broken one says.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/bundling";
import { configPathOf, DEFAULT_CONFIG_PATH, loadDeploymentConfig } from "../../infra/config";

const writeTemp = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "ir-config-")), "config.json");
  writeFileSync(file, text);
  return file;
};

describe("configPathOf", () => {
  it("prefers -c config=, then IR_DEPLOY_CONFIG, then config/deployment.json", () => {
    // Prepare
    const withContext = new App({ context: { config: "a.json" } });
    const plain = new App();
    // Act / Assess
    expect(configPathOf(withContext, { IR_DEPLOY_CONFIG: "b.json" })).toBe(join(REPO_ROOT, "a.json"));
    expect(configPathOf(plain, { IR_DEPLOY_CONFIG: "b.json" })).toBe(join(REPO_ROOT, "b.json"));
    expect(configPathOf(plain, {})).toBe(join(REPO_ROOT, DEFAULT_CONFIG_PATH));
  });
});

describe("loadDeploymentConfig", () => {
  it("reads the example config", () => {
    // Act
    const config = loadDeploymentConfig(join(REPO_ROOT, "config/example.json"));
    // Assess
    expect(config.home).toEqual({ account: "111111111111", region: "us-east-1" });
    expect(config.slack?.responders.map((r) => r.id)).toEqual(["alice", "bob"]);
  });

  it("says how to create a missing file", () => {
    // Act / Assess
    expect(() => loadDeploymentConfig(join(tmpdir(), "no-such-dir", "x.json"))).toThrow(
      /copy config\/example.json/,
    );
  });

  it("names the JSON error and each invalid setting with its path", () => {
    // Prepare
    const broken = writeTemp("{ nope");
    const invalid = writeTemp(JSON.stringify({ home: { account: "12", region: "us-east-1" }, typo: true }));
    // Act / Assess
    expect(() => loadDeploymentConfig(broken)).toThrow(/is not valid JSON/);
    expect(() => loadDeploymentConfig(invalid)).toThrow(/home\.account: an AWS account id is 12 digits/);
    expect(() => loadDeploymentConfig(invalid)).toThrow(/typo/);
  });
});
