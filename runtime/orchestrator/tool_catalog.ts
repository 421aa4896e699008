/**
 * What the orchestrator knows about the connected servers' tools: the search index (with learning from use and
 * optional embeddings), each tool's generated function name, and what the definitions cost in tokens with classic
 * tool calling.
 *
 * @module
 */

import {
  assignFunctionNames,
  type InferredOutput,
  renderToolSignature,
  toServerDirName,
} from "../codegen/mod.ts";
import { logger } from "../log.ts";
import type { CatalogRequest } from "../sandbox/mod.ts";
import type { CatalogEntry } from "../wire/mod.ts";
import {
  type EmbedFunction,
  formatHits,
  loadUsageFile,
  saveUsageFile,
  type SearchDetail,
  type ServerSummary,
  ToolFinder,
  ToolIndex,
  type ToolSearchHit,
  type ToolSummary,
  UsageMemory,
  type UsageMemoryOptions,
} from "../search/mod.ts";
import type { Tool } from "../sdk.ts";
import type { UsageRows } from "../state/mod.ts";
import { toolDefinitionTokens } from "../tokens/mod.ts";
import { SharedUsage } from "./shared_usage.ts";

const log = logger("search");

/** Options for {@linkcode ToolCatalog.search}. */
export interface CatalogSearchOptions {
  detail?: SearchDetail;
  limit?: number;
  servers?: readonly string[];
  /** The session searching: a task of the same session that calls tools teaches the ranking. */
  session?: string;
}

