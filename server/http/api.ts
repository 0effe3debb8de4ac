/**
 * The JSON API under /api: incidents (list with filters, detail), responder actions, quarantine and the
 * dashboard chat. Every error is `{ error: { code, message, path } }` with the HTTP status that fits.
 *
 * Invariants:
 * - Writes (POST) always need the operator token; reads need it only when the config says so.
 * - Responder actions run through `act` as a scheduler turn (never inside the inbox worker's open group
 *   transaction), then wake the dispatcher so their commands go out at once.
 * - The actor is whatever the operator names (default "operator"): the token, not the name, is the
 *   authority, and the name only labels the timeline.
 */
import { Hono } from "hono";
import * as z from "zod";
import { act, responderActionSchema } from "../../app/act";
import { TooMuchContentionError } from "../../app/advance";
import { InputError } from "../../core/errors";
import { severityLabelSchema } from "../../core/findings/severity";
import { incidentPhaseSchema } from "../../core/incident/phases";
import type { Runtime } from "../runtime/runtime";
import { ShuttingDownError } from "../runtime/scheduler";
import { bearerMatches, UNAUTHORIZED } from "./auth";
import { incidentDetail, incidentSummary } from "./incident-view";
import { readLimitedBody } from "./read-body";

const MAX_ACTION_BYTES = 16 * 1024;

const listQuerySchema = z.object({
  phase: incidentPhaseSchema.optional(),
  severity: severityLabelSchema.optional(),
  open: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const limitSchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export const actionRequestSchema = responderActionSchema.extend({
  /** Who acts, as shown on the timeline (default "operator"). */
  actor: z.string().trim().min(1).max(200).optional(),
});

type ApiError = { code: string; message: string; path: string };
const error = (code: string, message: string, path = "$"): { error: ApiError } => ({
  error: { code, message, path },
});

const pathOf = (prefix: string, path: readonly PropertyKey[]) =>
  `${prefix}${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;

function zodError(issues: readonly z.core.$ZodIssue[], prefix: string) {
  const first = issues[0];
  return error(
    first?.code === "invalid_type" ? "wrong_type" : "invalid_value",
    issues.map((issue) => `${pathOf(prefix, issue.path)}: ${issue.message}`).join("; "),
    first ? pathOf(prefix, first.path) : prefix,
  );
}

export function createApiRoutes(rt: Runtime): Hono {
  const api = new Hono();
  const { store } = rt.deps;
  const log = rt.log.child({ component: "http.api" });

  api.use("*", async (c, next) => {
    const isRead = c.req.method === "GET" || c.req.method === "HEAD";
    if (
      (!isRead || rt.config.api.requireTokenForReads) &&
      !bearerMatches(c.req.header("authorization"), rt.operatorToken)
    ) {
      c.header("WWW-Authenticate", 'Bearer realm="incident-response"');
      return c.json(UNAUTHORIZED, 401);
    }
    await next();
  });

  api.get("/incidents", async (c) => {
    const query = listQuerySchema.safeParse(c.req.query());
    if (!query.success) return c.json(zodError(query.error.issues, "$.query"), 400);
    const { limit, ...filter } = query.data;
    const incidents = await store.listIncidents({ ...filter, limit });
    return c.json({ incidents: incidents.map(incidentSummary) });
  });

  api.get("/incidents/:id", async (c) => {
    const id = c.req.param("id");
    const record = await store.getIncident(id);
    if (!record) return c.json(error("not_found", `no incident ${id}`, "$.params.id"), 404);
    const [findings, commands, timeline] = await Promise.all([
      store.findingsOf(id),
      store.commandsOf(id),
      store.timeline(id),
    ]);
    return c.json(incidentDetail(record, { findings, commands, timeline, chat: rt.chatOf(id) }));
  });

  api.post("/incidents/:id/actions", async (c) => {
    const id = c.req.param("id");
    const body = await readLimitedBody(c.req.raw, MAX_ACTION_BYTES);
    if (!body.ok) return c.json(error("too_large", `an action is at most ${MAX_ACTION_BYTES} bytes`), 413);
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch (e) {
      return c.json(error("invalid_json", `not valid JSON: ${(e as Error).message}`), 400);
    }
    const parsed = actionRequestSchema.safeParse(json);
    if (!parsed.success) return c.json(zodError(parsed.error.issues, "$"), 400);
    const { actor = "operator", ...action } = parsed.data;
    try {
      const outcome = await rt.scheduler.exclusive(() => act(rt.deps, id, action, actor));
      switch (outcome.status) {
        case "not-found":
          return c.json(error("not_found", `no incident ${id}`, "$.params.id"), 404);
        case "duplicate-result":
          return c.json(error("conflict", "the action raced with a command result; try again"), 409);
        case "changed":
          rt.scheduler.wake("dispatcher");
          log.info("responder action", {
            incidentId: id,
            action: action.type,
            actor,
            commands: outcome.commands,
          });
          return c.json({
            status: outcome.status,
            commands: outcome.commands,
            incident: incidentSummary(outcome.incident),
          });
        case "unchanged":
          return c.json({ status: outcome.status, commands: 0, incident: incidentSummary(outcome.incident) });
        default: {
          const unknown: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
        }
      }
    } catch (e) {
      if (e instanceof InputError) return c.json({ error: e.toJSON() }, 400);
      if (e instanceof TooMuchContentionError) return c.json(error("conflict", e.message), 409);
      if (e instanceof ShuttingDownError) return c.json(error("unavailable", e.message), 503);
      throw e;
    }
  });

  api.get("/quarantine", async (c) => {
    const query = limitSchema.safeParse(c.req.query());
    if (!query.success) return c.json(zodError(query.error.issues, "$.query"), 400);
    const items = await rt.deps.quarantine.list(query.data.limit);
    return c.json({
      items: items.map((item) => ({
        ...item,
        raw: item.raw.length > 4096 ? `${item.raw.slice(0, 4096)}… [${item.raw.length} chars]` : item.raw,
      })),
    });
  });

  api.get("/chat", async (c) => {
    const query = limitSchema.safeParse(c.req.query());
    if (!query.success) return c.json(zodError(query.error.issues, "$.query"), 400);
    return c.json({ messages: rt.chat.recent(query.data.limit) });
  });

  return api;
}
