/**
 * Small pieces several views share: severity and phase badges, the live countdown, links.
 * Class names carry only values from closed sets (severity labels, phases, states) — free text never
 * becomes a class or an attribute name.
 */
import { SEVERITY_LABELS, type SeverityLabel } from "../../../core/findings/severity";
import { INCIDENT_PHASES } from "../../../core/incident/phases";
import type { DeadlineView } from "../incident-model";
import { type Html, h } from "./html";

const SEVERITY_SHORT: Record<SeverityLabel, string> = {
  CRITICAL: "CRIT",
  HIGH: "HIGH",
  MEDIUM: "MED",
  LOW: "LOW",
  INFORMATIONAL: "INFO",
};

const known = <T extends string>(values: readonly T[], value: string, fallback: T): T =>
  (values as readonly string[]).includes(value) ? (value as T) : fallback;

export function severityBadge(label: string, score?: number | null): Html {
  const sev = known(SEVERITY_LABELS, label, "INFORMATIONAL");
  const title = score === undefined || score === null ? label : `${label} (score ${score})`;
  return h`<span class="sev sev-${sev}" title="${title}">${SEVERITY_SHORT[sev]}</span>`;
}

export function phaseBadge(phase: string): Html {
  const cls = known([...INCIDENT_PHASES, "unknown"] as const, phase, "unknown");
  return h`<span class="phase phase-${cls}">${phase}</span>`;
}

export const incidentHref = (id: string): string => `/incidents/${encodeURIComponent(id)}`;

/** Remaining time as the countdown prints it (the client re-renders it every second). */
export function remainingText(deadline: string, now: string): string {
  const ms = Date.parse(deadline) - Date.parse(now);
  const abs = Math.abs(ms);
  const s = Math.floor(abs / 1000) % 60;
  const m = Math.floor(abs / 60_000) % 60;
  const hrs = Math.floor(abs / 3_600_000);
  const body = hrs > 0 ? `${hrs}h ${String(m).padStart(2, "0")}m` : `${m}m ${String(s).padStart(2, "0")}s`;
  return ms < 0 ? `−${body} overdue` : body;
}

export function deadlineState(deadline: DeadlineView): "ok" | "warn" | "breach" {
  if (deadline.breached) return "breach";
  return deadline.warned ? "warn" : "ok";
}

export function countdown(deadline: DeadlineView, now: string, big = false): Html {
  const state = deadlineState(deadline);
  return h`<span class="countdown ${big ? "big" : ""} state-${state}" data-deadline="${deadline.deadline}" data-warn="${deadline.warnAt}">${remainingText(deadline.deadline, now)}</span>`;
}
