#!/usr/bin/env node
// The `ir` command: runs the TypeScript CLI through tsx, so `npx ir …` works right after `npm install`.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
