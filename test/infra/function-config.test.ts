/**
 * What infra writes into each function's environment is what the function can read: the synthesized
 * variables go through the functions' own config loaders (functions/shared/config.ts). Deploy-time
 * references (table name, queue URL, ARNs) become realistic stand-ins; everything else is the template's.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ENV, FUNCTION_NAMES, type FunctionName } from "../../core/contracts/function-env";
import {
  loadAdvanceConfig,
  loadDispatchConfig,
  loadIngestConfig,
  loadSlackConfig,
  loadSweepConfig,
} from "../../functions/shared/config";
import { FULL_CONFIG, MINIMAL_CONFIG, synthesize } from "./support/synth";

const LOADERS: Record<FunctionName, (env: Record<string, string>) => unknown> = {
  ingest: loadIngestConfig,
  advance: loadAdvanceConfig,
  dispatch: loadDispatchConfig,
  slack: loadSlackConfig,
  sweep: loadSweepConfig,
};

/** What CloudFormation puts where the template holds a reference. */
const RESOLVED: Record<string, string> = {
  [ENV.tableName]: "ir-test-IncidentsTable-1ABC",
  [ENV.advanceQueueUrl]: "https://sqs.us-east-1.amazonaws.com/111111111111/ir-test-AdvanceQueue.fifo",
  [ENV.alertTopicArn]: "arn:aws:sns:us-east-1:111111111111:ir-test-SecurityTopic",
  [ENV.eventBusName]: "ir-test",
  [ENV.slackSecretArn]: "arn:aws:secretsmanager:us-east-1:111111111111:secret:SlackSecret-AbCdEf",
};

function environmentOf(template: Template, name: FunctionName): Record<string, string> {
  const prefix = `Functions${name[0]!.toUpperCase()}${name.slice(1)}`;
  const [fn] = Object.entries(template.findResources("AWS::Lambda::Function")).filter(([id]) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  const variables = (fn![1] as { Properties: { Environment: { Variables: Record<string, unknown> } } })
    .Properties.Environment.Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      if (typeof value === "string") return [key, value];
      const resolved = RESOLVED[key];
      if (resolved === undefined)
        throw new Error(`${name}: ${key} is a reference the test cannot stand in for`);
      return [key, resolved];
    }),
  );
}

const templates: Record<string, Template> = {};
beforeAll(() => {
  templates.minimal = synthesize(MINIMAL_CONFIG).home;
  templates.full = synthesize(FULL_CONFIG).home;
}, 120_000);

describe.each(["minimal", "full"])("the %s deployment", (which) => {
  it("gives every function an environment its config loader accepts", () => {
    const names = which === "full" ? FUNCTION_NAMES : FUNCTION_NAMES.filter((n) => n !== "slack");
    for (const name of names) {
      // Prepare
      const env = environmentOf(templates[which]!, name);
      // Act / Assess
      expect(() => LOADERS[name](env), name).not.toThrow();
    }
  });
});

describe("what the dispatch function reads", () => {
  it("has Slack, paging, Security Hub and containment configured in the full deployment", () => {
    // Act
    const config = loadDispatchConfig(environmentOf(templates.full!, "dispatch")) as ReturnType<
      typeof loadDispatchConfig
    >;
    // Assess
    expect(config.slack?.channels).toEqual(FULL_CONFIG.slack!.channels);
    expect(config.slack?.mentions).toEqual({ "on-call": "S0000ONCALL" });
    expect(config.securityHub).toEqual({
      productArn: "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
      region: "us-east-1",
      accountId: "111111111111",
    });
    expect(config.containment).toEqual({
      roleName: "IncidentResponseContainment",
      externalId: "ir-test-external-id",
      homeAccountId: "111111111111",
    });
    expect(config.guardDutyArchiveFalsePositives).toBe(true);
    expect(config.runbookBaseUrl).toBe("https://example.com/ir");
  });

  it("has no Slack without a Slack config", () => {
    // Act
    const config = loadDispatchConfig(environmentOf(templates.minimal!, "dispatch")) as ReturnType<
      typeof loadDispatchConfig
    >;
    // Assess
    expect(config.slack).toBeUndefined();
  });
});
