/**
 * Synthesizes the service for tests: real stacks from a config, bundling skipped (the bundles have their
 * own test), an explicit dummy account in every config, no AWS credentials needed. Entry points that
 * functions/ has not written yet are replaced by a stub handler, so infra can be checked on its own.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import {
  type DeploymentConfig,
  type DeploymentConfigInput,
  parseDeploymentConfig,
} from "../../../core/config/deployment-config";
import type { FunctionName } from "../../../core/contracts/function-env";
import { buildApp, type ServiceApp } from "../../../infra/build-app";
import { entryOf } from "../../../infra/bundling";

export const STUB_HANDLER = fileURLToPath(new URL("./stub-handler.ts", import.meta.url));

export const entryOrStub = (name: FunctionName): string =>
  existsSync(entryOf(name)) ? entryOf(name) : STUB_HANDLER;

export const HOME = { account: "111111111111", region: "us-east-1" } as const;

export interface Synthesized extends ServiceApp {
  app: App;
  config: DeploymentConfig;
  home: Template;
}

export function synthesize(input: DeploymentConfigInput): Synthesized {
  const config = parseDeploymentConfig(input);
  // An empty bundling-stacks list skips asset bundling: NodejsFunction still checks its entry exists.
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const built = buildApp(app, config, { entryFor: entryOrStub });
  return { ...built, app, config, home: Template.fromStack(built.service) };
}

/** The smallest valid config: no Slack, no member accounts, no CIS trail. */
export const MINIMAL_CONFIG: DeploymentConfigInput = { home: HOME };

/** Everything on: Slack, two member accounts, a second region, forwarding, the CIS trail. */
export const FULL_CONFIG: DeploymentConfigInput = {
  serviceName: "ir-test",
  home: HOME,
  regions: ["eu-west-1"],
  memberAccounts: [{ account: "222222222222" }, { account: "333333333333", name: "staging" }],
  slack: {
    channels: { default: "C0000DEFAULT", CRITICAL: "C0000CRITICAL" },
    responders: [{ id: "alice", slackUserId: "U0000ALICE" }],
    responderGroups: ["S0000ONCALL"],
    mentions: { "on-call": "S0000ONCALL" },
  },
  escalation: {
    subscriptions: [
      { protocol: "email", endpoint: "oncall@example.com" },
      { protocol: "https", endpoint: "https://pager.example.com/hook", levels: ["on-call"] },
    ],
  },
  containment: { externalId: "ir-test-external-id" },
  guardDuty: { archiveFalsePositives: true },
  runbookBaseUrl: "https://example.com/ir",
  parts: { cisCloudTrail: true, eventForwarding: true },
};
