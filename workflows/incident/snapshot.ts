/**
 * Stored snapshots: `{ machineVersion, state }`, where `state` is xstate's persisted snapshot as plain JSON.
 *
 * Invariants:
 * - What is stored is JSON only (persist clones through JSON), so any store round-trips it unchanged.
 * - `restoreSnapshot` always returns the current machine version: older shapes are migrated step by step
 *   (v0 → v1 …); a version newer than this code knows is a SnapshotError, never a guess.
 * - Bump MACHINE_VERSION and add a migration whenever the state value or context shape changes.
 */
import type { AnyMachineSnapshot, StateValue } from "xstate";
import { fromLabel, SEVERITY_LABELS, type SeverityLabel } from "../../core/findings/severity";
import type { JsonObject, JsonValue } from "../../core/ports/incident-store";
import type { IncidentContext } from "./context";
import type { IncidentMachine } from "./incident.machine";

export const MACHINE_VERSION = 1;

export interface PersistedState {
  status: "active" | "done" | "error" | "stopped";
  value: StateValue;
  context: IncidentContext;
  historyValue?: JsonObject;
}

export interface StoredSnapshot {
  machineVersion: typeof MACHINE_VERSION;
  state: PersistedState;
}

export type SnapshotErrorCode = "unsupported_version" | "malformed";

export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    /** The machine version found in the stored snapshot, when there was one. */
    readonly found?: JsonValue,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The persisted form of a snapshot, as JSON, tagged with the machine version. */
export function persistSnapshot(machine: IncidentMachine, snapshot: AnyMachineSnapshot): JsonObject {
  // getPersistedSnapshot already returns plain data (our context is JSON by construction, no child
  // actors); the stores serialize it, so no defensive JSON round trip here — it cost a quarter of a step.
  const persisted = machine.getPersistedSnapshot(snapshot) as unknown as JsonObject;
  return { machineVersion: MACHINE_VERSION, state: persisted };
}

/**
 * v0: the prototype stored xstate's persisted snapshot bare (no wrapper), with the incident severity as a
 * bare label, findings as a map from identity to summary, and no recovery-hint or command-result memory.
 */
function migrateV0(doc: JsonObject): JsonObject {
  // Tolerate the bare form and a `{ machineVersion: 0, state }` wrapper alike.
  const state = "machineVersion" in doc && isObject(doc.state) ? doc.state : doc;
  const context = isObject(state.context) ? state.context : undefined;
  if (!context) throw new SnapshotError("malformed", "v0 snapshot has no context", 0);
  const label = context.severity;
  const severity =
    typeof label === "string" && (SEVERITY_LABELS as readonly string[]).includes(label)
      ? fromLabel(label as SeverityLabel)
      : context.severity;
  const findings = isObject(context.findings) ? Object.values(context.findings) : (context.findings ?? []);
  return {
    machineVersion: 1,
    state: {
      ...state,
      context: {
        ...context,
        severity,
        findings,
        recoveryHints: context.recoveryHints ?? [],
        handledCommandIds: context.handledCommandIds ?? [],
      } as JsonObject,
    },
  };
}

/** Migration from version n to n + 1. */
const MIGRATIONS: Record<number, (doc: JsonObject) => JsonObject> = { 0: migrateV0 };

function versionOf(doc: JsonObject): number {
  if (!("machineVersion" in doc)) {
    if (isObject(doc.context) && "value" in doc) return 0;
    throw new SnapshotError("malformed", "snapshot has neither a machineVersion nor a state value");
  }
  const version = doc.machineVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new SnapshotError(
      "malformed",
      `machineVersion ${JSON.stringify(version)} is not a version`,
      version,
    );
  }
  return version;
}

/** Any stored snapshot this code knows, migrated to the current machine version. */
export function restoreSnapshot(json: JsonValue): StoredSnapshot {
  if (!isObject(json)) throw new SnapshotError("malformed", "snapshot is not a JSON object");
  let doc = json;
  let version = versionOf(doc);
  if (version > MACHINE_VERSION) {
    throw new SnapshotError(
      "unsupported_version",
      `snapshot machine version ${version} is newer than this code (${MACHINE_VERSION}); deploy the newer version`,
      version,
    );
  }
  while (version < MACHINE_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate)
      throw new SnapshotError("unsupported_version", `no migration from machine version ${version}`, version);
    doc = migrate(doc);
    version = versionOf(doc);
  }
  const state = doc.state;
  if (
    !isObject(state) ||
    !isObject(state.context) ||
    !("value" in state) ||
    typeof state.status !== "string"
  ) {
    throw new SnapshotError("malformed", "snapshot state lacks status, value or context", version);
  }
  if (typeof state.context.incidentId !== "string") {
    throw new SnapshotError("malformed", "snapshot context lacks an incidentId", version);
  }
  return doc as unknown as StoredSnapshot;
}

/** A live machine snapshot from stored JSON (migrated first). */
export function resolveStoredSnapshot(machine: IncidentMachine, json: JsonValue) {
  const { state } = restoreSnapshot(json);
  return machine.resolveState({ value: state.value, context: state.context, status: state.status });
}
