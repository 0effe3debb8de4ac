/**
 * The few AttributeValue conversions the adapters need (@aws-sdk/util-dynamodb is not a dependency).
 * JSON payloads (snapshots, findings, params, results) are stored as JSON text in one S attribute: exact
 * round trips (no 38-digit number limit, no empty-set rules) and one place that knows their shape.
 * Readers throw when a required attribute is missing or of the wrong type: a corrupt item is loud.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

export type Item = Record<string, AttributeValue>;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
export const BOOL = (value: boolean): AttributeValue => ({ BOOL: value });
export const JSON_S = (value: unknown): AttributeValue => ({ S: JSON.stringify(value) });

function corrupt(item: Item, name: string, expected: string): Error {
  const pk = item.pk?.S ?? "?";
  const sk = item.sk?.S ?? "?";
  return new Error(`DynamoDB item ${pk}/${sk}: attribute ${name} is not ${expected}`);
}

export function readString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw corrupt(item, name, "a string");
  return value;
}

export function readOptionalString(item: Item, name: string): string | undefined {
  const attribute = item[name];
  if (attribute === undefined || attribute.NULL) return undefined;
  if (attribute.S === undefined) throw corrupt(item, name, "a string");
  return attribute.S;
}

export function readNumber(item: Item, name: string): number {
  const value = item[name]?.N;
  const parsed = value === undefined ? Number.NaN : Number(value);
  if (Number.isNaN(parsed)) throw corrupt(item, name, "a number");
  return parsed;
}

export function readBoolean(item: Item, name: string): boolean {
  const value = item[name]?.BOOL;
  if (value === undefined) throw corrupt(item, name, "a boolean");
  return value;
}

export function readJson<T>(item: Item, name: string): T {
  return JSON.parse(readString(item, name)) as T;
}

export function readOptionalJson<T>(item: Item, name: string): T | undefined {
  const text = readOptionalString(item, name);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
