import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../../core/errors";
import { findingSchema } from "../../../../core/findings/finding";
import type { Json } from "../../../../core/normalize/read";
import {
  SECURITY_HUB_CUSTOM_ACTION,
  SECURITY_HUB_IMPORTED,
  SECURITY_HUB_IMPORTED_V2,
} from "../../../../core/normalize/securityhub";
import { fixturesIn, loadFixture } from "../../../support/fixtures";
import {
  fromBare,
  fromEvent,
  makeFindingsImportedV2Event,
  makeGuardDutyAsffFinding,
  makeOcsfComplianceFinding,
  makeOcsfGuardDutyFinding,
  makeSecurityGroupControlFinding,
  makeSecurityHubEvent,
} from "../../../support/securityhub.factory";

type Path = (string | number)[];

/** Every path to a value inside `value` (objects and arrays, not the root). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === "object" && value !== null
      ? Object.entries(value)
      : [];
  return children.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

type Mutation = { pick: number; change: { delete: true } | { set: unknown } };

function mutate(doc: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(doc);
  for (const { pick, change } of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const path = paths[pick % paths.length]!;
    // biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy);
    const key = path.at(-1)!;
    if ("set" in change) parent[key] = change.set;
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }
  return copy;
}

/** Normalizes and checks the outcome: valid findings, or an InputError — nothing else may escape. */
function expectFindingsOrInputError(run: () => unknown[]): void {
  try {
    for (const finding of run()) findingSchema.parse(finding);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
  }
}

const run = (doc: Json) => () => ("detail-type" in doc ? fromEvent(doc) : fromBare(doc));

const SEEDS: Json[] = [
  ...fixturesIn("securityhub").map((path) => loadFixture(path) as Json),
  makeSecurityHubEvent([
    makeGuardDutyAsffFinding(),
    makeSecurityGroupControlFinding([{ IpProtocol: "tcp" }]),
  ]),
  makeFindingsImportedV2Event([makeOcsfGuardDutyFinding(), makeOcsfComplianceFinding()]),
  makeOcsfGuardDutyFinding(),
];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  change: fc.oneof(
    fc.constant({ delete: true as const }),
    fc.jsonValue().map((set) => ({ set })),
  ),
});

describe("Security Hub normalizer on arbitrary input", () => {
  it("seeds normalize cleanly before they are mutated", () => {
    // Act
    const counts = SEEDS.map((seed) => run(seed)().length);

    // Assess
    expect(counts.every((count) => count >= 1)).toBe(true);
  });

  it("mutated fixtures give valid findings or an InputError", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, changes) => {
          expectFindingsOrInputError(run(mutate(seed, changes)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("arbitrary details of every detail-type give valid findings or an InputError", () => {
    const finding = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          SchemaVersion: fc.string(),
          Id: fc.oneof(fc.string(), fc.jsonValue()),
          ProductArn: fc.oneof(
            fc.constant("arn:aws:securityhub:us-east-1::product/aws/guardduty"),
            fc.jsonValue(),
          ),
          AwsAccountId: fc.jsonValue(),
          Types: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
          Severity: fc.jsonValue(),
          Resources: fc.oneof(
            fc.array(
              fc.dictionary(fc.constantFrom("Type", "Id", "Details", "Region", "Tags"), fc.jsonValue()),
            ),
            fc.jsonValue(),
          ),
          ProductFields: fc.dictionary(fc.string(), fc.jsonValue()),
          Compliance: fc.jsonValue(),
          FirstObservedAt: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          finding_info: fc.oneof(
            fc.dictionary(fc.constantFrom("uid", "title", "types", "uid_alt"), fc.jsonValue()),
            fc.jsonValue(),
          ),
          metadata: fc.jsonValue(),
          cloud: fc.jsonValue(),
          resources: fc.jsonValue(),
          severity_id: fc.jsonValue(),
          count: fc.jsonValue(),
          status: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(SECURITY_HUB_IMPORTED, SECURITY_HUB_CUSTOM_ACTION, SECURITY_HUB_IMPORTED_V2),
        fc.oneof(
          fc.jsonValue(),
          fc.record({ findings: fc.array(finding, { maxLength: 3 }), actionName: fc.jsonValue() }),
        ),
        fc.oneof(fc.constant(undefined), fc.string()),
        (detailType, detail, account) => {
          expectFindingsOrInputError(() => fromEvent({ "detail-type": detailType, detail, account }));
        },
      ),
      { numRuns: 400 },
    );
  });
});
