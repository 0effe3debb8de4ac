/** The advance function's configuration (functions/shared/config-parse.ts says how it is read). */
import * as z from "zod";
import {
  type BaseConfig,
  baseVariables,
  type Env,
  json,
  optional,
  parseEnvironment,
  responseConfig,
  responseConfigSchema,
  wholeNumber,
} from "../shared/config-parse";
import { ENV } from "../shared/env-names";

export const advanceSchema = z.object({
  ...baseVariables(),
  [ENV.responseConfig]: optional(json(responseConfigSchema())),
  [ENV.quarantineRetentionDays]: optional(wholeNumber(1, 3650)),
});

export interface AdvanceConfig extends BaseConfig {
  quarantineRetentionDays: number | undefined;
}

export function loadAdvanceConfig(env: Env): AdvanceConfig {
  const e = parseEnvironment("advance", advanceSchema, env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    quarantineRetentionDays: e.IR_QUARANTINE_RETENTION_DAYS,
  };
}
