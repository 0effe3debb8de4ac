/**
 * The contract each source's normalizer implements. The dispatcher (normalize/index.ts) picks the
 * normalizer by the EventBridge `detail-type` (never by `source` alone) or, for bare exported shapes
 * (GetFindings output, CloudTrail records, WAF logs), by the document's own shape.
 */
import type { Finding } from "../findings/finding";
import type { AlarmRule } from "./alarm-rule";
import type { Envelope } from "./envelope";
import type { Json, ReadContext } from "./read";

export interface NormalizeOptions {
  /** CloudWatch alarm → finding rules, first match wins; defaults in core/detections/alarm-rules.ts. */
  alarmRules: readonly AlarmRule[];
}

export interface SourceNormalizer {
  name: string;
  /** EventBridge detail-types this normalizer reads. */
  detailTypes: readonly string[];
  fromEnvelope(envelope: Envelope, ctx: ReadContext, options: NormalizeOptions): Finding[];
  /** Bare documents of this source (no EventBridge envelope), recognised by shape. */
  bare?: {
    matches(doc: Json): boolean;
    read(doc: Json, path: string, ctx: ReadContext, options: NormalizeOptions): Finding[];
  };
}
