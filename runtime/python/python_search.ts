/**
 * `search_tools` with `language: "python"`: the same ranked hits, told as Python (`from servers.memory import
 * read_graph`, and at detail `"full"` the function's signature with its `TypedDict` hints).
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import type { ToolSearchHit } from "../search/mod.ts";
import { assignPythonNames, renderPythonSignature } from "./python_module.ts";

/**
 * Formats search hits for Python agent code.
 *
 * @param hits The ranked hits.
 * @param options The detail level, each server's namespace identifier, and each server's tools.
 * @returns One line a hit (`"name"`, `"description"`) or one block a hit (`"full"`); `"No tools found."` for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonSearchText } from "./python_search.ts";
 * const tools = [{ name: "read_graph", description: "Read the graph", inputSchema: { type: "object" as const } }];
 * const text = pythonSearchText(
 *   [{ server: "memory", tool: "read_graph", name: "memory.read_graph", score: 1, description: "Read the graph" }],
 *   { detail: "description", identifier: () => "memory", tools: () => tools },
 * );
 * assert.equal(text, "memory.read_graph: Read the graph\n  from servers.memory import read_graph");
 * ```
 */
export function pythonSearchText(
  hits: readonly ToolSearchHit[],
  options: {
    detail: "name" | "description" | "full";
    identifier(server: string): string;
    tools(server: string): readonly Tool[];
  },
): string {
  if (hits.length === 0) return "No tools found.";
  if (options.detail === "name") return hits.map((hit) => hit.name).join("\n");
  return hits.map((hit) => {
    const tools = options.tools(hit.server);
    const names = assignPythonNames(tools.map((tool) => tool.name));
    const index = tools.findIndex((tool) => tool.name === hit.tool);
    const fn = names[index] ?? hit.tool;
    const head = `${hit.name}${hit.description ? `: ${hit.description}` : ""}\n` +
      `  from servers.${options.identifier(hit.server)} import ${fn}`;
    const tool = tools[index];
    if (options.detail !== "full" || tool === undefined) return head;
    const signature = renderPythonSignature(hit.server, tool).replace(
      /^async def [A-Za-z0-9_]+\(/m,
      `async def ${fn}(`,
    );
    return `${head}\n${signature.trimEnd()}`;
  }).join(options.detail === "full" ? "\n\n" : "\n");
}