/** Options of {@linkcode ToolCatalog}. */
export interface ToolCatalogOptions {
  /** Embeds texts for hybrid ranking in {@linkcode ToolCatalog.searchAsync}. */
  embed?: EmbedFunction;
  /** Learning from use: off with `false`; bounds and half-life otherwise. Default: on. */
  learn?: boolean | UsageMemoryOptions;
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
 * assert.equal(catalog.search("knowledge graph", { detail: "name" })[0]?.name, "memory.read_graph");
 * assert.equal(catalog.functionName("memory", "read_graph"), "readGraph");
 * ```
 */
export class ToolCatalog {
  #functionNames = new Map<string, Map<string, string>>();
  #definitionTokens = new Map<string, number>();
  #index = new ToolIndex({
    functionName: (server, tool) => this.functionName(server, tool),
    serverDir: (server) => toServerDirName(server),
    renderSignature: (server, tool) => {
      const inferred = this.#inferred?.(server, tool.name);
      return renderToolSignature(server, tool, {
        functionName: this.functionName(server, tool.name),
        ...(inferred === undefined ? {} : { inferred }),
      });
    },
  });
  #usage: UsageMemory | undefined;
  #inferred: ((server: string, tool: string) => InferredOutput | undefined) | undefined;
  #finder: ToolFinder;
  #usageFile: string | undefined;
  #shared: SharedUsage | undefined;
  #saving: Promise<void> = Promise.resolve();
  /** Tool texts being embedded ahead of searches, when there is an `embed` function. */
  #warming: Promise<void> = Promise.resolve();
  #warmRequested = false;
  #stopWarming = new AbortController();

  /**
   * @param options Embedding function and learning from use.
   */
  constructor(options: ToolCatalogOptions = {}) {
    const { learn = true, embed } = options;
    this.#usage = learn === false ? undefined : new UsageMemory({
      ...(learn === true ? {} : learn),
      onRecord: (term, tool, nowMs) => this.#shared?.add(term, tool, nowMs),
    });
    this.#finder = new ToolFinder(this.#index, {
      ...(this.#usage === undefined ? {} : { usage: this.#usage }),
      ...(embed === undefined ? {} : { embed }),
    });
  }

  /**
   * Adds a server's tools, or replaces them (after `tools/list_changed`).
   *
   * @param server The server's name.
   * @param tools Its tools.
   */
  /**
   * Where signatures find the output types inferred for tools that declare none.
   *
   * @param lookup The inferred output of a tool, if any.
   */
  useInferredOutputs(lookup: (server: string, tool: string) => InferredOutput | undefined): void {
    this.#inferred = lookup;
  }

  setServerTools(server: string, tools: readonly Tool[]): void {
    const names = assignFunctionNames(tools.map((t) => t.name));
    this.#functionNames.set(server, new Map(tools.map((t, i) => [t.name, names[i]!])));
    this.#definitionTokens.set(server, toolDefinitionTokens(tools));
    this.#index.setServerTools(server, tools);
    this.#warm();
  }

  /** Embeds new tool texts in the background, so that the first search does not wait for them. */
  #warm(): void {
    if (!this.#finder.hybrid || this.#warmRequested || this.#stopWarming.signal.aborted) return;
    this.#warmRequested = true;
    this.#warming = this.#warming.then(async () => {
      // One pass for every server that changed before it started.
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#warmRequested = false;
      await this.#finder.prepare(this.#stopWarming.signal);
    }).catch((error) => {
      log.warn("Cannot embed tool texts ahead of searches: {error}", { error: String(error) });
    });
  }

  /**
   * Stops embedding tool texts ahead of searches and waits for the text being embedded; stops following the
   * shared usage, if any.
   *
   * @returns Resolves once stopped.
   */
  async close(): Promise<void> {
    this.#stopWarming.abort();
    await this.#warming;
    await this.#saving;
    await this.#shared?.close();
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
    return this.#finder.find(query, options);
  }

  /**
   * Ranked search, fused with the embedding ranking when an `embed` function was given.
   *
   * @param query What the agent looks for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns The hits, best first.
   */
  async searchAsync(query: string, options: CatalogSearchOptions = {}): Promise<ToolSearchHit[]> {
    await this.#warming; // the tool texts being embedded: waiting costs no more than embedding them again
    return await this.#finder.findAsync(query, options);
  }

  /**
   * Answers agent code's `tools.search` and `tools.list`: every connected server's tools, whatever the task may
   * call (discovery only; calls are checked against the task's allowlist). When `embed` fails, a search falls back
   * to the lexical ranking, so that the endpoint's error never reaches agent code.
   *
   * @param request The validated read.
   * @param session The task's session, so that its searches teach the ranking too.
   * @returns The entries.
   */
  async answer(request: CatalogRequest, session?: string): Promise<CatalogEntry[]> {
    if (request.op === "search") {
      const options: CatalogSearchOptions = {
        limit: request.limit ?? 10,
        ...(request.server === undefined ? {} : { servers: [request.server] }),
        ...(session === undefined ? {} : { session }),
      };
      // An embedding endpoint's error may name hosts or keys: agent code gets the lexical ranking instead.
      const hits = await this.searchAsync(request.query ?? "", options).catch((error) => {
        log.warn("Embedding search failed, using BM25: {error}", { error: String(error) });
        return this.search(request.query ?? "", options);
      });
      return hits.map((hit) => ({
        name: hit.name,
        server: hit.server,
        tool: hit.tool,
        functionName: hit.functionName ?? hit.tool,
        description: hit.description ?? "",
      }));
    }
    const servers = request.server === undefined
      ? this.listServers().map((s) => s.name)
      : [request.server];
    return servers.flatMap((server) =>
      this.listTools(server).map((tool) => ({
        name: `${server}.${tool.name}`,
        server,
        tool: tool.name,
        functionName: tool.functionName,
        description: tool.description,
      }))
    );
  }

  /**
   * Learns from a finished task (see {@linkcode ToolFinder.taskFinished}) and saves the usage file, if any.
   *
   * @param session The task's session.
   * @param toolsCalled The `server.tool` names it called.
   */
  taskFinished(session: string | undefined, toolsCalled: readonly string[]): void {
    if (this.#usage === undefined) return;
    this.#finder.taskFinished(session, toolsCalled);
    if (this.#shared !== undefined) {
      this.#saving = this.#saving.then(() => this.#shared?.flush()).catch((error) =>
        log.warn("Cannot save tool usage to the state store: {error}", { error: String(error) })
      );
    } else if (this.#usage.dirty && this.#usageFile !== undefined) {
      const file = this.#usageFile;
      const memory = this.#usage;
      this.#saving = this.#saving.then(() => saveUsageFile(file, memory)).catch((error) =>
        log.warn("Cannot save tool usage to {file}: {error}", { file, error: String(error) })
      );
    }
  }

  /**
   * Keeps learned use in a file from now on, loading what it holds. A file that cannot be read is logged and
   * replaced.
   *
   * @param file The usage file (JSON).
   * @returns Resolves once loaded.
   */
  async openUsage(file: string): Promise<void> {
    if (this.#usage === undefined) return;
    this.#usageFile = file;
    try {
      await loadUsageFile(file, this.#usage);
    } catch (error) {
      log.warn("Starting with no tool usage: {error}", { error: String(error) });
    }
  }

  /**
   * Keeps learned use in a shared state store (PostgreSQL, for replicas) instead of a file, loading what it holds.
   *
   * @param rows The store's usage counters.
   * @returns Resolves once loaded.
   * @throws {Error} When the store cannot be read.
   */
  async shareUsage(rows: UsageRows): Promise<void> {
    if (this.#usage === undefined) return;
    this.#shared = await SharedUsage.open(this.#usage, rows);
  }

  /**
   * Waits for pending writes of the usage file.
   *
   * @returns Resolves once written.
   */
  flushUsage(): Promise<void> {
    return this.#saving;
  }

  /**
   * Ranked search, formatted as the compact text a model reads.
   *
   * @param query What the agent looks for.
   * @param options Detail level, limit and a server filter.
   * @returns The formatted hits.
   */
  searchText(query: string, options: CatalogSearchOptions = {}): string {
    return formatHits(this.#finder.find(query, options), options.detail ?? "description");
  }

  /**
   * Like {@linkcode ToolCatalog.searchText}, with the embedding blended in when an `embed` function was given.
   * When `embed` fails, the lexical ranking is used and the error is logged (an endpoint's error may name hosts
   * or keys).
   *
   * @param query What the agent looks for.
   * @param options Detail level, limit, a server filter and the session.
   * @returns The formatted hits.
   */
  async searchTextAsync(query: string, options: CatalogSearchOptions = {}): Promise<string> {
    const hits = await this.searchAsync(query, options).catch((error) => {
      log.warn("Embedding search failed, using BM25: {error}", { error: String(error) });
      return this.#finder.find(query, options);
    });
    return formatHits(hits, options.detail ?? "description");
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
