/**
 * Security Hub parts: the custom actions people use from the console ("Open incident", "Isolate
 * instance", core/contracts/securityhub-actions.ts) and insights over the service's own incident
 * findings (adapters/securityhub/incident-finding.ts): all open incidents by severity, one insight per
 * phase through the `ir/phase` ProductFields key, and the source findings the service is handling.
 * The custom-action events reach ingest through the core rule `securityhub-custom-actions`.
 */
import * as securityhub from "aws-cdk-lib/aws-securityhub";
import { Construct } from "constructs";
import { SECURITY_HUB_ACTIONS } from "../../core/contracts/securityhub-actions";
import { ACTIVE_PHASES } from "../../core/incident/phases";
import { pascal } from "../naming";

/** ProductFields keys of the incident finding (kept equal to the adapter's by a test). */
export const INCIDENT_PRODUCT_FIELDS = { phase: "ir/phase", severity: "ir/severity" } as const;

const equals = (value: string) => [{ comparison: "EQUALS", value }];

export interface SecurityHubPartsProps {
  serviceName: string;
}

export class SecurityHubParts extends Construct {
  readonly actions: Record<string, securityhub.CfnActionTarget> = {};
  readonly insights: securityhub.CfnInsight[] = [];

  constructor(scope: Construct, id: string, props: SecurityHubPartsProps) {
    super(scope, id);
    for (const [key, action] of Object.entries(SECURITY_HUB_ACTIONS)) {
      this.actions[key] = new securityhub.CfnActionTarget(this, pascal(key), {
        id: action.id,
        name: action.name,
        description: action.description,
      });
    }
    const ours = { generatorId: equals(props.serviceName), recordState: equals("ACTIVE") };
    const insight = (
      id: string,
      name: string,
      filters: securityhub.CfnInsight.AwsSecurityFindingFiltersProperty,
      groupBy: string,
    ) =>
      this.insights.push(
        new securityhub.CfnInsight(this, id, {
          name: `${props.serviceName}: ${name}`,
          filters,
          groupByAttribute: groupBy,
        }),
      );

    insight("OpenBySeverity", "open incidents by severity", ours, "SeverityLabel");
    for (const phase of ACTIVE_PHASES)
      insight(
        `${pascal(phase)}BySeverity`,
        `incidents in ${phase}, by severity`,
        {
          ...ours,
          productFields: [{ comparison: "EQUALS", key: INCIDENT_PRODUCT_FIELDS.phase, value: phase }],
        },
        "SeverityLabel",
      );
    insight(
      "HandledFindingsByResource",
      "findings under incident response, by resource",
      {
        noteUpdatedBy: equals(props.serviceName),
        recordState: equals("ACTIVE"),
        workflowStatus: equals("NOTIFIED"),
      },
      "ResourceId",
    );
  }
}
