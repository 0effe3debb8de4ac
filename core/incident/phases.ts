/**
 * The response plan's phases (DESIGN §1). An open incident is in exactly one active phase; it ends either
 * `closed` (after the postmortem is published) or `suppressed` (marked false positive in detect or assess).
 * Each phase names the runbook section that every message about it links to.
 */
import * as z from "zod";

export const ACTIVE_PHASES = ["detect", "assess", "contain", "eradicate", "recover", "postmortem"] as const;
export const activePhaseSchema = z.enum(ACTIVE_PHASES);
export type ActivePhase = z.infer<typeof activePhaseSchema>;

export const END_PHASES = ["closed", "suppressed"] as const;
export type EndPhase = (typeof END_PHASES)[number];

export const INCIDENT_PHASES = [...ACTIVE_PHASES, ...END_PHASES] as const;
export const incidentPhaseSchema = z.enum(INCIDENT_PHASES);
export type IncidentPhase = z.infer<typeof incidentPhaseSchema>;

/** Where `phase.advanced` leads from each active phase (postmortem ends with `postmortem.published`). */
export const NEXT_PHASE: Record<ActivePhase, IncidentPhase> = {
  detect: "assess",
  assess: "contain",
  contain: "eradicate",
  eradicate: "recover",
  recover: "postmortem",
  postmortem: "closed",
};

/** The runbook section each phase points at: `runbooks/<id>.md#<section>`. */
export const RUNBOOK_SECTION: Record<IncidentPhase, string> = {
  detect: "Detect",
  assess: "Assess",
  contain: "Contain",
  eradicate: "Eradicate",
  recover: "Recover",
  postmortem: "Postmortem",
  closed: "Postmortem",
  suppressed: "Detect",
};

export const isActivePhase = (phase: string): phase is ActivePhase =>
  (ACTIVE_PHASES as readonly string[]).includes(phase);
