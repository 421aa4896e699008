/**
 * PII vaults in PostgreSQL: one row per session in `mcpx_pii_vaults`, its tokens and the real values behind them
 * encrypted with the {@linkcode StateCipher} and bound to the session, so a token issued on one replica is restored
 * on another for the same session and never for another. Each row expires `ttlMs` after its last save, the TTL the
 * vaults have in memory.
 *
 * @module
 */

import type { Sql } from "postgres";
import type { StateCipher } from "./state_cipher.ts";

function context(session: string): string {
  return JSON.stringify(["pii-vault", session]);
}

/**
 * The vault rows; a vault is a list of records each with its `token` (the privacy folder keeps its `VaultRecord`).
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore, StateCipher } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!, {
 *   cipher: await StateCipher.load(),
 * });
 * await store.piiVaults().save("s1", [{ token: "[EMAIL_1]", value: "ann@example.com" }], 60_000);
 * console.log(await store.piiVaults().load("s1"));
 * ```
 */
export class PostgresPiiVaults<R extends { token: string } = { token: string }> {
  #sql: Sql;
  #cipher: StateCipher;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   * @param cipher Encrypts the records.
   */
  constructor(sql: Sql, cipher: StateCipher) {
    this.#sql = sql;
    this.#cipher = cipher;
  }

  /**
   * A session's records, unless its row expired.
   *
   * @param session The session's id.
   * @returns The records, or `undefined` when the session has none stored.
   * @throws {Error} When the database cannot be reached or the row does not decrypt.
   */
  async load(session: string): Promise<R[] | undefined> {
    const [row] = await this.#sql<{ sealed: Uint8Array }[]>`
      SELECT sealed FROM mcpx_pii_vaults WHERE session = ${session} AND expires_at > now()`;
    if (row === undefined) return undefined;
    return await this.#cipher.open(row.sealed, context(session)) as R[];
  }

  /**
   * Adds records to a session's row in a transaction that holds it, and moves its expiry to `ttlMs` from now. A
   * token already stored keeps its stored value (the first replica to save it wins).
   *
   * @param session The session's id.
   * @param records The records this replica holds.
   * @param ttlMs How long the row lives without another save.
   * @returns Every record of the session after the save.
   * @throws {Error} When the database cannot be reached or the row does not decrypt.
   */
  async save(session: string, records: readonly R[], ttlMs: number): Promise<R[]> {
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${context(session)}, 0))`;
      await tx`DELETE FROM mcpx_pii_vaults WHERE expires_at <= now()`;
      const [row] = await tx<{ sealed: Uint8Array }[]>`
        SELECT sealed FROM mcpx_pii_vaults WHERE session = ${session} FOR UPDATE`;
      const stored = row === undefined
        ? []
        : await this.#cipher.open(row.sealed, context(session)) as R[];
      const tokens = new Set(stored.map((r) => r.token));
      const merged = [...stored, ...records.filter((r) => !tokens.has(r.token))];
      const sealed = await this.#cipher.seal(merged, context(session));
      const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
      await tx`INSERT INTO mcpx_pii_vaults (session, sealed, expires_at)
        VALUES (${session}, ${sealed}, now() + make_interval(secs => ${seconds}))
        ON CONFLICT (session) DO UPDATE SET sealed = EXCLUDED.sealed, expires_at = EXCLUDED.expires_at`;
      return merged;
    }) as R[];
  }

  /**
   * Removes a session's row: its tokens no longer resolve on any replica.
   *
   * @param session The session's id.
   * @returns Resolves once removed.
   */
  async drop(session: string): Promise<void> {
    await this.#sql`DELETE FROM mcpx_pii_vaults WHERE session = ${session}`;
  }
}
