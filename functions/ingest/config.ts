/** The ingest function's configuration (functions/shared/config-parse.ts says how it is read). */
import * as z from "zod";
import {
  type BaseConfig,
  baseVariables,
  type Env,
  httpsUrl,
  optional,
  parseEnvironment,
  required,
  responseConfig,
  wholeNumber,
} from "../shared/config-parse";
import { ENV } from "../shared/env-names";

export const ingestSchema = z.object({
  ...baseVariables(),
  [ENV.advanceQueueUrl]: required(httpsUrl()),
  [ENV.quarantineRetentionDays]: optional(wholeNumber(1, 3650)),
});

export interface IngestConfig extends BaseConfig {
  advanceQueueUrl: string;
  quarantineRetentionDays: number | undefined;
}

export function loadIngestConfig(env: Env): IngestConfig {
  const e = parseEnvironment("ingest", ingestSchema, env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, undefined),
    advanceQueueUrl: e.IR_ADVANCE_QUEUE_URL,
    quarantineRetentionDays: e.IR_QUARANTINE_RETENTION_DAYS,
  };
}
