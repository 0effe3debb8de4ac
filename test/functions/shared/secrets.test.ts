/**
 * Slack secrets from Secrets Manager: one read per container (shared by concurrent callers), re-read after
 * maxAge, a failed read not cached, and errors that name the secret and the key but never a value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { SecretError, slackSecretsFrom } from "../../../functions/shared/secrets";

const client = new SecretsManagerClient({ region: "us-east-1" });
const secrets = mockClient(client);
const SECRET = { botToken: "xoxb-1-secret-token", signingSecret: "shh-signing" };

beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET) });
});

describe("Slack secrets", () => {
  it("reads the secret once for concurrent and later callers", async () => {
    // Prepare
    const source = slackSecretsFrom(client, "ir/slack");

    // Act
    const [a, b] = await Promise.all([source.get(), source.get()]);
    const c = await source.get();

    // Assess
    expect(a).toEqual(SECRET);
    expect(b).toEqual(SECRET);
    expect(c).toEqual(SECRET);
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([
      { SecretId: "ir/slack" },
    ]);
  });

  it("reads it again once it is older than maxAge (rotation)", async () => {
    // Prepare
    let now = 0;
    const source = slackSecretsFrom(client, "ir/slack", { maxAgeMs: 1000, now: () => now });
    await source.get();
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ ...SECRET, botToken: "xoxb-2" }) });

    // Act
    now = 999;
    const cached = await source.get();
    now = 1000;
    const rotated = await source.get();

    // Assess
    expect(cached.botToken).toBe(SECRET.botToken);
    expect(rotated.botToken).toBe("xoxb-2");
  });

  it("does not cache a failed read", async () => {
    // Prepare
    const source = slackSecretsFrom(client, "ir/slack");
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error("throttled"))
      .resolves({ SecretString: JSON.stringify(SECRET) });

    // Act
    const failed = source.get();
    await expect(failed).rejects.toThrow("throttled");
    const retried = await source.get();

    // Assess
    expect(retried).toEqual(SECRET);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    [JSON.stringify({ botToken: "xoxb-9" }), "secret ir/slack lacks a non-empty signingSecret"],
    [
      JSON.stringify({ botToken: " ", signingSecret: "" }),
      "secret ir/slack lacks a non-empty botToken, signingSecret",
    ],
    ["xoxb-raw-token", 'secret ir/slack is not JSON {"botToken": …, "signingSecret": …}'],
  ])(
    "refuses a malformed secret, naming what is missing and nothing it holds",
    async (secretString, message) => {
      // Prepare
      secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
      const source = slackSecretsFrom(client, "ir/slack");

      // Act
      const error = await source.get().catch((e: unknown) => e as Error);

      // Assess
      expect(error).toBeInstanceOf(SecretError);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toContain("xoxb");
    },
  );
});
