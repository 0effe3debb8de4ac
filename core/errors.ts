/**
 * Typed input errors. Bad input never throws anything untyped: every refusal carries a code, the JSON
 * path it is about and a reason a person can act on.
 */
export const INPUT_ERROR_CODES = [
  "invalid_json",
  "too_large",
  "empty",
  "invalid_shape",
  "missing_field",
  "wrong_type",
  "invalid_value",
  "unknown_event",
  /** Understood, but matched none of the service's EventBridge rules (kept, not ingested). */
  "unmatched",
] as const;
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

export interface InputErrorInfo {
  code: InputErrorCode;
  message: string;
  /** JSON path in the input, `$` for the whole document. */
  path: string;
}

export class InputError extends Error implements InputErrorInfo {
  override readonly name = "InputError";
  constructor(
    readonly code: InputErrorCode,
    message: string,
    readonly path = "$",
  ) {
    super(message);
  }

  toJSON(): InputErrorInfo {
    return { code: this.code, message: this.message, path: this.path };
  }
}

/** Largest event EventBridge accepts (PutEvents entry limit), and so the largest we read. */
export const MAX_EVENT_BYTES = 256 * 1024;
