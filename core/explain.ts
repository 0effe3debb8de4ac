/**
 * explain: input text → for every event in it, the rules it matches and the findings it yields, or why it
 * could not be understood. The pure heart of `ir explain`, also used by the local ingest endpoint.
 */
import type { InputErrorInfo } from "./errors";
import type { Finding } from "./findings/finding";
import { splitInput } from "./input/split-input";
import {
  asInputError,
  DEFAULT_NORMALIZE_OPTIONS,
  expandDocument,
  type NormalizeOptions,
  normalizeUnit,
} from "./normalize";
import { matchingRules, RULES, type Rule } from "./rules/rules";

export interface ExplainResult {
  /** Where in the input: `$`, `$[2]`, `line 4`, `$.Records[0]`. */
  input: string;
  rules: string[];
  findings: Finding[];
  error: InputErrorInfo | null;
  /** Set when the input was understood and deliberately not read (our own lifecycle event). */
  ignored?: string;
}

export interface ExplainOptions {
  rules?: readonly Rule[];
  /**
   * Where the raw input is kept (a stored event id, a file name). Findings of envelopes reference their
   * envelope id; the others reference this plus their `rawPath`.
   */
  rawRef?: string;
  normalize?: NormalizeOptions;
  /** Our own EventBridge source: our lifecycle events coming back are ignored, not errors. */
  ownSource?: string;
}

export function explain(text: string, options: ExplainOptions = {}): { results: ExplainResult[] } {
  const rules = options.rules ?? RULES;
  const normalizeOptions = options.normalize ?? DEFAULT_NORMALIZE_OPTIONS;
  const rawRef = options.rawRef ?? "input";
  const results: ExplainResult[] = [];
  for (const item of splitInput(text)) {
    if (item.error) {
      results.push({ input: item.at, rules: [], findings: [], error: item.error.toJSON() });
      continue;
    }
    let units: ReturnType<typeof expandDocument>;
    try {
      units = expandDocument(item.doc, item.at);
    } catch (e) {
      results.push({ input: item.at, rules: [], findings: [], error: asInputError(e, item.at).toJSON() });
      continue;
    }
    for (const unit of units) {
      if (unit.envelope && options.ownSource !== undefined && unit.doc.source === options.ownSource) {
        results.push({
          input: unit.at,
          rules: [],
          findings: [],
          error: null,
          ignored: "our own lifecycle event",
        });
        continue;
      }
      const matched = unit.envelope ? matchingRules(rules, unit.doc) : [];
      try {
        results.push({
          input: unit.at,
          rules: matched,
          findings: normalizeUnit(unit, rawRef, normalizeOptions),
          error: null,
        });
      } catch (e) {
        results.push({
          input: unit.at,
          rules: matched,
          findings: [],
          error: asInputError(e, unit.at).toJSON(),
        });
      }
    }
  }
  return { results };
}
