/**
 * What the orchestrator knows about the connected servers' tools: the search index, each tool's generated
 * function name, and what the definitions cost in tokens with classic tool calling.
 *
 * @module
 */

import { assignFunctionNames, renderToolSignature, toServerDirName } from "../codegen/mod.ts";
import {
  formatHits,
  type SearchDetail,
  type ServerSummary,
  ToolIndex,
  type ToolSearchHit,
  type ToolSummary,
} from "../search/mod.ts";
import type { Tool } from "../sdk.ts";
import { toolDefinitionTokens } from "../tokens/token_accounting.ts";

/** Options for {@linkcode ToolCatalog.search}. */
export interface CatalogSearchOptions {
  detail?: SearchDetail;
  limit?: number;
  servers?: readonly string[];
}

/**
 * The tools of every connected server, searchable, with the names the code generator gives them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToolCatalog } from "./tool_catalog.ts";
 * const catalog = new ToolCatalog();
 * catalog.setServerTools("memory", [{
 *   name: "read_graph", description: "Read the entire knowledge graph",
 *   inputSchema: { type: "object", properties: {} },
 * }]);
 * assert.ok(catalog.search("knowledge graph", { detail: "name" })[0]?.name === "memory.read_graph");
 * assert.ok(catalog.functionName("memory", "read_graph") === "readGraph");
 * ```
 */
export class ToolCatalog {
  #functionNames = new Map<string, Map<string, string>>();
  #definitionTokens = new Map<string, number>();
  #index = new ToolIndex({
    functionName: (server, tool) => this.functionName(server, tool),
    serverDir: (server) => toServerDirName(server),
    renderSignature: (server, tool) =>
      renderToolSignature(server, tool, { functionName: this.functionName(server, tool.name) }),
  });

  /**
   * Adds a server's tools, or replaces them (after `tools/list_changed`).
   *
   * @param server The server's name.
   * @param tools Its tools.
   */
  setServerTools(server: string, tools: readonly Tool[]): void {
    const names = assignFunctionNames(tools.map((t) => t.name));
    this.#functionNames.set(server, new Map(tools.map((t, i) => [t.name, names[i]!])));
    this.#definitionTokens.set(server, toolDefinitionTokens(tools));
    this.#index.setServerTools(server, tools);
  }

  /**
   * The generated function name of a tool (collisions resolved the way the code generator does).
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @returns The function name, or the tool's name when it is not known.
   */
  functionName(server: string, tool: string): string {
    return this.#functionNames.get(server)?.get(tool) ?? tool;
  }

  /**
   * Tokens of every server's tool definitions as classic tool calling gives them to a model.
   *
   * @returns The sum over the servers in the catalog.
   */
  definitionTokens(): number {
    let tokens = 0;
    for (const count of this.#definitionTokens.values()) tokens += count;
    return tokens;
  }

  /**
   * Ranked search over the tools.
   *
   * @param query What the agent looks for.
   * @param options Detail level, limit and a server filter.
   * @returns The hits, best first.
   */
  search(query: string, options: CatalogSearchOptions = {}): ToolSearchHit[] {
    return this.#index.search(query, options);
  }

  /**
   * Ranked search, formatted as the compact text a model reads.
   *
   * @param query What the agent looks for.
   * @param options Detail level, limit and a server filter.
   * @returns The formatted hits.
   */
  searchText(query: string, options: CatalogSearchOptions = {}): string {
    return formatHits(this.#index.search(query, options), options.detail ?? "description");
  }

  /**
   * The servers and their tool counts.
   *
   * @returns One entry a server, sorted by name.
   */
  listServers(): ServerSummary[] {
    return this.#index.listServers();
  }

  /**
   * One server's tools.
   *
   * @param server The server's name.
   * @returns Its tools in listing order; empty for an unknown server.
   */
  listTools(server: string): ToolSummary[] {
    return this.#index.listTools(server);
  }
}
