/**
 * Words for a kind of personal data, for people who are shown a placeholder instead of the value.
 *
 * @module
 */

const WORDS: Record<string, string> = {
  EMAIL: "an email address",
  PHONE: "a phone number",
  CARD: "a payment card number",
  IBAN: "a bank account number (IBAN)",
  SSN: "a US social security number",
  IP: "an IP address",
  SECRET: "a secret (a key, token or password)",
};

/**
 * Says what kind of value a placeholder stands for: `"EMAIL"` is `"an email address"`; a configured kind
 * (`"EMPLOYEE_ID"`) is `"a value of kind EMPLOYEE_ID"`.
 *
 * @param kind The kind, upper case.
 * @returns The words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describePiiKind } from "./describe_kind.ts";
 * assert.equal(describePiiKind("EMAIL"), "an email address");
 * assert.equal(describePiiKind("EMPLOYEE_ID"), "a value of kind EMPLOYEE_ID");
 * ```
 */
export function describePiiKind(kind: string): string {
  return Object.hasOwn(WORDS, kind) ? WORDS[kind]! : `a value of kind ${kind}`;
}
