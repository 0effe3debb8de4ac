/**
 * GuardDuty reads and drills: CreateSampleFindings (for `ir drill` in an AWS account), ListFindings to find
 * the samples it made, and GetFindings for whole findings when an event carried partial detail.
 *
 * Invariants:
 * - Every list sent to GuardDuty respects its per-call limit of 50 (finding ids, finding types): longer
 *   lists are sent in chunks, in order.
 * - GetFindings results come back in GuardDuty's own JSON (camelCase, `productCodeId`, `sourceIPs`…, the
 *   shape of EventBridge `detail` and of `aws guardduty get-findings`), converted from the SDK's objects
 *   with the SDK's own schema (its jsonName traits), so the normalizers read them like any bare finding.
 *   Ids GuardDuty did not return are reported, never silently lost.
 * - SDK errors go through adapters/aws/retry (throttling → RetryLaterError).
 */
import type { Finding, GuardDutyClient } from "@aws-sdk/client-guardduty";
import { toAdapterError } from "../aws/retry";
import { guardDutySdk } from "./sdk";

/** GuardDuty's documented maximum for FindingIds / FindingTypes in one call. */
export const MAX_IDS_PER_CALL = 50;
/** GuardDuty's documented maximum length of one finding type in CreateSampleFindings. */
export const MAX_FINDING_TYPE_LENGTH = 50;

export type WireFinding = Record<string, unknown>;

export const chunk = <T>(items: readonly T[], size = MAX_IDS_PER_CALL): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toAdapterError(error, `GuardDuty ${operation}`);
  }
}

/** The account's detector in the client's region (GuardDuty has at most one per region). */
export async function findDetectorId(client: GuardDutyClient): Promise<string> {
  const { ListDetectorsCommand } = await guardDutySdk();
  const response = await call("ListDetectors", () => client.send(new ListDetectorsCommand({})));
  const id = response.DetectorIds?.[0];
  if (!id) throw new Error("GuardDuty is not enabled in this region: ListDetectors returned no detector");
  return id;
}

export async function createSampleFindings(
  client: GuardDutyClient,
  detectorId: string,
  findingTypes: readonly string[],
): Promise<void> {
  const tooLong = findingTypes.find((t) => t.length === 0 || t.length > MAX_FINDING_TYPE_LENGTH);
  if (tooLong !== undefined)
    throw new Error(`not a GuardDuty finding type (1-${MAX_FINDING_TYPE_LENGTH} characters): "${tooLong}"`);
  const { CreateSampleFindingsCommand } = await guardDutySdk();
  for (const types of chunk(findingTypes))
    await call("CreateSampleFindings", () =>
      client.send(new CreateSampleFindingsCommand({ DetectorId: detectorId, FindingTypes: types })),
    );
}

export interface FullFindings {
  /** In GuardDuty's JSON (camelCase), in the order GuardDuty returned them. */
  findings: WireFinding[];
  /** Requested ids GuardDuty did not return (deleted, expired after 90 days, another detector's). */
  missing: string[];
}

/** GetFindings in chunks of 50: whole findings for findings an event delivered with partial detail. */
export async function getFullFindings(
  client: GuardDutyClient,
  detectorId: string,
  findingIds: readonly string[],
): Promise<FullFindings> {
  const unique = [...new Set(findingIds)];
  const findings: WireFinding[] = [];
  const { GetFindingsCommand, Finding$ } = await guardDutySdk();
  for (const ids of chunk(unique)) {
    const response = await call("GetFindings", () =>
      client.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: ids })),
    );
    for (const finding of response.Findings ?? []) findings.push(toWireFinding(finding, Finding$));
  }
  const returned = new Set(findings.map((f) => f.id));
  return { findings, missing: unique.filter((id) => !returned.has(id)) };
}

