/**
 * The one door containment procedures use to reach AWS. Each procedure is written once against `Io` and
 * runs in two modes: live (every call is made) and planning (reads are made or projected, changes are only
 * recorded). So a dry-run plan lists exactly the calls the real run would make for the same state: the
 * plan is not a second description of the procedure that could drift from it.
 *
 * Invariants:
 * - Every call, read or change, is appended to `calls` in order, with a JSON-only copy of its input.
 * - Throttling (RequestLimitExceeded, Throttling, …) becomes RetryLaterError: the command stays pending.
 *   Any other failure becomes AwsCallError, whose message names the service and action that failed.
 * - A change may list error codes that mean "already done" (a revoked rule already gone); those return
 *   `tolerated` instead of throwing, which is what makes re-runs safe.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import { RetryLaterError } from "../../core/ports/command-executor";
import type { PlannedCall } from "../../core/ports/containment";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";
import {
  ACTIONS,
  type Action,
  type AnyCommand,
  type ChangeAction,
  type InputOf,
  newCommand,
  type OutputOf,
  type ReadAction,
  type Service,
} from "./aws-actions";

export interface AwsClients {
  ec2: EC2Client;
  iam: IAMClient;
}

export type Send = <A extends Action>(action: A, input: InputOf<A>) => Promise<OutputOf<A>>;

export interface ChangeOutcome<A extends ChangeAction> {
  /** The response; undefined while planning or when the error was tolerated. */
  output: OutputOf<A> | undefined;
  /** The tolerated error code, when the change was found already done. */
  tolerated: string | null;
}

export interface Io {
  /** True while planning: changes are recorded, not made, and created ids are placeholders. */
  readonly planning: boolean;
  readonly calls: readonly PlannedCall[];
  read<A extends ReadAction>(action: A, input: InputOf<A>, purpose: string): Promise<OutputOf<A>>;
  change<A extends ChangeAction>(
    action: A,
    input: InputOf<A>,
    purpose: string,
    tolerate?: readonly string[],
  ): Promise<ChangeOutcome<A>>;
  /** The id a create call returned or, while planning, a readable placeholder standing for it. */
  createdId(id: string | undefined, label: string): string;
}

/** Error codes AWS uses for "slow down": retried later, never reported as a failure. */
const THROTTLING_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "EC2ThrottledException",
  "PriorRequestNotComplete",
]);

export class AwsCallError extends Error {
  override readonly name = "AwsCallError";
  constructor(
    readonly service: Service | "sts",
    readonly action: string,
    /** The AWS error code, e.g. `InvalidGroup.NotFound`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const errorCode = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return "UnknownError";
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const candidate of [Code, code, name]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate;
  }
  return "UnknownError";
};

const isThrottling = (error: unknown, code: string): boolean =>
  THROTTLING_CODES.has(code) ||
  (typeof error === "object" &&
    error !== null &&
    (error as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true);

/** Maps any SDK failure to RetryLaterError (throttling) or an AwsCallError naming the call. */
export function callError(service: Service | "sts", action: string, error: unknown, retryAfterMs: number) {
  if (error instanceof RetryLaterError || error instanceof AwsCallError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (isThrottling(error, code)) {
    return new RetryLaterError(`${service} ${action} throttled (${code}): ${detail}`, retryAfterMs);
  }
  return new AwsCallError(service, action, code, `${service} ${action} failed: ${code}: ${detail}`, {
    cause: error,
  });
}

/** Sends calls through the clients of one account and region. */
export const sendWith =
  (clients: AwsClients, retryAfterMs: number): Send =>
  async (action, input) => {
    const { service } = ACTIONS[action];
    const client = clients[service] as unknown as { send(command: AnyCommand): Promise<unknown> };
    try {
      return (await client.send(await newCommand(action, input))) as OutputOf<typeof action>;
    } catch (error) {
      throw callError(service, action, error, retryAfterMs);
    }
  };

/** A JSON-only copy: undefined fields dropped, dates as ISO strings. Plans and results are plain JSON. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "object": {
      const out: JsonObject = {};
      for (const [key, field] of Object.entries(value)) {
        if (field !== undefined && typeof field !== "function") out[key] = toJson(field);
      }
      return out;
    }
    default:
      return null;
  }
}

export const toJsonObject = (value: unknown): JsonObject => {
  const json = toJson(value);
  return json !== null && typeof json === "object" && !Array.isArray(json) ? json : {};
};

interface IoOptions {
  /** Answers reads: the live clients, or a projection of the state a plan expects. */
  read: Send;
  /** Makes changes; absent while planning. */
  change?: Send;
}

export class CallIo implements Io {
  readonly calls: PlannedCall[] = [];
  readonly planning: boolean;

  constructor(private readonly options: IoOptions) {
    this.planning = options.change === undefined;
  }

  static live(send: Send): CallIo {
    return new CallIo({ read: send, change: send });
  }

  static planning(read: Send): CallIo {
    return new CallIo({ read });
  }

  private record(action: Action, input: unknown, purpose: string): void {
    this.calls.push({ service: ACTIONS[action].service, action, input: toJsonObject(input), purpose });
  }

  async read<A extends ReadAction>(action: A, input: InputOf<A>, purpose: string): Promise<OutputOf<A>> {
    this.record(action, input, purpose);
    return this.options.read(action, input);
  }

  async change<A extends ChangeAction>(
    action: A,
    input: InputOf<A>,
    purpose: string,
    tolerate: readonly string[] = [],
  ): Promise<ChangeOutcome<A>> {
    this.record(action, input, purpose);
    if (!this.options.change) return { output: undefined, tolerated: null };
    try {
      return { output: await this.options.change(action, input), tolerated: null };
    } catch (error) {
      if (error instanceof AwsCallError && tolerate.includes(error.code)) {
        return { output: undefined, tolerated: error.code };
      }
      throw error;
    }
  }

  createdId(id: string | undefined, label: string): string {
    if (this.planning) return `<new ${label}>`;
    if (id === undefined || id === "") throw new Error(`creating the ${label} returned no id`);
    return id;
  }
}
