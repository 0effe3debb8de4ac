/**
 * Operator authentication for the JSON API: `Authorization: Bearer <token>`, the token from
 * IR_OPERATOR_TOKEN or generated at startup. Compared in constant time (both sides hashed to equal length
 * first, so neither the content nor the length of the secret leaks through timing). The token is never
 * logged or echoed.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** True when the Authorization header carries exactly this bearer token. */
export function bearerMatches(header: string | undefined | null, token: string): boolean {
  if (!header || token === "") return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const given = match?.[1] ?? "";
  // Compare even when the header is malformed, so a bad header costs the same time as a wrong token.
  const equal = timingSafeEqual(digest(given), digest(token));
  return match !== null && equal;
}

/** A fresh operator token: 32 random bytes, URL-safe. */
export const generateOperatorToken = (): string => randomBytes(32).toString("base64url");

export const UNAUTHORIZED = {
  error: {
    code: "unauthorized",
    message: "this endpoint needs Authorization: Bearer <operator token> (IR_OPERATOR_TOKEN)",
    path: "$.headers.authorization",
  },
} as const;

/** Middleware: 401 unless the request carries the operator token. */
export const requireOperator =
  (token: string): MiddlewareHandler =>
  async (c, next) => {
    if (!bearerMatches(c.req.header("authorization"), token)) {
      c.header("WWW-Authenticate", 'Bearer realm="incident-response"');
      return c.json(UNAUTHORIZED, 401);
    }
    await next();
  };
