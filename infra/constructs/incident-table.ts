/**
 * The incident table, built from its contract (core/contracts/incident-table.ts) so the deployed table,
 * the adapter and the tests' dynalite table cannot drift: keys, sparse GSIs, TTL and stream come from
 * there. Production settings: point-in-time recovery, deletion protection, RETAIN, AWS-managed KMS
 * encryption (SSE with the aws/dynamodb key; no key policy to maintain, every read still audited).
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { INCIDENT_TABLE } from "../../core/contracts/incident-table";

const attribute = (key: { name: string; type: "S" | "N" }): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === "S" ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

const STREAM_VIEW: Record<typeof INCIDENT_TABLE.streamViewType, dynamodb.StreamViewType> = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
};

export class IncidentTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: attribute(INCIDENT_TABLE.partitionKey),
      sortKey: attribute(INCIDENT_TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: STREAM_VIEW[INCIDENT_TABLE.streamViewType],
      timeToLiveAttribute: INCIDENT_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    for (const index of INCIDENT_TABLE.globalSecondaryIndexes) {
      const projection = index.projection;
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        ...(projection.type === "INCLUDE"
          ? {
              projectionType: dynamodb.ProjectionType.INCLUDE,
              nonKeyAttributes: [...projection.nonKeyAttributes],
            }
          : { projectionType: dynamodb.ProjectionType[projection.type] }),
      });
    }
  }

  /** Each index's ARN, named: grants list them instead of `<table>/index/*`. */
  get indexArns(): string[] {
    return INCIDENT_TABLE.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.name}`);
  }
}
