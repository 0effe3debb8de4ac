/**
 * The dependency rule (DESIGN §2): imports point inward.
 * core ← workflows ← app ← {functions, server}; adapters implement core ports; infra reads core contracts only.
 */
const sdk = "^(@aws-sdk|@slack|better-sqlite3|hono|@hono|aws-cdk-lib|constructs)";
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "core-is-pure",
      comment: "core/ depends on nothing but zod: no node builtins, no SDKs, no outer layers.",
      severity: "error",
      from: { path: "^core/" },
      to: { pathNot: ["^core/", "node_modules/zod/"] },
    },
    {
      name: "workflows-are-pure",
      comment: "workflows/ may use core/ and xstate only.",
      severity: "error",
      from: { path: "^workflows/" },
      to: { pathNot: ["^core/", "^workflows/", "node_modules/(zod|xstate)/"] },
    },
    {
      name: "app-has-no-sdk",
      comment: "app/ use-cases are written against ports: no SDKs, no adapters, no runtimes.",
      severity: "error",
      from: { path: "^app/" },
      to: { pathNot: ["^core/", "^workflows/", "^app/", "node_modules/(zod|xstate)/"] },
    },
    {
      name: "adapters-implement-core-ports",
      comment: "adapters/ see core/ contracts, never workflows/, app/ or the runtimes.",
      severity: "error",
      from: { path: "^adapters/" },
      to: { path: "^(workflows|app|functions|server|infra|cli)/" },
    },
    {
      name: "infra-reads-contracts-only",
      comment: "infra/ imports core/ contracts, never runtime code.",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: "^(workflows|app|adapters|functions|server|cli)/" },
    },
    {
      name: "nothing-imports-runtimes",
      comment: "functions/, server/ and cli/ are composition roots: nothing inner imports them.",
      severity: "error",
      from: { path: "^(core|workflows|app|adapters)/" },
      to: { path: "^(functions|server|cli)/" },
    },
    {
      name: "sdk-only-in-adapters",
      severity: "error",
      from: { path: "^(core|workflows|app)/" },
      to: { path: sdk },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
