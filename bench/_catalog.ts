/**
 * The tool catalogues the token scenarios search and count: the reference servers the orchestrator is really
 * connected to, and the recorded corpus of 26 public servers (351 tools) that scenario (a) assumes is configured.
 *
 * @module
 */

import type { MCPOrchestrator } from "../runtime/mod.ts";
import {
  assignFunctionNames,
  renderToolSignature,
  toServerDirName,
} from "../runtime/codegen/mod.ts";
import type { Tool } from "../runtime/sdk.ts";
import { loadRecordedServers } from "../tests/helpers/search_corpus.ts";
import {
  formatHits,
  type ServerSummary,
  ToolIndex,
  type ToolSearchHit,
  type ToolSearchOptions,
} from "../runtime/search/mod.ts";
import { toolDefinitionTokens } from "../runtime/tokens/mod.ts";

/** A set of tools an agent could be given: what classic tool calling loads, and what code mode searches. */
export interface Catalog {
  /** Which set, for the report: `"corpus"` or `"reference"`. */
  kind: "corpus" | "reference";
  /** The servers with their tool counts, sorted by name. */
  servers: ServerSummary[];
  /** Tools over all servers. */
  toolCount: number;
  /** Tokens of every tool definition, summed per server the way `MCPOrchestrator.toolDefinitionTokens()` sums. */
  definitionTokens: number;
  /** Ranked hits, as `MCPOrchestrator.searchTools`. */
  search(query: string, options: ToolSearchOptions): ToolSearchHit[];
  /** The text a model reads, as `MCPOrchestrator.searchToolsText`. */
  searchText(query: string, options: ToolSearchOptions): string;
}

/**
 * The servers the orchestrator is connected to, searched through the orchestrator itself.
 *
 * @param orch An initialized orchestrator.
 * @returns The catalogue.
 */
export function referenceCatalog(orch: MCPOrchestrator): Catalog {
  const servers = orch.listServers();
  return {
    kind: "reference",
    servers,
    toolCount: servers.reduce((sum, s) => sum + s.toolCount, 0),
    definitionTokens: orch.toolDefinitionTokens(),
    search: (query, options) => orch.searchTools(query, options),
    searchText: (query, options) => orch.searchToolsText(query, options),
  };
}

/**
 * An index over the given servers' tools built the way `MCPOrchestrator` builds its own: the same function names,
 * server folders and signatures as the generated `servers/` modules.
 *
 * @param servers Each server's name and tools.
 * @returns The catalogue (kind `"corpus"`).
 */
export function indexCatalog(
  servers: readonly { name: string; tools: readonly Tool[] }[],
): Catalog {
  const functionNames = new Map<string, Map<string, string>>();
  const index = new ToolIndex({
    functionName: (server, tool) => functionNames.get(server)?.get(tool) ?? tool,
    serverDir: (server) => toServerDirName(server),
    renderSignature: (server, tool) =>
      renderToolSignature(server, tool, {
        functionName: functionNames.get(server)?.get(tool.name) ?? tool.name,
      }),
  });
  let definitionTokens = 0;
  for (const { name, tools } of servers) {
    const names = assignFunctionNames(tools.map((t) => t.name));
    functionNames.set(name, new Map(tools.map((t, i) => [t.name, names[i]!])));
    definitionTokens += toolDefinitionTokens(tools);
    index.setServerTools(name, tools);
  }
  return {
    kind: "corpus",
    servers: index.listServers(),
    toolCount: index.size,
    definitionTokens,
    search: (query, options) => index.search(query, options),
    searchText: (query, options) =>
      formatHits(index.search(query, options), options.detail ?? "description"),
  };
}

/**
 * The recorded corpus under `tests/fixtures/tools_list/` as a catalogue.
 *
 * @returns The catalogue of its 26 servers.
 */
export async function corpusCatalog(): Promise<Catalog> {
  const recorded = await loadRecordedServers();
  return indexCatalog(recorded.map(({ key, tools }) => ({ name: key, tools })));
}
