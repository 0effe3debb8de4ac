/**
 * Reads a request body as UTF-8 text with a byte limit, without ever buffering more than the limit:
 * a declared Content-Length over the limit is refused before reading, and a body that turns out larger
 * than declared (or has no length) is cut off as soon as it crosses the limit.
 */
export type LimitedBody =
  | { ok: true; text: string; bytes: number }
  /** `prefix`: the first `maxBytes` read before giving up (empty when refused on Content-Length alone). */
  | { ok: false; bytes: number; declared: boolean; prefix: string };

export async function readLimitedBody(request: Request, maxBytes: number): Promise<LimitedBody> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes)
    return { ok: false, bytes: declared, declared: true, prefix: "" };
  if (!request.body) return { ok: true, text: "", bytes: 0 };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - bytes));
      await reader.cancel().catch(() => {});
      return { ok: false, bytes: bytes + value.byteLength, declared: false, prefix: decode(chunks) };
    }
    bytes += value.byteLength;
    chunks.push(value);
  }
  return { ok: true, text: decode(chunks), bytes };
}

function decode(chunks: readonly Uint8Array[]): string {
  // Non-fatal: invalid UTF-8 becomes U+FFFD and then fails as JSON with a clear error, never a crash.
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}
