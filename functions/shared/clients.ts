/**
 * AWS SDK clients, built once per container and only when first used (a function that never pages never
 * pays for an SNS client). Construction does no I/O: region and credentials resolve on the first call.
 *
 * Every client gets finite timeouts: a hung connection must fail the call (and let the event source retry)
 * long before the function's own timeout, never eat it silently.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export const CONNECTION_TIMEOUT_MS = 2_000;
export const REQUEST_TIMEOUT_MS = 10_000;

const common = {
  requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  maxAttempts: 3,
};

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly securityHub: SecurityHubClient;
  readonly eventBridge: EventBridgeClient;
  readonly secretsManager: SecretsManagerClient;
  /** GuardDuty detectors are regional: one client per region. */
  guardDuty(region: string): GuardDutyClient;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

export function createAwsClients(): AwsClients {
  const dynamodb = lazy(() => new DynamoDBClient(common));
  const sqs = lazy(() => new SQSClient(common));
  const sns = lazy(() => new SNSClient(common));
  const securityHub = lazy(() => new SecurityHubClient(common));
  const eventBridge = lazy(() => new EventBridgeClient(common));
  const secretsManager = lazy(() => new SecretsManagerClient(common));
  const guardDuty = new Map<string, GuardDutyClient>();
  return {
    get dynamodb() {
      return dynamodb();
    },
    get sqs() {
      return sqs();
    },
    get sns() {
      return sns();
    },
    get securityHub() {
      return securityHub();
    },
    get eventBridge() {
      return eventBridge();
    },
    get secretsManager() {
      return secretsManager();
    },
    guardDuty(region: string) {
      let client = guardDuty.get(region);
      if (!client) {
        client = new GuardDutyClient({ ...common, region });
        guardDuty.set(region, client);
      }
      return client;
    },
  };
}

/** The container's clients. */
export const awsClients: AwsClients = createAwsClients();
