/**
 * The AWS clients the dispatcher's capabilities call (capabilities.ts), each built on first use: a
 * deployment without an alert topic never builds an SNS client. GuardDuty detectors are regional, so
 * there is one GuardDuty client per region. Containment builds its own clients per target account and
 * region (adapters/containment/clients.ts).
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { GuardDutyClient } from "@aws-sdk/client-guardduty";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { guardDutySdk } from "../../adapters/guardduty/sdk";
import { CLIENT_OPTIONS, containerClient } from "../shared/clients/options";
import { secretsManagerClient } from "../shared/clients/secrets-manager";

export interface DispatchClients {
  readonly sns: SNSClient;
  readonly securityHub: SecurityHubClient;
  readonly eventBridge: EventBridgeClient;
  readonly secretsManager: SecretsManagerClient;
  /** Built on first use, from the SDK imported on first use (adapters/guardduty/sdk.ts). */
  guardDuty(region: string): Promise<GuardDutyClient>;
}

export function createDispatchClients(): DispatchClients {
  const sns = containerClient(() => new SNSClient(CLIENT_OPTIONS));
  const securityHub = containerClient(() => new SecurityHubClient(CLIENT_OPTIONS));
  const eventBridge = containerClient(() => new EventBridgeClient(CLIENT_OPTIONS));
  const guardDuty = new Map<string, Promise<GuardDutyClient>>();
  return {
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
      return secretsManagerClient();
    },
    guardDuty(region) {
      let client = guardDuty.get(region);
      if (!client) {
        client = guardDutySdk().then(
          ({ GuardDutyClient }) => new GuardDutyClient({ ...CLIENT_OPTIONS, region }),
        );
        guardDuty.set(region, client);
      }
      return client;
    },
  };
}
