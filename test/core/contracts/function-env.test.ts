/**
 * infra reads the functions' environment contract from core/contracts (it may not import functions/);
 * the functions must use that very contract, not a copy that could drift.
 */
import { describe, expect, it } from "vitest";
import * as core from "../../../core/contracts/function-env";
import * as functions from "../../../functions/shared/env-names";

describe("function environment contract", () => {
  it("is the one functions/shared/env-names.ts exports", () => {
    // Assess
    expect(functions.ENV).toBe(core.ENV);
    expect(functions.FUNCTION_NAMES).toBe(core.FUNCTION_NAMES);
    expect(functions.FUNCTION_ENV).toBe(core.FUNCTION_ENV);
  });

  it("lists only variables it defines", () => {
    // Prepare
    const names = new Set<string>(Object.values(core.ENV));
    // Assess
    for (const name of core.FUNCTION_NAMES)
      for (const variable of [...core.FUNCTION_ENV[name].required, ...core.FUNCTION_ENV[name].optional])
        expect(names, `${name} ${variable}`).toContain(variable);
  });
});
