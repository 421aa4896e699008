/**
 * {@linkcode LruCache}: a map that keeps at most a number of entries, forgetting the least recently used first.
 * The one bounded map of the runtime: the skill caches, the search history per session, the daemon's early
 * cancellations.
 *
 * @module
 */

/**
 * A bounded map: `get` marks an entry as used, `set` past the bound drops the least recently used one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LruCache } from "./lru_cache.ts";
 * const cache = new LruCache<string, number>(2);
 * cache.set("a", 1);
 * cache.set("b", 2);
 * cache.get("a");
 * cache.set("c", 3);
 * assert.deepEqual([cache.get("a"), cache.get("b"), cache.get("c"), cache.size], [1, undefined, 3, 2]);
 * ```
 */
export class LruCache<K, V> {
  #map = new Map<K, V>();
  #max: number;

  /**
   * @param max The most entries kept (at least 1).
   * @throws {RangeError} When `max` is not a whole number of at least 1.
   */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`Invalid cache size ${max}: expected a whole number of at least 1`);
    }
    this.#max = max;
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#map.size;
  }

  /** The entry's value, marked as just used; `undefined` when absent. */
  get(key: K): V | undefined {
    if (!this.#map.has(key)) return undefined;
    const value = this.#map.get(key)!;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** Sets an entry, dropping the least recently used one when over the bound. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  /** Removes an entry; `true` when it was there. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }
}
