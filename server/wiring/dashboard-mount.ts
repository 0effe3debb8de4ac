/**
 * The dashboard (server/dashboard/app.ts) on the local server, mounted at `/` after every other route:
 * it reads the runtime's store and clock, acts as a scheduler turn (scheduledAct), opens sessions with the
 * operator token, shows the runbook section of the incident's phase, and — only while chat is local
 * (no Slack) — the dashboard chat messages.
 */
import { dashboardApp } from "../dashboard/app";
import type { Mount } from "../http/app";
import { scheduledAct } from "./act";

/** The login link the server prints at startup: opening it starts a dashboard session. */
export const loginUrlOf = (baseUrl: string, operatorToken: string): string =>
  `${baseUrl.replace(/\/+$/, "")}/?token=${encodeURIComponent(operatorToken)}`;

export interface DashboardMountOptions {
  /** A runbook section as trusted HTML (see server/dashboard/runbooks.ts). */
  runbookHtml?: (id: string, section: string) => string | undefined;
}

export function dashboardMount(options: DashboardMountOptions = {}): Mount {
  return (app, rt) => {
    const log = rt.log.child({ component: "dashboard" });
    const dashboard = dashboardApp({
      store: rt.deps.store,
      clock: rt.deps.clock,
      act: scheduledAct(rt),
      operatorToken: rt.operatorToken,
      ...(options.runbookHtml ? { runbookHtml: options.runbookHtml } : {}),
      ...(rt.localChat
        ? {
            chatMessages: async (incidentId: string) =>
              rt.chatOf(incidentId).map((m) => ({ at: m.postedAt, text: m.text })),
          }
        : {}),
      onError: (error) => log.warn("dashboard live update failed", { error }),
    });
    app.route("/", dashboard);
  };
}
