/**
 * Classification of AWS SDK errors into throttling / transient / permanent, and the error an adapter
 * throws for each (RetryLaterError with the service's Retry-After, or a plain Error naming the AWS error).
 */
import { ThrottlingException } from "@aws-sdk/client-securityhub";
import { describe, expect, it } from "vitest";
import {
  awsErrorName,
  classifyAwsError,
  DEFAULT_RETRY_AFTER_MS,
  toAdapterError,
} from "../../../adapters/aws/retry";
import { RetryLaterError } from "../../../core/ports/command-executor";

const sdkError = (name: string, httpStatusCode?: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode }, ...extra });

describe("classifyAwsError", () => {
  it.each([
    [sdkError("ThrottlingException", 400), "throttling"],
    [sdkError("TooManyRequestsException", 429), "throttling"],
    [sdkError("SomethingNew", 429), "throttling"],
    [sdkError("SomethingNew", 400, { $retryable: { throttling: true } }), "throttling"],
    [sdkError("InternalServerException", 500), "transient"],
    [sdkError("SomethingNew", 503), "transient"],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
    [sdkError("AccessDeniedException", 403), "permanent"],
    [sdkError("LimitExceededException", 400), "permanent"],
    ["a string", "permanent"],
  ] as const)("%s → %s", (error, kind) => {
    // Act / Assess
    expect(classifyAwsError(error)).toBe(kind);
  });

  it("counts a service's own throttling names only when the caller says so", () => {
    // Prepare
    const error = sdkError("LimitExceededException", 400);

    // Act / Assess
    expect(classifyAwsError(error, ["LimitExceededException"])).toBe("throttling");
  });
});

describe("toAdapterError", () => {
  it("waits as long as the service's Retry-After asks", () => {
    // Prepare
    const error = new ThrottlingException({ message: "slow down", $metadata: { httpStatusCode: 429 } });
    Object.assign(error, { $response: { statusCode: 429, headers: { "retry-after": "7" } } });

    // Act
    const adapted = toAdapterError(error, "Security Hub BatchUpdateFindings");

    // Assess
    expect(adapted).toBeInstanceOf(RetryLaterError);
    expect((adapted as RetryLaterError).retryAfterMs).toBe(7_000);
    expect(adapted.message).toBe(
      "Security Hub BatchUpdateFindings throttled: ThrottlingException: slow down",
    );
  });

  it("falls back to a default wait per kind", () => {
    // Act
    const adapted = toAdapterError(sdkError("InternalFailure", 500), "op");

    // Assess
    expect((adapted as RetryLaterError).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS.transient);
    expect(adapted.message).toBe("op failed transiently: InternalFailure: InternalFailure happened");
  });

  it("keeps a permanent error's name and cause", () => {
    // Prepare
    const error = sdkError("InvalidParameterException", 400);

    // Act
    const adapted = toAdapterError(error, "SNS Publish");

    // Assess
    expect(adapted).not.toBeInstanceOf(RetryLaterError);
    expect(adapted.message).toBe(
      "SNS Publish failed: InvalidParameterException: InvalidParameterException happened",
    );
    expect(adapted.cause).toBe(error);
  });

  it("names a node network error by its code", () => {
    // Act / Assess
    expect(awsErrorName(Object.assign(new Error("x"), { code: "ETIMEDOUT" }))).toBe("ETIMEDOUT");
  });
});
