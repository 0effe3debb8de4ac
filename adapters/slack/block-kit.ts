/**
 * The Block Kit subset our messages use, built so that every payload respects Slack's documented limits
 * (Block Kit reference: blocks, text/confirm objects, button element; chat.postMessage truncates `text`
 * past 40 000 characters). Anything longer is cut VISIBLY: the text ends with `TRUNCATION_MARK` (or an
 * overflow item says how much is missing), so a reader knows there is more and where to look.
 *
 * Invariants:
 * - Builders take text that is already escaped (escape.ts) or built by us; a cut never splits a
 *   surrogate pair, an entity (`&amp;`) or one of our own `<…>` links/mentions — untrusted text cannot
 *   contain `<`, so every `<` in a text is ours.
 * - Lengths are counted in UTF-16 code units (JS `length`), which is never less than Slack's character
 *   count, and on the escaped text, which is never shorter than what Slack displays: both err on the safe
 *   side.
 * - Text objects are never empty (Slack rejects them): an empty value renders as "—".
 * - `blockKitViolations` checks a finished payload against the same table; tests run it on arbitrary input.
 */
import { entityLengthAt } from "./escape";

/** Slack's limits, in characters. */
export const LIMITS = {
  blocksPerMessage: 50,
  messageText: 40_000,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  /** A text object's own maximum; context elements have no tighter documented one. */
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

export const TRUNCATION_MARK = "… (truncated)";
const EMPTY = "—";

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
  /** true: Slack does no auto-linking or mention parsing of its own, only our explicit `<…>` syntax. */
  verbatim?: boolean;
}
export type TextObject = PlainText | Mrkdwn;

export interface ConfirmDialog {
  title: PlainText;
  text: PlainText;
  confirm: PlainText;
  deny: PlainText;
  style?: "primary" | "danger";
}
export interface ButtonElement {
  type: "button";
  action_id: string;
  text: PlainText;
  value: string;
  style?: "primary" | "danger";
  confirm?: ConfirmDialog;
}
export interface HeaderBlock {
  type: "header";
  text: PlainText;
}
export interface SectionBlock {
  type: "section";
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export interface ActionsBlock {
  type: "actions";
  elements: ButtonElement[];
}
export interface DividerBlock {
  type: "divider";
}
export type MessageBlock = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** What chat.postMessage / chat.update receive: fallback `text` (notifications, screen readers) + blocks. */
export interface SlackMessage {
  text: string;
  blocks: MessageBlock[];
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The largest cut ≤ `max` that splits no surrogate pair, no entity and none of our `<…>` sequences. */
function safeCut(text: string, max: number): number {
  let cut = Math.max(0, Math.min(max, text.length));
  if (cut === text.length || cut === 0) return cut;
  if (isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && amp + entityLengthAt(text, amp) > cut) cut = amp;
  const open = text.lastIndexOf("<", cut - 1);
  if (open >= 0 && text.lastIndexOf(">", cut - 1) < open) cut = open;
  return cut;
}

/** `text` if it fits in `max`, else its longest safe prefix followed by `mark` (total ≤ max). */
export function truncate(text: string, max: number, mark: string = TRUNCATION_MARK): string {
  if (text.length <= max) return text;
  if (max <= mark.length) return mark.slice(0, Math.max(0, max));
  return `${text.slice(0, safeCut(text, max - mark.length)).trimEnd()}${mark}`;
}

/**
 * Splits long text into at most `maxParts` parts of ≤ `max` each, at safe cuts (preferring line breaks
 * in the last quarter of a part); what does not fit in the last part is truncated visibly.
 */
export function splitText(text: string, max: number, maxParts: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max && parts.length < maxParts - 1) {
    let cut = safeCut(rest, max);
    const newline = rest.lastIndexOf("\n", cut - 1);
    if (newline > (cut * 3) / 4) cut = safeCut(rest, newline + 1);
    if (cut <= 0) break;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(truncate(rest, max));
  return parts;
}

const nonEmpty = (text: string): string => (text.trim() === "" ? EMPTY : text);

export const plainText = (text: string, max: number): PlainText => ({
  type: "plain_text",
  text: nonEmpty(truncate(text, max)),
  emoji: true,
});

export const mrkdwnText = (text: string, max: number): Mrkdwn => ({
  type: "mrkdwn",
  text: nonEmpty(truncate(text, max)),
  verbatim: true,
});

/** Keeps the first `max` items; past that, the last slot says how many were left out. */
function capItems(items: string[], max: number): string[] {
  if (items.length <= max) return items;
  return [...items.slice(0, max - 1), `… (${items.length - max + 1} more truncated)`];
}

export const headerBlock = (text: string): HeaderBlock => ({
  type: "header",
  text: plainText(text, LIMITS.headerText),
});

export const sectionBlock = (text: string): SectionBlock => ({
  type: "section",
  text: mrkdwnText(text, LIMITS.sectionText),
});

export const fieldsBlock = (fields: string[]): SectionBlock => ({
  type: "section",
  fields: capItems(fields, LIMITS.sectionFields).map((field) => mrkdwnText(field, LIMITS.sectionFieldText)),
});

export const contextBlock = (texts: string[]): ContextBlock => ({
  type: "context",
  elements: capItems(texts, LIMITS.contextElements).map((text) => mrkdwnText(text, LIMITS.contextText)),
});

export interface ConfirmSpec {
  title: string;
  text: string;
  confirm: string;
  deny: string;
  style?: "primary" | "danger";
}

export interface ButtonSpec {
  actionId: string;
  text: string;
  /** Opaque to Slack and echoed back on click: never truncated (a cut value would name something else). */
  value: string;
  style?: "primary" | "danger";
  confirm?: ConfirmSpec;
}

export class BlockKitLimitError extends RangeError {
  override readonly name = "BlockKitLimitError";
}

export function button(spec: ButtonSpec): ButtonElement {
  if (spec.value.length > LIMITS.buttonValue || spec.actionId.length > LIMITS.actionId) {
    throw new BlockKitLimitError(`button ${spec.actionId.slice(0, 40)}: value or action_id too long`);
  }
  const { confirm } = spec;
  return {
    type: "button",
    action_id: spec.actionId,
    text: plainText(spec.text, LIMITS.buttonText),
    value: spec.value,
    ...(spec.style ? { style: spec.style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: plainText(confirm.title, LIMITS.confirmTitle),
            text: plainText(confirm.text, LIMITS.confirmText),
            confirm: plainText(confirm.confirm, LIMITS.confirmButton),
            deny: plainText(confirm.deny, LIMITS.confirmButton),
            ...(confirm.style ? { style: confirm.style } : {}),
          },
        }
      : {}),
  };
}

/** At most 25 buttons per actions block, more go to further blocks (fitMessage caps the block count). */
export function actionsBlocks(buttons: ButtonElement[]): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.actionsElements) {
    blocks.push({ type: "actions", elements: buttons.slice(i, i + LIMITS.actionsElements) });
  }
  return blocks;
}

