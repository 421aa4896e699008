/**
 * Setting a key of an object built from JSON, where any key may come, `__proto__` included.
 *
 * @module
 */

/**
 * Sets `key` on `target` as an own, enumerable, writable data property: a `"__proto__"` key stays a key, never
 * the object's prototype (which `target[key] = value` would set).
 *
 * @param target The object being built.
 * @param key The key, as the JSON had it.
 * @param value Its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setOwnKey } from "./own_key.ts";
 * const out: Record<string, unknown> = {};
 * setOwnKey(out, "__proto__", { polluted: true });
 * assert.deepEqual(Object.keys(out), ["__proto__"]);
 * assert.equal(Object.getPrototypeOf(out), Object.prototype);
 * ```
 */
export function setOwnKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
