/**
 * The CommandExecutor the runtimes use: routes each outbox command to the capability that carries it out
 * (chat, paging, Security Hub, containment, lifecycle events, feedback) and returns what the workflow needs
 * back. Capabilities a deployment does not have are simply absent: their commands fail visibly ("no
 * chat configured") instead of vanishing.
 *
 * Chat replies need the incident's message: it is the result of the incident's postIncidentMessage, read
 * from the store. Until that has succeeded, replies wait (RetryLaterError), so ordering holds without any
 * in-memory state.
 */
import type { Command, CommandType } from "../core/incident/commands";
import type { Alerter } from "../core/ports/alerter";
import type { ChatMessageRef, ChatOps } from "../core/ports/chat-ops";
import { type CommandExecutor, RetryLaterError } from "../core/ports/command-executor";
import type { Containment } from "../core/ports/containment";
import type { FindingTracker } from "../core/ports/finding-tracker";
import type { IncidentStore, JsonValue } from "../core/ports/incident-store";

/** Capabilities that are not AWS/Slack specific enough for their own port yet take a plain function. */
export interface Capabilities {
  chat?: ChatOps;
  alerter?: Alerter;
  findings?: FindingTracker;
  containment?: Containment;
  /** Publishes an incident lifecycle event (EventBridge in AWS). */
  publishIncidentEvent?: (command: Extract<Command, { type: "publishIncidentEvent" }>) => Promise<JsonValue>;
  generatePostmortem?: (command: Extract<Command, { type: "generatePostmortem" }>) => Promise<JsonValue>;
  sendGuardDutyFeedback?: (
    command: Extract<Command, { type: "sendGuardDutyFeedback" }>,
  ) => Promise<JsonValue>;
}

export class CapabilityMissingError extends Error {
  override readonly name = "CapabilityMissingError";
  constructor(type: CommandType, capability: string) {
    super(`no ${capability} configured: ${type} cannot run`);
  }
}

const asJson = (value: unknown): JsonValue => value as JsonValue;

export function createCommandExecutor(store: IncidentStore, capabilities: Capabilities): CommandExecutor {
  const need = <T>(value: T | undefined, type: CommandType, capability: string): T => {
    if (value === undefined) throw new CapabilityMissingError(type, capability);
    return value;
  };

  async function incidentMessage(incidentId: string): Promise<ChatMessageRef> {
    const posted = (await store.commandsOf(incidentId)).find(
      (c) => c.type === "postIncidentMessage" && c.status === "succeeded",
    );
    const ref = posted?.result as Partial<ChatMessageRef> | undefined;
    if (!ref?.channel || !ref.ts) throw new RetryLaterError("the incident message is not posted yet", 1000);
    return { channel: ref.channel, ts: ref.ts };
  }

  return {
    async execute(command: Command): Promise<JsonValue | undefined> {
      const { chat, alerter, findings, containment } = capabilities;
      switch (command.type) {
        case "postIncidentMessage":
          return asJson(
            await need(chat, command.type, "chat").postIncidentMessage(command.id, command.params),
          );
        case "updateIncidentMessage":
          await need(chat, command.type, "chat").updateIncidentMessage(
            command.id,
            await incidentMessage(command.incidentId),
            command.params,
          );
          return undefined;
        case "postThreadReply":
          return asJson(
            await need(chat, command.type, "chat").postThreadReply(
              command.id,
              await incidentMessage(command.incidentId),
              command.params,
            ),
          );
        case "mentionInChat":
          return asJson(
            await need(chat, command.type, "chat").mentionInChat(
              command.id,
              await incidentMessage(command.incidentId),
              command.params,
            ),
          );
        case "pageOnCall":
          return asJson(await need(alerter, command.type, "alerter").page(command.id, command.params));
        case "updateSecurityHubFindings":
          return asJson(await need(findings, command.type, "Security Hub").updateFindings(command.params));
        case "addSecurityHubNote":
          return asJson(await need(findings, command.type, "Security Hub").addNote(command.params));
        case "planContainment":
          return asJson(await need(containment, command.type, "containment").plan(command.params));
        case "isolateInstance":
          return need(containment, command.type, "containment").isolateInstance(command.id, command.params);
        case "completeIsolation":
          return need(containment, command.type, "containment").completeIsolation(command.id, command.params);
        case "lockDownSecurityGroup":
          return need(containment, command.type, "containment").lockDownSecurityGroup(
            command.id,
            command.params,
          );
        case "deactivateAccessKey":
          return need(containment, command.type, "containment").deactivateAccessKey(
            command.id,
            command.params,
          );
        case "restoreContainment":
          return need(containment, command.type, "containment").restore(command.id, command.params);
        case "publishIncidentEvent":
          return need(capabilities.publishIncidentEvent, command.type, "event bus")(command);
        case "generatePostmortem":
          return need(capabilities.generatePostmortem, command.type, "postmortem writer")(command);
        case "sendGuardDutyFeedback":
          return need(capabilities.sendGuardDutyFeedback, command.type, "GuardDuty")(command);
        default: {
          const unknown: never = command;
          throw new Error(`unknown command ${(unknown as { type: string }).type}`);
        }
      }
    },
  };
}
