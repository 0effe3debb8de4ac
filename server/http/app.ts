/**
 * The local runtime's HTTP app (Hono): POST /events, the JSON API under /api, GET /healthz, GET /metrics,
 * and whatever is mounted after them (server/wiring: the postmortem download, runbooks, PutEvents on
 * POST /, the Slack endpoints, the dashboard at /). It is a plain Hono app: tests drive it with
 * `app.request()`, main.ts serves it.
 *
 * Invariants:
 * - Every error answer is JSON `{ error: { code, message, path } }`; an unexpected throw is logged and
 *   answered 500 without its message (which could carry input or internals).
 * - The JSON API and /metrics answer only requests addressed to a loopback host name, so a web page on
 *   another origin cannot read them through DNS rebinding (the server listens on 127.0.0.1 only).
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { Runtime } from "../runtime/runtime";
import { createApiRoutes } from "./api";
import { registerEventRoutes } from "./events";
import { createMetricsRenderer } from "./metrics";

export type Mount = (app: Hono, runtime: Runtime) => void;

export interface HttpAppOptions {
  /** Adds routes (Slack handler, dashboard…) after the built-in ones, in order. */
  mount?: Mount | readonly Mount[];
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host name of a Host header (`127.0.0.1:8787` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export const hostNameOf = (host: string): string => host.trim().toLowerCase().replace(/:\d+$/, "");

const loopbackOnly: MiddlewareHandler = async (c, next) => {
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  if (!LOOPBACK_HOSTS.has(hostNameOf(host)))
    return c.json(
      {
        error: {
          code: "forbidden_host",
          message: `requests must be addressed to localhost, not ${host}`,
          path: "$.headers.host",
        },
      },
      403,
    );
  await next();
};

export function createHttpApp(rt: Runtime, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  const log = rt.log.child({ component: "http" });

  app.onError((error, c) => {
    log.error("request failed", { method: c.req.method, path: c.req.path, error });
    return c.json(
      { error: { code: "internal", message: "internal error (see the server log)", path: "$" } },
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      { error: { code: "not_found", message: `no route ${c.req.method} ${c.req.path}`, path: "$" } },
      404,
    ),
  );

  app.get("/healthz", (c) =>
    c.json({
      status: "ok",
      startedAt: rt.startedAt,
      now: rt.deps.clock.now(),
      inbox: rt.inbox.depth(),
      scheduler: rt.scheduler.running ? "running" : "stopped",
    }),
  );

  const renderMetrics = createMetricsRenderer(rt);
  app.use("/metrics", loopbackOnly);
  app.get("/metrics", async (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(await renderMetrics());
  });

  registerEventRoutes(app, rt);
  app.use("/api/*", loopbackOnly);
  app.route("/api", createApiRoutes(rt));

  const mounts = typeof options.mount === "function" ? [options.mount] : (options.mount ?? []);
  for (const mount of mounts) mount(app, rt);
  return app;
}
