/**
 * Alerter: pages people (SNS in AWS). Pages carry attributes (severity, incident id, phase, escalation
 * level) so subscriptions can filter. Idempotent per command id where the channel allows (SNS FIFO
 * deduplication id; standard topics may deliver twice, which paging tolerates).
 */
import type { CommandParams } from "../incident/commands";

export interface Alerter {
  page(commandId: string, params: CommandParams<"pageOnCall">): Promise<{ messageId: string }>;
}
