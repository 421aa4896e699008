/**
 * {@linkcode formatHits}: search hits as the compact text a model reads.
 *
 * @module
 */

import type { SearchDetail, ToolSearchHit } from "./types.ts";

/** What {@linkcode formatHits} returns when there is no hit. */
export const NO_HITS_TEXT = "No matching tools.";

function commentLine(hit: ToolSearchHit): string {
  return hit.description ? `// ${hit.name}: ${hit.description}` : `// ${hit.name}`;
}

/**
 * Formats search hits as text for a model. The text is valid TypeScript from the `"description"` level up, so
 * that import lines can be copied as they are:
 *
 * - `"name"`: one `server.tool` per line;
 * - `"description"`: one line per hit, the import followed by the name and one-line description as a comment;
 * - `"full"`: one block per hit (comment, import, signature), blocks separated by a blank line.
 *
 * Fields missing from a hit (a `"name"` hit formatted as `"full"`) are left out.
 *
 * @param hits Hits from {@linkcode ToolIndex.search}, best first.
 * @param detail The level to format at, normally the one the hits were searched with.
 * @returns The text; {@linkcode NO_HITS_TEXT} when `hits` is empty.
 *
 * @example Format description hits
 * ```ts
 * import { formatHits } from "./format_hits.ts";
 * import assert from "node:assert/strict";
 *
 * const text = formatHits([{
 *   server: "everything",
 *   tool: "get-sum",
 *   name: "everything.get-sum",
 *   score: 12.5,
 *   description: "Returns the sum of two numbers",
 *   functionName: "getSum",
 *   importLine: 'import { getSum } from "servers/everything/index.ts";',
 * }], "description");
 * assert.equal(
 *   text,
 *   'import { getSum } from "servers/everything/index.ts"; // everything.get-sum: Returns the sum of two numbers',
 * );
 * ```
 */
export function formatHits(hits: readonly ToolSearchHit[], detail: SearchDetail): string {
  if (hits.length === 0) return NO_HITS_TEXT;
  switch (detail) {
    case "name":
      return hits.map((hit) => hit.name).join("\n");
    case "description":
      return hits
        .map((hit) => hit.importLine ? `${hit.importLine} ${commentLine(hit)}` : commentLine(hit))
        .join("\n");
    case "full":
      return hits
        .map((hit) =>
          [commentLine(hit), hit.importLine, hit.signature]
            .filter((line) => line !== undefined && line !== "")
            .join("\n")
        )
        .join("\n\n");
    default:
      throw new TypeError(
        `Cannot format hits: unknown detail "${detail}" (expected "name", "description" or "full")`,
      );
  }
}