/** True for a sample finding (GuardDuty marks them `additionalInfo.value` = `{"sample":true}`). */
export function isSampleFinding(finding: WireFinding): boolean {
  const service = finding.service as { additionalInfo?: { value?: unknown; sample?: unknown } } | undefined;
  if (service?.additionalInfo?.sample === true) return true;
  const value = service?.additionalInfo?.value;
  if (typeof value !== "string") return false;
  try {
    return (JSON.parse(value) as { sample?: unknown } | null)?.sample === true;
  } catch {
    return false;
  }
}

/**
 * The sample findings of `findingType` updated since `sinceMs` (epoch ms), newest first. GuardDuty updates
 * an existing sample (count + 1) rather than making a new one when asked again, so "updated since" is what
 * finds this drill's samples.
 */
export async function findSampleFindings(
  client: GuardDutyClient,
  detectorId: string,
  findingType: string,
  sinceMs: number,
): Promise<WireFinding[]> {
  const { ListFindingsCommand } = await guardDutySdk();
  const listed = await call("ListFindings", () =>
    client.send(
      new ListFindingsCommand({
        DetectorId: detectorId,
        FindingCriteria: {
          Criterion: {
            type: { Equals: [findingType] },
            updatedAt: { GreaterThanOrEqual: sinceMs },
          },
        },
        SortCriteria: { AttributeName: "updatedAt", OrderBy: "DESC" },
        MaxResults: MAX_IDS_PER_CALL,
      }),
    ),
  );
  const ids = listed.FindingIds ?? [];
  if (ids.length === 0) return [];
  const { findings } = await getFullFindings(client, detectorId, ids);
  return findings.filter(isSampleFinding);
}

// --- SDK object → GuardDuty JSON -----------------------------------------------------------------------

type Traits = { jsonName?: unknown };

/** Follows lazy refs (`() => Schema`) and member tuples (`[ref, traits]`) to the schema and its traits. */
function resolve(ref: unknown): { schema: unknown; traits: Traits } {
  let traits: Traits = {};
  for (;;) {
    if (typeof ref === "function") ref = (ref as () => unknown)();
    // A member is `[ref, traits]` (traits an object, or a bitmask number); no static schema has length 2.
    else if (Array.isArray(ref) && ref.length === 2) {
      if (typeof ref[1] === "object" && ref[1] !== null) traits = { ...(ref[1] as Traits), ...traits };
      ref = ref[0];
    } else return { schema: ref, traits };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

function plain(value: unknown): unknown {
  // An invalid Date becomes null, as JSON.stringify writes it (toISOString would throw).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * Renames members to their wire names using the static schema: structures/unions ([3|4, ns, name, traits,
 * memberNames, memberRefs]) rename keys, lists ([1, …, member]) and maps ([2, …, key, value]) recurse
 * (map keys are data and stay as they are). Members the schema does not know are kept as they are.
 */
function toWire(ref: unknown, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const { schema } = resolve(ref);
  if (!Array.isArray(schema) || typeof schema[0] !== "number") return plain(value);
  switch (schema[0]) {
    case 3:
    case 4: {
      if (!isRecord(value)) return plain(value);
      const names = schema[4] as string[];
      const members = schema[5] as unknown[];
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) {
        if (member === undefined || key === "$unknown") continue;
        const i = names.indexOf(key);
        if (i < 0) {
          out[key] = plain(member);
          continue;
        }
        const jsonName = resolve(members[i]).traits.jsonName;
        out[typeof jsonName === "string" ? jsonName : key] = toWire(members[i], member);
      }
      return out;
    }
    case 1:
      return Array.isArray(value) ? value.map((item) => toWire(schema[4], item)) : plain(value);
    case 2:
      return isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(schema[5], v)]))
        : plain(value);
    case 0:
      return toWire(schema[4], value);
    default:
      return plain(value);
  }
}

/** The SDK's static schema of a finding (`Finding$`), which carries the wire names. */
export type FindingSchema = Awaited<ReturnType<typeof guardDutySdk>>["Finding$"];

/** A GetFindings `Finding` as GuardDuty's JSON: what EventBridge delivers as `detail`. */
export const toWireFinding = (finding: Finding, schema: FindingSchema): WireFinding =>
  toWire(schema, finding) as WireFinding;
