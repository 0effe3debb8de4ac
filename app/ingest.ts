/**
 * ingest: input text → findings → incidents (DESIGN §5).
 *
 * For each finding: dedupe against what we know of its identity, then
 * - a recovery signal (alarm OK, resolved at the source) is recorded on the open incident it concerns;
 * - a finding of a suppressed (false-positive) incident stays suppressed;
 * - otherwise it joins the open incident for its correlation key, or opens a new one — linked to the last
 *   closed incident for that key, if any.
 * Input that cannot be understood is quarantined with its reason, never dropped. Concurrent ingests of the
 * same key converge through the store's version check and one-open-incident-per-key rule: on a conflict
 * we re-read and decide again (bounded).
 */
import { decideFinding, type FindingDecision, mergeFinding } from "../core/correlation/decide-finding";
import type { InputErrorInfo } from "../core/errors";
import { type ExplainResult, explain } from "../core/explain";
import type { Finding } from "../core/findings/finding";
import type { IncidentEvent } from "../core/incident/events";
import type { IdGenerator } from "../core/ports/id-generator";
import { type IncidentRecord, VersionConflictError } from "../core/ports/incident-store";
import type { Quarantine } from "../core/ports/quarantine";
import type { UnitOfWork } from "../core/ports/unit-of-work";
import type { Rule } from "../core/rules/rules";
import { incidentRecordOf, step } from "../workflows/incident/step";
import { advance, MAX_COMMIT_ATTEMPTS, stepDeps, TooMuchContentionError } from "./advance";
import type { AppDeps } from "./response-config";

export interface IngestDeps extends AppDeps {
  quarantine: Quarantine;
  ids: IdGenerator;
}

export type FindingOutcome =
  | { decision: "opened"; incidentId: string; linkedTo?: string }
  | { decision: "joined" | "updated" | "recovery-hint"; incidentId: string }
  | { decision: Exclude<FindingDecision, "new" | "update"> | "suppressed" | "unchanged"; incidentId: string }
  | { decision: "recovery-without-incident" | "own-finding" };

export interface InputOutcome {
  /** Where in the input (`$`, `$[1]`, `line 3`, `$.Records[0]`). */
  input: string;
  rules: string[];
  findings: FindingOutcome[];
  error: InputErrorInfo | null;
  /** Understood and deliberately not acted on (our own lifecycle event coming back). */
  ignored?: string;
}

export interface IngestOptions {
  /** Where the input came from: "http", "cli", "eventbridge"… (kept with quarantined input). */
  channel: string;
  /** Id under which the raw input is stored, referenced by its findings. */
  rawRef: string;
  rules?: readonly Rule[];
}

/**
 * Ingests several inputs as one group commit (when the store can group): the local inbox worker's path.
 * Outcomes are per input, in order.
 */
export function ingestMany(
  deps: IngestDeps & { unitOfWork: UnitOfWork },
  inputs: ReadonlyArray<{ text: string; options: IngestOptions }>,
): Promise<InputOutcome[][]> {
  return deps.unitOfWork.run(async () => {
    const outcomes: InputOutcome[][] = [];
    for (const { text, options } of inputs) outcomes.push(await ingestText(deps, text, options));
    return outcomes;
  });
}

export async function ingestText(
  deps: IngestDeps,
  text: string,
  options: IngestOptions,
): Promise<InputOutcome[]> {
  const { results } = explain(text, {
    rawRef: options.rawRef,
    ownSource: deps.config.serviceName,
    normalize: deps.config.normalize,
    ...(options.rules ? { rules: options.rules } : {}),
  });
  const outcomes: InputOutcome[] = [];
  for (const result of results) outcomes.push(await ingestResult(deps, text, result, options));
  return outcomes;
}

async function ingestResult(
  deps: IngestDeps,
  text: string,
  result: ExplainResult,
  options: IngestOptions,
): Promise<InputOutcome> {
  if (result.error) {
    await deps.quarantine.put({
      id: `${options.rawRef}#${result.input}`,
      receivedAt: deps.clock.now(),
      channel: options.channel,
      error: result.error,
      raw: text,
    });
    return { input: result.input, rules: result.rules, findings: [], error: result.error };
  }
  const findings: FindingOutcome[] = [];
  for (const finding of result.findings) findings.push(await ingestFinding(deps, finding));
  return {
    input: result.input,
    rules: result.rules,
    findings,
    error: null,
    ...(result.ignored ? { ignored: result.ignored } : {}),
  };
}

export async function ingestFinding(deps: IngestDeps, finding: Finding): Promise<FindingOutcome> {
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const outcome = await tryIngest(deps, finding);
    if (outcome) return followCustomAction(deps, finding, outcome);
  }
  throw new TooMuchContentionError(finding.correlationKey);
}

