/**
 * FindingTracker: keeps Security Hub in step with the incident — workflow status and notes on the source
 * findings, and the incident itself published as a finding of its own.
 */
import type { CommandParams, IncidentView } from "../incident/commands";

export interface FindingUpdateResult {
  processed: number;
  /** Findings Security Hub refused for good (not retryable), with its reason. */
  unprocessed: Array<{ id: string; productArn: string; errorCode: string; errorMessage: string }>;
}

export interface FindingTracker {
  updateFindings(params: CommandParams<"updateSecurityHubFindings">): Promise<FindingUpdateResult>;
  addNote(params: CommandParams<"addSecurityHubNote">): Promise<FindingUpdateResult>;
  /** Creates or updates the incident's own ASFF finding (BatchImportFindings). */
  publishIncident(incident: IncidentView): Promise<{ id: string }>;
}
