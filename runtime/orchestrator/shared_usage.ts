/**
 * {@linkcode SharedUsage}: learned search use kept in a shared state store instead of `search_usage.json`. What
 * this replica learns is added to the store's counters (an upsert, so every replica's use counts); the memory
 * search ranks with is reloaded from the store after each addition and every few seconds, so it holds what every
 * replica learned.
 *
 * @module
 */

import type { UsageMemory } from "../search/mod.ts";
import type { UsageRows } from "../state/mod.ts";

/** How often the memory is reloaded from the store when this replica learns nothing, in milliseconds. */
const REFRESH_MS = 2_000;

/**
 * One replica's link between its usage memory and the shared counters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageMemory } from "../search/mod.ts";
 * import type { UsageEntry, UsageRows } from "../state/mod.ts";
 * import { SharedUsage } from "./shared_usage.ts";
 * const table: UsageEntry[] = [];
 * const rows: UsageRows = {
 *   add: (pairs, { nowMs }) => Promise.resolve(void pairs.forEach(([t, tool]) => table.push([t, tool, 1, nowMs]))),
 *   entries: () => Promise.resolve(table),
 * };
 * const memory = new UsageMemory();
 * await using shared = await SharedUsage.open(memory, rows);
 * shared.add("send", "mail.send", Date.now());
 * await shared.flush();
 * assert.equal(memory.size, 1);
 * ```
 */
export class SharedUsage {
  #memory: UsageMemory;
  #rows: UsageRows;
  #pending: Array<[string, string]> = [];
  #pendingAt = 0;
  #work: Promise<void> = Promise.resolve();
  #timer: number;

  private constructor(memory: UsageMemory, rows: UsageRows) {
    this.#memory = memory;
    this.#rows = rows;
    // Typed as a number: Deno.unrefTimer takes the id, and node typings in the graph widen it.
    this.#timer = setInterval(
      () => void this.#queue(() => this.#reload()).catch(() => {}),
      REFRESH_MS,
    ) as unknown as number;
    Deno.unrefTimer(this.#timer);
  }

  /**
   * Loads the shared counters into `memory` and keeps them in step.
   *
   * @param memory The memory search ranks with.
   * @param rows The shared counters.
   * @returns The link; dispose of it (or `close()`) at shutdown.
   * @throws {Error} When the store cannot be read.
   */
  static async open(memory: UsageMemory, rows: UsageRows): Promise<SharedUsage> {
    const shared = new SharedUsage(memory, rows);
    try {
      await shared.#reload();
    } catch (error) {
      clearInterval(shared.#timer);
      throw error;
    }
    return shared;
  }

  /**
   * Notes a pair this replica's memory recorded (`UsageMemoryOptions.onRecord`).
   *
   * @param term The query term.
   * @param tool The `server.tool`.
   * @param nowMs When.
   */
  add(term: string, tool: string, nowMs: number): void {
    this.#pending.push([term, tool]);
    this.#pendingAt = nowMs;
  }

  /**
   * Sends the noted pairs to the store and reloads the memory (errors are returned, the pairs dropped).
   *
   * @returns Resolves once done.
   */
  flush(): Promise<void> {
    const pairs = this.#pending.splice(0);
    if (pairs.length === 0) return this.#work;
    const nowMs = this.#pendingAt;
    return this.#queue(async () => {
      await this.#rows.add(pairs, { nowMs, halfLifeMs: this.#memory.halfLifeMs });
      await this.#reload();
    });
  }

  #queue(step: () => Promise<void>): Promise<void> {
    const next = this.#work.then(step);
    this.#work = next.catch(() => {});
    return next;
  }

  async #reload(): Promise<void> {
    const entries = await this.#rows.entries({
      limit: this.#memory.maxEntries,
      nowMs: Date.now(),
      halfLifeMs: this.#memory.halfLifeMs,
    });
    this.#memory.load({ version: 1, entries });
  }

  /**
   * Stops reloading and waits for what is under way.
   *
   * @returns Resolves once stopped.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#work;
  }

  /** Same as {@linkcode SharedUsage.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
