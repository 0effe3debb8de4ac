/**
 * Sessions: constant-time secret checks, acting names, expiry and the bound on live sessions.
 */
import { describe, expect, it } from "vitest";
import { parseActorName, SessionStore, secretsMatch } from "../../../server/dashboard/session";

describe("secretsMatch", () => {
  it.each([
    ["s3cret", "s3cret", true],
    ["s3cret ", "s3cret", false],
    ["s3cre", "s3cret", false],
    ["S3CRET", "s3cret", false],
    ["", "s3cret", false],
    [undefined, "s3cret", false],
    [null, "s3cret", false],
    ["", "", false],
  ])("%j vs %j → %s", (given, expected, result) => {
    expect(secretsMatch(given, expected)).toBe(result);
  });
});

describe("parseActorName", () => {
  it.each([
    ["alice", "alice"],
    ["  Alice Martin ", "Alice Martin"],
    ["bob@example.com", "bob@example.com"],
    ["Zoë_2", "Zoë_2"],
    ["", null],
    ["<b>x</b>", null],
    ["@channel", null],
    ["a".repeat(65), null],
    [42, null],
  ])("%j → %j", (value, expected) => {
    expect(parseActorName(value)).toBe(expected);
  });
});

describe("SessionStore", () => {
  it("opens sessions only with the operator token, and finds them by cookie value", () => {
    // Prepare
    const store = new SessionStore({ operatorToken: "tok" });

    // Act
    const { id, session } = store.create();

    // Assess
    expect(store.tokenMatches("tok")).toBe(true);
    expect(store.tokenMatches("tok2")).toBe(false);
    expect(store.get(id)).toBe(session);
    expect(store.get(`${id}x`)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(session.actor).toBe("dashboard");
    expect(store.csrfMatches(session, session.csrf)).toBe(true);
    expect(store.csrfMatches(session, store.create().session.csrf)).toBe(false);
  });

  it("never opens a session when no operator token is configured", () => {
    expect(new SessionStore({ operatorToken: "" }).tokenMatches("")).toBe(false);
  });

  it("expires idle sessions and keeps used ones alive", () => {
    // Prepare
    let now = 0;
    const store = new SessionStore({ operatorToken: "tok", ttlMs: 1_000, nowMs: () => now });
    const idle = store.create().id;
    const used = store.create().id;

    // Act
    now = 800;
    store.get(used);
    now = 1_500;

    // Assess
    expect(store.get(idle)).toBeUndefined();
    expect(store.get(used)).toBeDefined();
  });

  it("keeps at most maxSessions, dropping the least recently used", () => {
    // Prepare
    const store = new SessionStore({ operatorToken: "tok", maxSessions: 2 });
    const first = store.create().id;
    const second = store.create().id;
    store.get(first);

    // Act
    const third = store.create().id;

    // Assess
    expect(store.size).toBe(2);
    expect(store.get(second)).toBeUndefined();
    expect(store.get(first)).toBeDefined();
    expect(store.get(third)).toBeDefined();
  });
});
