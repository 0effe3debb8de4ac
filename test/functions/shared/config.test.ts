/**
 * Function configuration from the environment: typed values and defaults, one ConfigError naming every
 * bad variable (never its value), all-or-nothing capability groups, and the schemas reading exactly the
 * variables FUNCTION_ENV documents for infra.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RESPONSE_CONFIG } from "../../../app/response-config";
import {
  parseDeploymentConfig,
  responseConfigOf,
  slackRespondersOf,
} from "../../../core/config/deployment-config";
import {
  ConfigError,
  loadAdvanceConfig,
  loadDispatchConfig,
  loadIngestConfig,
  loadSlackConfig,
  loadSweepConfig,
  once,
  SCHEMAS,
} from "../../../functions/shared/config";
import { DEFAULT_FUNCTION_RESPONSE_CONFIG } from "../../../functions/shared/config-parse";
import { ENV, FUNCTION_ENV, FUNCTION_NAMES } from "../../../functions/shared/env-names";
import { QUEUE_URL } from "../support/lambda-events.factory";

const thrown = (call: () => unknown): Error => {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
};

describe("function configuration", () => {
  it("reads the ingest function's variables, with the default service name", () => {
    // Prepare
    const env = {
      IR_TABLE_NAME: "incidents",
      IR_ADVANCE_QUEUE_URL: QUEUE_URL,
      IR_QUARANTINE_RETENTION_DAYS: "14",
    };

    // Act
    const config = loadIngestConfig(env);

    // Assess
    expect(config).toEqual({
      tableName: "incidents",
      advanceQueueUrl: QUEUE_URL,
      quarantineRetentionDays: 14,
      response: DEFAULT_RESPONSE_CONFIG,
    });
  });

  it("names the missing variable and what it is for", () => {
    // Prepare
    const env = { IR_ADVANCE_QUEUE_URL: QUEUE_URL };

    // Act
    const error = thrown(() => loadIngestConfig(env));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      "ingest function configuration: IR_TABLE_NAME is not set (the DynamoDB incident table name)",
    );
  });

  it("treats an empty variable as unset and reports every problem at once", () => {
    // Prepare
    const env = {
      IR_TABLE_NAME: "  ",
      IR_ADVANCE_QUEUE_URL: "not a url",
      IR_QUARANTINE_RETENTION_DAYS: "-3",
    };

    // Act
    const error = thrown(() => loadIngestConfig(env));

    // Assess
    expect(error.message).toContain("IR_TABLE_NAME is not set");
    expect(error.message).toContain("IR_ADVANCE_QUEUE_URL must be an http(s) URL");
    expect(error.message).toContain("IR_QUARANTINE_RETENTION_DAYS must be a whole number");
  });

  it("parses the response policies from JSON and points at the bad field inside it", () => {
    // Prepare
    const good = {
      IR_TABLE_NAME: "t",
      IR_SERVICE_NAME: "acme-ir",
      IR_RESPONSE_CONFIG: '{"containmentPolicy":{"mode":"off"}}',
    };
    const bad = { IR_TABLE_NAME: "t", IR_RESPONSE_CONFIG: '{"slaPolicy":{"warnAtPercent":150}}' };
    const notJson = { IR_TABLE_NAME: "t", IR_RESPONSE_CONFIG: "{mode: off}" };

    // Act
    const config = loadAdvanceConfig(good);
    const badError = thrown(() => loadAdvanceConfig(bad));
    const jsonError = thrown(() => loadSweepConfig(notJson));

    // Assess
    expect(config.response.serviceName).toBe("acme-ir");
    expect(config.response.containmentPolicy.mode).toBe("off");
    expect(config.response.slaPolicy).toEqual(DEFAULT_RESPONSE_CONFIG.slaPolicy);
    expect(badError.message).toMatch(
      /^advance function configuration: IR_RESPONSE_CONFIG\.slaPolicy\.warnAtPercent /,
    );
    expect(jsonError.message).toBe("sweep function configuration: IR_RESPONSE_CONFIG is not valid JSON");
  });

  it("wires dispatch capabilities only when configured, and Slack's variables all together", () => {
    // Prepare
    const minimal = { IR_TABLE_NAME: "t" };
    const full = {
      IR_TABLE_NAME: "t",
      IR_SLACK_SECRET_ARN: "ir/slack",
      IR_SLACK_CHANNELS: '{"default":"C0SECOPS","CRITICAL":"C0CRIT"}',
      IR_SLACK_MENTIONS: '{"on-call":"S0ONCALL"}',
      IR_RUNBOOK_BASE_URL: "https://runbooks.example.com",
      IR_ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:ir-pages",
      IR_SECURITY_HUB_PRODUCT_ARN: "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default",
      IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: "true",
      IR_CONTAINMENT_ROLE_NAME: "IrContain",
    };
    const partialSlack = { IR_TABLE_NAME: "t", IR_SLACK_SECRET_ARN: "ir/slack" };

    // Act
    const bare = loadDispatchConfig(minimal);
    const wired = loadDispatchConfig(full);
    const error = thrown(() => loadDispatchConfig(partialSlack));

    // Assess
    expect(bare).toMatchObject({
      slack: undefined,
      alertTopicArn: undefined,
      securityHub: undefined,
      containment: {},
    });
    expect(bare.guardDutyArchiveFalsePositives).toBe(false);
    expect(wired.slack).toEqual({
      secretId: "ir/slack",
      apiUrl: undefined,
      channels: { default: "C0SECOPS", CRITICAL: "C0CRIT" },
      mentions: { "on-call": "S0ONCALL" },
    });
    expect(wired.securityHub).toEqual({
      productArn: full.IR_SECURITY_HUB_PRODUCT_ARN,
      region: "eu-west-1",
      accountId: "123456789012",
    });
    expect(wired.containment).toEqual({ roleName: "IrContain" });
    expect(wired.guardDutyArchiveFalsePositives).toBe(true);
    expect(error.message).toBe(
      "dispatch function configuration: IR_SLACK_CHANNELS, IR_RUNBOOK_BASE_URL must be set with IR_SLACK_SECRET_ARN",
    );
  });

  it("reads the Slack responders and refuses ids that are not Slack's, without echoing values", () => {
    // Prepare
    const env = {
      IR_TABLE_NAME: "t",
      IR_ADVANCE_QUEUE_URL: QUEUE_URL,
      IR_SLACK_SECRET_ARN: "ir/slack",
      IR_SLACK_RESPONDERS: '{"userIds":["U0ALICE"],"groupIds":["S0SECOPS"]}',
    };
    const bad = { ...env, IR_SLACK_RESPONDERS: '{"userIds":["alice@example.com"]}' };

    // Act
    const config = loadSlackConfig(env);
    const error = thrown(() => loadSlackConfig(bad));

    // Assess
    expect(config.responders).toEqual({ userIds: ["U0ALICE"], groupIds: ["S0SECOPS"] });
    expect(error.message).toMatch(/IR_SLACK_RESPONDERS\.userIds\.0 a Slack user id/);
    expect(error.message).not.toContain("alice@example.com");
  });

  it("accepts the values infra derives from a deployment config, and gets the same policies back", () => {
    // Prepare
    const deployment = parseDeploymentConfig({
      home: { account: "123456789012", region: "eu-west-1" },
      runbookBaseUrl: "https://runbooks.example.com",
      slaPolicy: { warnAtPercent: 75, budgets: { CRITICAL: { detect: 10 } } },
      containmentPolicy: { mode: "auto", rules: [] },
      slack: {
        channels: { default: "C0SECOPS1", CRITICAL: "C0CRITIC1" },
        responders: [{ id: "alice", slackUserId: "U0ALICE01" }],
        responderGroups: ["S0SECOPS1"],
        mentions: { "on-call": "S0ONCALL1" },
      },
    });
    const slack = deployment.slack!;
    const common = { IR_TABLE_NAME: "t", IR_SERVICE_NAME: deployment.serviceName };

    // Act
    const advance = loadAdvanceConfig({
      ...common,
      IR_RESPONSE_CONFIG: JSON.stringify(responseConfigOf(deployment)),
    });
    const dispatch = loadDispatchConfig({
      ...common,
      IR_SLACK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ir-slack-AbCdEf",
      IR_SLACK_CHANNELS: JSON.stringify(slack.channels),
      IR_SLACK_MENTIONS: JSON.stringify(slack.mentions),
      IR_RUNBOOK_BASE_URL: deployment.runbookBaseUrl!,
    });
    const slackFn = loadSlackConfig({
      ...common,
      IR_ADVANCE_QUEUE_URL: QUEUE_URL,
      IR_SLACK_SECRET_ARN: "ir-slack",
      IR_SLACK_RESPONDERS: JSON.stringify(slackRespondersOf(slack)),
    });

    // Assess
    expect(advance.response.slaPolicy).toEqual(deployment.slaPolicy);
    expect(advance.response.containmentPolicy).toEqual(deployment.containmentPolicy);
    expect(dispatch.slack?.channels).toEqual(slack.channels);
    expect(dispatch.slack?.mentions).toEqual(slack.mentions);
    expect(slackFn.responders).toEqual({ userIds: ["U0ALICE01"], groupIds: ["S0SECOPS1"] });
  });

  it("gives every function the app's default response config, alarm rules included", () => {
    // Prepare
    const env = { IR_TABLE_NAME: "t", IR_ADVANCE_QUEUE_URL: QUEUE_URL };

    // Act
    const responses = [
      loadAdvanceConfig(env).response,
      loadDispatchConfig(env).response,
      loadSweepConfig(env).response,
    ];

    // Assess
    expect(DEFAULT_FUNCTION_RESPONSE_CONFIG).toEqual(DEFAULT_RESPONSE_CONFIG);
    expect(DEFAULT_FUNCTION_RESPONSE_CONFIG.normalize.alarmRules).toBe(
      DEFAULT_RESPONSE_CONFIG.normalize.alarmRules,
    );
    for (const response of responses) expect(response).toEqual(DEFAULT_RESPONSE_CONFIG);
  });

  it("defaults the sweep's bounds", () => {
    // Prepare / Act
    const config = loadSweepConfig({ IR_TABLE_NAME: "t", IR_SWEEP_MAX_BATCHES: "5" });

    // Assess
    expect(config).toMatchObject({ batchSize: 100, maxBatches: 5 });
  });

  it("reads exactly the variables FUNCTION_ENV documents for each function", () => {
    for (const fn of FUNCTION_NAMES) {
      // Prepare
      const documented = [...FUNCTION_ENV[fn].required, ...FUNCTION_ENV[fn].optional].sort();

      // Act
      const read = Object.keys(SCHEMAS[fn].shape).sort();
      const missingEverything = thrown(() => SCHEMAS[fn].parse({}));

      // Assess
      expect(read, fn).toEqual(documented);
      const reported = FUNCTION_ENV[fn].required.filter((name) => missingEverything.message.includes(name));
      expect(reported, fn).toEqual(FUNCTION_ENV[fn].required);
      expect(Object.values(ENV)).toEqual(expect.arrayContaining(documented));
    }
  });

  it("builds once and retries a build that failed", () => {
    // Prepare
    let calls = 0;
    const build = once(() => {
      calls++;
      if (calls === 1) throw new ConfigError("not yet");
      return { built: calls };
    });

    // Act
    const first = thrown(() => build());
    const second = build();
    const third = build();

    // Assess
    expect(first.message).toBe("not yet");
    expect(second).toBe(third);
    expect(calls).toBe(2);
  });
});
