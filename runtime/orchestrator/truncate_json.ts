/**
 * Cutting a JSON value down to a byte budget without breaking it: long strings are shortened, long arrays keep
 * their first items, large objects keep their first keys, and each cut leaves a marker saying what was removed.
 * The result is always valid JSON data.
 *
 * @module
 */

/** What {@linkcode truncateJson} returns. */
export interface TruncatedJson {
  /** The value, cut to fit when it did not. */
  value: unknown;
  /** Whether anything was cut. */
  truncated: boolean;
  /** The size of the original value as JSON, in bytes. */
  originalBytes: number;
}

const encoder = new TextEncoder();

function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? "null").length;
}

/** The smallest budget {@linkcode truncateJson} takes: room for a marker saying what was cut. */
export const MIN_TRUNCATE_BYTES = 64;

/** Marker key added to an object that lost keys. */
export const CUT_KEY = "…cut";

function cutString(text: string, budget: number): string {
  const bytes = encoder.encode(text).length;
  if (bytes + 2 <= budget) return text;
  const keep = Math.max(0, budget - 40);
  // Slice by characters, then back off until the UTF-8 size fits.
  let end = Math.min(text.length, keep);
  while (end > 0 && encoder.encode(text.slice(0, end)).length > keep) end = Math.floor(end * 0.9);
  return `${text.slice(0, end)}…[${text.length - end} chars cut]`;
}

function cut(value: unknown, budget: number): unknown {
  if (value === null || typeof value !== "object") {
    return typeof value === "string" ? cutString(value, budget) : value;
  }
  if (byteLength(value) <= budget) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    let used = 2;
    for (let i = 0; i < value.length; i++) {
      const remaining = value.length - i;
      const reserve = 48; // room for the marker
      const item = cut(
        value[i],
        Math.max(16, Math.floor((budget - used - reserve) / Math.min(remaining, 4))),
      );
      const size = byteLength(item) + 1;
      if (used + size + reserve > budget) {
        out.push(`…${remaining} more items cut`);
        return out;
      }
      out.push(item);
      used += size;
    }
    return out;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  let used = 2;
  for (let i = 0; i < entries.length; i++) {
    const [key, raw] = entries[i]!;
    const remaining = entries.length - i;
    const reserve = 56;
    const keyBytes = byteLength(key) + 2;
    const item = cut(
      raw,
      Math.max(16, Math.floor((budget - used - reserve - keyBytes) / Math.min(remaining, 4))),
    );
    const size = keyBytes + byteLength(item);
    if (used + size + reserve > budget) {
      out[CUT_KEY] = `${remaining} more keys cut`;
      return out;
    }
    out[key] = item;
    used += size;
  }
  return out;
}

/**
 * Cuts a JSON value to fit `maxBytes` of JSON text, keeping it valid and marking each cut.
 *
 * @param value JSON data (what `JSON.parse` could return).
 * @param maxBytes The budget for `JSON.stringify(result)`, in UTF-8 bytes; at least 64.
 * @returns The value (unchanged when it fits), whether it was cut, and its original size.
 * @throws {RangeError} When `maxBytes` is below 64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { truncateJson } from "./truncate_json.ts";
 * const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
 * const { value, truncated } = truncateJson(rows, 1_000);
 * assert.ok(truncated && JSON.stringify(value).length <= 1_000);
 * assert.ok(String((value as unknown[]).at(-1)).endsWith("more items cut"));
 * ```
 */
export function truncateJson(value: unknown, maxBytes: number): TruncatedJson {
  if (!Number.isFinite(maxBytes) || maxBytes < MIN_TRUNCATE_BYTES) {
    throw new RangeError(
      `Cannot truncate JSON: maxBytes must be at least ${MIN_TRUNCATE_BYTES}, got ${maxBytes}`,
    );
  }
  const originalBytes = value === undefined ? 0 : byteLength(value);
  if (originalBytes <= maxBytes) return { value, truncated: false, originalBytes };
  let budget = maxBytes;
  let result = cut(value, budget);
  // The estimate is conservative but not exact; tighten until it fits.
  while (byteLength(result) > maxBytes && budget > 32) {
    budget = Math.floor(budget * 0.8);
    result = cut(value, budget);
  }
  if (byteLength(result) > maxBytes) result = `…value of ${originalBytes} bytes cut`;
  return { value: result, truncated: true, originalBytes };
}
