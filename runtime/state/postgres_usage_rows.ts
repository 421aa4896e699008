/**
 * The PostgreSQL engine's search usage: one row per (term, tool) in `mcpx_search_usage`, added to with
 * `INSERT ... ON CONFLICT (term, tool) DO UPDATE`, the old weight decayed to the new use's time first.
 *
 * @module
 */

import type { Sql } from "postgres";
import type { UsageEntry, UsageRows } from "./usage_rows.ts";

/**
 * Search usage in the table `mcpx_search_usage` (created by the migrations).
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!);
 * await store.usage.add([["send", "mail.send"]], { nowMs: Date.now(), halfLifeMs: 30 * 86_400_000 });
 * ```
 */
export class PostgresUsageRows implements UsageRows {
  #sql: Sql;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Upserts the pairs in one statement.
   *
   * @param pairs `[term, tool]` pairs (duplicates count once).
   * @param options The time of the use and the half-life, in milliseconds.
   * @returns Resolves once committed.
   */
  async add(
    pairs: readonly (readonly [string, string])[],
    options: { nowMs: number; halfLifeMs: number },
  ): Promise<void> {
    const unique = [...new Map(pairs.map(([t, tool]) => [`${t}\u0000${tool}`, [t, tool]])).values()]
      .sort(([a, b], [c, d]) => a! < c! ? -1 : a! > c! ? 1 : b! < d! ? -1 : b! > d! ? 1 : 0);
    if (unique.length === 0) return;
    const now = Math.round(options.nowMs);
    // Sorted keys: two replicas upserting overlapping pairs lock the rows in one order, so they never deadlock.
    await this.#sql`
      INSERT INTO mcpx_search_usage AS u (term, tool, weight, updated_ms)
      SELECT term, tool, 1, ${now}::bigint
      FROM unnest(${unique.map((p) => p[0]!)}::text[], ${
      unique.map((p) => p[1]!)
    }::text[]) AS x(term, tool)
      ON CONFLICT (term, tool) DO UPDATE SET
        weight = u.weight * power(0.5, greatest(0, EXCLUDED.updated_ms - u.updated_ms)::float8
          / ${options.halfLifeMs}::float8) + 1,
        updated_ms = greatest(u.updated_ms, EXCLUDED.updated_ms)`;
  }

  /**
   * The strongest pairs at `nowMs`, by decayed weight.
   *
   * @param options How many, the time and the half-life.
   * @returns The entries, strongest first.
   */
  async entries(
    options: { limit: number; nowMs: number; halfLifeMs: number },
  ): Promise<UsageEntry[]> {
    const rows = await this.#sql<
      { term: string; tool: string; weight: number; updated_ms: string }[]
    >`
      SELECT term, tool, weight, updated_ms FROM mcpx_search_usage
      ORDER BY weight * power(0.5, greatest(0, ${
      Math.round(options.nowMs)
    }::bigint - updated_ms)::float8
        / ${options.halfLifeMs}::float8) DESC, term, tool
      LIMIT ${options.limit}`;
    return rows.map((r) => [r.term, r.tool, Number(r.weight), Number(r.updated_ms)]);
  }
}
