/**
 * Pieces the handler tests share: findings of a real fixture (as ingest would queue them), and the
 * DynamoDB store / quarantine on a fresh dynalite table.
 */
import { DynamoDbIncidentStore } from "../../../adapters/dynamodb/incident-store";
import { DynamoDbQuarantine } from "../../../adapters/dynamodb/quarantine";
import { explain } from "../../../core/explain";
import type { Finding } from "../../../core/findings/finding";
import type { Dynalite } from "../../support/dynalite";
import { loadFixture } from "../../support/fixtures";

export const GUARDDUTY_EVENT =
  "guardduty/eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json";
export const SIGNIN_EVENT =
  "cloudtrail/eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json";

/** The findings a fixture's EventBridge event yields (what ingest puts on the queue). */
export function findingsOf(fixture: string): Finding[] {
  const event = loadFixture(fixture);
  const { results } = explain(JSON.stringify(event), { rawRef: event.id, ownSource: "incident-response" });
  return results.flatMap((r) => r.findings);
}

export function firstFindingOf(fixture: string): Finding {
  const [finding] = findingsOf(fixture);
  if (!finding) throw new Error(`${fixture} yields no finding`);
  return finding;
}

export async function freshTable(dynalite: Dynalite, now: string) {
  const tableName = await dynalite.createTable();
  return {
    tableName,
    store: new DynamoDbIncidentStore({ client: dynalite.client, tableName }),
    quarantine: new DynamoDbQuarantine({
      client: dynalite.client,
      tableName,
      retentionDays: 1,
      now: () => new Date(now),
    }),
  };
}
