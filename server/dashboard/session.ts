/**
 * Dashboard sessions. The operator opens the URL the server printed (`/?token=<operator token>`) once;
 * that creates a session: a random id in an HttpOnly, SameSite=Strict cookie, mapped in memory to a
 * per-session CSRF token and the name actions are recorded under. Actions need the cookie AND the CSRF
 * token the page embeds, so another site can neither forge a request nor read a token to forge one with.
 *
 * Invariants:
 * - The operator token and session ids are compared in constant time (hashed to equal length first); an
 *   empty operator token matches nothing, so a misconfigured server is read-only, never open.
 * - Sessions are kept by the SHA-256 of their id, so the map's own lookup leaks nothing useful; they
 *   expire after `ttlMs` idle and at most `maxSessions` live (the least recently used goes first).
 * - Sessions live in memory only: a restart logs everyone out (open the printed URL again).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "ir_dashboard";
export const DEFAULT_ACTOR = "dashboard";
const ACTOR_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;

export interface Session {
  actor: string;
  csrf: string;
  lastSeenMs: number;
}

export interface SessionOptions {
  operatorToken: string;
  maxSessions?: number;
  ttlMs?: number;
  nowMs?: () => number;
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** Constant-time equality of two secrets of any length. */
export function secretsMatch(given: string | undefined | null, expected: string): boolean {
  if (expected === "") return false;
  const equal = timingSafeEqual(digest(given ?? ""), digest(expected));
  return equal && typeof given === "string";
}

/** A display name for actions: letters, digits, space, `._@-`, at most 64 characters; else null. */
export function parseActorName(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const name = value.trim();
  return ACTOR_PATTERN.test(name) ? name : null;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;
  private readonly ttlMs: number;
  private readonly nowMs: () => number;

  constructor(private readonly options: SessionOptions) {
    this.maxSessions = options.maxSessions ?? 64;
    this.ttlMs = options.ttlMs ?? 12 * 3_600_000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  tokenMatches(given: string | undefined): boolean {
    return secretsMatch(given, this.options.operatorToken);
  }

  /** A new session; returns the id for the cookie (the only place it is kept in clear). */
  create(): { id: string; session: Session } {
    const id = randomBytes(32).toString("base64url");
    const session: Session = {
      actor: DEFAULT_ACTOR,
      csrf: randomBytes(32).toString("base64url"),
      lastSeenMs: this.nowMs(),
    };
    this.sessions.set(this.key(id), session);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return { id, session };
  }

  /** The live session for a cookie value, refreshed (and moved to most recently used); else undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 128) return undefined;
    const key = this.key(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const now = this.nowMs();
    this.sessions.delete(key);
    if (now - session.lastSeenMs > this.ttlMs) return undefined;
    session.lastSeenMs = now;
    this.sessions.set(key, session);
    return session;
  }

  csrfMatches(session: Session, given: string | undefined | null): boolean {
    return secretsMatch(given, session.csrf);
  }

  get size(): number {
    return this.sessions.size;
  }

  private key(id: string): string {
    return digest(id).toString("hex");
  }
}
