/** The container's SQS client (the advance queue): ingest and slack send to it. */
import { SQSClient } from "@aws-sdk/client-sqs";
import { CLIENT_OPTIONS, containerClient } from "./options";

export const sqsClient = containerClient(() => new SQSClient(CLIENT_OPTIONS));
