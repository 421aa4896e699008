/**
 * Canonical JSON and its SHA-256, used to fingerprint tool definitions in generated manifests.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Serializes a JSON value as RFC 8785 (JSON Canonicalization Scheme) does: object keys sorted by UTF-16 code unit
 * (integer-like keys too, which a JavaScript object would put first), no whitespace, numbers and strings as
 * ECMAScript's `JSON.stringify` writes them. Two equal values always give the same text whatever order their keys
 * were written in. Unlike RFC 8785, a non-finite number becomes `null` (as in `JSON.stringify`) instead of an error.
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
 * assert.equal(canonicalJson({ "9": 1, "10": 2, a: 1e21 }), '{"10":2,"9":1,"a":1e+21}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, new Set()) ?? "null";
}

function serialize(value: unknown, parents: Set<object>): string | undefined {
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    const toJSON = (value as { toJSON: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (parents.has(value)) throw new TypeError("Cannot serialize a value with a cycle as JSON");
  parents.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => serialize(item, parents) ?? "null").join(",")}]`;
    }
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const item = serialize((value as Record<string, unknown>)[key], parents);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(",")}}`;
  } finally {
    parents.delete(value);
  }
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
