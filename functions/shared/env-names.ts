/**
 * The environment each Lambda function reads: which variables, which are required, which go together.
 * The contract itself lives in core/contracts/function-env.ts, because infra/ (which sets the variables)
 * may import core/ only; this module is the functions' name for it, so there is exactly one list.
 * functions/shared/config.ts parses them; test/functions/shared/config.test.ts proves its schemas read
 * exactly these variables.
 *
 * Names are stable: renaming one is a breaking change for every deployed stack. Lambda itself sets
 * AWS_REGION; Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL.
 */
export {
  ENV,
  type EnvKey,
  type EnvName,
  FUNCTION_ENV,
  FUNCTION_NAMES,
  type FunctionEnv,
  type FunctionName,
  SLACK_SECRET_KEYS,
} from "../../core/contracts/function-env";
