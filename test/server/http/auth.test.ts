/**
 * Operator token checks: exact bearer token only, whatever the header's shape.
 */
import { describe, expect, it } from "vitest";
import { bearerMatches, generateOperatorToken } from "../../../server/http/auth";

describe("bearerMatches", () => {
  const token = "0123456789abcdef";

  it.each([
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer   ${token}  `, true],
    [`Bearer ${token}0`, false],
    [`Bearer ${token.slice(1)}`, false],
    [`Basic ${token}`, false],
    [token, false],
    [`Bearer ${token} extra`, false],
    ["", false],
    [undefined, false],
  ])("%j → %s", (header, expected) => {
    expect(bearerMatches(header, token)).toBe(expected);
  });

  it("never matches an empty configured token", () => {
    expect(bearerMatches("Bearer ", "")).toBe(false);
  });
});

describe("generateOperatorToken", () => {
  it("makes long, URL-safe, different tokens", () => {
    // Act
    const tokens = new Set(Array.from({ length: 20 }, generateOperatorToken));
    // Assess
    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
