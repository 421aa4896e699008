/**
 * The PostgreSQL engine's skills: every version a row of `mcpx_skill_versions` (primary key principal, name,
 * version); a save runs in one transaction under an advisory lock keyed by the skill, and announces itself with
 * `NOTIFY mcpx_skills` on commit.
 *
 * @module
 */

import type { Sql, TransactionSql } from "postgres";
import { listenJson } from "./_listen_json.ts";
import type { SkillHead, SkillListener, SkillRow, SkillRows } from "./skill_rows.ts";

/**
 * The channel saves and statistics changes are announced on (`NOTIFY`, payload a `SkillHead` as JSON).
 *
 * @example
 * ```ts
 * import { SKILLS_CHANNEL } from "./postgres_skill_rows.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SKILLS_CHANNEL, "mcpx_skills");
 * ```
 */
export const SKILLS_CHANNEL = "mcpx_skills";

interface Row {
  principal: string;
  name: string;
  version: number;
  skill_md: string;
  skill_ts: string;
  tools_json: string;
  metadata: Record<string, unknown>;
}

/**
 * Skills in the table `mcpx_skill_versions` (created by the migrations).
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!);
 * console.log(await store.skills.heads());
 * ```
 */
export class PostgresSkillRows implements SkillRows {
  #sql: Sql;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Saves a version under the skill's advisory lock; see {@linkcode SkillRows.save}.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param write Makes the new version (under the lock).
   * @returns The row saved.
   * @throws {Error} When the database fails or the version exists (unique violation): nothing is saved.
   */
  async save(
    principal: string,
    name: string,
    write: (
      versionsAfter: (after: number, limit: number) => Promise<SkillRow[]>,
    ) => Promise<SkillRow>,
  ): Promise<SkillRow> {
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`mcpx skill ${principal}/${name}`}, 0))`;
      // Reads go through the transaction's connection: saves waiting for the lock hold the others.
      const row = await write((after, limit) =>
        readVersions(tx, principal, name, { after, limit })
      );
      if (row.principal !== principal || row.name !== name) {
        throw new TypeError(`Cannot save skill "${name}": the row names another skill`);
      }
      await tx`INSERT INTO mcpx_skill_versions
        (principal, name, version, skill_md, skill_ts, tools_json, metadata)
        VALUES (${principal}, ${name}, ${row.version}, ${row.files["SKILL.md"]}, ${
        row.files["skill.ts"]
      },
          ${row.files["tools.json"]}, ${tx.json(row.metadata as never)})`;
      await tx`DELETE FROM mcpx_skill_removals WHERE principal = ${principal} AND name = ${name}`;
      const head: SkillHead = { principal, name, version: row.version };
      await tx`SELECT pg_notify(${SKILLS_CHANNEL}, ${JSON.stringify(head)})`;
      return row;
    }) as SkillRow;
  }

  /**
   * The versions of a skill after one, oldest first.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param options `after` (default 0) and `limit` (the newest this many).
   * @returns The rows.
   */
  versions(
    principal: string,
    name: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<SkillRow[]> {
    return readVersions(this.#sql, principal, name, options);
  }

  /**
   * Deletes a skill's rows in one transaction under its advisory lock, notes the removal in
   * `mcpx_skill_removals` (for replicas that miss the announcement), and announces version 0.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @returns The versions removed, oldest first.
   */
  async remove(principal: string, name: string): Promise<number[]> {
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`mcpx skill ${principal}/${name}`}, 0))`;
      const rows = await tx<{ version: number }[]>`
        DELETE FROM mcpx_skill_versions WHERE principal = ${principal} AND name = ${name} RETURNING version`;
      await tx`DELETE FROM mcpx_skill_stats WHERE principal = ${principal} AND name = ${name}`;
      await tx`INSERT INTO mcpx_skill_removals (principal, name) VALUES (${principal}, ${name})
        ON CONFLICT (principal, name) DO UPDATE SET removed_at = now()`;
      const head: SkillHead = { principal, name, version: 0 };
      await tx`SELECT pg_notify(${SKILLS_CHANNEL}, ${JSON.stringify(head)})`;
      return rows.map((r) => Number(r.version)).sort((a, b) => a - b);
    }) as number[];
  }

  /**
   * Updates a skill's statistics in one transaction, the row locked (`FOR UPDATE`; a first run inserts it under the
   * skill's advisory lock), and announces it with `NOTIFY`.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @param update The new statistics from the stored ones.
   * @returns The statistics stored.
   */
  async updateStats(
    principal: string,
    name: string,
    update: (current: unknown) => unknown,
  ): Promise<unknown> {
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`mcpx skill stats ${principal}/${name}`}, 0))`;
      const [row] = await tx<{ stats: unknown }[]>`
        SELECT stats FROM mcpx_skill_stats WHERE principal = ${principal} AND name = ${name} FOR UPDATE`;
      const stats = update(row?.stats);
      await tx`INSERT INTO mcpx_skill_stats (principal, name, stats)
        VALUES (${principal}, ${name}, ${tx.json(stats as never)})
        ON CONFLICT (principal, name) DO UPDATE SET stats = EXCLUDED.stats, updated_at = now()`;
      const [head] = await tx<{ version: number | null }[]>`
        SELECT max(version) AS version FROM mcpx_skill_versions
        WHERE principal = ${principal} AND name = ${name}`;
      const announced: SkillHead = { principal, name, version: head?.version ?? 0, stats: true };
      await tx`SELECT pg_notify(${SKILLS_CHANNEL}, ${JSON.stringify(announced)})`;
      return stats;
    });
  }

  /**
   * A skill's statistics.
   *
   * @param principal `""` for a shared skill.
   * @param name The skill's name.
   * @returns The statistics, or `undefined`.
   */
  async stats(principal: string, name: string): Promise<unknown> {
    const [row] = await this.#sql<{ stats: unknown }[]>`
      SELECT stats FROM mcpx_skill_stats WHERE principal = ${principal} AND name = ${name}`;
    return row?.stats;
  }

  /**
   * Every skill's newest version.
   *
   * @returns The heads, sorted by principal and name.
   */
  async heads(): Promise<SkillHead[]> {
    const rows = await this.#sql<SkillHead[]>`
      SELECT principal, name, max(version) AS version FROM mcpx_skill_versions
      GROUP BY principal, name ORDER BY principal, name`;
    return rows.map((r) => ({ principal: r.principal, name: r.name, version: Number(r.version) }));
  }

  /**
   * The skills removed and not saved again since (`mcpx_skill_removals`).
   *
   * @returns Their principals and names, sorted.
   */
  async removed(): Promise<{ principal: string; name: string }[]> {
    const rows = await this.#sql<{ principal: string; name: string }[]>`
      SELECT principal, name FROM mcpx_skill_removals ORDER BY principal, name`;
    return rows.map((r) => ({ principal: r.principal, name: r.name }));
  }

  /**
   * `LISTEN mcpx_skills` on a connection of its own (the `postgres` package reconnects it and calls `onConnect`
   * again).
   *
   * @param onSave Called with each saved version's head.
   * @param onConnect Called on every (re)connection.
   * @returns The subscription.
   */
  async listen(
    onSave: (head: SkillHead) => void,
    onConnect: () => void = () => {},
  ): Promise<SkillListener> {
    const unlisten = await listenJson(this.#sql, SKILLS_CHANNEL, onSave, onConnect);
    return { unlisten };
  }
}

async function readVersions(
  sql: Sql | TransactionSql,
  principal: string,
  name: string,
  options: { after?: number; limit?: number },
): Promise<SkillRow[]> {
  const rows = await sql<Row[]>`
    SELECT principal, name, version, skill_md, skill_ts, tools_json, metadata FROM mcpx_skill_versions
    WHERE principal = ${principal} AND name = ${name} AND version > ${options.after ?? 0}
    ORDER BY version DESC LIMIT ${options.limit ?? 2_147_483_647}`;
  return rows.reverse().map(toSkillRow);
}

function toSkillRow(row: Row): SkillRow {
  return {
    principal: row.principal,
    name: row.name,
    version: Number(row.version),
    files: { "SKILL.md": row.skill_md, "skill.ts": row.skill_ts, "tools.json": row.tools_json },
    metadata: row.metadata,
  };
}