/** The final guard: ≤ 50 blocks (the last one says how many were dropped) and a fallback text that fits. */
export function fitMessage(text: string, blocks: MessageBlock[]): SlackMessage {
  const max = LIMITS.blocksPerMessage;
  const fitted =
    blocks.length <= max
      ? blocks
      : [
          ...blocks.slice(0, max - 1),
          contextBlock([`${TRUNCATION_MARK} ${blocks.length - max + 1} more blocks`]),
        ];
  return { text: nonEmpty(truncate(text, LIMITS.messageText)), blocks: fitted };
}

/** Every way `message` breaks a Slack limit (empty when it respects them all). */
export function blockKitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const text = (object: TextObject | undefined, max: number, where: string, kind?: TextObject["type"]) => {
    if (!object) {
      problems.push(`${where}: missing text`);
      return;
    }
    check(kind === undefined || object.type === kind, `${where}: must be ${kind}`);
    check(
      object.text.length >= 1 && object.text.length <= max,
      `${where}: length ${object.text.length} (1..${max})`,
    );
  };

  check(message.text.length >= 1, "text: empty");
  check(
    message.text.length <= LIMITS.messageText,
    `text: length ${message.text.length} > ${LIMITS.messageText}`,
  );
  check(message.blocks.length <= LIMITS.blocksPerMessage, `blocks: ${message.blocks.length} > 50`);
  message.blocks.forEach((block, i) => {
    const where = `blocks[${i}]`;
    switch (block.type) {
      case "header":
        text(block.text, LIMITS.headerText, `${where}.text`, "plain_text");
        break;
      case "section":
        check(block.text !== undefined || (block.fields?.length ?? 0) > 0, `${where}: no text and no fields`);
        if (block.text) text(block.text, LIMITS.sectionText, `${where}.text`);
        check((block.fields?.length ?? 0) <= LIMITS.sectionFields, `${where}.fields: more than 10`);
        block.fields?.forEach((field, j) => {
          text(field, LIMITS.sectionFieldText, `${where}.fields[${j}]`);
        });
        break;
      case "context":
        check(block.elements.length >= 1, `${where}.elements: empty`);
        check(block.elements.length <= LIMITS.contextElements, `${where}.elements: more than 10`);
        block.elements.forEach((element, j) => {
          text(element, LIMITS.contextText, `${where}.elements[${j}]`);
        });
        break;
      case "actions":
        check(block.elements.length >= 1, `${where}.elements: empty`);
        check(block.elements.length <= LIMITS.actionsElements, `${where}.elements: more than 25`);
        block.elements.forEach((b, j) => {
          const at = `${where}.elements[${j}]`;
          text(b.text, LIMITS.buttonText, `${at}.text`, "plain_text");
          check(b.value.length <= LIMITS.buttonValue, `${at}.value: length ${b.value.length}`);
          check(b.action_id.length >= 1 && b.action_id.length <= LIMITS.actionId, `${at}.action_id`);
          if (b.confirm) {
            text(b.confirm.title, LIMITS.confirmTitle, `${at}.confirm.title`, "plain_text");
            text(b.confirm.text, LIMITS.confirmText, `${at}.confirm.text`);
            text(b.confirm.confirm, LIMITS.confirmButton, `${at}.confirm.confirm`, "plain_text");
            text(b.confirm.deny, LIMITS.confirmButton, `${at}.confirm.deny`, "plain_text");
          }
        });
        break;
      case "divider":
        break;
      default: {
        const unknown: never = block;
        problems.push(`${where}: unknown block type ${(unknown as { type: string }).type}`);
      }
    }
  });
  return problems;
}
