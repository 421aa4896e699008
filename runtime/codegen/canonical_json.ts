/**
 * Canonical JSON and its SHA-256, used to fingerprint tool definitions in generated manifests.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Serializes a JSON value with object keys sorted (by UTF-16 code unit) and no whitespace, so that two equal
 * values always give the same text whatever order their keys were written in.
 *
 * @param value A JSON-compatible value; `undefined` properties are left out as `JSON.stringify` does.
 * @returns The canonical JSON text.
 * @throws {TypeError} When the value contains a cycle or a `bigint`.
 *
 * @example Key order does not matter
 * ```ts
 * import { canonicalJson } from "./canonical_json.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(canonicalJson({ b: 1, a: [true, { d: null, c: "x" }] }), '{"a":[true,{"c":"x","d":null}],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort()) {
      sorted[key] = (item as Record<string, unknown>)[key];
    }
    return sorted;
  }) ?? "null";
}

/**
 * The SHA-256 of a value's canonical JSON ({@linkcode canonicalJson}), as lowercase hex.
 *
 * @param value A JSON-compatible value.
 * @returns 64 hex digits.
 *
 * @example Fingerprint a tool definition
 * ```ts
 * import { canonicalJsonHash } from "./canonical_json.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(canonicalJsonHash({ a: 1, b: 2 }), canonicalJsonHash({ b: 2, a: 1 }));
 * ```
 */
export function canonicalJsonHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}
