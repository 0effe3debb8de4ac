/**
 * The home stack as CloudFormation: the table is its contract, queues and topic are encrypted, every
 * function matches its environment contract, the rules are the core rules verbatim, every failure path
 * ends in a DLQ with an alarm, and every IAM statement is scoped.
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDeploymentConfig, SERVICE_NAME_MAX } from "../../core/config/deployment-config";
import { FUNCTION_ENV, FUNCTION_NAMES, type FunctionName } from "../../core/contracts/function-env";
import { createTableInput, TTL_ATTRIBUTE } from "../../core/contracts/incident-table";
import { SECURITY_HUB_ACTIONS } from "../../core/contracts/securityhub-actions";
import { SERVICE_METRICS } from "../../core/contracts/service-metrics";
import { ACTIVE_PHASES } from "../../core/incident/phases";
import { buildRules } from "../../core/rules/rules";
import { deployedRuleName, RULE_NAME_MAX } from "../../infra/constructs/event-rules";
import { FUNCTION_SETTINGS, LAMBDA_ENV_LIMIT_BYTES } from "../../infra/constructs/incident-functions";
import { CONTAINMENT_READS } from "../../infra/containment-grants";
import { FULL_CONFIG, MINIMAL_CONFIG, type Synthesized, synthesize } from "./support/synth";

const SYNTH_TIMEOUT = 120_000;

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

const onlyResource = (template: Template, type: string): [string, Resource] => {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** The function whose logical id starts with `Functions<Name>`, e.g. FunctionsDispatch59A38D99. */
const functionNamed = (template: Template, name: FunctionName): [string, Resource] => {
  const prefix = `Functions${name[0]!.toUpperCase()}${name.slice(1)}`;
  const found = resourcesOf(template, "AWS::Lambda::Function").filter(([id]) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  expect(found, `function ${name}`).toHaveLength(1);
  return found[0]!;
};

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every identity policy in the template (policies and inline role policies). */
function identityStatements(template: Template): { owner: string; statement: Statement }[] {
  const out: { owner: string; statement: Statement }[] = [];
  for (const [id, policy] of resourcesOf(template, "AWS::IAM::Policy")) {
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) out.push({ owner: id, statement });
  }
  for (const [id, role] of resourcesOf(template, "AWS::IAM::Role")) {
    const inline = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    for (const policy of inline)
      for (const statement of policy.PolicyDocument.Statement) out.push({ owner: id, statement });
  }
  return out;
}

/** Actions AWS only authorizes on Resource "*" and which the stacks may hold there. */
const STAR_ONLY_ACTIONS = new Set<string>([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "dynamodb:ListStreams",
  ...CONTAINMENT_READS,
]);

const templateOf = (synthesized: Synthesized, stackName: string): Template =>
  Template.fromStack(synthesized.members.find((member) => member.stackName === stackName)!);

let minimal: Synthesized;
let full: Synthesized;

beforeAll(() => {
  minimal = synthesize(MINIMAL_CONFIG);
  full = synthesize(FULL_CONFIG);
}, SYNTH_TIMEOUT);

describe("incident table", () => {
  it("is the contract's table: keys, GSIs, stream and TTL", () => {
    // Prepare
    const contract = createTableInput("incidents");
    // Act
    const [, table] = onlyResource(full.home, "AWS::DynamoDB::Table");
    // Assess
    const props = table.Properties;
    expect(props.KeySchema).toEqual(contract.KeySchema);
    expect(new Set(props.AttributeDefinitions as unknown[])).toEqual(new Set(contract.AttributeDefinitions));
    const byName = (a: { IndexName: string }, b: { IndexName: string }) =>
      a.IndexName.localeCompare(b.IndexName);
    expect([...(props.GlobalSecondaryIndexes as { IndexName: string }[])].sort(byName)).toEqual(
      [...contract.GlobalSecondaryIndexes].sort(byName),
    );
    expect(props.StreamSpecification).toEqual({
      StreamViewType: contract.StreamSpecification.StreamViewType,
    });
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(props.BillingMode).toBe(contract.BillingMode);
  });

  it("is recoverable, protected, retained and encrypted", () => {
    // Act
    const [, table] = onlyResource(minimal.home, "AWS::DynamoDB::Table");
    // Assess
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });
});