/** Security Hub custom actions whose name asks for containment ("Isolate instance", "Contain …"). */
const CONTAINMENT_ACTION = /\b(isolate|contain|quarantine|lock ?down)\b/i;

/**
 * A Security Hub custom action is a responder's request made in the Security Hub console: "Open incident"
 * is served by ingesting the finding (whatever its severity), "Isolate instance" also requests
 * containment on the incident — which the containment policy then plans, asks approval for, or runs.
 */
async function followCustomAction(
  deps: IngestDeps,
  finding: Finding,
  outcome: FindingOutcome,
): Promise<FindingOutcome> {
  const action = finding.origin.customAction;
  if (!action || !("incidentId" in outcome) || !CONTAINMENT_ACTION.test(action.name)) return outcome;
  const actor = `securityhub:${action.name}`.slice(0, 200);
  const at = deps.clock.now();
  // The request is on the timeline whatever containment is doing; the policy then decides what it means
  // (plan and ask for approval, run, or refuse with the reason).
  await advance(deps, outcome.incidentId, {
    type: "note.added",
    at,
    actor,
    text: `Containment requested from Security Hub (custom action "${action.name}")`.slice(0, 4000),
  });
  await advance(deps, outcome.incidentId, {
    type: "containment.requested",
    at,
    actor,
    reason: `Security Hub custom action "${action.name}"`.slice(0, 1000),
  });
  return outcome;
}

/** One attempt; undefined means "lost a race, decide again". */
async function tryIngest(deps: IngestDeps, finding: Finding): Promise<FindingOutcome | undefined> {
  const { store, clock, config } = deps;
  const at = clock.now();
  const known = await store.getFinding(finding.identity);
  const decision = decideFinding(known, finding, config.serviceName);
  if (decision === "own-finding") return { decision };
  if (known && (decision === "duplicate" || decision === "stale" || decision === "own-update"))
    return { decision, incidentId: known.incidentId };

  const previous = known ? await store.getIncident(known.incidentId) : undefined;
  if (previous?.phase === "suppressed") return { decision: "suppressed", incidentId: previous.id };
  const target = previous?.open ? previous : await store.findOpenIncident(finding.correlationKey);

  if (finding.kind === "recovery") {
    if (!target) return { decision: "recovery-without-incident" };
    const result = await advance(deps, target.id, { type: "recovery.hinted", at, finding });
    return result.status === "not-found" ? undefined : { decision: "recovery-hint", incidentId: target.id };
  }

  const merged = known ? mergeFinding(known.finding, finding) : finding;
  const joinsKnown = target !== undefined && known?.incidentId === target.id;
  const event: IncidentEvent = joinsKnown
    ? { type: "finding.updated", at, finding: merged }
    : { type: "finding.received", at, finding: merged };
  if (target) return commitTo(deps, target, event, merged, joinsKnown ? "updated" : "joined");

  const linkedTo = (await store.latestIncident(finding.correlationKey))?.id;
  return openIncident(deps, event, merged, linkedTo);
}

async function commitTo(
  deps: IngestDeps,
  incident: IncidentRecord,
  event: IncidentEvent,
  finding: Finding,
  decision: "joined" | "updated",
): Promise<FindingOutcome | undefined> {
  const result = step(incident, event, stepDeps(deps.config, incident.id));
  if (!result.changed) return { decision: "unchanged", incidentId: incident.id };
  try {
    await deps.store.commit({
      incident: incidentRecordOf(incident.id, result, incident.linkedTo),
      expectedVersion: incident.version,
      commands: result.commands,
      timeline: result.timeline,
      findings: [findingRecord(incident.id, finding)],
    });
    return { decision, incidentId: incident.id };
  } catch (error) {
    if (error instanceof VersionConflictError) return undefined;
    throw error;
  }
}

async function openIncident(
  deps: IngestDeps,
  event: IncidentEvent,
  finding: Finding,
  linkedTo: string | undefined,
): Promise<FindingOutcome | undefined> {
  const incidentId = deps.ids.incidentId(event.at);
  const result = step(undefined, event, stepDeps(deps.config, incidentId));
  if (!result.changed) throw new Error(`a new finding did not open incident ${incidentId}`);
  try {
    await deps.store.commit({
      incident: incidentRecordOf(incidentId, result, linkedTo),
      expectedVersion: 0,
      commands: result.commands,
      timeline: result.timeline,
      findings: [findingRecord(incidentId, finding)],
    });
    return { decision: "opened", incidentId, ...(linkedTo ? { linkedTo } : {}) };
  } catch (error) {
    // Another ingest opened an incident for this key first: decide again and join it.
    if (error instanceof VersionConflictError) return undefined;
    throw error;
  }
}

const findingRecord = (incidentId: string, finding: Finding) => ({
  identity: finding.identity,
  incidentId,
  updatedAt: finding.updatedAt,
  count: finding.count,
  finding,
});
