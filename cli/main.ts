/**
 * `ir`: the command-line entry point. Each command is a thin wrapper over core/ (or, later, a client of the
 * running service); this file only parses arguments, reads input and prints.
 */
import { Command } from "commander";
import { explain } from "../core/explain";
import { RULES } from "../core/rules/rules";
import { registerDrillCommands } from "./drill";
import { readSource } from "./read-source";

const program = new Command()
  .name("ir")
  .description("Security incident response: explain events, list rules, replay and drill.")
  .showHelpAfterError();

program
  .command("explain")
  .description(
    "Read one event, a JSON array of events, or JSON lines, and print the rules each matches and the findings it yields.\n" +
      "Exit 0 when every input was understood (even with no findings), 2 when any was not.",
  )
  .argument("[file]", "event file, or - for standard input", "-")
  .option("--compact", "print compact JSON (one line)")
  .action(async (file: string, opts: { compact?: boolean }) => {
    const output = explain(await readSource(file), { rawRef: file === "-" ? "stdin" : file });
    process.stdout.write(`${JSON.stringify(output, null, opts.compact ? undefined : 2)}\n`);
    process.exitCode = output.results.every((r) => r.error === null) ? 0 : 2;
  });

program
  .command("rules")
  .description("List the EventBridge rules the service installs, with their event patterns.")
  .option("--json", "print as JSON")
  .action((opts: { json?: boolean }) => {
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(RULES, null, 2)}\n`);
      return;
    }
    for (const rule of RULES) {
      process.stdout.write(`${rule.name}\n  ${rule.description}\n  ${JSON.stringify(rule.pattern)}\n\n`);
    }
  });

registerDrillCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`ir: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