describe("queues", () => {
  it("encrypts every queue and refuses plain HTTP on each", () => {
    // Act
    const queues = resourcesOf(full.home, "AWS::SQS::Queue");
    const policies = resourcesOf(full.home, "AWS::SQS::QueuePolicy");
    // Assess
    expect(queues.length).toBeGreaterThanOrEqual(7);
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const policy = policies.find(([, p]) => JSON.stringify(p.Properties.Queues).includes(`"${id}"`));
      expect(policy, id).toBeDefined();
      const statements = (policy![1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements, id).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Action: "sqs:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
      // An SQS policy holds at most 20 statements: shared DLQs must not grow one per rule.
      expect(statements.length, id).toBeLessThanOrEqual(20);
    }
  });

  it("makes the advance queue FIFO without content-based dedup, redriving to a FIFO DLQ", () => {
    // Prepare
    const advanceTimeout = FUNCTION_SETTINGS.advance.timeout.toSeconds();
    // Act
    const fifo = resourcesOf(full.home, "AWS::SQS::Queue").filter(([, q]) => q.Properties.FifoQueue === true);
    const [, queue] = fifo.find(([, q]) => q.Properties.RedrivePolicy !== undefined)!;
    // Assess
    expect(queue.Properties.ContentBasedDeduplication).toBe(false);
    expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * advanceTimeout);
    const target = (queue.Properties.RedrivePolicy as { deadLetterTargetArn: { "Fn::GetAtt": [string] } })
      .deadLetterTargetArn["Fn::GetAtt"][0];
    expect(full.home.toJSON().Resources[target].Properties.FifoQueue).toBe(true);
  });
});

describe("functions", () => {
  it("runs every function on nodejs22.x, arm64, traced, with JSON logs", () => {
    for (const name of FUNCTION_NAMES) {
      // Act
      const [, fn] = functionNamed(full.home, name);
      // Assess
      expect(fn.Properties.Runtime, name).toBe("nodejs22.x");
      expect(fn.Properties.Architectures, name).toEqual(["arm64"]);
      expect(fn.Properties.Handler, name).toBe("index.handler");
      expect(fn.Properties.TracingConfig, name).toEqual({ Mode: "Active" });
      expect(fn.Properties.LoggingConfig, name).toMatchObject({ LogFormat: "JSON" });
    }
  });

  it("sets exactly the variables each function's contract lists, every required one, within 4 KB", () => {
    for (const synthesized of [minimal, full]) {
      const names = synthesized.config.slack ? FUNCTION_NAMES : FUNCTION_NAMES.filter((n) => n !== "slack");
      for (const name of names) {
        // Prepare
        const contract = FUNCTION_ENV[name];
        // Act
        const [, fn] = functionNamed(synthesized.home, name);
        const variables = (fn.Properties.Environment as { Variables: Json }).Variables;
        // Assess
        const ours = Object.keys(variables).filter((key) => key.startsWith("IR_"));
        for (const required of contract.required) expect(ours, `${name} ${required}`).toContain(required);
        for (const key of ours)
          expect([...contract.required, ...contract.optional], `${name} ${key}`).toContain(key);
        for (const group of contract.together ?? []) {
          const present = group.filter((key) => key in variables);
          expect([0, group.length], `${name} ${group.join("+")}`).toContain(present.length);
        }
        const size = Object.entries(variables).reduce(
          (sum, [key, value]) => sum + key.length + (typeof value === "string" ? value.length : 200),
          0,
        );
        expect(size, name).toBeLessThan(LAMBDA_ENV_LIMIT_BYTES);
      }
    }
  });

  it("passes the config's policies and Slack settings through the environment", () => {
    // Act
    const [, dispatch] = functionNamed(full.home, "dispatch");
    const [, slack] = functionNamed(full.home, "slack");
    const env = (fn: Resource) =>
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // Assess
    expect(JSON.parse(env(dispatch).IR_SLACK_CHANNELS as string)).toEqual(FULL_CONFIG.slack!.channels);
    expect(JSON.parse(env(slack).IR_SLACK_RESPONDERS as string)).toEqual({
      userIds: ["U0000ALICE"],
      groupIds: ["S0000ONCALL"],
    });
    expect(JSON.parse(env(dispatch).IR_RESPONSE_CONFIG as string).containmentPolicy).toEqual(
      full.config.containmentPolicy,
    );
    expect(env(dispatch).IR_CONTAINMENT_EXTERNAL_ID).toBe("ir-test-external-id");
    expect(env(dispatch).IR_SECURITY_HUB_PRODUCT_ARN).toBe(
      "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
    );
  });

  it("deploys no Slack function, URL or secret without a Slack config", () => {
    // Assess
    minimal.home.resourceCountIs("AWS::Lambda::Function", FUNCTION_NAMES.length - 1);
    minimal.home.resourceCountIs("AWS::Lambda::Url", 0);
    minimal.home.resourceCountIs("AWS::SecretsManager::Secret", 0);
  });

  it("exposes Slack through a Function URL without IAM auth (the function verifies Slack's signature)", () => {
    // Act
    const [, url] = onlyResource(full.home, "AWS::Lambda::Url");
    const [slackId] = functionNamed(full.home, "slack");
    // Assess
    expect(url.Properties.AuthType).toBe("NONE");
    expect(url.Properties.TargetFunctionArn).toEqual({ "Fn::GetAtt": [slackId, "Arn"] });
  });
});

