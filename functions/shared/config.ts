/**
 * Every function's configuration in one place, for tests and tooling (infra's tests read the synthesized
 * environments through these loaders). Handlers never import this module: each imports only its own
 * functions/<name>/config.ts, so no function builds another's schema or loads what only another needs.
 * How variables are read, and the invariants: functions/shared/config-parse.ts.
 */
import { advanceSchema } from "../advance/config";
import { dispatchSchema } from "../dispatch/config";
import { ingestSchema } from "../ingest/config";
import { slackSchema } from "../slack/config";
import { sweepSchema } from "../sweep/config";
import type { FunctionName } from "./env-names";

export { type AdvanceConfig, loadAdvanceConfig } from "../advance/config";
export { type DispatchConfig, loadDispatchConfig, type SlackChatConfig } from "../dispatch/config";
export { type IngestConfig, loadIngestConfig } from "../ingest/config";
export { loadSlackConfig, type SlackConfig, slackRespondersSchema } from "../slack/config";
export {
  DEFAULT_SWEEP_BATCH_SIZE,
  DEFAULT_SWEEP_MAX_BATCHES,
  loadSweepConfig,
  type SweepConfig,
} from "../sweep/config";
export { type BaseConfig, ConfigError, once } from "./config-parse";

/** Each function's environment schema. */
export const SCHEMAS = {
  ingest: ingestSchema,
  advance: advanceSchema,
  dispatch: dispatchSchema,
  slack: slackSchema,
  sweep: sweepSchema,
} satisfies Record<FunctionName, unknown>;
