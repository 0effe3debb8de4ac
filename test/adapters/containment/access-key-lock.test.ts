/**
 * Access-key deactivation and reactivation through AwsContainment, against a mocked IAM client.
 */
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  IAMServiceException,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsContainment } from "../../../adapters/containment/aws-containment";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { actions, HOME_ACCOUNT, makeKeyTarget, requests } from "./support";

const iam = mockClient(IAMClient);
const adapter = () => new AwsContainment({ homeAccountId: HOME_ACCOUNT });
const KEY = "AKIAIOSFODNN7EXAMPLE";

beforeEach(() => {
  iam.reset();
  iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "team", Value: "ci" }], IsTruncated: false });
});

describe("deactivateAccessKey", () => {
  it("sets the key Inactive, naming its user", async () => {
    // Act
    const result = await adapter().deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget() });

    // Assess
    expect(requests(iam)).toEqual([
      { action: "ListUserTags", input: { UserName: "ci-deployer" } },
      { action: "UpdateAccessKey", input: { AccessKeyId: KEY, UserName: "ci-deployer", Status: "Inactive" } },
    ]);
    expect(result).toEqual({ accessKeyId: KEY, userName: "ci-deployer", status: "Inactive" });
  });

  it("finds the owner with GetAccessKeyLastUsed when the finding did not name the user", async () => {
    // Prepare
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "legacy-bot" });

    // Act
    await adapter().deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget({ userName: null }) });

    // Assess
    expect(iam.commandCalls(UpdateAccessKeyCommand)[0]?.args[0].input).toEqual({
      AccessKeyId: KEY,
      UserName: "legacy-bot",
      Status: "Inactive",
    });
  });

  it("skips temporary ASIA keys without calling IAM", async () => {
    // Act
    const result = await adapter().deactivateAccessKey("inc-1:2:0", {
      target: makeKeyTarget({ accessKeyId: "ASIAY34FZKBOKMUTVV7A" }),
    });

    // Assess
    expect(iam.calls()).toHaveLength(0);
    expect(result).toEqual({ skipped: "temporary-credentials", accessKeyId: "ASIAY34FZKBOKMUTVV7A" });
  });

  it("leaves the key of a user tagged ir:protected alone", async () => {
    // Prepare
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "ir:protected", Value: "break-glass" }] });

    // Act
    const result = await adapter().deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget() });

    // Assess
    expect(actions(iam)).toEqual(["ListUserTags"]);
    expect(result).toMatchObject({ skipped: "protected" });
  });

  it("turns IAM Throttling into RetryLaterError", async () => {
    // Prepare
    iam.on(UpdateAccessKeyCommand).rejects(
      new IAMServiceException({
        name: "Throttling",
        $fault: "client",
        $metadata: {},
        message: "Rate exceeded",
      }),
    );

    // Act
    const error = await adapter()
      .deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget() })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryLaterError);
  });

  it("names the call when IAM refuses", async () => {
    // Prepare
    iam.on(UpdateAccessKeyCommand).rejects(
      new IAMServiceException({
        name: "NoSuchEntity",
        $fault: "client",
        $metadata: {},
        message: "no such key",
      }),
    );

    // Act
    const error = await adapter()
      .deactivateAccessKey("inc-1:2:0", { target: makeKeyTarget() })
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe("iam UpdateAccessKey failed: NoSuchEntity: no such key");
  });
});

describe("restore after deactivateAccessKey", () => {
  it("sets the key Active again", async () => {
    // Act
    const result = await adapter().restore("inc-1:8:0", {
      action: "deactivateAccessKey",
      target: makeKeyTarget(),
      undo: { accessKeyId: KEY, userName: "ci-deployer", status: "Inactive" },
    });

    // Assess
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { AccessKeyId: KEY, UserName: "ci-deployer", Status: "Active" },
    ]);
    expect(result).toMatchObject({ status: "Active" });
  });
});
