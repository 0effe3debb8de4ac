/**
 * CDK entry point (cdk.json: `npx tsx infra/app.ts`): reads the one config file, builds the stacks, and
 * runs cdk-nag's AwsSolutions and Serverless packs, which stop synthesis on any unacknowledged finding.
 * Run by the CDK CLI (which sets CDK_OUTDIR) or directly (`npx tsx infra/app.ts`: writes cdk.out/),
 * offline and without AWS credentials either way.
 */
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { addNagChecks, buildApp } from "./build-app";
import { REPO_ROOT } from "./bundling";
import { configPathOf, loadDeploymentConfig } from "./config";

const app = new App({ outdir: process.env.CDK_OUTDIR ?? join(REPO_ROOT, "cdk.out") });
const config = loadDeploymentConfig(configPathOf(app));
buildApp(app, config);
addNagChecks(app);
app.synth();
