/**
 * {@linkcode UsageMemory}: what tool search learns from use. When a search is followed by a task that calls a tool,
 * the query's terms are remembered for that tool, so that the next search with those terms ranks it higher.
 *
 * @module
 */

/**
 * Options of {@linkcode UsageMemory}.
 *
 * @example
 * ```ts
 * import { UsageMemory, type UsageMemoryOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: UsageMemoryOptions = { maxEntries: 1, halfLifeDays: 30 };
 * const memory = new UsageMemory(options);
 * memory.record(["shelve"], ["git.git_stash"]);
 * memory.record(["deploy"], ["ci.deploy"]);
 * assert.equal(memory.size, 1);
 * ```
 */
export interface UsageMemoryOptions {
  /** The most (term, tool) pairs kept; the weakest go first. Default 5,000. */
  maxEntries?: number;
  /** Days after which a remembered pair counts half. Default 30. */
  halfLifeDays?: number;
  /** The clock, in milliseconds (tests pass their own). Default `Date.now`. */
  now?: () => number;
  /** Told of every (term, tool) pair `record` adds to, with the time (a shared store counts them too). */
  onRecord?: (term: string, tool: string, nowMs: number) => void;
}

/** One remembered pair: a query term, a `server.tool`, its weight and when the weight was last set. */
type Entry = [term: string, tool: string, weight: number, updatedMs: number];

/**
 * The usage file's format: version 1, one `[term, server.tool, weight, updatedMs]` entry per remembered pair.
 *
 * @example Save and load what was learned
 * ```ts
 * import { type UsageFile, UsageMemory } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const memory = new UsageMemory();
 * memory.record(["shelve"], ["git.git_stash"]);
 * const file: UsageFile = JSON.parse(JSON.stringify(memory));
 * const restored = new UsageMemory();
 * restored.load(file);
 * assert.ok(restored.scores(["shelve"]).has("git.git_stash"));
 * ```
 */
export interface UsageFile {
  /** The format's version. */
  version: 1;
  /** The remembered pairs. */
  entries: [term: string, tool: string, weight: number, updatedMs: number][];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Terms are plain lowercase words: no digits, no punctuation, so no identifiers, numbers or addresses. */
const TERM = /^[a-z]{2,32}$/;

/**
 * Query terms remembered per tool, bounded and decaying, optionally kept in a JSON file.
 *
 * Only terms are kept: lowercase words of letters (`TERM`), and the caller passes only words the tool vocabulary or
 * the dictionary knows, never the query text, values, results or session names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageMemory } from "@mcp-executor/runtime";
 *
 * const memory = new UsageMemory();
 * memory.record(["shelve", "work"], ["git.git_stash"]);
 * assert.ok((memory.scores(["shelve"]).get("git.git_stash") ?? 0) > 0);
 * assert.equal(memory.scores(["deploy"]).size, 0);
 * ```
 */
export class UsageMemory {
  #entries = new Map<string, Entry>();
  #byTerm = new Map<string, Set<string>>();
  #maxEntries: number;
  #halfLifeMs: number;
  #now: () => number;
  #onRecord: UsageMemoryOptions["onRecord"];
  #dirty = false;

