/**
 * The local server, wired (DESIGN §4): the runtime, then the HTTP app with everything mounted on it —
 * the postmortem download, the runbook pages, PutEvents on `POST /`, the Slack endpoints (or their "not
 * configured" answers) and, last, the dashboard at `/`. main.ts serves the result; tests build the same
 * thing on a temp directory, so they exercise exactly what `npm start` runs.
 *
 * Order matters only at `/`: PutEvents claims `POST /` requests carrying X-Amz-Target, the dashboard the
 * pages; everything else has its own path.
 *
 * Links (runbook URLs in Slack messages and postmortem drafts) need the server's address, which is known
 * once it listens: call `listening(url)` then, before `runtime.start()`.
 */
import type { Hono } from "hono";
import {
  DEFAULT_RUNBOOKS_DIR,
  type LoadedRunbook,
  loadRunbooks,
} from "../../adapters/runbooks/load-runbooks";
import { HOSTNAME } from "../config";
import { runbookHtmlFrom } from "../dashboard/runbooks";
import { createHttpApp } from "../http/app";
import { createRuntime, type Runtime, type RuntimeOptions } from "../runtime/runtime";
import { dashboardMount, loginUrlOf } from "./dashboard-mount";
import { postmortemMount } from "./postmortem";
import { putEventsMount } from "./put-events-mount";
import { runbookSite, runbooksMount } from "./runbooks";
import {
  createSlackIntegration,
  type SlackIntegration,
  type SlackSettings,
  slackDisabledMount,
} from "./slack";

export interface LocalServerOptions extends Omit<RuntimeOptions, "chat" | "baseUrl"> {
  /** Slack settings (slackSettingsFromEnv); null or absent: chat on the dashboard. */
  slack?: SlackSettings | null;
  /** Where the runbooks are (default: the repository's runbooks/). */
  runbooksDir?: string;
  /** For Slack response_url posts (tests). */
  fetch?: typeof fetch;
}

export interface LocalServer {
  readonly runtime: Runtime;
  readonly app: Hono;
  readonly slack: SlackIntegration | null;
  /** The server's base URL: `http://127.0.0.1` until `listening` is called. */
  baseUrl(): string;
  /** Records the address the server listens on (`http://127.0.0.1:<port>`). */
  listening(url: string): void;
  /** The dashboard login link (`<base>/?token=…`). */
  loginUrl(): string;
  /** Waits for Slack follow-ups in flight, then stops the runtime. */
  stop(): Promise<void>;
}

async function loadOrNone(dir: string, onError: (error: unknown) => void): Promise<LoadedRunbook[]> {
  try {
    return await loadRunbooks(dir);
  } catch (error) {
    onError(error);
    return [];
  }
}

/** Builds the runtime and its HTTP app. Throws ConfigError for an unusable Slack configuration. */
export async function createLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { slack: slackSettings, runbooksDir, fetch: fetchImpl, ...runtimeOptions } = options;
  let base = `http://${HOSTNAME}`;
  const baseUrl = () => base;

  const slack = slackSettings
    ? createSlackIntegration({
        settings: slackSettings,
        config: runtimeOptions.config,
        baseUrl,
        log: runtimeOptions.log,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
        ...(runtimeOptions.nowMs ? { nowMs: runtimeOptions.nowMs } : {}),
      })
    : null;

  const loaded = await loadOrNone(runbooksDir ?? DEFAULT_RUNBOOKS_DIR, (error) =>
    runtimeOptions.log.error("runbooks not loaded: /runbooks/ is empty", { error }),
  );
  const site = runbookSite(loaded);

  const runtime = createRuntime({ ...runtimeOptions, baseUrl, ...(slack ? { chat: slack.chat } : {}) });
  const app = createHttpApp(runtime, {
    mount: [
      postmortemMount,
      runbooksMount(site),
      putEventsMount,
      slack ? slack.mount : slackDisabledMount,
      dashboardMount({ runbookHtml: runbookHtmlFrom(site.runbooks()) }),
    ],
  });

  return {
    runtime,
    app,
    slack,
    baseUrl,
    listening(url) {
      base = url.replace(/\/+$/, "");
    },
    loginUrl: () => loginUrlOf(base, runtime.operatorToken),
    async stop() {
      await slack?.idle();
      await runtime.stop();
    },
  };
}
