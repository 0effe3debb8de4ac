/**
 * Factories for what adapters receive in command params: an IncidentView (valid by default, every field
 * overridable, its clocks consistent with `openedAt` and the contain phase), pageOnCall params, and
 * Security Hub finding refs.
 *
 * (Reconstructed by the Slack ChatOps session after it overwrote this file by mistake: the values are the
 * ones the SNS and Security Hub tests assert on.)
 */
import type { CommandParams, IncidentView, SecurityHubRef } from "../../core/incident/commands";

export const OPENED_AT = "2024-05-01T12:00:00.000Z";

export function makeIncidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    incidentId: "IR-0001",
    title: "UnauthorizedAccess:EC2/TorRelay on i-0abc1234",
    severity: "CRITICAL",
    score: 95,
    phase: "contain",
    runbookId: "ec2-compromise",
    category: "ec2-compromise",
    correlationKey: "123456789012:us-east-1:ec2-instance:i-0abc1234",
    accountId: "123456789012",
    region: "us-east-1",
    openedAt: OPENED_AT,
    owner: "alice",
    acknowledgedBy: "alice",
    containment: "awaiting-approval",
    findingCount: 3,
    // Critical budgets from T0 = OPENED_AT: detected and assessed in time, containment due at T0+1 h.
    clocks: [
      {
        phase: "detect",
        warnAt: "2024-05-01T12:12:00.000Z",
        deadline: "2024-05-01T12:15:00.000Z",
        state: "met",
      },
      {
        phase: "assess",
        warnAt: "2024-05-01T12:24:00.000Z",
        deadline: "2024-05-01T12:30:00.000Z",
        state: "met",
      },
      {
        phase: "contain",
        warnAt: "2024-05-01T12:48:00.000Z",
        deadline: "2024-05-01T13:00:00.000Z",
        state: "running",
      },
    ],
    breaches: [],
    resources: [{ type: "ec2-instance", id: "i-0abc1234" }],
    resourceCount: 1,
    ...overrides,
  };
}

export function makePageParams(
  overrides: Partial<CommandParams<"pageOnCall">> = {},
): CommandParams<"pageOnCall"> {
  return {
    level: 1,
    target: "security-lead",
    reason: "sla-breached",
    phase: "contain",
    deadline: "2024-05-01T13:00:00.000Z",
    incident: makeIncidentView(),
    ...overrides,
  };
}

/** `count` distinct GuardDuty findings as Security Hub knows them. */
export function makeSecurityHubRefs(count: number): SecurityHubRef[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${String(i).padStart(32, "0")}`,
    productArn: "arn:aws:securityhub:us-east-1::product/aws/guardduty",
  }));
}
