/** The container's Secrets Manager client (the Slack secret): slack and dispatch read it. */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS, containerClient } from "./options";

export const secretsManagerClient = containerClient(() => new SecretsManagerClient(CLIENT_OPTIONS));
