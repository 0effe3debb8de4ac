/**
 * ChatOps without Slack (DESIGN §4): the incident's conversation is kept in SQLite for the dashboard and
 * written to the log. One message per incident, kept current by updates; replies and mentions thread
 * under it.
 *
 * Invariants:
 * - Idempotent on the command id (the table's primary key): posting the same command twice returns the
 *   first post's ref and writes nothing; an update rewrites the message to the same content.
 * - A message's ts is the id of the command that posted it: unique, deterministic, never a clock read.
 * - Text is stored as given (untrusted finding text included); whoever renders it escapes it.
 */
import type { CommandParams, IncidentView } from "../../core/incident/commands";
import type { ChatMessageRef, ChatOps } from "../../core/ports/chat-ops";
import type { Clock } from "../../core/ports/clock";
import type { JsonValue } from "../../core/ports/incident-store";
import type { SqliteDatabase } from "../sqlite/database";

export type ChatMessageKind = "message" | "reply" | "mention";

export interface DashboardChatMessage {
  commandId: string;
  incidentId: string;
  channel: string;
  ts: string;
  /** The incident message a reply or mention belongs to; null for the incident message itself. */
  threadTs: string | null;
  kind: ChatMessageKind;
  text: string;
  payload: JsonValue;
  postedAt: string;
  updatedAt: string;
}

interface ChatRow {
  command_id: string;
  incident_id: string;
  channel: string;
  ts: string;
  thread_ts: string | null;
  kind: string;
  text: string;
  payload: string;
  posted_at: string;
  updated_at: string;
}

export type ChatLog = (msg: string, fields: Record<string, unknown>) => void;

export interface DashboardChatOptions {
  /** The channel name shown on messages (the config's incident channel). */
  channel?: string;
  log?: ChatLog;
}

export class UnknownChatMessageError extends Error {
  override readonly name = "UnknownChatMessageError";
  constructor(ref: ChatMessageRef) {
    super(`no dashboard message ${ref.ts} in ${ref.channel}`);
  }
}

const message = (row: ChatRow): DashboardChatMessage => ({
  commandId: row.command_id,
  incidentId: row.incident_id,
  channel: row.channel,
  ts: row.ts,
  threadTs: row.thread_ts,
  kind: row.kind as ChatMessageKind,
  text: row.text,
  payload: JSON.parse(row.payload) as JsonValue,
  postedAt: row.posted_at,
  updatedAt: row.updated_at,
});

/** The one-line summary the incident message shows. */
export function incidentText(incident: IncidentView, runbook: { id: string; section: string }): string {
  const owner = incident.owner ? ` · owner ${incident.owner}` : " · no owner";
  const ack = incident.acknowledgedBy
    ? ` · acknowledged by ${incident.acknowledgedBy}`
    : " · not acknowledged";
  return (
    `[${incident.severity}] ${incident.title} — phase ${incident.phase}${owner}${ack}` +
    ` · containment ${incident.containment} · ${incident.findingCount} finding(s)` +
    ` · runbook ${runbook.id}#${runbook.section}`
  );
}

export class DashboardChat implements ChatOps {
  private readonly statements;
  private readonly channel: string;
  private readonly log: ChatLog;

