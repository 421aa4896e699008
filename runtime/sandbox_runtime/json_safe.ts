/**
 * Turns what agent code returns into plain JSON data before it leaves the Worker.
 *
 * This file runs inside the sandbox: it imports nothing from the host and no npm package.
 *
 * @module
 */

/**
 * Copies a value into plain JSON data: what `JSON.stringify` would keep, with sensible forms for the values JSON
 * has none for.
 *
 * - `undefined`, functions and symbols: dropped from objects, `null` in arrays, `undefined` at the top.
 * - `NaN` and `±Infinity`: `null`. A `bigint`: its decimal string.
 * - `Date`: its ISO string (`null` when invalid). `RegExp`: its source form, e.g. `"/a+/g"`.
 * - `Map`: an object when every key is a string or number, otherwise an array of `[key, value]` pairs.
 * - `Set`, typed arrays and `ArrayBuffer`: arrays. `Error`: `{ name, message }`.
 * - Objects with `toJSON()`: what it returns. Other objects: their own enumerable string keys.
 *
 * @param value The value to copy.
 * @returns The JSON-safe copy; `undefined` when the value itself has no JSON form.
 * @throws {TypeError} When the value contains a circular reference; the message names the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJsonSafe } from "./json_safe.ts";
 * const safe = toJsonSafe({ when: new Date(0), tags: new Set(["a"]), big: 10n, gone: undefined });
 * assert.equal(JSON.stringify(safe), '{"when":"1970-01-01T00:00:00.000Z","tags":["a"],"big":"10"}');
 * ```
 */
export function toJsonSafe(value: unknown): unknown {
  return copy(value, "$", new Set(), "");
}

function copy(value: unknown, path: string, ancestors: Set<object>, key: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) {
    throw new TypeError(`Cannot serialize the value: it contains a circular reference at ${path}`);
  }
  ancestors.add(object);
  try {
    return copyObject(object, path, ancestors, key);
  } finally {
    ancestors.delete(object);
  }
}

function copyObject(object: object, path: string, ancestors: Set<object>, key: string): unknown {
  if (Array.isArray(object)) return copyArray(object, path, ancestors);
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? null : object.toISOString();
  }
  if (object instanceof Map) return copyMap(object, path, ancestors);
  if (object instanceof Set) return copyArray([...object], path, ancestors);
  if (object instanceof RegExp) return String(object);
  if (object instanceof Error) return { name: object.name, message: object.message };
  if (object instanceof ArrayBuffer) return Array.from(new Uint8Array(object));
  if (ArrayBuffer.isView(object)) {
    if (object instanceof DataView) {
      return Array.from(new Uint8Array(object.buffer, object.byteOffset, object.byteLength));
    }
    return Array.from(
      object as unknown as ArrayLike<number | bigint>,
      (item) => typeof item === "bigint" ? item.toString() : item,
    );
  }
  if (
    object instanceof String || object instanceof Number || object instanceof Boolean ||
    object instanceof BigInt
  ) {
    return copy(object.valueOf(), path, ancestors, key);
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const replaced: unknown = toJSON.call(object, key);
    if (replaced === object) return copyPlain(object, path, ancestors);
    return copy(replaced, path, ancestors, key);
  }
  return copyPlain(object, path, ancestors);
}

function copyArray(array: readonly unknown[], path: string, ancestors: Set<object>): unknown[] {
  const out = new Array<unknown>(array.length);
  for (let index = 0; index < array.length; index++) {
    const item = copy(array[index], `${path}[${index}]`, ancestors, String(index));
    out[index] = item === undefined ? null : item;
  }
  return out;
}

function copyMap(map: Map<unknown, unknown>, path: string, ancestors: Set<object>): unknown {
  const plainKeys = [...map.keys()].every((key) =>
    typeof key === "string" || typeof key === "number"
  );
  if (!plainKeys) {
    return [...map].map(([key, item], index) => [
      copy(key, `${path}[${index}][0]`, ancestors, "0") ?? null,
      copy(item, `${path}[${index}][1]`, ancestors, "1") ?? null,
    ]);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of map) {
    const copied = copy(item, `${path}${member(String(key))}`, ancestors, String(key));
    if (copied !== undefined) out[String(key)] = copied;
  }
  return out;
}

function copyPlain(object: object, path: string, ancestors: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(object)) {
    const copied = copy(
      (object as Record<string, unknown>)[key],
      `${path}${member(key)}`,
      ancestors,
      key,
    );
    if (copied !== undefined) out[key] = copied;
  }
  return out;
}

function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