describe("EventBridge rules", () => {
  it("deploys one rule per core rule with the core pattern, verbatim", () => {
    // Prepare
    const core = buildRules(full.config.rules);
    // Act
    const deployed = resourcesOf(full.home, "AWS::Events::Rule").filter(([, r]) => r.Properties.EventPattern);
    // Assess
    expect(deployed).toHaveLength(core.length);
    for (const rule of core) {
      const match = deployed.find(([, r]) => r.Properties.Name === `ir-test-${rule.name}`);
      expect(match, rule.name).toBeDefined();
      expect(match![1].Properties.EventPattern, rule.name).toEqual(rule.pattern);
      expect(match![1].Properties.Description, rule.name).toBe(rule.description);
    }
  });

  it(
    "follows the config's thresholds",
    () => {
      // Prepare
      const synthesized = synthesize({
        ...MINIMAL_CONFIG,
        rules: { guardDutyMinSeverity: 7, securityHubMinLabel: "HIGH" },
      });
      // Act
      const guardDuty = resourcesOf(synthesized.home, "AWS::Events::Rule").find(
        ([, r]) => r.Properties.Name === "incident-response-guardduty-findings",
      )!;
      // Assess
      expect(guardDuty[1].Properties.EventPattern).toMatchObject({
        detail: { severity: [{ numeric: [">=", 7] }] },
      });
      expect(
        resourcesOf(synthesized.home, "AWS::Events::Rule").map(([, r]) => r.Properties.EventPattern),
      ).toEqual(
        expect.arrayContaining(
          buildRules({ guardDutyMinSeverity: 7, securityHubMinLabel: "HIGH" }).map((r) => r.pattern),
        ),
      );
    },
    SYNTH_TIMEOUT,
  );

  it("puts open-source patterns on the service's bus and AWS sources on the default bus", () => {
    // Act
    const [busId] = onlyResource(full.home, "AWS::Events::EventBus");
    const rules = resourcesOf(full.home, "AWS::Events::Rule").filter(([, r]) => r.Properties.EventPattern);
    // Assess
    for (const [, rule] of rules) {
      const pattern = rule.Properties.EventPattern as Json;
      expect(rule.Properties.EventBusName, String(rule.Properties.Name)).toEqual(
        pattern.source === undefined ? { Ref: busId } : "default",
      );
    }
  });

  it("gives every target a DLQ, a retry budget and an age limit, the sweep every minute", () => {
    // Act
    const rules = resourcesOf(full.home, "AWS::Events::Rule");
    const sweep = rules.find(([, r]) => r.Properties.ScheduleExpression !== undefined)!;
    // Assess
    for (const [id, rule] of rules)
      for (const target of rule.Properties.Targets as Json[]) {
        expect(target.DeadLetterConfig, id).toEqual({ Arn: expect.anything() });
        expect(target.RetryPolicy, id).toEqual({
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        });
      }
    expect(sweep[1].Properties.ScheduleExpression).toBe("rate(1 minute)");
  });
});

