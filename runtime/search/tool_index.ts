/**
 * {@linkcode ToolIndex}: ranked search over the tools of every connected MCP server, behind `searchTools`.
 *
 * @module
 */

import MiniSearch from "minisearch";
import type { Tool } from "../sdk.ts";
import { indexTerm, queryTerms, splitWords, synonymsOf } from "./_analyze.ts";
import { summarize } from "./_summary.ts";
import {
  documentTerms,
  EXACT_FIELD,
  FIELD_BOOSTS,
  makeToolDocument,
  type ToolDocument,
} from "./_tool_document.ts";
import { defaultFunctionName, defaultRenderSignature, defaultServerDir } from "./fallbacks.ts";
import type {
  SearchDetail,
  ServerSummary,
  ToolIndexEntry,
  ToolIndexOptions,
  ToolSearchHit,
  ToolSearchOptions,
  ToolSummary,
} from "./types.ts";

/** One indexed tool with what its hits need, computed once. */
interface Stored {
  document: ToolDocument;
  server: string;
  tool: Tool;
  /** Document boost: below 1 for deprecated tools. */
  boost: number;
  /** The distinct analyzed terms of the document, for the vocabulary. */
  terms: string[];
  summary: string;
  functionName: string;
  importLine: string;
  signature?: string;
}

/** Weight of a synonym the query did not type ("create" for "add") against the typed word. */
const SYNONYM_BOOST = 0.4;

/** Score factor of a tool whose description says it is deprecated, so that its replacement ranks first. */
const DEPRECATED_BOOST = 0.5;

const DETAILS: ReadonlySet<string> = new Set(["name", "description", "full"]);

/** Typo tolerance by query word length: none up to 3 letters, 1 edit up to 5, 2 edits from 6. */
function fuzziness(term: string): number | false {
  return term.length >= 6 ? 2 : term.length >= 4 ? 1 : false;
}

/**
 * Ranked, typo-tolerant search over the tools of many MCP servers, so that an agent loads only the definitions
 * it needs.
 *
 * Ranking is MiniSearch's BM25+ over the tool name (split into words, weighted highest), title, server name,
 * description, parameter names and parameter descriptions, with prefix matching ("dir" finds "directory") and
 * fuzzy matching ("craete" finds "create"). Queries and documents go through the same analysis: identifiers are
 * split on `_`, `-`, `.` and camelCase, stop words are dropped and plurals are folded. Tools whose description
 * says they are deprecated are ranked lower.
 *
 * MiniSearch was chosen because it is a small, dependency-free, synchronous in-memory index with BM25+ scoring,
 * per-field boosts, per-term boosts, prefix and fuzzy search over a radix tree, custom tokenizers and document
 * removal: all this needs, and nothing more. Orama covers the same ground with a larger footprint and an API whose
 * calls may return promises; FlexSearch is built for speed on large corpora but ranks by term position rather than
 * BM25, returns no scores and merges fields only as a union; Fuse.js is a fuzzy string matcher without term
 * statistics (no IDF), so it ranks long descriptions poorly, and it scans every document on each query.
 *
 * @example Search two servers' tools
 * ```ts
 * import { ToolIndex } from "./tool_index.ts";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 * ]);
 * const [hit] = index.search("make new entity", { limit: 1 });
 * assert.equal(hit?.name, "memory.create_entities");
 * assert.equal(hit?.importLine, 'import { createEntities } from "servers/memory/index.ts";');
 * ```
 */
export class ToolIndex {
  #search: MiniSearch<ToolDocument>;
  #byId = new Map<number, Stored>();
  #servers = new Map<string, Map<string, Stored>>();
  #nextId = 0;
  /** How many documents hold each analyzed term. */
  #vocabulary = new Map<string, number>();
  #functionName: (server: string, toolName: string) => string;
  #serverDir: (server: string) => string;
  #renderSignature: (server: string, tool: Tool) => string;

