/**
 * The configuration every use-case shares: who we are (to recognise our own Security Hub updates) and the
 * policies the workflow applies. Parsed once by the runtime; use-cases only read it.
 */
import { type ContainmentPolicy, DEFAULT_CONTAINMENT_POLICY } from "../core/incident/containment-policy";
import { DEFAULT_SLA_POLICY, type SlaPolicy } from "../core/incident/sla-policy";
import { DEFAULT_NORMALIZE_OPTIONS } from "../core/normalize/default-options";
import type { NormalizeOptions } from "../core/normalize/source-normalizer";
import type { Clock } from "../core/ports/clock";
import type { IncidentStore } from "../core/ports/incident-store";

export interface ResponseConfig {
  /** Our name in Security Hub notes (Note.UpdatedBy) and on lifecycle events. */
  serviceName: string;
  slaPolicy: SlaPolicy;
  containmentPolicy: ContainmentPolicy;
  normalize: NormalizeOptions;
}

export const DEFAULT_RESPONSE_CONFIG: ResponseConfig = {
  serviceName: "incident-response",
  slaPolicy: DEFAULT_SLA_POLICY,
  containmentPolicy: DEFAULT_CONTAINMENT_POLICY,
  normalize: DEFAULT_NORMALIZE_OPTIONS,
};

/** What every use-case needs. */
export interface AppDeps {
  store: IncidentStore;
  clock: Clock;
  config: ResponseConfig;
}
