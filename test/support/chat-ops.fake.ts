/**
 * An in-memory ChatOps for use-case tests: records every call; posts get sequential message refs.
 */
import type { CommandParams } from "../../core/incident/commands";
import type { ChatMessageRef, ChatOps } from "../../core/ports/chat-ops";

export class FakeChatOps implements ChatOps {
  readonly calls: Array<{ kind: string; commandId: string; message?: ChatMessageRef; params: unknown }> = [];
  private n = 0;

  async postIncidentMessage(commandId: string, params: CommandParams<"postIncidentMessage">) {
    this.calls.push({ kind: "post", commandId, params });
    return { channel: "C_SEC", ts: `1714557600.${String(++this.n).padStart(6, "0")}` };
  }
  async updateIncidentMessage(
    commandId: string,
    message: ChatMessageRef,
    params: CommandParams<"updateIncidentMessage">,
  ) {
    this.calls.push({ kind: "update", commandId, message, params });
  }
  async postThreadReply(
    commandId: string,
    message: ChatMessageRef,
    params: CommandParams<"postThreadReply">,
  ) {
    this.calls.push({ kind: "reply", commandId, message, params });
    return { channel: message.channel, ts: `1714557601.${String(++this.n).padStart(6, "0")}` };
  }
  async mentionInChat(commandId: string, message: ChatMessageRef, params: CommandParams<"mentionInChat">) {
    this.calls.push({ kind: "mention", commandId, message, params });
    return { channel: message.channel, ts: `1714557602.${String(++this.n).padStart(6, "0")}` };
  }
}
