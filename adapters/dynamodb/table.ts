/**
 * The incident table's definition lives in core/contracts/incident-table.ts, where the CDK app can read it
 * (infra/ may import core/ only); the adapter re-exports it so its own modules and tests keep one import.
 */
export * from "../../core/contracts/incident-table";
