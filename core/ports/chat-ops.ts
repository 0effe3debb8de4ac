/**
 * ChatOps: the incident's conversation (Slack, or the dashboard when no Slack is configured). One message
 * per incident, posted once and then kept current; key timeline entries as thread replies.
 *
 * Idempotency: every call carries the outbox command id. Posting the same command twice must not post
 * twice (the Slack adapter tags messages with the command id in message metadata and looks for it before
 * re-posting). Rate limits surface as RetryLaterError (core/ports/command-executor), never as failures.
 */
import type { CommandParams } from "../incident/commands";

/** Where the incident's message lives (Slack: channel id + message ts). */
export interface ChatMessageRef {
  channel: string;
  ts: string;
}

export interface ChatOps {
  postIncidentMessage(
    commandId: string,
    params: CommandParams<"postIncidentMessage">,
  ): Promise<ChatMessageRef>;
  updateIncidentMessage(
    commandId: string,
    message: ChatMessageRef,
    params: CommandParams<"updateIncidentMessage">,
  ): Promise<void>;
  postThreadReply(
    commandId: string,
    message: ChatMessageRef,
    params: CommandParams<"postThreadReply">,
  ): Promise<ChatMessageRef>;
  mentionInChat(
    commandId: string,
    message: ChatMessageRef,
    params: CommandParams<"mentionInChat">,
  ): Promise<ChatMessageRef>;
}
