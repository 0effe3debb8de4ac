/**
 * The Slack credentials (bot token, signing secret) from Secrets Manager, read once per container and kept
 * for `maxAgeMs` (so a rotated secret is picked up without a redeploy).
 *
 * Invariants:
 * - The secret is JSON `{ "botToken": "xoxb-…", "signingSecret": "…" }`; anything else is an error that
 *   names the secret and the missing key — never a value.
 * - Concurrent callers share one GetSecretValue; a failed read is not cached (the next call tries again).
 * - Nothing here logs.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { SLACK_SECRET_KEYS } from "./env-names";

export interface SlackSecrets {
  botToken: string;
  signingSecret: string;
}

// The keys are the contract infra creates the secret with (core/contracts/function-env.ts).
const slackSecretsSchema = z
  .object({
    [SLACK_SECRET_KEYS.botToken]: z.string().trim().min(1),
    [SLACK_SECRET_KEYS.signingSecret]: z.string().trim().min(1),
  })
  .transform((secret): SlackSecrets => ({ botToken: secret.botToken, signingSecret: secret.signingSecret }));

export class SecretError extends Error {
  override readonly name = "SecretError";
}

export const DEFAULT_SECRET_MAX_AGE_MS = 15 * 60_000;

export interface SecretSource<T> {
  get(): Promise<T>;
}

export function slackSecretsFrom(
  client: SecretsManagerClient,
  secretId: string,
  options: { maxAgeMs?: number; now?: () => number } = {},
): SecretSource<SlackSecrets> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SECRET_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  let cached: { value: Promise<SlackSecrets>; at: number } | undefined;

  async function read(): Promise<SlackSecrets> {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined) throw new SecretError(`secret ${secretId} has no SecretString`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(SecretString);
    } catch {
      throw new SecretError(`secret ${secretId} is not JSON {"botToken": …, "signingSecret": …}`);
    }
    const result = slackSecretsSchema.safeParse(parsed);
    if (!result.success) {
      const keys = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? "(root)")))];
      throw new SecretError(`secret ${secretId} lacks a non-empty ${keys.join(", ")}`);
    }
    return result.data;
  }

  return {
    get() {
      const at = now();
      if (!cached || at - cached.at >= maxAgeMs) {
        const value = read();
        cached = { value, at };
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}
