/**
 * Turns input text into the documents to read: one JSON document, a JSON array of documents, or JSON
 * lines. Each document is located (`$`, `$[2]`, `line 3`) so every result and error can say where it was.
 * Size limits apply per document: an event larger than EventBridge's 256 KB is refused, not truncated.
 */
import { InputError, MAX_EVENT_BYTES } from "../errors";

export type InputItem =
  | { at: string; doc: unknown; bytes: number; error?: undefined }
  | { at: string; error: InputError; doc?: undefined };

const utf8Bytes = (text: string): number => {
  // Fast path: the UTF-8 length is at least the string length and at most 3× it.
  if (text.length * 3 <= MAX_EVENT_BYTES) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
};

const tooLarge = (at: string, bytes: number) =>
  new InputError(
    "too_large",
    `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes (256 KB)`,
    at.startsWith("line") ? "$" : at,
  );

function parseJson(text: string, at: string): { doc: unknown } | { error: InputError } {
  try {
    return { doc: JSON.parse(text) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { error: new InputError("invalid_json", `not valid JSON (${at}): ${reason}`, "$") };
  }
}

/** Elements of a top-level array are separate events (as PutEvents and `ir explain` take them). */
function fromDocument(doc: unknown, text: string, at: string): InputItem[] {
  if (!Array.isArray(doc)) {
    const bytes = utf8Bytes(text);
    return bytes > MAX_EVENT_BYTES && !isLogContainer(doc)
      ? [{ at, error: tooLarge(at, bytes) }]
      : [{ at, doc, bytes }];
  }
  if (doc.length === 0) return [{ at, error: new InputError("empty", "the input is an empty array", "$") }];
  return doc.map((element, i) => {
    const elementAt = at === "$" ? `$[${i}]` : `${at}[${i}]`;
    const bytes = text.length * 3 <= MAX_EVENT_BYTES ? 0 : utf8Bytes(JSON.stringify(element) ?? "");
    return bytes > MAX_EVENT_BYTES
      ? { at: elementAt, error: tooLarge(elementAt, bytes) }
      : { at: elementAt, doc: element, bytes };
  });
}

/** CloudTrail log files and GetFindings pages are containers, read record by record, not single events. */
const isLogContainer = (doc: unknown): boolean =>
  typeof doc === "object" &&
  doc !== null &&
  (Array.isArray((doc as Record<string, unknown>).Records) ||
    Array.isArray((doc as Record<string, unknown>).Findings));

export function splitInput(text: string): InputItem[] {
  // JSON.parse skips surrounding whitespace itself: no trimmed copy of every document.
  if (!/\S/.test(text)) return [{ at: "$", error: new InputError("empty", "the input is empty", "$") }];
  const whole = parseJson(text, "$");
  if ("doc" in whole) return fromDocument(whole.doc, text, "$");
  const lines = text.split(/\r?\n/);
  const nonEmpty = lines.filter((l) => l.trim() !== "");
  if (nonEmpty.length < 2) return [{ at: "$", error: whole.error }];
  // JSON lines: each line is a document of its own.
  return lines.flatMap((line, i): InputItem[] => {
    if (line.trim() === "") return [];
    const at = `line ${i + 1}`;
    const parsed = parseJson(line, at);
    return "doc" in parsed ? fromDocument(parsed.doc, line, at) : [{ at, error: parsed.error }];
  });
}
