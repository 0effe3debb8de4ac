/**
 * SnsAlerter against a mocked SNSClient: the exact Publish request (subject, message, filterable
 * attributes), FIFO grouping and deduplication per command id, subject sanitizing, and how SDK errors
 * become RetryLaterError or a plain Error.
 */
import { createHash } from "node:crypto";
import {
  AuthorizationErrorException,
  InternalErrorException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { SnsAlerter, SUBJECT_MAX, sanitizeSubject } from "../../../adapters/sns/alerter";
import { RetryLaterError } from "../../../core/ports/command-executor";
import { makeIncidentView, makePageParams } from "../../support/incident-view.factory";

const STANDARD_TOPIC = "arn:aws:sns:us-east-1:123456789012:ir-pages";
const FIFO_TOPIC = "arn:aws:sns:us-east-1:123456789012:ir-pages.fifo";
const COMMAND_ID = "IR-0001:7:2";

const client = new SNSClient({ region: "us-east-1" });
const sns = mockClient(client);

const alerterFor = (topicArn: string) =>
  new SnsAlerter({
    client,
    topicArn,
    serviceName: "incident-response",
    incidentUrl: (id) => `https://ir.example.com/incidents/${id}`,
  });

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const publishInputs = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "msg-1" });
});

describe("SnsAlerter.page", () => {
  it("publishes a readable page with every filterable attribute to a standard topic", async () => {
    // Prepare
    const params = makePageParams();
    const alerter = alerterFor(STANDARD_TOPIC);

    // Act
    const result = await alerter.page(COMMAND_ID, params);

    // Assess
    expect(result).toEqual({ messageId: "msg-1" });
    expect(publishInputs()).toEqual([
      {
        TopicArn: STANDARD_TOPIC,
        Subject:
          "[CRITICAL] IR-0001 SLA breached (contain, L1 security-lead): UnauthorizedAccess:EC2/TorRelay on i...",
        Message: [
          "incident-response: page for CRITICAL incident IR-0001",
          "",
          "Incident: IR-0001",
          "Title: UnauthorizedAccess:EC2/TorRelay on i-0abc1234",
          "Severity: CRITICAL (score 95)",
          "Phase: contain",
          "Deadline: 2024-05-01T13:00:00.000Z",
          "Escalation: level 1 → security-lead",
          "Reason: SLA breached",
          "Owner: alice",
          "Acknowledged by: alice",
          "Category: ec2-compromise",
          "Resource: 123456789012:us-east-1:ec2-instance:i-0abc1234",
          "Account / region: 123456789012 / us-east-1",
          "Containment: awaiting-approval",
          "Findings: 3",
          "Opened: 2024-05-01T12:00:00.000Z",
          "Runbook: runbooks/ec2-compromise.md#contain",
          "Link: https://ir.example.com/incidents/IR-0001",
        ].join("\n"),
        MessageAttributes: {
          severity: { DataType: "String", StringValue: "CRITICAL" },
          incident_id: { DataType: "String", StringValue: "IR-0001" },
          phase: { DataType: "String", StringValue: "contain" },
          escalation_level: { DataType: "Number", StringValue: "1" },
          target: { DataType: "String", StringValue: "security-lead" },
          reason: { DataType: "String", StringValue: "sla-breached" },
        },
      },
    ]);
  });

  it("says so when nobody owns the incident and there is no deadline", async () => {
    // Prepare
    const params = makePageParams({
      reason: "re-escalation",
      level: 2,
      target: "ciso",
      deadline: null,
      incident: makeIncidentView({ owner: null, acknowledgedBy: null, phase: "detect" }),
      phase: "detect",
    });

    // Act
    await alerterFor(STANDARD_TOPIC).page(COMMAND_ID, params);

    // Assess
    const [input] = publishInputs();
    expect(input?.Message).toContain("\nDeadline: none\n");
    expect(input?.Message).toContain("\nOwner: unassigned\n");
    expect(input?.Message).toContain("\nAcknowledged by: nobody yet\n");
    expect(input?.Message).toContain("\nRunbook: runbooks/ec2-compromise.md#detect");
    expect(input?.MessageAttributes?.escalation_level).toEqual({ DataType: "Number", StringValue: "2" });
    expect(input?.MessageAttributes?.reason).toEqual({ DataType: "String", StringValue: "re-escalation" });
    expect(input?.Subject).toMatch(
      /^\[CRITICAL\] IR-0001 re-escalation: still no action \(detect, L2 ciso\)/,
    );
  });

  it("leaves out an attribute whose value is empty (SNS refuses empty values)", async () => {
    // Prepare
    const params = makePageParams({ target: "" });

    // Act
    await alerterFor(STANDARD_TOPIC).page(COMMAND_ID, params);

    // Assess
    const attributes = publishInputs()[0]?.MessageAttributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual([
      "escalation_level",
      "incident_id",
      "phase",
      "reason",
      "severity",
    ]);
  });

  it("groups a FIFO page by incident and deduplicates it by a hash of the command id", async () => {
    // Prepare
    const alerter = alerterFor(FIFO_TOPIC);

    // Act
    await alerter.page(COMMAND_ID, makePageParams());
    await alerter.page(COMMAND_ID, makePageParams());
    await alerter.page("IR-0001:8:0", makePageParams());

    // Assess
    const [first, again, next] = publishInputs();
    expect(first?.MessageGroupId).toBe("IR-0001");
    expect(first?.MessageDeduplicationId).toBe(sha256(COMMAND_ID));
    expect(first?.MessageDeduplicationId?.length).toBeLessThanOrEqual(128);
    expect(again?.MessageDeduplicationId).toBe(first?.MessageDeduplicationId);
    expect(next?.MessageDeduplicationId).toBe(sha256("IR-0001:8:0"));
    expect(next?.MessageDeduplicationId).not.toBe(first?.MessageDeduplicationId);
  });

  it("sends no FIFO fields to a standard topic", async () => {
    // Act
    await alerterFor(STANDARD_TOPIC).page(COMMAND_ID, makePageParams());

    // Assess
    const [input] = publishInputs();
    expect(input).not.toHaveProperty("MessageGroupId");
    expect(input).not.toHaveProperty("MessageDeduplicationId");
  });

  it("hashes an incident id SNS would not accept as a FIFO group id", async () => {
    // Prepare
    const incidentId = `IR ${"x".repeat(200)}`;
    const params = makePageParams({ incident: makeIncidentView({ incidentId }) });

    // Act
    await alerterFor(FIFO_TOPIC).page(COMMAND_ID, params);

    // Assess
    expect(publishInputs()[0]?.MessageGroupId).toBe(sha256(`group:${incidentId}`));
  });

  it("keeps a hostile title on its own line and out of the subject's forbidden characters", async () => {
    // Prepare
    const title = "Ünïcödé 🚨 attack\nDeadline: never\r\nX";
    const params = makePageParams({ incident: makeIncidentView({ title }) });

    // Act
    await alerterFor(STANDARD_TOPIC).page(COMMAND_ID, params);

    // Assess
    const [input] = publishInputs();
    expect(input?.Subject).toBe(
      "[CRITICAL] IR-0001 SLA breached (contain, L1 security-lead): Unicode attack Deadline: never X",
    );
    expect(input?.Message?.split("\n").filter((line) => line.startsWith("Deadline:"))).toEqual([
      "Deadline: 2024-05-01T13:00:00.000Z",
    ]);
    expect(input?.Message).toContain("Title: Ünïcödé 🚨 attack Deadline: never  X\n");
  });

  it("fails when SNS answers without a message id", async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});

    // Act
    const paging = alerterFor(STANDARD_TOPIC).page(COMMAND_ID, makePageParams());

    // Assess
    await expect(paging).rejects.toThrow(/no MessageId for command IR-0001:7:2/);
  });

  it.each([
    ["throttled", new ThrottledException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } })],
    ["a 5xx", new InternalErrorException({ message: "Internal error", $metadata: { httpStatusCode: 500 } })],
  ])("asks to retry later when SNS is %s", async (_, error) => {
    // Prepare
    sns.on(PublishCommand).rejects(error);

    // Act
    const paging = alerterFor(STANDARD_TOPIC).page(COMMAND_ID, makePageParams());

    // Assess
    await expect(paging).rejects.toBeInstanceOf(RetryLaterError);
    await expect(paging).rejects.toThrow(error.name);
  });

  it("fails for good, naming the AWS error, when SNS refuses the publish", async () => {
    // Prepare
    const denied = new AuthorizationErrorException({
      message: "not authorized to publish",
      $metadata: { httpStatusCode: 403 },
    });
    sns.on(PublishCommand).rejects(denied);

    // Act
    const paging = alerterFor(STANDARD_TOPIC).page(COMMAND_ID, makePageParams());

    // Assess
    await expect(paging).rejects.toThrow(
      "SNS Publish failed: AuthorizationErrorException: not authorized to publish",
    );
    await expect(paging).rejects.not.toBeInstanceOf(RetryLaterError);
  });
});

