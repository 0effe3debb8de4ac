/**
 * The one way dashboard markup is written: hono/html's `html` tagged template, which escapes every
 * interpolated string (`& < > " '`), so untrusted finding text, tags and command results can only ever
 * become text, never markup or attributes. Nested `h` results are markup already and are not escaped twice.
 * `trusted` is the single, explicit way in for HTML the server produced itself (rendered runbooks).
 *
 * Views are synchronous: nothing interpolated is a promise, so `h` always returns a string.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString;

export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error("dashboard views must not interpolate promises");
  return out;
}

/** HTML the server rendered itself from trusted sources (never input from findings or requests). */
export const trusted = (markup: string): Html => raw(markup);

export const nothing: Html = raw("");

/** `2024-05-01T10:00:00.000Z` → `2024-05-01 10:00:00Z`: compact, still unambiguous UTC. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** Minutes as a budget reads to a responder: `15m`, `1h`, `4h 30m`, `2d`. */
export function duration(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)}m`;
  if (minutes < 48 * 60) {
    const hours = Math.floor(minutes / 60);
    const rest = Math.round(minutes % 60);
    return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`;
  }
  return `${Math.round(minutes / (24 * 60))}d`;
}

/** Pretty JSON for <pre> blocks (escaped by `h` when interpolated). */
export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2) ?? "null";
