/**
 * {@linkcode ToolFinder}: tool search as the orchestrator runs it: the BM25 ranking of a {@linkcode ToolIndex},
 * raised by what earlier searches led to (learning from use), with an embedding's similarities blended in when an
 * `embed` function is given.
 *
 * @module
 */

import { addLearned, blendSemantic, cosine, type Scored } from "./_fusion.ts";
import { SearchHistory } from "./_search_history.ts";
import type { ToolIndex } from "./tool_index.ts";
import { parseToolRef } from "../tool_ref.ts";
import { validateSearch } from "./validate_search.ts";
import type { ToolSearchHit, ToolSearchOptions } from "./types.ts";
import type { UsageMemory } from "./usage_memory.ts";

/**
 * Turns texts into vectors (one per text, all of one length), e.g. a call to an embedding endpoint.
 *
 * @example
 * ```ts
 * import { type EmbedFunction, ToolFinder, ToolIndex } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * // A toy embedding: does the text mention a graph, entities?
 * const embed: EmbedFunction = (texts) => Promise.resolve(texts.map((t) => [+t.includes("graph"), +t.includes("entit"), 0.1]));
 * const finder = new ToolFinder(index, { embed });
 * assert.equal((await finder.findAsync("entity maker", { limit: 1 }))[0]?.name, "memory.create_entities");
 * ```
 */
export type EmbedFunction = (texts: string[]) => Promise<number[][]>;

/**
 * Options of {@linkcode ToolFinder}.
 *
 * @example
 * ```ts
 * import { ToolFinder, type ToolFinderOptions, ToolIndex, UsageMemory } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const options: ToolFinderOptions = { usage: new UsageMemory(), now: () => Date.parse("2026-01-01") };
 * const finder = new ToolFinder(index, options);
 * assert.equal(finder.hybrid, false);
 * ```
 */
export interface ToolFinderOptions {
  /** Where learned use is kept; without it nothing is learned. */
  usage?: UsageMemory;
  /** Embeds queries and tool texts for hybrid ranking in {@linkcode ToolFinder.findAsync}. */
  embed?: EmbedFunction;
  /** The clock in milliseconds (tests pass their own). */
  now?: () => number;
}

/**
 * Options of a search through {@linkcode ToolFinder}.
 *
 * @example
 * ```ts
 * import { type FindOptions, ToolFinder, ToolIndex, UsageMemory } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const index = new ToolIndex();
 * index.setServerTools("memory", [
 *   { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: { type: "object" } },
 *   { name: "create_entities", description: "Create entities in the graph", inputSchema: { type: "object" } },
 * ]);
 * const finder = new ToolFinder(index, { usage: new UsageMemory() });
 * const options: FindOptions = { session: "s1", limit: 1 };
 * assert.equal(finder.find("read graph", options)[0]?.name, "memory.read_graph");
 * ```
 */
export interface FindOptions extends ToolSearchOptions {
  /** The session searching, so that a task of the same session can say which tools the search led to. */
  session?: string;
}

/**
 * Ranked tool search with learning from use and optional embeddings.
 *
 * @example Learning from use
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToolFinder, ToolIndex, UsageMemory } from "@mcp-executor/runtime";
 *
 * const index = new ToolIndex();
 * index.setServerTools("git", [
 *   { name: "git_stash", description: "Manage stashes", inputSchema: { type: "object" } },
 *   { name: "git_status", description: "Show the working tree status", inputSchema: { type: "object" } },
 * ]);
 * const finder = new ToolFinder(index, { usage: new UsageMemory() });
 * // The agent's words miss; it rephrases, finds the tool, and a task of the same session calls it.
 * assert.notEqual(finder.find("shelve my work", { session: "s1" })[0]?.name, "git.git_stash");
 * finder.find("stash", { session: "s1" });
 * finder.taskFinished("s1", ["git.git_stash"]);
 * assert.equal(finder.find("shelve my work")[0]?.name, "git.git_stash");
 * ```
 */
export class ToolFinder {
  #index: ToolIndex;
  #usage: UsageMemory | undefined;
  #embed: EmbedFunction | undefined;
  #history: SearchHistory;
  #vectors = new Map<string, { text: string; vector: number[] }>();

  /**
   * Creates a finder over an index.
   *
   * @param index The index to search.
   * @param options Usage memory, embedding function and clock.
   */
  constructor(index: ToolIndex, options: ToolFinderOptions = {}) {
    this.#index = index;
    this.#usage = options.usage;
    this.#embed = options.embed;
    this.#history = new SearchHistory(options.now);
  }

  /** Whether an embedding function was given. */
  get hybrid(): boolean {
    return this.#embed !== undefined;
  }

  /**
   * BM25 plus learned use, synchronously.
   *
   * @param query What the agent is looking for.
   * @param options Detail, limit, server filter and session.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string or the detail is unknown.
   * @throws {RangeError} When the limit is not a positive integer.
   */
  find(query: string, options: FindOptions = {}): ToolSearchHit[] {
    validateSearch(query, options);
    const ranked = this.#lexical(query, options);
    return this.#finish(query, ranked, options);
  }

