/**
 * The dashboard over the real local parts: the SQLite store on disk (makeLocalApp), the settable clock,
 * the real `act` use-case, and — for dispatching — what the local runtime runs commands against: the
 * dashboard chat in the same database, dry-run containment, and recorders for the AWS notifications. Helpers ingest real fixtures, log
 * in as a browser would, and dispatch pending commands. Not a test file: the dashboard tests share it.
 */
import { DashboardChat } from "../../../adapters/local/dashboard-chat";
import { DryRunContainment } from "../../../adapters/local/dry-run-containment";
import { act } from "../../../app/act";
import { dispatch } from "../../../app/dispatch";
import { createCommandExecutor } from "../../../app/execute-command";
import { ingestText } from "../../../app/ingest";
import { createDashboard, type DashboardDeps } from "../../../server/dashboard/app";
import { fixtureText } from "../../support/fixtures";
import { makeLocalApp } from "../../support/local-app";

export const T0 = "2024-05-01T10:00:00.000Z";
export const TOR_RELAY = "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";
export const PORT_PROBE = "guardduty/bare-recon-ec2-portprobeunprotectedport-sample-sekoia.json";
export const OPERATOR_TOKEN = "operator-token-for-tests-0123456789";

export interface LoggedIn {
  cookie: string;
  csrf: string;
}

export function makeDashboardHarness(overrides: Partial<DashboardDeps> = {}) {
  const local = makeLocalApp(T0);
  const chat = new DashboardChat(local.stores.db, local.clock);
  const recorded = { dryRun: true } as const;
  const executor = createCommandExecutor(local.deps.store, {
    chat,
    containment: new DryRunContainment(() => {}),
    alerter: { page: async (commandId) => ({ messageId: `dry-run:${commandId}` }) },
    findings: {
      updateFindings: async (params) => ({ processed: params.findings.length, unprocessed: [] }),
      addNote: async (params) => ({ processed: params.findings.length, unprocessed: [] }),
      publishIncident: async (incident) => ({ id: `dry-run:${incident.incidentId}` }),
    },
    publishIncidentEvent: async () => recorded,
    sendGuardDutyFeedback: async () => recorded,
    generatePostmortem: async () => recorded,
  });
  const acted: Array<{ incidentId: string; type: string; actor: string }> = [];
  const dashboard = createDashboard({
    store: local.deps.store,
    clock: local.clock,
    operatorToken: OPERATOR_TOKEN,
    act: async (incidentId, action, actor) => {
      acted.push({ incidentId, type: action.type, actor });
      return act(local.deps, incidentId, action, actor);
    },
    chatMessages: async (incidentId) =>
      chat.messagesOf(incidentId).map((m) => ({ at: m.postedAt, text: m.text })),
    pollMs: 20,
    ...overrides,
  });
  const { app } = dashboard;

  const ingest = (text: string, rawRef = "raw-1") =>
    ingestText(local.deps, text, { channel: "test", rawRef });

  const ingestFixture = (path: string) => ingest(fixtureText(path), path);

  /** Opens the operator link and reads the page's CSRF token, as a browser would. */
  async function login(): Promise<LoggedIn> {
    const res = await app.request(`/?token=${OPERATOR_TOKEN}`);
    const setCookie = res.headers.get("set-cookie") ?? "";
    const cookie = setCookie.split(";")[0] ?? "";
    const page = await (await app.request("/", { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? "";
    return { cookie, csrf };
  }

  /** Runs pending commands (and those they cause) as the local dispatcher would; `only` narrows by type. */
  async function dispatchPending(only?: (type: string) => boolean): Promise<number> {
    let ran = 0;
    for (let round = 0; round < 10; round++) {
      const pending = (await local.deps.store.pendingCommands(100)).filter((c) => !only || only(c.type));
      if (pending.length === 0) break;
      for (const command of pending) {
        await dispatch({ ...local.deps, executor }, command);
        ran++;
      }
    }
    return ran;
  }

  return {
    local,
    dashboard,
    app,
    acted,
    chat,
    ingest,
    ingestFixture,
    login,
    dispatchPending,
    close: local.close,
  };
}

export type DashboardHarness = ReturnType<typeof makeDashboardHarness>;