  /**
   * Creates an empty memory.
   *
   * @param options Size bound, half-life and clock.
   * @throws {RangeError} When `maxEntries` or `halfLifeDays` is not positive.
   */
  constructor(options: UsageMemoryOptions = {}) {
    const { maxEntries = 5_000, halfLifeDays = 30, now = Date.now } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Cannot create usage memory: maxEntries must be a positive integer`);
    }
    if (!(halfLifeDays > 0)) {
      throw new RangeError(`Cannot create usage memory: halfLifeDays must be positive`);
    }
    this.#maxEntries = maxEntries;
    this.#halfLifeMs = halfLifeDays * DAY_MS;
    this.#now = now;
    this.#onRecord = options.onRecord;
  }

  /** The most pairs kept. */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** Milliseconds after which a pair counts half. */
  get halfLifeMs(): number {
    return this.#halfLifeMs;
  }

  /** The number of (term, tool) pairs held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether something changed since the last {@linkcode UsageMemory.toJSON}. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Remembers that a search with these terms led to calls of these tools.
   *
   * @param terms Query terms (words that do not look like plain words are ignored).
   * @param tools `server.tool` names.
   */
  record(terms: readonly string[], tools: readonly string[]): void {
    const now = this.#now();
    for (const term of new Set(terms)) {
      if (!TERM.test(term)) continue;
      for (const tool of new Set(tools)) {
        const key = `${term}\u0000${tool}`;
        const old = this.#entries.get(key);
        const weight = (old === undefined ? 0 : this.#decayed(old, now)) + 1;
        this.#set([term, tool, weight, now]);
        this.#onRecord?.(term, tool, now);
        this.#dirty = true;
      }
    }
    this.#trim(now);
  }

  /**
   * The learned weight of each tool for a query's terms: the sum over the terms of their decayed weights.
   *
   * @param terms The query's terms.
   * @returns `server.tool` to weight; empty when nothing is known.
   */
  scores(terms: readonly string[]): Map<string, number> {
    const now = this.#now();
    const out = new Map<string, number>();
    for (const term of new Set(terms)) {
      for (const key of this.#byTerm.get(term) ?? []) {
        const entry = this.#entries.get(key)!;
        out.set(entry[1], (out.get(entry[1]) ?? 0) + this.#decayed(entry, now));
      }
    }
    return out;
  }

  /**
   * The share of a query's terms that led to each tool: each term counts its decayed weight, at most 1.
   *
   * @param terms The query's learnable terms.
   * @returns `server.tool` to a share in (0, 1]; empty when nothing is known.
   */
  coverage(terms: readonly string[]): Map<string, number> {
    const unique = [...new Set(terms)];
    const now = this.#now();
    const out = new Map<string, number>();
    for (const term of unique) {
      for (const key of this.#byTerm.get(term) ?? []) {
        const entry = this.#entries.get(key)!;
        const share = Math.min(1, this.#decayed(entry, now)) / unique.length;
        out.set(entry[1], (out.get(entry[1]) ?? 0) + share);
      }
    }
    return out;
  }

  /**
   * Forgets every pair of the given tools (e.g. of a server that is gone).
   *
   * @param keep Whether a `server.tool` stays.
   */
  retain(keep: (tool: string) => boolean): void {
    for (const [key, entry] of this.#entries) {
      if (!keep(entry[1])) this.#delete(key, entry);
    }
  }

  /**
   * The memory as it is stored in a file.
   *
   * @returns A JSON-ready object; marks the memory clean.
   */
  toJSON(): UsageFile {
    this.#dirty = false;
    return { version: 1, entries: [...this.#entries.values()] };
  }

  /**
   * Replaces the memory with what a file held; malformed entries are skipped.
   *
   * @param data The parsed file.
   * @throws {TypeError} When `data` is not a usage file of version 1.
   */
  load(data: unknown): void {
    const file = data as Partial<UsageFile> | null;
    if (
      file === null || typeof file !== "object" || file.version !== 1 ||
      !Array.isArray(file.entries)
    ) {
      throw new TypeError("Cannot load tool usage: not a version 1 usage file");
    }
    this.#entries.clear();
    this.#byTerm.clear();
    for (const entry of file.entries) {
      if (!Array.isArray(entry) || entry.length !== 4) continue;
      const [term, tool, weight, updated] = entry;
      if (typeof term !== "string" || !TERM.test(term) || typeof tool !== "string") continue;
      if (!Number.isFinite(weight) || weight <= 0 || !Number.isFinite(updated)) continue;
      this.#set([term, tool, weight, updated]);
    }
    this.#trim(this.#now());
    this.#dirty = false;
  }

  #decayed(entry: Entry, now: number): number {
    return entry[2] * 0.5 ** (Math.max(0, now - entry[3]) / this.#halfLifeMs);
  }

  #set(entry: Entry): void {
    const key = `${entry[0]}\u0000${entry[1]}`;
    this.#entries.set(key, entry);
    const keys = this.#byTerm.get(entry[0]) ?? new Set<string>();
    keys.add(key);
    this.#byTerm.set(entry[0], keys);
  }

  #delete(key: string, entry: Entry): void {
    this.#entries.delete(key);
    const keys = this.#byTerm.get(entry[0]);
    keys?.delete(key);
    if (keys?.size === 0) this.#byTerm.delete(entry[0]);
    this.#dirty = true;
  }

  #trim(now: number): void {
    if (this.#entries.size <= this.#maxEntries) return;
    const weakest = [...this.#entries].sort((a, b) =>
      this.#decayed(a[1], now) - this.#decayed(b[1], now)
    );
    for (const [key, entry] of weakest.slice(0, this.#entries.size - this.#maxEntries)) {
      this.#delete(key, entry);
    }
  }
}
