/**
 * Which AWS SDK failures are worth trying again later, shared by every AWS adapter.
 *
 * The SDK has already retried (standard mode) by the time an error reaches us, so a throttling or
 * transient error here means "not now": it becomes a RetryLaterError and the command stays pending
 * (core/ports/command-executor). Everything else is a real refusal (bad input, missing resource, no
 * permission): a plain Error naming the operation and the AWS error name, so command.failed says why.
 *
 * Classification reads, in order: the error name/code against the tables below (plus service-specific
 * names a caller adds, e.g. Security Hub's LimitExceededException, which elsewhere means a quota), the
 * SDK's own `$retryable.throttling` flag, then the HTTP status (429 → throttling, 5xx → transient).
 */
import { RetryLaterError } from "../../core/ports/command-executor";

export type AwsErrorKind = "throttling" | "transient" | "permanent";

const THROTTLING_NAMES = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "KMSThrottlingException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
]);

/** Server faults and network hiccups: the same request may well succeed a moment later. */
const TRANSIENT_NAMES = new Set([
  "InternalError",
  "InternalErrorException",
  "InternalException",
  "InternalFailure",
  "InternalServerError",
  "InternalServerException",
  "RequestTimeout",
  "RequestTimeoutException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
]);

/** How long to wait when the service does not say (Retry-After). */
export const DEFAULT_RETRY_AFTER_MS: Record<Exclude<AwsErrorKind, "permanent">, number> = {
  throttling: 1_000,
  transient: 2_000,
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

const shape = (error: unknown): SdkErrorShape =>
  typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};

/** The AWS error name (`ThrottlingException`, `InvalidInputException`…), or the node error code. */
export function awsErrorName(error: unknown): string {
  const e = shape(error);
  if (typeof e.name === "string" && e.name !== "Error") return e.name;
  if (typeof e.code === "string") return e.code;
  return typeof e.name === "string" ? e.name : "UnknownError";
}

export function classifyAwsError(error: unknown, extraThrottlingNames: readonly string[] = []): AwsErrorKind {
  const e = shape(error);
  const names = [e.name, e.code].filter((n): n is string => typeof n === "string");
  if (names.some((n) => THROTTLING_NAMES.has(n) || extraThrottlingNames.includes(n))) return "throttling";
  if (names.some((n) => TRANSIENT_NAMES.has(n))) return "transient";
  if (e.$retryable?.throttling === true) return "throttling";
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (status === 429) return "throttling";
  if (status !== undefined && status >= 500 && status <= 599) return "transient";
  return "permanent";
}

/** Retry-After in ms when the response carried one (seconds, per RFC 9110), else undefined. */
function retryAfterHeaderMs(error: unknown): number | undefined {
  const headers = shape(error).$response?.headers;
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

export interface AdapterErrorOptions {
  /** Service-specific error names that mean throttling for this service only. */
  throttlingNames?: readonly string[];
}

/**
 * The error an adapter throws for a failed SDK call: RetryLaterError for throttling / transient faults,
 * otherwise an Error reading `<operation> failed: <AwsErrorName>: <message>` with the SDK error as cause.
 */
export function toAdapterError(error: unknown, operation: string, options: AdapterErrorOptions = {}): Error {
  if (error instanceof RetryLaterError) return error;
  const kind = classifyAwsError(error, options.throttlingNames);
  const name = awsErrorName(error);
  const message = typeof shape(error).message === "string" ? (shape(error).message as string) : String(error);
  if (kind === "permanent") return new Error(`${operation} failed: ${name}: ${message}`, { cause: error });
  return new RetryLaterError(
    `${operation} ${kind === "throttling" ? "throttled" : "failed transiently"}: ${name}: ${message}`,
    retryAfterHeaderMs(error) ?? DEFAULT_RETRY_AFTER_MS[kind],
  );
}
