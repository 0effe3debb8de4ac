/**
 * SecurityHubFindingTracker against a mocked SecurityHubClient: exact BatchUpdateFindings /
 * BatchImportFindings requests, chunking at 100, the 10 calls/s limiter on a fake clock, UnprocessedFindings
 * retried or reported, note truncation, the incident's own finding for open and closed incidents, and how
 * SDK errors become RetryLaterError or a plain Error.
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  InvalidInputException,
  LimitExceededException,
  SecurityHubClient,
  ThrottlingException,
} from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TokenBucket } from "../../../adapters/aws/token-bucket";
import {
  NOTE_MAX,
  NOTE_TRUNCATION_MARKER,
  SecurityHubFindingTracker,
} from "../../../adapters/securityhub/finding-tracker";
import { defaultProductArn } from "../../../adapters/securityhub/incident-finding";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { FakeTimer } from "../../support/fake-timer";
import { makeIncidentView, makeSecurityHubRefs, OPENED_AT } from "../../support/incident-view.factory";
import { TestClock } from "../../support/test-clock";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const PRODUCT_ARN = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;
const NOW = "2024-05-01T13:30:00.000Z";

const client = new SecurityHubClient({ region: REGION });
const hub = mockClient(client);

let timer: FakeTimer;

function makeTracker(overrides: { maxAttempts?: number; limiter?: TokenBucket } = {}) {
  return new SecurityHubFindingTracker({
    client,
    serviceName: "incident-response",
    productArn: PRODUCT_ARN,
    awsAccountId: ACCOUNT,
    region: REGION,
    incidentUrl: (id) => `https://ir.example.com/incidents/${id}`,
    clock: new TestClock(NOW),
    timer,
    ...overrides,
  });
}

const updateInputs = () => hub.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input);
const importInputs = () => hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input);
const identifiers = (refs: { id: string; productArn: string }[]) =>
  refs.map((r) => ({ Id: r.id, ProductArn: r.productArn }));

beforeEach(() => {
  hub.reset();
  timer = new FakeTimer(1_000_000);
  hub.on(BatchUpdateFindingsCommand).callsFake((input) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
  hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
});

describe("updateFindings", () => {
  it("sets the workflow status and a note signed by the service on each finding", async () => {
    // Prepare
    const findings = makeSecurityHubRefs(2);

    // Act
    const result = await makeTracker().updateFindings({
      findings,
      status: "NOTIFIED",
      note: "Incident IR-0001 opened; owner alice.",
    });

    // Assess
    expect(updateInputs()).toEqual([
      {
        FindingIdentifiers: identifiers(findings),
        Workflow: { Status: "NOTIFIED" },
        Note: { Text: "Incident IR-0001 opened; owner alice.", UpdatedBy: "incident-response" },
      },
    ]);
    expect(result).toEqual({ processed: 2, unprocessed: [] });
  });

  it("sends 250 findings as 3 calls of at most 100, in order", async () => {
    // Prepare
    const findings = makeSecurityHubRefs(250);

    // Act
    const result = await makeTracker().updateFindings({ findings, status: "RESOLVED", note: "Closed." });

    // Assess
    const calls = updateInputs();
    expect(calls.map((c) => c.FindingIdentifiers?.length)).toEqual([100, 100, 50]);
    expect(calls.flatMap((c) => c.FindingIdentifiers)).toEqual(identifiers(findings));
    expect(result.processed).toBe(250);
  });

  it("names each finding once even when the command repeats it", async () => {
    // Prepare
    const [a, b] = makeSecurityHubRefs(2);

    // Act
    await makeTracker().updateFindings({ findings: [a!, b!, a!], status: "NOTIFIED", note: "n" });

    // Assess
    expect(updateInputs()[0]?.FindingIdentifiers).toEqual(identifiers([a!, b!]));
  });

  it("spaces calls so no more than 10 go out in any second", async () => {
    // Prepare
    const sentAt: number[] = [];
    hub.on(BatchUpdateFindingsCommand).callsFake((input) => {
      sentAt.push(timer.now());
      return { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] };
    });
    const findings = makeSecurityHubRefs(1_200);

    // Act
    await makeTracker().updateFindings({ findings, status: "NOTIFIED", note: "n" });

    // Assess
    expect(sentAt).toHaveLength(12);
    expect(sentAt.slice(1).map((t, i) => t - sentAt[i]!)).toEqual(Array(11).fill(100));
    for (const t of sentAt)
      expect(sentAt.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(10);
  });

  it("shares one limiter across trackers, so two commands together stay under the rate", async () => {
    // Prepare
    const limiter = new TokenBucket({ ratePerSecond: 10, burst: 1, timer });
    const sentAt: number[] = [];
    hub.on(BatchUpdateFindingsCommand).callsFake((input) => {
      sentAt.push(timer.now());
      return { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] };
    });

    // Act
    await makeTracker({ limiter }).addNote({ findings: makeSecurityHubRefs(1), note: "first" });
    await makeTracker({ limiter }).addNote({ findings: makeSecurityHubRefs(1), note: "second" });

    // Assess
    expect(sentAt[1]! - sentAt[0]!).toBe(100);
  });

  it("retries a finding Security Hub could not update for now, and reports one it refuses for good", async () => {
    // Prepare
    const [busy, missing, fine] = makeSecurityHubRefs(3);
    hub
      .on(BatchUpdateFindingsCommand)
      .resolvesOnce({
        ProcessedFindings: identifiers([fine!]),
        UnprocessedFindings: [
          {
            FindingIdentifier: { Id: busy!.id, ProductArn: busy!.productArn },
            ErrorCode: "ConcurrentUpdateError",
            ErrorMessage: "Concurrent finding updates detected",
          },
          {
            FindingIdentifier: { Id: missing!.id, ProductArn: missing!.productArn },
            ErrorCode: "FindingNotFound",
            ErrorMessage: "Finding Identifier does not exist",
          },
        ],
      })
      .resolvesOnce({ ProcessedFindings: identifiers([busy!]), UnprocessedFindings: [] });

    // Act
    const result = await makeTracker().updateFindings({
      findings: [busy!, missing!, fine!],
      status: "NOTIFIED",
      note: "n",
    });

    // Assess
    expect(updateInputs().map((c) => c.FindingIdentifiers)).toEqual([
      identifiers([busy!, missing!, fine!]),
      identifiers([busy!]),
    ]);
    expect(timer.sleeps).toContain(200);
    expect(result).toEqual({
      processed: 2,
      unprocessed: [
        {
          id: missing!.id,
          productArn: missing!.productArn,
          errorCode: "FindingNotFound",
          errorMessage: "Finding Identifier does not exist",
        },
      ],
    });
  });

  it("asks to retry the command later when a finding keeps failing transiently", async () => {
    // Prepare
    const [busy] = makeSecurityHubRefs(1);
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: busy!.id, ProductArn: busy!.productArn },
          ErrorCode: "InternalFailure",
          ErrorMessage: "Internal service failure",
        },
      ],
    });

    // Act
    const updating = makeTracker({ maxAttempts: 3 }).updateFindings({
      findings: [busy!],
      status: "NOTIFIED",
      note: "n",
    });

    // Assess
    await expect(updating).rejects.toBeInstanceOf(RetryLaterError);
    await expect(updating).rejects.toThrow(
      /1 finding\(s\) still unprocessed after 3 attempts \(InternalFailure\)/,
    );
    expect(updateInputs()).toHaveLength(3);
  });

  it("cuts a note over 512 characters and shows that it did", async () => {
    // Prepare
    const note = `Responder notes: ${"x".repeat(700)}`;

    // Act
    await makeTracker().updateFindings({ findings: makeSecurityHubRefs(1), status: "NOTIFIED", note });

    // Assess
    const text = updateInputs()[0]?.Note?.Text ?? "";
    expect(text).toHaveLength(NOTE_MAX);
    expect(text.endsWith(NOTE_TRUNCATION_MARKER)).toBe(true);
    expect(note.startsWith(text.slice(0, NOTE_MAX - NOTE_TRUNCATION_MARKER.length))).toBe(true);
  });

  it("keeps a note of exactly 512 characters whole", async () => {
    // Prepare
    const note = "y".repeat(NOTE_MAX);

    // Act
    await makeTracker().addNote({ findings: makeSecurityHubRefs(1), note });

    // Assess
    expect(updateInputs()[0]?.Note?.Text).toBe(note);
  });

  it("still signs a status change with a note when the command has none (our own updates must be recognisable)", async () => {
    // Act
    await makeTracker().updateFindings({
      findings: makeSecurityHubRefs(1),
      status: "SUPPRESSED",
      note: "  ",
    });

    // Assess
    expect(updateInputs()[0]?.Note).toEqual({
      Text: "Workflow status set to SUPPRESSED.",
      UpdatedBy: "incident-response",
    });
  });
});

describe("addNote", () => {
  it("adds only a note, leaving the workflow status alone", async () => {
    // Prepare
    const findings = makeSecurityHubRefs(1);

    // Act
    const result = await makeTracker().addNote({ findings, note: "SLA breached: contain by 13:00Z." });

    // Assess
    expect(updateInputs()).toEqual([
      {
        FindingIdentifiers: identifiers(findings),
        Note: { Text: "SLA breached: contain by 13:00Z.", UpdatedBy: "incident-response" },
      },
    ]);
    expect(result).toEqual({ processed: 1, unprocessed: [] });
  });

  it("refuses an empty note without calling Security Hub", async () => {
    // Act
    const adding = makeTracker().addNote({ findings: makeSecurityHubRefs(1), note: " " });

    // Assess
    await expect(adding).rejects.toThrow("the note is empty");
    expect(updateInputs()).toHaveLength(0);
  });
});

describe("publishIncident", () => {
  it("imports an open, unacknowledged incident as a NEW, ACTIVE finding", async () => {
    // Prepare
    const incident = makeIncidentView({
      phase: "detect",
      acknowledgedBy: null,
      owner: null,
      containment: "none",
    });

    // Act
    const result = await makeTracker().publishIncident(incident);

    // Assess
    expect(result).toEqual({ id: "incident-response/incident/IR-0001" });
    expect(importInputs()).toEqual([
      {
        Findings: [
          {
            SchemaVersion: "2018-10-08",
            Id: "incident-response/incident/IR-0001",
            ProductArn: PRODUCT_ARN,
            GeneratorId: "incident-response",
            AwsAccountId: ACCOUNT,
            Types: ["TTPs/Execution"],
            CreatedAt: OPENED_AT,
            UpdatedAt: NOW,
            Severity: { Label: "CRITICAL", Normalized: 95 },
            Title: "Incident IR-0001: UnauthorizedAccess:EC2/TorRelay on i-0abc1234",
            Description:
              "CRITICAL ec2-compromise incident in phase detect, opened 2024-05-01T12:00:00.000Z. " +
              "Resource 123456789012:us-east-1:ec2-instance:i-0abc1234 in 123456789012/us-east-1. " +
              "3 finding(s); containment none; owner unassigned; runbook ec2-compromise (Detect).",
            SourceUrl: "https://ir.example.com/incidents/IR-0001",
            ProductFields: {
              "ir/incidentId": "IR-0001",
              "ir/phase": "detect",
              "ir/severity": "CRITICAL",
              "ir/score": "95",
              "ir/category": "ec2-compromise",
              "ir/owner": "unassigned",
              "ir/acknowledgedBy": "none",
              "ir/containment": "none",
              "ir/findingCount": "3",
              "ir/correlationKey": "123456789012:us-east-1:ec2-instance:i-0abc1234",
              "ir/runbook": "ec2-compromise#Detect",
              "ir/generatedBy": "incident-response",
            },
            Resources: [
              {
                Type: "Other",
                Id: "123456789012:us-east-1:ec2-instance:i-0abc1234",
                Partition: "aws",
                Region: "us-east-1",
                Details: { Other: { incidentAccountId: "123456789012", category: "ec2-compromise" } },
              },
            ],
            FindingProviderFields: {
              Severity: { Label: "CRITICAL", Original: "95" },
              Types: ["TTPs/Execution"],
            },
            Workflow: { Status: "NEW" },
            RecordState: "ACTIVE",
          },
        ],
      },
    ]);
    expect(updateInputs()).toEqual([]);
  });

  it("archives a closed incident as RESOLVED and sets that status on the existing finding too", async () => {
    // Prepare
    const incident = makeIncidentView({ phase: "closed", containment: "restored" });

    // Act
    await makeTracker().publishIncident(incident);

    // Assess
    const [finding] = importInputs()[0]?.Findings ?? [];
    expect(finding).toMatchObject({
      Id: "incident-response/incident/IR-0001",
      Workflow: { Status: "RESOLVED" },
      RecordState: "ARCHIVED",
      ProductFields: expect.objectContaining({ "ir/phase": "closed", "ir/owner": "alice" }),
    });
    // Import sets Workflow only on creation; an existing finding gets it through BatchUpdateFindings.
    expect(updateInputs()).toEqual([
      {
        FindingIdentifiers: [{ Id: "incident-response/incident/IR-0001", ProductArn: PRODUCT_ARN }],
        Workflow: { Status: "RESOLVED" },
        Note: { Text: "Incident IR-0001 is in phase closed.", UpdatedBy: "incident-response" },
      },
    ]);
  });

  it("accepts that a just-created incident finding is not yet visible to BatchUpdateFindings", async () => {
    // Prepare
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: "incident-response/incident/IR-0001", ProductArn: PRODUCT_ARN },
          ErrorCode: "FindingNotFound",
          ErrorMessage: "Finding Identifier does not exist",
        },
      ],
    });

    // Act
    const result = await makeTracker().publishIncident(makeIncidentView({ phase: "assess" }));

    // Assess
    expect(result.id).toBe("incident-response/incident/IR-0001");
    expect(updateInputs()[0]?.Workflow).toEqual({ Status: "NOTIFIED" });
  });

  it("fails with Security Hub's reason when the import is refused", async () => {
    // Prepare
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [
        {
          Id: "incident-response/incident/IR-0001",
          ErrorCode: "InvalidInput",
          ErrorMessage: "Title too long",
        },
      ],
    });

    // Act
    const publishing = makeTracker().publishIncident(makeIncidentView());

    // Assess
    await expect(publishing).rejects.toThrow(
      "Security Hub BatchImportFindings refused incident-response/incident/IR-0001: InvalidInput: Title too long",
    );
    await expect(publishing).rejects.not.toBeInstanceOf(RetryLaterError);
    expect(updateInputs()).toHaveLength(0);
  });

  it("asks to retry later when the import failed on Security Hub's side", async () => {
    // Prepare
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: "x", ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
    });

    // Act
    const publishing = makeTracker().publishIncident(makeIncidentView());

    // Assess
    await expect(publishing).rejects.toBeInstanceOf(RetryLaterError);
  });

  it("uses the region's partition in the default product ARN", () => {
    // Act / Assess
    expect(defaultProductArn("us-east-1", ACCOUNT)).toBe(PRODUCT_ARN);
    expect(defaultProductArn("cn-north-1", ACCOUNT)).toBe(
      `arn:aws-cn:securityhub:cn-north-1:${ACCOUNT}:product/${ACCOUNT}/default`,
    );
  });
});

describe("Security Hub errors", () => {
  it.each([
    ["ThrottlingException", new ThrottlingException({ message: "Rate exceeded", $metadata: {} })],
    ["LimitExceededException", new LimitExceededException({ message: "Rate exceeded", $metadata: {} })],
  ])("turns %s into RetryLaterError", async (name, error) => {
    // Prepare
    hub.on(BatchUpdateFindingsCommand).rejects(error);
    hub.on(BatchImportFindingsCommand).rejects(error);
    const tracker = makeTracker();

    // Act
    const updating = tracker.updateFindings({
      findings: makeSecurityHubRefs(1),
      status: "NOTIFIED",
      note: "n",
    });
    const publishing = tracker.publishIncident(makeIncidentView());

    // Assess
    await expect(updating).rejects.toBeInstanceOf(RetryLaterError);
    await expect(updating).rejects.toThrow(`Security Hub BatchUpdateFindings throttled: ${name}`);
    await expect(publishing).rejects.toBeInstanceOf(RetryLaterError);
  });

  it("turns a refusal into an Error naming the AWS error", async () => {
    // Prepare
    hub
      .on(BatchUpdateFindingsCommand)
      .rejects(new InvalidInputException({ message: "Invalid FindingIdentifiers", $metadata: {} }));

    // Act
    const updating = makeTracker().addNote({ findings: makeSecurityHubRefs(1), note: "n" });

    // Assess
    await expect(updating).rejects.toThrow(
      "Security Hub BatchUpdateFindings failed: InvalidInputException: Invalid FindingIdentifiers",
    );
    await expect(updating).rejects.not.toBeInstanceOf(RetryLaterError);
  });
});
