/**
 * A CommandExecutor fake for use-case tests: records every command it is asked to execute, answers with
 * a per-type result, and can be told to fail or to ask for a retry.
 */
import type { Command, CommandType } from "../../core/incident/commands";
import { type CommandExecutor, RetryLaterError } from "../../core/ports/command-executor";
import type { JsonValue } from "../../core/ports/incident-store";

export class RecordingExecutor implements CommandExecutor {
  readonly executed: Command[] = [];
  readonly failing = new Set<CommandType>();
  readonly retryLater = new Set<CommandType>();
  results: Partial<Record<CommandType, JsonValue>> = {
    postIncidentMessage: { channel: "C1", ts: "1714557600.000100" },
  };

  async execute(command: Command): Promise<JsonValue | undefined> {
    if (this.retryLater.has(command.type)) throw new RetryLaterError("rate limited", 1000);
    this.executed.push(command);
    if (this.failing.has(command.type)) throw new Error(`${command.type} failed: simulated outage`);
    return this.results[command.type];
  }

  typesExecuted(): string[] {
    return this.executed.map((c) => c.type);
  }
}
