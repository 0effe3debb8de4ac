/**
 * Visible truncation for AWS API text limits (Security Hub Note 512, Title 256; SNS values…): the text
 * is cut to at most `max` UTF-16 units including the marker, never splitting a surrogate pair, so a
 * reader always sees that something was cut.
 */
export const ELLIPSIS = "…";

export function truncateVisibly(text: string, max: number, marker = ELLIPSIS): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}
