/**
 * The GuardDuty SDK, imported on first use rather than with the module. GuardDuty calls are rare in the
 * dispatch function (feedback when an incident closes, whole findings when an event carried partial
 * detail), and its client is ~120 KB of minified schema tables that every cold start would otherwise
 * parse; the Lambda bundle leaves the package to the runtime's SDK (infra/bundling.ts).
 */
export const guardDutySdk = () => import("@aws-sdk/client-guardduty");
