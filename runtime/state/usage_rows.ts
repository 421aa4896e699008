/**
 * {@linkcode UsageRows}: learned search use (which tools a search's words led to) as counters every replica adds
 * to. The embedded engine has none: use stays in `search_usage.json`.
 *
 * @module
 */

/**
 * One remembered pair: a query term, a `server.tool`, its weight and when the weight was last set (ms).
 *
 * @example
 * ```ts
 * import type { UsageEntry } from "./usage_rows.ts";
 * import assert from "node:assert/strict";
 * const [term, tool]: UsageEntry = ["send", "mail.send", 2.5, Date.now()];
 * assert.equal(`${term} -> ${tool}`, "send -> mail.send");
 * ```
 */
export type UsageEntry = [term: string, tool: string, weight: number, updatedMs: number];

/**
 * Learned search use shared by replicas.
 *
 * @example
 * ```ts
 * import type { UsageRows } from "./usage_rows.ts";
 * import assert from "node:assert/strict";
 * const rows: Pick<UsageRows, "entries"> = { entries: () => Promise.resolve([["send", "mail.send", 1, 0]]) };
 * assert.equal((await rows.entries({ limit: 10, nowMs: 0, halfLifeMs: 1 }))[0]![1], "mail.send");
 * ```
 */
export interface UsageRows {
  /**
   * Adds 1 to each pair's weight, decayed to `nowMs` first (half of it every `halfLifeMs`), as `UsageMemory`
   * does: one upsert, so concurrent adds from replicas all count.
   *
   * @param pairs `[term, tool]` pairs.
   * @param options The time of the use and the half-life, in milliseconds.
   * @returns Resolves once committed.
   */
  add(
    pairs: readonly (readonly [string, string])[],
    options: { nowMs: number; halfLifeMs: number },
  ): Promise<void>;
  /**
   * The strongest pairs at `nowMs`.
   *
   * @param options How many, the time and the half-life.
   * @returns The entries, strongest first, weights as stored (not decayed).
   */
  entries(options: { limit: number; nowMs: number; halfLifeMs: number }): Promise<UsageEntry[]>;
}
