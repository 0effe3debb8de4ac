/**
 * The member-account stacks: the containment role trusts only the dispatch role with the ExternalId and
 * may do only what containment does; forwarders carry the core patterns to the home bus.
 */
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildRules } from "../../core/rules/rules";
import { busKindOf } from "../../infra/constructs/event-rules";
import { CONTAINMENT_ACTIONS } from "../../infra/containment-grants";
import { FULL_CONFIG, type Synthesized, synthesize } from "./support/synth";

let full: Synthesized;
const templateOf = (stackName: string) =>
  Template.fromStack(full.members.find((member) => member.stackName === stackName)!);

beforeAll(() => {
  full = synthesize(FULL_CONFIG);
}, 120_000);

type Json = Record<string, unknown>;
const resources = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as { Properties: Json }[];

describe("containment role", () => {
  it("exists once per member account, in the home region only", () => {
    // Act
    const withRole = full.members.filter((m) => m.role !== undefined).map((m) => m.stackName);
    // Assess
    expect(withRole.sort()).toEqual([
      "ir-test-member-222222222222-us-east-1",
      "ir-test-member-333333333333-us-east-1",
    ]);
  });

  it("trusts only the dispatch role, and only with the ExternalId", () => {
    // Act
    const [role] = resources(templateOf("ir-test-member-222222222222-us-east-1"), "AWS::IAM::Role").filter(
      (r) => r.Properties.RoleName === "IncidentResponseContainment",
    );
    // Assess
    expect(role!.Properties.AssumeRolePolicyDocument).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: "arn:aws:iam::111111111111:role/ir-test-dispatch" },
          Condition: { StringEquals: { "sts:ExternalId": "ir-test-external-id" } },
        },
      ],
    });
    expect(role!.Properties.MaxSessionDuration).toBe(3600);
  });

  it("allows exactly the containment actions (plus PassRole to restore a profile), scoped to its account", () => {
    // Prepare
    const template = templateOf("ir-test-member-333333333333-us-east-1");
    // Act
    const statements = resources(template, "AWS::IAM::Policy")
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('"Ref":"ContainmentRole'))
      .flatMap(
        (p) =>
          (
            p.Properties.PolicyDocument as {
              Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
            }
          ).Statement,
      );
    const allowed = statements.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
    // Assess
    expect(new Set(allowed)).toEqual(new Set([...CONTAINMENT_ACTIONS, "iam:PassRole"]));
    for (const statement of statements)
      for (const resource of [statement.Resource].flat())
        if (resource !== "*")
          expect(String(resource)).toMatch(
            /^arn:aws:(ec2:(us-east-1|eu-west-1):(333333333333)?:|iam::333333333333:)/,
          );
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: "NeverTouchProtectedResources", Effect: "Deny", Resource: "*" }),
    );
  });
});

describe("event forwarding", () => {
  it("forwards every default-bus core rule, verbatim, to the home default bus with a DLQ", () => {
    // Prepare
    const expected = buildRules(full.config.rules).filter((rule) => busKindOf(rule) === "default");
    // Act
    const rules = resources(templateOf("ir-test-member-111111111111-eu-west-1"), "AWS::Events::Rule");
    // Assess
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(expected.map((rule) => rule.pattern));
    for (const rule of rules) {
      const [target] = rule.Properties.Targets as Json[];
      expect(target!.Arn).toBe("arn:aws:events:us-east-1:111111111111:event-bus/default");
      expect(target!.DeadLetterConfig).toEqual({ Arn: expect.anything() });
      expect(target!.RoleArn).toBeDefined();
    }
  });

  it("lets the forwarding role put events on the home bus only", () => {
    // Act
    const statements = resources(
      templateOf("ir-test-member-222222222222-eu-west-1"),
      "AWS::IAM::Policy",
    ).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    // Assess
    expect(statements).toEqual([
      expect.objectContaining({
        Action: "events:PutEvents",
        Resource: "arn:aws:events:us-east-1:111111111111:event-bus/default",
      }),
    ]);
  });

  it("alarms when its dead-letter queue holds anything", () => {
    // Act
    const alarms = resources(templateOf("ir-test-member-222222222222-eu-west-1"), "AWS::CloudWatch::Alarm");
    // Assess
    expect(alarms).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          MetricName: "ApproximateNumberOfMessagesVisible",
          Threshold: 0,
        }),
      }),
    ]);
  });
});
