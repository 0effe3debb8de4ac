/**
 * The stacks one config deploys: the service in its home account and region, and a member-account
 * stack wherever the config needs one (a containment role per member account, forwarders per watched
 * account and region). No stack reads another's outputs: they agree on names derived from the config,
 * so each synthesizes alone, offline, without credentials.
 */
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { type DeploymentConfig, watchedAccounts, watchedRegions } from "../core/config/deployment-config";
import type { FunctionName } from "../core/contracts/function-env";
import { IncidentResponseStack } from "./stacks/incident-response-stack";
import { MemberAccountStack } from "./stacks/member-account-stack";

export interface BuildOptions {
  entryFor?: (name: FunctionName) => string;
}

export interface ServiceApp {
  service: IncidentResponseStack;
  members: MemberAccountStack[];
}

interface MemberPlacement {
  account: string;
  region: string;
  containmentRole: boolean;
  forwardEvents: boolean;
}

/** Where member-account stacks go: one per (account, region) that needs a role or forwarders. */
export function memberPlacements(config: DeploymentConfig): MemberPlacement[] {
  const placements: MemberPlacement[] = [];
  const members = new Set(config.memberAccounts.map((member) => member.account));
  for (const account of watchedAccounts(config)) {
    for (const region of watchedRegions(config)) {
      const isHome = account === config.home.account && region === config.home.region;
      const containmentRole =
        config.parts.memberAccountStacks && members.has(account) && region === config.home.region;
      const forwardEvents = config.parts.eventForwarding && !isHome;
      if (containmentRole || forwardEvents)
        placements.push({ account, region, containmentRole, forwardEvents });
    }
  }
  return placements;
}

export const serviceStackName = (config: DeploymentConfig): string => config.serviceName;
export const memberStackName = (config: DeploymentConfig, account: string, region: string): string =>
  `${config.serviceName}-member-${account}-${region}`;

export function buildApp(app: App, config: DeploymentConfig, options: BuildOptions = {}): ServiceApp {
  const service = new IncidentResponseStack(app, serviceStackName(config), {
    env: { account: config.home.account, region: config.home.region },
    description: `${config.serviceName}: security incident response (EventBridge → Lambda → SQS FIFO → DynamoDB)`,
    config,
    ...(options.entryFor ? { entryFor: options.entryFor } : {}),
  });
  const members = memberPlacements(config).map(
    (placement) =>
      new MemberAccountStack(app, memberStackName(config, placement.account, placement.region), {
        env: { account: placement.account, region: placement.region },
        description: `${config.serviceName}: containment role and/or event forwarding for ${placement.account}/${placement.region}`,
        config,
        containmentRole: placement.containmentRole,
        forwardEvents: placement.forwardEvents,
      }),
  );
  return { service, members };
}

/** The rule packs every synth runs; an unacknowledged finding stops synthesis. */
export const nagPacks = () => [new AwsSolutionsChecks(), new ServerlessChecks()];

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks());
}