describe("failure paths", () => {
  it("ends every asynchronous invocation and stream record in a queue", () => {
    // Act
    const invokeConfigs = resourcesOf(full.home, "AWS::Lambda::EventInvokeConfig");
    const mappings = resourcesOf(full.home, "AWS::Lambda::EventSourceMapping");
    // Assess
    expect(invokeConfigs).toHaveLength(2);
    for (const [id, config] of invokeConfigs)
      expect(config.Properties.DestinationConfig, id).toEqual({
        OnFailure: { Destination: expect.anything() },
      });
    const stream = mappings.find(([, m]) =>
      JSON.stringify(m.Properties.EventSourceArn).includes("StreamArn"),
    )!;
    expect(stream[1].Properties.DestinationConfig).toEqual({ OnFailure: { Destination: expect.anything() } });
    expect(stream[1].Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(
      JSON.parse(
        (stream[1].Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern,
      ),
    ).toEqual({
      eventName: ["INSERT"],
      dynamodb: { NewImage: { entity: { S: ["command"] } } },
    });
  });

  it("alarms on every dead-letter queue and every function's errors, to the security topic", () => {
    // Prepare
    const [topicId] = onlyResource(full.home, "AWS::SNS::Topic");
    const queueIds = new Set<string>();
    for (const [id, queue] of resourcesOf(full.home, "AWS::SQS::Queue"))
      if (queue.Properties.FifoQueue !== true || queue.Properties.RedrivePolicy === undefined)
        queueIds.add(id);
    // Act
    const alarms = resourcesOf(full.home, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    const watching = (metric: string, dimension: unknown) =>
      alarms.filter(
        (a) =>
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)) &&
          JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: topicId }]),
      );
    // Assess
    for (const id of queueIds)
      expect(
        watching("ApproximateNumberOfMessagesVisible", { "Fn::GetAtt": [id, "QueueName"] }),
        id,
      ).toHaveLength(1);
    for (const name of FUNCTION_NAMES) {
      const [fnId] = functionNamed(full.home, name);
      expect(watching("Errors", { Ref: fnId }), name).toHaveLength(1);
    }
  });
});

describe("least privilege", () => {
  it("grants no wildcard action anywhere", () => {
    for (const synthesized of [minimal, full])
      for (const template of [
        synthesized.home,
        ...synthesized.members.map((m) => templateOf(synthesized, m.stackName)),
      ])
        for (const { owner, statement } of identityStatements(template))
          for (const action of asArray(statement.Action)) expect(action, owner).not.toContain("*");
  });

  it("uses Resource * only for actions AWS cannot scope", () => {
    for (const { owner, statement } of identityStatements(full.home)) {
      if (statement.Effect === "Deny" || !asArray(statement.Resource).includes("*")) continue;
      for (const action of asArray(statement.Action))
        expect(STAR_ONLY_ACTIONS, `${owner} ${action}`).toContain(action);
    }
  });

  it("limits Describe calls to the watched regions and scopes Security Hub to our hub and product", () => {
    // Act
    const statements = identityStatements(full.home).map((s) => s.statement);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    // Assess
    expect(bySid("DescribeForContainment").Condition).toEqual({
      StringEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] },
    });
    expect(bySid("ImportIncidentFindings").Resource).toEqual([
      "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
      "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default",
    ]);
    expect(bySid("AssumeMemberContainmentRoles").Resource).toEqual([
      "arn:aws:iam::222222222222:role/IncidentResponseContainment",
      "arn:aws:iam::333333333333:role/IncidentResponseContainment",
    ]);
  });

  it("gives the ingest function only the table and the queue", () => {
    // Prepare
    const [, ingest] = functionNamed(full.home, "ingest");
    const roleId = (ingest.Properties.Role as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0];
    // Act
    const actions = identityStatements(full.home)
      .filter(({ owner }) => owner.startsWith(roleId.replace(/[0-9A-F]{8}$/, "")))
      .flatMap(({ statement }) => asArray(statement.Action));
    // Assess
    expect(new Set(actions.map((a) => a.split(":")[0]))).toEqual(
      new Set(["logs", "xray", "sqs", "dynamodb"]),
    );
    expect(actions).not.toContain("dynamodb:Scan");
  });
});

describe("security topic", () => {
  it("encrypts with a rotated customer-managed key that lets CloudWatch alarms publish", () => {
    // Act
    const [, topic] = onlyResource(minimal.home, "AWS::SNS::Topic");
    const keyId = (topic.Properties.KmsMasterKeyId as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0];
    const key = minimal.home.toJSON().Resources[keyId];
    // Assess
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      }),
    );
  });

  it("dead-letters undeliverable pages and filters level-limited subscriptions", () => {
    // Act
    const subscriptions = resourcesOf(full.home, "AWS::SNS::Subscription").map(([, s]) => s.Properties);
    // Assess
    expect(subscriptions).toHaveLength(2);
    for (const subscription of subscriptions)
      expect(subscription.RedrivePolicy).toEqual({ deadLetterTargetArn: expect.anything() });
    expect(subscriptions.find((s) => s.Protocol === "https")!.FilterPolicy).toEqual({ target: ["on-call"] });
    expect(subscriptions.find((s) => s.Protocol === "email")!.FilterPolicy).toBeUndefined();
  });
});

