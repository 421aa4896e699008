/**
 * {@linkcode validateSearch}: the checks every tool search makes on its query and options.
 *
 * @module
 */

import type { ToolSearchOptions } from "./types.ts";

const DETAILS: ReadonlySet<string> = new Set(["name", "description", "full"]);

/**
 * Checks a query and search options as {@linkcode ToolIndex.search} does.
 *
 * @param query The query.
 * @param options The options.
 * @throws {TypeError} If `query` is not a string or `detail` is unknown.
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateSearch } from "./validate_search.ts";
 * validateSearch("read file", { detail: "name", limit: 20 });
 * assert.throws(() => validateSearch("read file", { limit: 0 }), RangeError);
 * ```
 */
export function validateSearch(query: unknown, options: ToolSearchOptions): void {
  const { detail = "description", limit = 10 } = options;
  if (typeof query !== "string") {
    throw new TypeError(`Cannot search tools: query must be a string, got ${typeof query}`);
  }
  if (!DETAILS.has(detail)) {
    throw new TypeError(
      `Cannot search tools: unknown detail "${detail}" (expected "name", "description" or "full")`,
    );
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot search tools: limit must be a positive integer, got ${limit}`);
  }
}