  /**
   * Creates an empty index.
   *
   * @param options Hooks that make names and signatures match the generated server modules.
   */
  constructor(options: ToolIndexOptions = {}) {
    this.#functionName = options.functionName ?? defaultFunctionName;
    this.#serverDir = options.serverDir ?? defaultServerDir;
    this.#renderSignature = options.renderSignature ?? defaultRenderSignature;
    this.#search = new MiniSearch<ToolDocument>({
      idField: "id",
      fields: Object.keys(FIELD_BOOSTS),
      tokenize: (text) => splitWords(text),
      processTerm: (term, field) => indexTerm(term, field, EXACT_FIELD),
      autoVacuum: false,
      searchOptions: {
        processTerm: (term) => {
          const terms = queryTerms(term);
          return terms === null ? null : [...terms, ...terms.flatMap(synonymsOf)];
        },
        boost: FIELD_BOOSTS,
        prefix: (term) => term.length >= 3,
        // A word the index knows is taken as written: "relation" must not also match "reaction".
        fuzzy: (term) => this.#vocabulary.has(term) ? false : fuzziness(term),
        boostDocument: (id) => this.#byId.get(id as number)?.boost ?? 1,
      },
    });
  }

  /**
   * Creates an index holding the given entries.
   *
   * @param entries Tools with the server they belong to, in listing order.
   * @param options Hooks as for the constructor.
   * @returns The new index.
   * @throws {TypeError} If an entry has no server name or a tool has no name.
   */
  static from(entries: Iterable<ToolIndexEntry>, options: ToolIndexOptions = {}): ToolIndex {
    const byServer = new Map<string, Tool[]>();
    for (const { server, tool } of entries) {
      const tools = byServer.get(server) ?? [];
      tools.push(tool);
      byServer.set(server, tools);
    }
    const index = new ToolIndex(options);
    for (const [server, tools] of byServer) index.setServerTools(server, tools);
    return index;
  }

  /** The number of tools in the index, over all servers. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Replaces one server's tools, e.g. on connection or after `notifications/tools/list_changed`. Tools that are
   * no longer listed disappear from search results. A later tool with the same name replaces an earlier one.
   *
   * @param server The server's name.
   * @param tools Its full `tools/list` answer.
   * @throws {TypeError} If `server` is empty or a tool has no name.
   */
  setServerTools(server: string, tools: readonly Tool[]): void {
    if (typeof server !== "string" || server === "") {
      throw new TypeError("Cannot index tools: server name must be a non-empty string");
    }
    if (!Array.isArray(tools)) {
      throw new TypeError(`Cannot index tools of server "${server}": tools must be an array`);
    }
    tools.forEach((tool, i) => {
      if (typeof tool?.name !== "string" || tool.name === "") {
        throw new TypeError(
          `Cannot index tools of server "${server}": tool at index ${i} has no name`,
        );
      }
    });
    this.removeServer(server);
    const byName = new Map<string, Stored>();
    for (const tool of tools) {
      const previous = byName.get(tool.name);
      if (previous !== undefined) this.#remove(previous);
      const stored = this.#store(server, tool);
      byName.set(tool.name, stored);
      this.#byId.set(stored.document.id, stored);
      this.#search.add(stored.document);
      for (const term of stored.terms) {
        this.#vocabulary.set(term, (this.#vocabulary.get(term) ?? 0) + 1);
      }
    }
    this.#servers.set(server, byName);
  }

  /**
   * Removes a server and all its tools; does nothing if it is not indexed.
   *
   * @param server The server's name.
   * @returns Whether the server was indexed.
   */
  removeServer(server: string): boolean {
    const tools = this.#servers.get(server);
    if (tools === undefined) return false;
    for (const stored of tools.values()) this.#remove(stored);
    this.#servers.delete(server);
    return true;
  }

  /**
   * Finds the tools that best match a query, best first.
   *
   * @param query What the agent is looking for, in words ("create pull request", "read file").
   * @param options Detail level (default `"description"`), limit (default 10) and a server filter.
   * @returns Up to `limit` hits; none when no word of the query matches.
   * @throws {TypeError} If `query` is not a string or `detail` is unknown.
   * @throws {RangeError} If `limit` is not a positive integer.
   */
  search(query: string, options: ToolSearchOptions = {}): ToolSearchHit[] {
    const { detail = "description", limit = 10, servers } = options;
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
    const allowed = servers === undefined ? undefined : new Set(servers);
    const typed = new Set(splitWords(query).flatMap((word) => queryTerms(word) ?? []));
    const results = this.#search.search(query, {
      boostTerm: (term) => typed.has(term) ? 1 : SYNONYM_BOOST,
      ...(allowed === undefined
        ? {}
        : { filter: (result) => allowed.has(this.#byId.get(result.id)?.server ?? "") }),
    });
    const ranked = results.map((result) => ({
      stored: this.#byId.get(result.id)!,
      score: result.score,
    }));
    ranked.sort((a, b) =>
      b.score - a.score ||
      a.stored.server.localeCompare(b.stored.server) ||
      a.stored.tool.name.localeCompare(b.stored.tool.name)
    );
    return ranked.slice(0, limit).map(({ stored, score }) => this.#hit(stored, score, detail));
  }

  /**
   * Lists the indexed servers with their tool counts, by name.
   *
   * @returns One summary per server.
   */
  listServers(): ServerSummary[] {
    return [...this.#servers]
      .map(([name, tools]) => ({ name, toolCount: tools.size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Lists one server's tools in the order the server listed them.
   *
   * @param server The server's name.
   * @returns One summary per tool; empty when the server is not indexed.
   */
  listTools(server: string): ToolSummary[] {
    return [...(this.#servers.get(server)?.values() ?? [])].map((stored) => ({
      name: stored.tool.name,
      functionName: stored.functionName,
      description: stored.summary,
    }));
  }

  /**
   * Returns a tool's full definition.
   *
   * @param server The server's name.
   * @param toolName The tool's name.
   * @returns The tool as the server listed it, or `undefined`.
   */
  getTool(server: string, toolName: string): Tool | undefined {
    return this.#servers.get(server)?.get(toolName)?.tool;
  }

  #store(server: string, tool: Tool): Stored {
    const document = makeToolDocument(this.#nextId++, server, tool);
    const functionName = this.#functionName(server, tool.name);
    return {
      document,
      server,
      tool,
      boost: /\bdeprecated\b/i.test(document.description) ? DEPRECATED_BOOST : 1,
      terms: documentTerms(document),
      summary: summarize(document.description),
      functionName,
      importLine: `import { ${functionName} } from "servers/${this.#serverDir(server)}/index.ts";`,
    };
  }

  #remove(stored: Stored): void {
    this.#search.remove(stored.document);
    this.#byId.delete(stored.document.id);
    for (const term of stored.terms) {
      const count = (this.#vocabulary.get(term) ?? 0) - 1;
      if (count > 0) this.#vocabulary.set(term, count);
      else this.#vocabulary.delete(term);
    }
  }

  #hit(stored: Stored, score: number, detail: SearchDetail): ToolSearchHit {
    const hit: ToolSearchHit = {
      server: stored.server,
      tool: stored.tool.name,
      name: `${stored.server}.${stored.tool.name}`,
      score,
    };
    if (detail === "name") return hit;
    hit.description = stored.summary;
    hit.functionName = stored.functionName;
    hit.importLine = stored.importLine;
    if (detail === "full") {
      stored.signature ??= this.#renderSignature(stored.server, stored.tool);
      hit.signature = stored.signature;
    }
    return hit;
  }
}
