/**
 * Escaping for Slack text (DESIGN §5). Slack treats `&`, `<` and `>` as control characters: `<!channel>`,
 * `<@U123>`, `<https://x|label>` are mentions and links. Every piece of untrusted text (finding titles and
 * fields, resource ids, alarm names, notes, user agents) goes through `escapeMrkdwn` before it is placed in
 * any text Slack parses, so a finding can never mention a channel, ping a user or forge a link. Only these
 * three characters are entity-encoded: Slack decodes exactly these and would show any other entity raw.
 *
 * Invariants:
 * - `escapeMrkdwn` output contains no `<` or `>`, and every `&` in it starts `&amp;`, `&lt;` or `&gt;`.
 * - It is also well-formed UTF-16: a lone surrogate (which cannot be URL-encoded for the Web API and would
 *   make the client throw) becomes U+FFFD. For well-formed input, `unescapeMrkdwn(escapeMrkdwn(s)) === s`.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const CHARACTERS: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD so the text can be encoded (UTF-8, URL-encoding). */
export const wellFormed = (text: string): string => text.replace(LONE_SURROGATE, "\uFFFD");

/** Untrusted text → text that is safe anywhere Slack parses mrkdwn (and harmless in plain_text). */
export function escapeMrkdwn(text: string): string {
  return wellFormed(text).replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

/** The inverse of `escapeMrkdwn` (single pass, so `&amp;lt;` becomes `&lt;`, not `<`). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => CHARACTERS[entity]!);
}

/** The length of the entity starting at `index` (`&amp;` → 5, `&lt;` → 4), or 0 when none starts there. */
export function entityLengthAt(text: string, index: number): number {
  for (const entity of Object.keys(CHARACTERS)) if (text.startsWith(entity, index)) return entity.length;
  return 0;
}
