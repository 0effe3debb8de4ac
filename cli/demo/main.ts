/**
 * `npm run demo`: the whole service on this machine with a fast clock (60×: the 15-minute acknowledgement
 * clock warns after 12 s and breaches after 15 s), fed with real sample events re-dated to now. Open the
 * printed dashboard URL to watch incidents open, clocks warn and breach and escalations fire, and to
 * acknowledge and advance them. Ctrl-C stops it. Data goes to .data/demo (fresh each run).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freshen } from "./freshen";

/** Real sample events (test/fixtures/events, see its README for sources) that tell a story. */
const DEMO_EVENTS = [
  "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json",
  "cloudtrail/eventbridge-console-signin-root-success-nomfa-no-version-cwe-docs.json",
  "securityhub/bare-asff-cis-4.1-sg-open-ssh-0.0.0.0-asr-simdata.json",
  "guardduty/eventbridge-discovery-kubernetes-maliciousipcaller-censys-eks-real-nonnumeric-account-aws-to-slack-cevo.json",
  "waf/wafv2-log-block-sqli-body-sensitivity-low-cloudfront-real-scanner-sekoia.json",
  "guardduty/bare-exfiltration-iamuser-anomalousbehavior-embedded-newline-sample-sekoia.json",
];

const FIXTURES = new URL("../../test/fixtures/events/", import.meta.url);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATA_DIR = ".data/demo";
const TIME_SCALE = process.env.IR_DEMO_TIME_SCALE ?? "60";
const PORT = process.env.IR_PORT ?? "8787";
const token = process.env.IR_OPERATOR_TOKEN ?? randomBytes(16).toString("hex");

rmSync(new URL(DATA_DIR, `file://${ROOT}`), { recursive: true, force: true });
const server = spawn(
  process.execPath,
  ["--import", "tsx", "server/main.ts", "--time-scale", TIME_SCALE, "--data-dir", DATA_DIR, "--port", PORT],
  { cwd: ROOT, env: { ...process.env, IR_OPERATOR_TOKEN: token }, stdio: ["ignore", "pipe", "inherit"] },
);

let base: string | undefined;
server.stdout.on("data", (chunk: Buffer) => {
  for (const line of chunk.toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    if (!base) {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (port) {
        base = `http://127.0.0.1:${port}`;
        void replay(base);
      }
    }
    if (process.env.IR_DEMO_VERBOSE) process.stdout.write(`${line}\n`);
  }
});

async function replay(url: string): Promise<void> {
  const suffix = `-demo${randomBytes(2).toString("hex")}`;
  process.stdout.write(
    `\nDashboard: ${url}/?token=${token}\nClock: ${TIME_SCALE}× — acknowledgement warns in ${Math.round((12 * 60) / Number(TIME_SCALE))} s, breaches in ${Math.round((15 * 60) / Number(TIME_SCALE))} s.\n\n`,
  );
  for (const file of DEMO_EVENTS) {
    const event = freshen(JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")), Date.now(), suffix);
    const response = await fetch(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    const body = (await response.json()) as {
      results?: Array<{ accepted: boolean; error?: { message: string } }>;
    };
    const result = body.results?.[0];
    process.stdout.write(
      `  ${response.status} ${file}${result && !result.accepted ? ` — ${result.error?.message ?? "refused"}` : ""}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  process.stdout.write("\nReplayed. Watch the clocks on the dashboard; Ctrl-C to stop.\n");
}

const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));
