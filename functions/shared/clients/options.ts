/**
 * What every AWS SDK client of the functions shares, and how each is built: once per container, on first
 * use. Construction does no I/O (region and credentials resolve on the first call), so importing a client
 * module costs only the SDK code it loads.
 *
 * Each client has its own module (dynamodb.ts, sqs.ts, …) and a function imports only the clients it
 * calls: the SDK is bundled with the function (infra/bundling.ts), so every client imported is code the
 * cold start parses and runs.
 *
 * Every client gets finite timeouts: a hung connection must fail the call (and let the event source retry)
 * long before the function's own timeout, never eat it silently.
 */

export const CONNECTION_TIMEOUT_MS = 2_000;
export const REQUEST_TIMEOUT_MS = 10_000;

export const CLIENT_OPTIONS = {
  requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  maxAttempts: 3,
} as const;

/** A container-wide value built on the first call, then reused. */
export function containerClient<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}
