/**
 * cdk-nag's AwsSolutions and Serverless packs over every stack of several configs: no unacknowledged
 * finding (error or warning), and every acknowledgement says why. The last tests show the check is live:
 * an unexplained wildcard is reported, and a grant cannot even be written without its reason.
 */
import { readFileSync } from "node:fs";
import { App, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import type { DeploymentConfigInput } from "../../core/config/deployment-config";
import { addNagChecks, nagPacks } from "../../infra/build-app";
import { MIN_REASON_LENGTH } from "../../infra/nag";
import { applyGrants } from "../../infra/policy";
import { FULL_CONFIG, MINIMAL_CONFIG, type Synthesized, synthesize } from "./support/synth";

const SYNTH_TIMEOUT = 180_000;
const EXAMPLE = JSON.parse(readFileSync(new URL("../../config/example.json", import.meta.url), "utf8"));

const CONFIGS: Record<string, DeploymentConfigInput> = {
  minimal: MINIMAL_CONFIG,
  full: FULL_CONFIG,
  example: EXAMPLE,
};

const synthesized: Record<string, Synthesized> = {};

beforeAll(() => {
  for (const [name, config] of Object.entries(CONFIGS)) synthesized[name] = synthesize(config);
}, SYNTH_TIMEOUT);

function findings(scope: IConstruct): string[] {
  return nagPacks().flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) =>
        v.violatingResources.map(
          (r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`,
        ),
      ),
  );
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe.each(Object.keys(CONFIGS))("the %s config", (name) => {
  it("leaves no unacknowledged AwsSolutions or Serverless finding in any stack", () => {
    // Prepare
    const { service, members } = synthesized[name]!;
    // Act
    const reported = [service, ...members].flatMap((stack) => findings(stack));
    // Assess
    expect(reported).toEqual([]);
  });

  it("gives every acknowledgement a reason that says why", () => {
    // Act
    const all = acknowledgements(synthesized[name]!.app);
    // Assess
    expect(all.length).toBeGreaterThan(0);
    for (const { path, id, reason } of all)
      expect(reason.trim().length, `${id} at ${path}`).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
  });
});

describe("the check itself", () => {
  it("reports a wildcard nobody explained", () => {
    // Prepare
    const stack = new Stack(new App(), "Probe");
    const role = new iam.Role(stack, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: ["*"] }));
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assess
    expect(report.violations.map((v) => v.ruleName)).toContain("AwsSolutions-IAM5[Resource::*]");
  });

  it("stops synthesis of an app with an unacknowledged finding", () => {
    // Prepare
    const app = new App();
    const role = new iam.Role(new Stack(app, "Probe"), "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: ["*"] }));
    addNagChecks(app);
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  it("accepts the same wildcard once a grant explains it, and refuses a grant that does not", () => {
    // Prepare
    const stack = new Stack(new App(), "Probe");
    const role = new iam.Role(stack, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    const grant = { sid: "Probe", actions: ["sqs:SendMessage"], resources: ["*"] };
    // Act
    const unexplained = () => applyGrants(role, role, [grant]);
    applyGrants(role, role, [
      { ...grant, wildcardReason: "the queue is named by the caller at run time, nothing to scope" },
    ]);
    // Assess
    expect(unexplained).toThrow(/wildcard without saying why/);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