describe("sanitizeSubject", () => {
  it("cuts a long subject visibly at 100 characters", () => {
    // Act
    const subject = sanitizeSubject(`Incident ${"a".repeat(300)}`);

    // Assess
    expect(subject).toHaveLength(SUBJECT_MAX);
    expect(subject.endsWith("...")).toBe(true);
  });

  it("turns any text into a non-empty, single-line, printable-ASCII subject of at most 100 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), (text) => {
        // Act
        const subject = sanitizeSubject(text);

        // Assess
        expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
        expect(subject).toBe(subject.trim());
      }),
    );
  });
});

describe("page message", () => {
  it("always has the same lines, whatever the untrusted fields hold", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", maxLength: 3000 }),
        fc.string({ unit: "binary", maxLength: 200 }),
        async (title, owner) => {
          // Prepare
          sns.reset();
          sns.on(PublishCommand).resolves({ MessageId: "m" });
          const params = makePageParams({ incident: makeIncidentView({ title, owner }) });

          // Act
          await alerterFor(STANDARD_TOPIC).page(COMMAND_ID, params);

          // Assess
          const message = publishInputs()[0]?.Message ?? "";
          expect(message.split("\n")).toHaveLength(19);
          expect(Buffer.byteLength(message)).toBeLessThan(256 * 1024);
        },
      ),
      { numRuns: 50 },
    );
  });
});
