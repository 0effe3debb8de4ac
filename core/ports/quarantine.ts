/**
 * Quarantine: input that could not be understood is kept with its reason, never dropped (DESIGN §5).
 */
import type { InputErrorInfo } from "../errors";

export interface QuarantinedInput {
  id: string;
  receivedAt: string;
  /** Where it came from: "http", "eventbridge", "cli", "sqs"… */
  channel: string;
  error: InputErrorInfo;
  /** The raw text as received (truncated by the adapter only if it exceeds its item limit, and marked so). */
  raw: string;
}

export interface Quarantine {
  put(item: QuarantinedInput): Promise<void>;
  list(limit: number): Promise<QuarantinedInput[]>;
}
