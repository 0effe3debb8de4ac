/**
 * The deployment config schema: defaults, refusals with paths, and the runtime values derived from it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  channelFor,
  DeploymentConfigError,
  type DeploymentConfigInput,
  parseDeploymentConfig,
  responseConfigOf,
  slackRespondersOf,
  watchedAccounts,
  watchedRegions,
} from "../../../core/config/deployment-config";
import { SEVERITY_LABELS } from "../../../core/findings/severity";
import { ACTIVE_PHASES } from "../../../core/incident/phases";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../../../core/incident/sla-policy";

const HOME = { account: "111111111111", region: "us-east-1" };
const SLACK = {
  channels: { default: "C0000DEFAULT" },
  responders: [{ id: "alice", slackUserId: "U0000ALICE" }],
};

const problemsOf = (input: unknown): string[] => {
  try {
    parseDeploymentConfig(input);
  } catch (error) {
    if (error instanceof DeploymentConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe("parseDeploymentConfig", () => {
  it("fills every default from a file that names only the home account", () => {
    // Act
    const config = parseDeploymentConfig({ home: HOME });
    // Assess
    expect(config.serviceName).toBe("incident-response");
    expect(config.slack).toBeUndefined();
    expect(config.slaPolicy).toEqual(DEFAULT_SLA_POLICY);
    expect(config.containmentPolicy.mode).toBe("approval");
    expect(config.containment.roleName).toBe("IncidentResponseContainment");
    expect(config.parts).toEqual({
      securityHub: true,
      dashboard: true,
      cisCloudTrail: false,
      memberAccountStacks: true,
      eventForwarding: false,
    });
    expect(watchedRegions(config)).toEqual(["us-east-1"]);
    expect(watchedAccounts(config)).toEqual(["111111111111"]);
  });

  it.each<[string, unknown, RegExp]>([
    ["a missing home", {}, /^home: /],
    ["an unknown key", { home: HOME, slak: {} }, /slak/],
    [
      "a short account id",
      { home: { ...HOME, account: "1234" } },
      /^home\.account: an AWS account id is 12 digits/,
    ],
    ["a bad region", { home: { ...HOME, region: "Europe" } }, /^home\.region: /],
    ["an upper-case service name", { home: HOME, serviceName: "IR" }, /^serviceName: /],
    [
      "the home region listed again",
      { home: HOME, regions: ["us-east-1"] },
      /^regions\[0\]: region us-east-1 is listed twice/,
    ],
    [
      "the home account as a member",
      { home: HOME, memberAccounts: [{ account: HOME.account }], containment: { externalId: "abc123" } },
      /^memberAccounts\[0\]\.account: the home account is not a member account/,
    ],
    [
      "member accounts without an ExternalId",
      { home: HOME, memberAccounts: [{ account: "222222222222" }] },
      /^containment\.externalId: member accounts need an externalId/,
    ],
    [
      "Slack without runbook links",
      { home: HOME, slack: SLACK },
      /^runbookBaseUrl: Slack messages link runbooks/,
    ],
    [
      "Slack with nobody allowed to act",
      { home: HOME, runbookBaseUrl: "https://x.example", slack: { channels: SLACK.channels } },
      /^slack\.responders: name who may act/,
    ],
    [
      "a channel name instead of an id",
      {
        home: HOME,
        runbookBaseUrl: "https://x.example",
        slack: { ...SLACK, channels: { default: "#security" } },
      },
      /^slack\.channels\.default: a Slack channel id/,
    ],
    [
      "a mention for an unknown escalation level",
      {
        home: HOME,
        runbookBaseUrl: "https://x.example",
        slack: { ...SLACK, mentions: { pager: "U0000ALICE" } },
      },
      /^slack\.mentions\.pager: unknown escalation level pager/,
    ],
    [
      "a subscription for an unknown level",
      {
        home: HOME,
        escalation: { subscriptions: [{ protocol: "email", endpoint: "a@b.c", levels: ["ciso"] }] },
      },
      /^escalation\.subscriptions\[0\]\.levels\[0\]: unknown escalation level ciso/,
    ],
    ["an http runbook URL", { home: HOME, runbookBaseUrl: "http://x.example" }, /^runbookBaseUrl: /],
    [
      "a log retention CloudWatch does not offer",
      { home: HOME, logRetentionDays: 100 },
      /^logRetentionDays: one of/,
    ],
  ])("refuses %s, naming where", (_case, input, problem) => {
    // Act
    const problems = problemsOf(input);
    // Assess
    expect(
      problems.some((p) => problem.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("throws nothing but DeploymentConfigError for arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ home: fc.jsonValue(), slack: fc.jsonValue() })),
        (input) => {
          try {
            parseDeploymentConfig(input);
          } catch (error) {
            expect(error).toBeInstanceOf(DeploymentConfigError);
          }
        },
      ),
    );
  });
});

describe("runtime values", () => {
  it("picks the severity's own channel, else the default", () => {
    // Prepare
    const config = parseDeploymentConfig({
      home: HOME,
      runbookBaseUrl: "https://x.example",
      slack: { ...SLACK, channels: { default: "C0000DEFAULT", CRITICAL: "C000CRITICAL" } },
    });
    // Act / Assess
    expect(channelFor(config, "CRITICAL")).toBe("C000CRITICAL");
    expect(channelFor(config, "LOW")).toBe("C0000DEFAULT");
    expect(channelFor(parseDeploymentConfig({ home: HOME }), "LOW")).toBeUndefined();
  });

  it("lists the responders' Slack ids and groups for the Slack function", () => {
    // Prepare
    const config = parseDeploymentConfig({
      home: HOME,
      runbookBaseUrl: "https://x.example",
      slack: { ...SLACK, responderGroups: ["S0000ONCALL"] },
    });
    // Act / Assess
    expect(slackRespondersOf(config.slack!)).toEqual({ userIds: ["U0000ALICE"], groupIds: ["S0000ONCALL"] });
  });

  it("sends only the SLA budgets that differ from the plan, and they parse back to the same policy", () => {
    // Prepare
    const minutes = fc.integer({ min: 1, max: 10_000 });
    const overrides = fc.dictionary(
      fc.constantFrom(...SEVERITY_LABELS),
      fc.dictionary(fc.constantFrom(...ACTIVE_PHASES), minutes),
    );
    fc.assert(
      fc.property(overrides, (budgets) => {
        const input: DeploymentConfigInput = { home: HOME, slaPolicy: { mode: "per-phase", budgets } };
        const config = parseDeploymentConfig(input);
        // Act
        const sent = responseConfigOf(config);
        // Assess
        expect(slaPolicySchema.parse(sent.slaPolicy)).toEqual(config.slaPolicy);
        for (const [label, phases] of Object.entries(sent.slaPolicy.budgets))
          for (const [phase, value] of Object.entries(phases ?? {}))
            expect(value).not.toBe(
              DEFAULT_SLA_POLICY.budgets[label as keyof typeof DEFAULT_SLA_POLICY.budgets][phase as "detect"],
            );
      }),
    );
  });

  it("keeps the whole response config small for a default policy", () => {
    // Act
    const sent = JSON.stringify(responseConfigOf(parseDeploymentConfig({ home: HOME })));
    // Assess
    expect(JSON.parse(sent).slaPolicy.budgets).toEqual({});
    expect(sent.length).toBeLessThan(300);
  });
});