  /**
   * Like {@linkcode ToolFinder.find}, with the embedding's similarities blended into the BM25 scores (see
   * `blendSemantic`) when an `embed` function was given (tool texts are embedded once and again only when they change).
   *
   * @param query What the agent is looking for.
   * @param options Detail, limit, server filter and session.
   * @returns The hits, best first.
   * @throws {TypeError} When the query is not a string, the detail is unknown, or `embed` returns no vector for
   * a text.
   */
  async findAsync(query: string, options: FindOptions = {}): Promise<ToolSearchHit[]> {
    if (this.#embed === undefined) return this.find(query, options);
    validateSearch(query, options);
    const lexical = this.#lexical(query, options);
    const semantic = await this.#semantic(query, options.servers);
    const fused = blendSemantic(lexical, semantic);
    return this.#finish(query, fused, options);
  }

  /**
   * Learns from a finished task: the terms of the session's recent searches are remembered for the tools the
   * task called (see `SearchHistory` for the rule), and the searches are forgotten.
   *
   * @param session The task's session (`undefined`: the default session).
   * @param toolsCalled The `server.tool` names the task called.
   */
  taskFinished(session: string | undefined, toolsCalled: readonly string[]): void {
    const attributions = this.#history.attribute(session ?? "", toolsCalled);
    for (const { terms, tools } of attributions) this.#usage?.record(terms, tools);
  }

  #lexical(query: string, options: FindOptions): Scored[] {
    const ranked = this.#index.rank(
      query,
      options.servers === undefined ? {} : { servers: options.servers },
    )
      .map(({ server, tool, score }) => ({ name: `${server}.${tool}`, score }));
    if (this.#usage === undefined || this.#usage.size === 0) return ranked;
    const allowed = options.servers === undefined ? undefined : new Set(options.servers);
    const learned = new Map(
      [...this.#usage.coverage(this.#index.learnableTerms(query))].filter(([name]) =>
        this.#split(name) !== undefined &&
        (allowed === undefined || allowed.has(this.#split(name)![0]))
      ),
    );
    return addLearned(ranked, learned);
  }

  /**
   * Embeds the tool texts that are not embedded yet (new tools, changed descriptions), so that the next
   * {@linkcode ToolFinder.findAsync} embeds only its query. Does nothing without an `embed` function.
   *
   * @param signal Stops between texts when aborted (texts embedded so far are kept).
   * @returns Resolves once every tool text has its vector, or when aborted.
   * @throws {TypeError} If `embed` returns no vector for a text.
   */
  async prepare(signal?: AbortSignal): Promise<void> {
    if (this.#embed === undefined) return;
    for (const item of this.#stale()) {
      if (signal?.aborted) return;
      const [vector] = await this.#embed([item.text]);
      if (vector === undefined) {
        throw new TypeError("Cannot embed tools: embed() returned 0 vectors for 1 text");
      }
      this.#vectors.set(item.name, { text: item.text, vector });
    }
  }

  /** The tool texts without a vector for their current text. */
  #stale(texts = this.#index.embeddingTexts()): { name: string; text: string }[] {
    return texts.filter(({ name, text }) => this.#vectors.get(name)?.text !== text);
  }

  async #semantic(query: string, servers: readonly string[] | undefined): Promise<Scored[]> {
    // The tools as they are now: each has its vector after the await, whatever the index does meanwhile.
    const texts = this.#index.embeddingTexts();
    const stale = this.#stale(texts);
    const [queryVector, ...vectors] = await this.#embed!([query, ...stale.map((t) => t.text)]);
    if (queryVector === undefined || vectors.length !== stale.length) {
      throw new TypeError(
        `Cannot search tools: embed() returned ${
          vectors.length + (queryVector ? 1 : 0)
        } vectors for ${stale.length + 1} texts`,
      );
    }
    stale.forEach(({ name, text }, i) => this.#vectors.set(name, { text, vector: vectors[i]! }));
    const allowed = servers === undefined ? undefined : new Set(servers);
    return texts
      .filter(({ name }) => allowed === undefined || allowed.has(this.#split(name)?.[0] ?? ""))
      .map(({ name }) => ({ name, score: cosine(queryVector, this.#vectors.get(name)!.vector) }))
      .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
  }

  #finish(query: string, ranked: readonly Scored[], options: FindOptions): ToolSearchHit[] {
    const { detail = "description", limit = 10 } = options;
    const hits: ToolSearchHit[] = [];
    for (const { name, score } of ranked) {
      if (hits.length >= limit) break;
      const parts = this.#split(name);
      const hit = parts && this.#index.hitOf(parts[0], parts[1], { score, detail });
      if (hit !== undefined) hits.push(hit);
    }
    if (this.#usage !== undefined) {
      this.#history.add(
        options.session ?? "",
        this.#index.learnableTerms(query),
        hits.map((h) => h.name),
      );
    }
    return hits;
  }

  /** Splits `server.tool` with the indexed servers' names (which may hold dots); `undefined` for an unknown tool. */
  #split(name: string): [string, string] | undefined {
    const ref = parseToolRef(name, this.#index.listServers().map((s) => s.name));
    if (ref?.tool === undefined || this.#index.getTool(ref.server, ref.tool) === undefined) {
      return undefined;
    }
    return [ref.server, ref.tool];
  }
}
