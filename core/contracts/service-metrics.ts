/**
 * The service's own CloudWatch metrics (embedded metric format, namespace = the service name, set as
 * POWERTOOLS_METRICS_NAMESPACE): what the functions emit and the dashboard reads. Dimension sets are
 * the emitter's choice (Powertools adds `service`); the dashboard finds series with SEARCH by metric
 * name, so it keeps working whatever dimensions are added.
 *
 * - TimeToAcknowledge (Seconds): T0 → acknowledged, once per incident, dimension `severity` (MTTA).
 * - TimeToRecover (Seconds): T0 → entry into postmortem (recovery), dimension `severity` (MTTR).
 * - SlaBreaches (Count): each first breach of a phase clock, dimension `phase`.
 * - OpenIncidents (Count): a gauge per `phase`, emitted by each sweep.
 * - IncidentsOpened (Count): each new incident, dimension `severity`.
 */
export const SERVICE_METRICS = {
  timeToAcknowledge: { name: "TimeToAcknowledge", unit: "Seconds", dimension: "severity" },
  timeToRecover: { name: "TimeToRecover", unit: "Seconds", dimension: "severity" },
  slaBreaches: { name: "SlaBreaches", unit: "Count", dimension: "phase" },
  openIncidents: { name: "OpenIncidents", unit: "Count", dimension: "phase" },
  incidentsOpened: { name: "IncidentsOpened", unit: "Count", dimension: "severity" },
} as const;

export type ServiceMetric = keyof typeof SERVICE_METRICS;