describe("Security Hub and dashboard", () => {
  it("installs the contract's custom actions and an insight per phase", () => {
    // Act
    const actions = resourcesOf(full.home, "AWS::SecurityHub::ActionTarget").map(([, a]) => a.Properties);
    const insights = resourcesOf(full.home, "AWS::SecurityHub::Insight").map(([, i]) => i.Properties);
    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(
        Object.values(SECURITY_HUB_ACTIONS).map((a) => ({
          Id: a.id,
          Name: a.name,
          Description: a.description,
        })),
      ),
    );
    for (const phase of ACTIVE_PHASES)
      expect(insights, phase).toContainEqual(
        expect.objectContaining({
          GroupByAttribute: "SeverityLabel",
          Filters: expect.objectContaining({
            ProductFields: [{ Comparison: "EQUALS", Key: "ir/phase", Value: phase }],
            GeneratorId: [{ Comparison: "EQUALS", Value: "ir-test" }],
          }),
        }),
      );
  });

  it(
    "leaves Security Hub parts out when the config turns them off",
    () => {
      // Act
      const synthesized = synthesize({ ...MINIMAL_CONFIG, parts: { securityHub: false, dashboard: false } });
      // Assess
      synthesized.home.resourceCountIs("AWS::SecurityHub::ActionTarget", 0);
      synthesized.home.resourceCountIs("AWS::SecurityHub::Insight", 0);
      synthesized.home.resourceCountIs("AWS::CloudWatch::Dashboard", 0);
    },
    SYNTH_TIMEOUT,
  );

  it("charts every service metric on the dashboard", () => {
    // Act
    const [, dashboard] = onlyResource(full.home, "AWS::CloudWatch::Dashboard");
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    // Assess
    for (const metric of Object.values(SERVICE_METRICS))
      if (metric.name !== "IncidentsOpened")
        expect(body, metric.name).toContain(`MetricName=\\\\\\"${metric.name}\\\\\\"`);
    expect(body).toContain("ApproximateNumberOfMessagesVisible");
  });
});

describe("stacks", () => {
  it("uses the config's home account and region and names stacks after the service", () => {
    // Assess
    expect(full.service.account).toBe("111111111111");
    expect(full.service.region).toBe("us-east-1");
    expect(full.service.stackName).toBe("ir-test");
    expect(full.members.map((m) => m.stackName).sort()).toEqual([
      "ir-test-member-111111111111-eu-west-1",
      "ir-test-member-222222222222-eu-west-1",
      "ir-test-member-222222222222-us-east-1",
      "ir-test-member-333333333333-eu-west-1",
      "ir-test-member-333333333333-us-east-1",
    ]);
    expect(minimal.members).toEqual([]);
  });

  it("accepts forwarded events on the default bus from member accounts only", () => {
    // Act
    const policies = resourcesOf(full.home, "AWS::Events::EventBusPolicy").map(([, p]) => p.Properties);
    // Assess
    expect(policies.map((p) => (p.Statement as { Principal: Json }).Principal)).toEqual([
      { AWS: "arn:aws:iam::222222222222:root" },
      { AWS: "arn:aws:iam::333333333333:root" },
    ]);
    for (const policy of policies) expect(policy.EventBusName).toBe("default");
    minimal.home.resourceCountIs("AWS::Events::EventBusPolicy", 0);
  });

  it("has an output for the Slack request URL", () => {
    full.home.hasOutput("*", {
      Description: Match.stringLikeRegexp("Slack app"),
      Value: { "Fn::GetAtt": [Match.anyValue(), "FunctionUrl"] },
    });
  });
});

describe("names", () => {
  it("fit EventBridge's 64 characters for the longest service name and every core rule", () => {
    // Prepare
    const longest = "a".repeat(SERVICE_NAME_MAX);
    // Act
    const names = buildRules({ guardDutyMinSeverity: 4 }).map((rule) => deployedRuleName(longest, rule));
    // Assess
    for (const name of names) expect(name.length, name).toBeLessThanOrEqual(RULE_NAME_MAX);
    expect(() => parseDeploymentConfig({ ...MINIMAL_CONFIG, serviceName: `${longest}a` })).toThrow(
      /serviceName/,
    );
  });
});
