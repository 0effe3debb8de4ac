/**
 * GET /api/incidents/:id/postmortem: the incident's postmortem draft as a markdown download. The draft is
 * the result of its latest successful generatePostmortem command (app/postmortem.ts writes it, dispatch
 * stores it with the incident), so this reads the store only — never the convenience copy on disk, which
 * a person may be editing.
 *
 * Mounted under /api after the JSON API, so the API's guards (loopback host, operator token for reads
 * when configured) apply to it as to every other /api route.
 */
import type { Context } from "hono";
import type { JsonValue, StoredCommand } from "../../core/ports/incident-store";
import type { Mount } from "../http/app";

const notFound = (c: Context, message: string) =>
  c.json({ error: { code: "not_found", message, path: "$.params.id" } }, 404);

const markdownOf = (result: JsonValue | undefined): string | undefined => {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return undefined;
  return typeof result.markdown === "string" ? result.markdown : undefined;
};

/** The newest succeeded draft (command ids are `<incident>:<version>:<n>`; later versions are newer). */
export function latestDraft(commands: readonly StoredCommand[]): string | undefined {
  let best: { order: [number, number]; markdown: string } | undefined;
  for (const command of commands) {
    if (command.type !== "generatePostmortem" || command.status !== "succeeded") continue;
    const markdown = markdownOf(command.result);
    if (markdown === undefined) continue;
    const match = /:(\d+):(\d+)$/.exec(command.id);
    const order: [number, number] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
    const newer =
      !best || order[0] > best.order[0] || (order[0] === best.order[0] && order[1] >= best.order[1]);
    if (newer) best = { order, markdown };
  }
  return best?.markdown;
}

/** `IR-0007` → `IR-0007-postmortem.md`; anything outside a safe file-name alphabet becomes `_`. */
export const downloadName = (incidentId: string): string =>
  `${incidentId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120) || "incident"}-postmortem.md`;

export const postmortemMount: Mount = (app, rt) => {
  app.get("/api/incidents/:id/postmortem", async (c) => {
    const id = c.req.param("id");
    if (!(await rt.deps.store.getIncident(id))) return notFound(c, `no incident ${id}`);
    const markdown = latestDraft(await rt.deps.store.commandsOf(id));
    if (markdown === undefined)
      return notFound(
        c,
        `incident ${id} has no postmortem draft yet (one is written when it enters the postmortem phase)`,
      );
    return c.body(markdown, 200, {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": `attachment; filename="${downloadName(id)}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    });
  });
};