  constructor(
    db: SqliteDatabase,
    private readonly clock: Clock,
    options: DashboardChatOptions = {},
  ) {
    this.channel = options.channel ?? "dashboard";
    this.log = options.log ?? (() => {});
    this.statements = {
      byCommand: db.prepare<[string], ChatRow>("SELECT * FROM chat_messages WHERE command_id = ?"),
      byRef: db.prepare<[string, string], ChatRow>(
        "SELECT * FROM chat_messages WHERE channel = ? AND ts = ?",
      ),
      insert: db.prepare<[ChatRow]>(
        `INSERT INTO chat_messages
           (command_id, incident_id, channel, ts, thread_ts, kind, text, payload, posted_at, updated_at)
         VALUES (@command_id, @incident_id, @channel, @ts, @thread_ts, @kind, @text, @payload, @posted_at,
           @updated_at)
         ON CONFLICT (command_id) DO NOTHING`,
      ),
      update: db.prepare<
        [{ channel: string; ts: string; text: string; payload: string; updated_at: string }]
      >(
        `UPDATE chat_messages SET text = @text, payload = @payload, updated_at = @updated_at
         WHERE channel = @channel AND ts = @ts AND kind = 'message'`,
      ),
      ofIncident: db.prepare<[string], ChatRow>(
        "SELECT * FROM chat_messages WHERE incident_id = ? ORDER BY posted_at, command_id",
      ),
      recent: db.prepare<[number], ChatRow>(
        "SELECT * FROM chat_messages ORDER BY posted_at DESC, command_id DESC LIMIT ?",
      ),
    };
  }

  async postIncidentMessage(
    commandId: string,
    params: CommandParams<"postIncidentMessage">,
  ): Promise<ChatMessageRef> {
    const posted = this.post(commandId, {
      incidentId: params.incident.incidentId,
      threadTs: null,
      kind: "message",
      text: incidentText(params.incident, params.runbook),
      payload: params as unknown as JsonValue,
    });
    return { channel: posted.channel, ts: posted.ts };
  }

  async updateIncidentMessage(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"updateIncidentMessage">,
  ): Promise<void> {
    const text = incidentText(params.incident, params.runbook);
    const changed = this.statements.update.run({
      channel: ref.channel,
      ts: ref.ts,
      text,
      payload: JSON.stringify(params),
      updated_at: this.clock.now(),
    }).changes;
    if (changed !== 1) throw new UnknownChatMessageError(ref);
    this.log("chat.message.updated", { commandId, incidentId: params.incident.incidentId, text });
  }

  async postThreadReply(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"postThreadReply">,
  ): Promise<ChatMessageRef> {
    return this.reply(commandId, ref, "reply", params.text, params as unknown as JsonValue);
  }

  async mentionInChat(
    commandId: string,
    ref: ChatMessageRef,
    params: CommandParams<"mentionInChat">,
  ): Promise<ChatMessageRef> {
    return this.reply(commandId, ref, "mention", `@${params.target} ${params.text}`, params as JsonValue);
  }

  /** The incident's conversation, oldest first. */
  messagesOf(incidentId: string): DashboardChatMessage[] {
    return this.statements.ofIncident.all(incidentId).map(message);
  }

  /** The newest messages across incidents, newest first. */
  recent(limit: number): DashboardChatMessage[] {
    if (limit <= 0) return [];
    return this.statements.recent.all(limit).map(message);
  }

  private reply(
    commandId: string,
    ref: ChatMessageRef,
    kind: "reply" | "mention",
    text: string,
    payload: JsonValue,
  ): ChatMessageRef {
    const parent = this.statements.byRef.get(ref.channel, ref.ts);
    if (!parent) throw new UnknownChatMessageError(ref);
    const posted = this.post(commandId, {
      incidentId: parent.incident_id,
      threadTs: parent.ts,
      kind,
      text,
      payload,
    });
    return { channel: posted.channel, ts: posted.ts };
  }

  private post(
    commandId: string,
    m: {
      incidentId: string;
      threadTs: string | null;
      kind: ChatMessageKind;
      text: string;
      payload: JsonValue;
    },
  ): ChatRow {
    const existing = this.statements.byCommand.get(commandId);
    if (existing) return existing;
    const at = this.clock.now();
    const row: ChatRow = {
      command_id: commandId,
      incident_id: m.incidentId,
      channel: this.channel,
      ts: commandId,
      thread_ts: m.threadTs,
      kind: m.kind,
      text: m.text,
      payload: JSON.stringify(m.payload),
      posted_at: at,
      updated_at: at,
    };
    this.statements.insert.run(row);
    this.log(`chat.${m.kind}`, { commandId, incidentId: m.incidentId, channel: row.channel, text: m.text });
    return row;
  }
}
