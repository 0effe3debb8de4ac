/** The container's DynamoDB client (the incident table): every function uses it. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CLIENT_OPTIONS, containerClient } from "./options";

export const dynamodbClient = containerClient(() => new DynamoDBClient(CLIENT_OPTIONS));
