/**
 * Shapes shared by {@linkcode ToolIndex} and {@linkcode formatHits}.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";

/**
 * How much a search hit carries:
 * - `"name"`: only `server.tool` and the score, for a quick scan;
 * - `"description"`: plus a one-line description, the function name and the import line (the default);
 * - `"full"`: plus the TypeScript signature, enough to write the call.
 *
 * @example
 * ```ts
 * import { type SearchDetail, ToolIndex } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const detail: SearchDetail = "name";
 * const [hit] = index.search("read graph", { detail, limit: 1 });
 * assert.deepEqual([hit?.name, hit?.description], ["memory.read_graph", undefined]);
 * ```
 */
export type SearchDetail = "name" | "description" | "full";

/** One tool of one server, as {@linkcode ToolIndex} stores it. */
export interface ToolIndexEntry {
  /** The server's name as configured (`mcp.json` key). */
  server: string;
  /** The tool exactly as the server's `tools/list` returned it. */
  tool: Tool;
}

/**
 * One search result. Fields past `score` are present from the detail level noted on each.
 *
 * @example
 * ```ts
 * import { ToolIndex, type ToolSearchHit } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const [hit]: ToolSearchHit[] = index.search("creating entities", { limit: 1 });
 * assert.deepEqual([hit?.server, hit?.tool, hit?.functionName], ["memory", "create_entities", "createEntities"]);
 * ```
 */
export interface ToolSearchHit {
  /** The server's name. */
  server: string;
  /** The tool's name as the server spells it. */
  tool: string;
  /** `server.tool`, the name a model uses to refer to the tool. */
  name: string;
  /** Relevance (BM25+ with boosts); only the order between hits of one search is meaningful. */
  score: number;
  /** `"description"` and `"full"`: the first sentence of the description, on one line. */
  description?: string;
  /** `"description"` and `"full"`: the exported function that calls the tool. */
  functionName?: string;
  /** `"description"` and `"full"`: `import { fn } from "servers/<dir>/index.ts";`. */
  importLine?: string;
  /** `"full"`: the TypeScript signature of the function. */
  signature?: string;
}

/**
 * Options of {@linkcode ToolIndex.search}.
 *
 * @example
 * ```ts
 * import { ToolIndex, type ToolSearchOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const options: ToolSearchOptions = { detail: "description", limit: 1 };
 * assert.equal(index.search("graph", options).length, 1);
 * ```
 */
export interface ToolSearchOptions {
  /** What each hit carries; `"description"` by default. */
  detail?: SearchDetail;
  /** Most hits returned; 10 by default. */
  limit?: number;
  /** Only search these servers; all by default. */
  servers?: readonly string[];
}

/**
 * Hooks that tie the index to the code generator, so that names and signatures match the generated
 * `servers/<dir>/index.ts` modules. Each has a simple fallback.
 *
 * @example
 * ```ts
 * import { ToolIndex, type ToolIndexOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: ToolIndexOptions = { serverDir: (server) => `mcp-${server}` };
 * const index = new ToolIndex(options);
 * index.setServerTools("memory", [{ name: "read_graph", inputSchema: { type: "object" } }]);
 * assert.equal(index.search("graph")[0]?.importLine, 'import { readGraph } from "servers/mcp-memory/index.ts";');
 * ```
 */
export interface ToolIndexOptions {
  /** The exported function name of a tool; fallback: the camelCase of the tool name. */
  functionName?: (server: string, toolName: string) => string;
  /** The folder under `servers/` of a server; fallback: the server name with unsafe characters replaced. */
  serverDir?: (server: string) => string;
  /** The TypeScript signature of a tool; fallback: a one-line signature with the top-level parameters. */
  renderSignature?: (server: string, tool: Tool) => string;
  /** Ranking features; all on by default. */
  ranking?: RankingOptions;
}

/**
 * Which ranking features a {@linkcode ToolIndex} uses; each is on by default. Turning one off is for measuring what
 * it brings (see `bench/search_bench.ts`).
 *
 * @example Turn off stemming and synonyms
 * ```ts
 * import { type RankingOptions, ToolIndex } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const literal: RankingOptions = { stems: false, synonyms: false, abbreviations: false };
 * const tools = [{ name: "create_entities", inputSchema: { type: "object" as const } }];
 * const plain = new ToolIndex({ ranking: literal });
 * plain.setServerTools("memory", tools);
 * const stemmed = new ToolIndex();
 * stemmed.setServerTools("memory", tools);
 * assert.deepEqual([plain.search("creating").length, stemmed.search("creating").length], [0, 1]);
 * ```
 */
export interface RankingOptions {
  /** Porter stems on both sides (`deploys`, `deployment` and `deploy` meet); off: plural folding only. */
  stems?: boolean;
  /** WordNet synonyms, broader words and phrasal verbs on the query side, at low weights. */
  synonyms?: boolean;
  /** The field's abbreviations spelled out on the query side (`pr`, `repo`, `env`, `db`). */
  abbreviations?: boolean;
  /** A server's name in the query (`"in notion"`, `"on github"`) ranks that server's tools higher. */
  serverNames?: boolean;
}

/**
 * A server in the index, as {@linkcode ToolIndex.listServers} reports it.
 *
 * @example
 * ```ts
 * import { type ServerSummary, ToolIndex } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const servers: ServerSummary[] = index.listServers();
 * assert.deepEqual(servers, [{ name: "memory", toolCount: 2 }]);
 * ```
 */
export interface ServerSummary {
  /** The server's name. */
  name: string;
  /** How many tools it has. */
  toolCount: number;
}

/**
 * A tool in the index, as {@linkcode ToolIndex.listTools} reports it.
 *
 * @example
 * ```ts
 * import { ToolIndex, type ToolSummary } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const tools: ToolSummary[] = index.listTools("memory");
 * assert.deepEqual(tools.map((t) => t.functionName), ["readGraph", "createEntities"]);
 * ```
 */
export interface ToolSummary {
  /** The tool's name as the server spells it. */
  name: string;
  /** The exported function that calls it. */
  functionName: string;
  /** The first sentence of its description, on one line. */
  description: string;
}
