/**
 * {@linkcode ToolIndex}: ranked search over the tools of every connected MCP server, behind `searchTools`.
 *
 * @module
 */

import MiniSearch from "minisearch";
import type { Tool } from "../mcp_types.ts";
import { splitWords } from "./_analyze.ts";
import { analyzeQuery, learnableTerms, namedServers } from "./_query.ts";
import { validateSearch } from "./validate_search.ts";
import { summarize } from "./_summary.ts";
import {
  documentTerms,
  FIELD_BOOSTS,
  fieldTerm,
  makeToolDocument,
  PORTER_FIELD,
  type ToolDocument,
} from "./_tool_document.ts";
import { defaultFunctionName, defaultRenderSignature, defaultServerDir } from "./fallbacks.ts";
import type {
  RankingOptions,
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

/** Score factor of the tools of a server the query names ("in notion", "on github"). */
const SERVER_MENTION_BOOST = 3;

/** Score factor of a tool whose description says it is deprecated, so that its replacement ranks first. */
const DEPRECATED_BOOST = 0.5;

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
 * import { ToolIndex } from "@mcp-executor/runtime";
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
  #ranking: Required<RankingOptions>;

  /**
   * Creates an empty index.
   *
   * @param options Hooks that make names and signatures match the generated server modules.
   */
  constructor(options: ToolIndexOptions = {}) {
    this.#functionName = options.functionName ?? defaultFunctionName;
    this.#serverDir = options.serverDir ?? defaultServerDir;
    this.#renderSignature = options.renderSignature ?? defaultRenderSignature;
    this.#ranking = {
      stems: true,
      synonyms: true,
      abbreviations: true,
      serverNames: true,
      ...options.ranking,
    };
    this.#search = new MiniSearch<ToolDocument>({
      idField: "id",
      // Without stems the Porter field is not indexed at all, so the baseline ranks as it did before it existed.
      fields: Object.keys(FIELD_BOOSTS).filter((f) => this.#ranking.stems || f !== PORTER_FIELD),
      tokenize: (text) => splitWords(text),
      processTerm: (term, field) => fieldTerm(term, field),
      autoVacuum: false,
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
    validateSearch(query, options);
    const { detail = "description", limit = 10, servers } = options;
    const ranked = this.rank(query, servers === undefined ? {} : { servers });
    return ranked.slice(0, limit).map(({ server, tool, score }) =>
      this.hitOf(server, tool, { score, detail })!
    );
  }

  /**
   * Every tool that matches a query, best first, with its score: the ranking {@linkcode ToolIndex.search} cuts
   * to `limit`. For fusing with other rankings (learned use, embeddings).
   *
   * @param query What the agent is looking for.
   * @param options A server filter.
   * @returns Server, tool and score of each match.
   */
  rank(
    query: string,
    options: { servers?: readonly string[] } = {},
  ): { server: string; tool: string; score: number }[] {
    const allowed = options.servers === undefined ? undefined : new Set(options.servers);
    const { words, typed, weights } = analyzeQuery(query, {
      ranking: this.#ranking,
      known: (term) => this.#vocabulary.has(term),
    });
    if (weights.size === 0) return [];
    const named = this.#ranking.serverNames
      ? namedServers(words, {
        servers: [...this.#servers].map(([name, tools]) => ({ name, toolCount: tools.size })),
        holders: (term) => this.#vocabulary.get(term) ?? 0,
      })
      : new Set<string>();
    const results = this.#search.search([...weights.keys()].join(" "), {
      tokenize: (text) => text.split(" "),
      processTerm: (term) => term,
      boost: FIELD_BOOSTS,
      boostTerm: (term) => weights.get(term) ?? 1,
      // Only the words typed get prefix and typo tolerance, not the expansions.
      prefix: (term) => typed.has(term) && term.length >= 3,
      // A word the index knows is taken as written: "relation" must not also match "reaction".
      fuzzy: (term) => !typed.has(term) || this.#vocabulary.has(term) ? false : fuzziness(term),
      boostDocument: (id) => {
        const stored = this.#byId.get(id as number);
        if (stored === undefined) return 1;
        return stored.boost * (named.has(stored.server) ? SERVER_MENTION_BOOST : 1);
      },
      ...(allowed === undefined
        ? {}
        : { filter: (result) => allowed.has(this.#byId.get(result.id)?.server ?? "") }),
    });
    const ranked = results.map((result) => {
      const stored = this.#byId.get(result.id)!;
      return { server: stored.server, tool: stored.tool.name, score: result.score };
    });
    ranked.sort((a, b) =>
      b.score - a.score || a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool)
    );
    return ranked;
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
      terms: documentTerms(document, this.#ranking.stems),
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

  /**
   * The search hit of one indexed tool, as {@linkcode ToolIndex.search} gives it.
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @param options The score to report and the detail level.
   * @returns The hit, or `undefined` when the tool is not indexed.
   */
  hitOf(
    server: string,
    tool: string,
    options: { score: number; detail: SearchDetail },
  ): ToolSearchHit | undefined {
    const stored = this.#servers.get(server)?.get(tool);
    return stored === undefined ? undefined : this.#hit(stored, options.score, options.detail);
  }

  /**
   * The words of a query that use may be learned for: the typed words (plural-folded) that the tool vocabulary or
   * the dictionary knows. Numbers, identifiers, names and other values are left out.
   *
   * @param query A query.
   * @returns The terms, without duplicates.
   */
  learnableTerms(query: string): string[] {
    return learnableTerms(query, (term) => this.#vocabulary.has(term));
  }

  /**
   * The text of a tool that an embedding model sees: its name split into words, its title and its description.
   *
   * @returns One `{ name, text }` per indexed tool, `name` being `server.tool`.
   */
  embeddingTexts(): { name: string; text: string }[] {
    return [...this.#byId.values()].map((stored) => ({
      name: `${stored.server}.${stored.tool.name}`,
      text: [
        splitWords(stored.tool.name).join(" "),
        stored.document.title,
        stored.document.description,
      ]
        .filter((part) => part !== "").join("\n"),
    }));
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
