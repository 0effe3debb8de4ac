/**
 * Lambda events as the services deliver them (shapes from @types/aws-lambda and AWS's documented examples):
 * SQS FIFO records, DynamoDB stream records (NEW_IMAGE), Function URL requests (payload 2.0), scheduled
 * events and a Lambda Context — `make<Thing>(overrides)` factories for the handler tests.
 */
import { createHash } from "node:crypto";
import type { SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import type {
  AttributeValue,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  LambdaFunctionURLEvent,
  ScheduledEvent,
  SQSEvent,
  SQSRecord,
} from "aws-lambda";
import type { Item } from "../../../adapters/dynamodb/attributes";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:ir-advance.fifo`;
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ir-advance.fifo`;
export const STREAM_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/incidents/stream/2024-05-01T00:00:00.000`;

let counter = 0;
const next = () => ++counter;
const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

export function makeSqsRecord(
  overrides: {
    body?: string;
    messageId?: string;
    groupId?: string;
    deduplicationId?: string;
    receiveCount?: number;
  } = {},
): SQSRecord {
  const n = next();
  const body = overrides.body ?? "{}";
  return {
    messageId: overrides.messageId ?? `059f36b4-87a3-44ab-83d2-${String(n).padStart(12, "0")}`,
    receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${n}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(overrides.receiveCount ?? 1),
      SentTimestamp: "1714557600000",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1714557600001",
      SequenceNumber: String(18849496460467696128n + BigInt(n)),
      MessageGroupId: overrides.groupId ?? "group-1",
      MessageDeduplicationId: overrides.deduplicationId ?? md5(body),
    },
    messageAttributes: {},
    md5OfBody: md5(body),
    eventSource: "aws:sqs",
    eventSourceARN: QUEUE_ARN,
    awsRegion: REGION,
  };
}

export const makeSqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** The SQS event the advance function would receive for messages a producer sent with SendMessageBatch. */
export function sqsEventFromEntries(entries: readonly SendMessageBatchRequestEntry[]): SQSEvent {
  return makeSqsEvent(
    entries.map((entry) =>
      makeSqsRecord({
        body: entry.MessageBody ?? "",
        ...(entry.MessageGroupId ? { groupId: entry.MessageGroupId } : {}),
        ...(entry.MessageDeduplicationId ? { deduplicationId: entry.MessageDeduplicationId } : {}),
      }),
    ),
  );
}

/** A stream record for an item written to the incident table (NEW_IMAGE view). */
export function makeStreamRecord(
  newImage: Item,
  overrides: { eventName?: DynamoDBRecord["eventName"]; sequenceNumber?: string } = {},
): DynamoDBRecord {
  const n = next();
  return {
    eventID: `c4ca4238a0b923820dcc509a6f75849${n}`,
    eventName: overrides.eventName ?? "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: REGION,
    dynamodb: {
      ApproximateCreationDateTime: 1714557600,
      Keys: { pk: newImage.pk as AttributeValue, sk: newImage.sk as AttributeValue },
      NewImage: newImage as Record<string, AttributeValue>,
      SequenceNumber: overrides.sequenceNumber ?? String(111000000000000000000 + n * 1000),
      SizeBytes: 512,
      StreamViewType: "NEW_IMAGE",
    },
    eventSourceARN: STREAM_ARN,
  };
}

export const makeStreamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

/** A Function URL request (payload format 2.0) as Slack's POST arrives: form body, base64-encoded. */
export function makeFunctionUrlEvent(
  overrides: {
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    base64?: boolean;
    timeEpoch?: number;
  } = {},
): LambdaFunctionURLEvent {
  const path = overrides.path ?? "/slack/interactions";
  const body = overrides.body ?? "";
  const base64 = overrides.base64 ?? true;
  const timeEpoch = overrides.timeEpoch ?? 1714557600000;
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      host: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
      "x-forwarded-proto": "https",
      ...overrides.headers,
    },
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefghijklmnopqrstuvwxyz012345",
      domainName: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
      domainPrefix: "abcdefghijklmnopqrstuvwxyz012345",
      http: {
        method: "POST",
        path,
        protocol: "HTTP/1.1",
        sourceIp: "54.209.100.1",
        userAgent: "Slackbot 1.0 (+https://api.slack.com/robots)",
      },
      requestId: `id-${next()}`,
      routeKey: "$default",
      stage: "$default",
      time: "01/May/2024:10:00:00 +0000",
      timeEpoch,
    },
    body: base64 ? Buffer.from(body, "utf8").toString("base64") : body,
    isBase64Encoded: base64,
  };
}

export function makeScheduledEvent(time = "2024-05-01T12:13:00Z"): ScheduledEvent {
  return {
    version: "0",
    account: ACCOUNT,
    region: REGION,
    detail: {},
    "detail-type": "Scheduled Event",
    source: "aws.events",
    time,
    id: `cdc73f9d-aea9-11e3-9d5a-83${String(next()).padStart(10, "0")}`,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/ir-sweep`],
  };
}

export function makeContext(overrides: { remainingMs?: () => number; functionName?: string } = {}): Context {
  const functionName = overrides.functionName ?? "ir-test";
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: `c6af9ac6-7b61-11e6-9a41-93e8${String(next()).padStart(8, "0")}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2024/05/01/[$LATEST]aabbccddeeff",
    getRemainingTimeInMillis: overrides.remainingMs ?? (() => 60_000),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
