/** The sweep function's configuration (functions/shared/config-parse.ts says how it is read). */
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

export const sweepSchema = z.object({
  ...baseVariables(),
  [ENV.responseConfig]: optional(json(responseConfigSchema())),
  [ENV.sweepBatchSize]: optional(wholeNumber(1, 1000)),
  [ENV.sweepMaxBatches]: optional(wholeNumber(1, 1000)),
});

export interface SweepConfig extends BaseConfig {
  batchSize: number;
  maxBatches: number;
}

export const DEFAULT_SWEEP_BATCH_SIZE = 100;
export const DEFAULT_SWEEP_MAX_BATCHES = 20;

export function loadSweepConfig(env: Env): SweepConfig {
  const e = parseEnvironment("sweep", sweepSchema, env);
  return {
    tableName: e.IR_TABLE_NAME,
    response: responseConfig(e.IR_SERVICE_NAME, e.IR_RESPONSE_CONFIG),
    batchSize: e.IR_SWEEP_BATCH_SIZE ?? DEFAULT_SWEEP_BATCH_SIZE,
    maxBatches: e.IR_SWEEP_MAX_BATCHES ?? DEFAULT_SWEEP_MAX_BATCHES,
  };
}
