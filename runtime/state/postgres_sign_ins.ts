/**
 * Upstream sign-ins in PostgreSQL: one row per principal, server and URL in `mcpx_sign_ins`, the value (tokens and
 * client registration) encrypted with the {@linkcode StateCipher}; only who, which server and when are in clear.
 * A change runs in a transaction that holds the row (`SELECT ... FOR UPDATE`), so replicas take turns.
 *
 * @module
 */

import type { Sql, TransactionSql } from "postgres";
import type { StateCipher } from "./state_cipher.ts";

/** One stored sign-in as {@linkcode PostgresSignIns.list} returns it. */
export interface SignInRow<T> {
  /** Whose sign-in. */
  principal: string;
  /** The server's name. */
  server: string;
  /** The server's URL. */
  url: string;
  /** The decrypted value. */
  value: T;
}

interface Row {
  principal: string;
  server: string;
  url: string;
  sealed: Uint8Array;
}

function context(principal: string, server: string, url: string): string {
  return JSON.stringify(["sign-in", principal, server, url]);
}

/**
 * The sign-in rows; the values are any JSON the caller keeps (the auth folder keeps its `StoredSignIn`).
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore, StateCipher } from "./mod.ts";
 * const cipher = await StateCipher.load();
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!, { cipher });
 * await store.signIns.update("alice", "linear", "https://mcp.linear.app/mcp", () => ({ tokens: {} }));
 * console.log(await store.signIns.get("alice", "linear", "https://mcp.linear.app/mcp"));
 * ```
 */
export class PostgresSignIns<T = unknown> {
  #sql: Sql;
  #cipher: StateCipher;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   * @param cipher Encrypts the values.
   */
  constructor(sql: Sql, cipher: StateCipher) {
    this.#sql = sql;
    this.#cipher = cipher;
  }

  /**
   * One sign-in.
   *
   * @param principal Whose.
   * @param server The server's name.
   * @param url The server's URL.
   * @returns The value, or `undefined`.
   * @throws {Error} When the database cannot be reached or the row does not decrypt with this key.
   */
  async get(principal: string, server: string, url: string): Promise<T | undefined> {
    const [row] = await this.#sql<Row[]>`
      SELECT sealed FROM mcpx_sign_ins WHERE principal = ${principal} AND server = ${server} AND url = ${url}`;
    return row === undefined ? undefined : await this.#open(row.sealed, principal, server, url);
  }

  /**
   * Changes one sign-in in a transaction that holds its row: `change` gets the current value and returns the next,
   * or `undefined` to remove it. Rows of the same principal and server for another URL are removed on write.
   *
   * @param principal Whose.
   * @param server The server's name.
   * @param url The server's URL.
   * @param change Computes the next value.
   * @returns Resolves once committed.
   * @throws {Error} When the database cannot be reached or the row does not decrypt.
   */
  async update(
    principal: string,
    server: string,
    url: string,
    change: (current: T | undefined) => T | undefined,
  ): Promise<void> {
    await this.locked(principal, server, url, (current) => {
      const next = change(current);
      return Promise.resolve({ result: undefined, next });
    });
  }

  /**
   * Runs `run` while holding the row of one sign-in (`SELECT ... FOR UPDATE`): another replica's `locked` or
   * `update` on the same row waits until this transaction ends. `run` returns its result, and `next` to write
   * (`undefined` removes the row) or no `next` to leave the row as it is.
   *
   * @param principal Whose.
   * @param server The server's name.
   * @param url The server's URL.
   * @param run What to do while the row is held (a token refresh, say).
   * @returns What `run` returned as `result`.
   * @throws {Error} What `run` threw (nothing is written), or a database error.
   */
  async locked<R>(
    principal: string,
    server: string,
    url: string,
    run: (current: T | undefined) => Promise<{ result: R; next?: T | undefined }>,
  ): Promise<R> {
    return await this.#sql.begin(async (tx) => {
      // Creates the row's lock even when no row exists yet: an advisory lock on the key, then the row itself.
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${
        context(principal, server, url)
      }, 0))`;
      const [row] = await tx<Row[]>`
        SELECT sealed FROM mcpx_sign_ins
        WHERE principal = ${principal} AND server = ${server} AND url = ${url} FOR UPDATE`;
      const current = row === undefined
        ? undefined
        : await this.#open(row.sealed, principal, server, url);
      const outcome = await run(current);
      if ("next" in outcome) await this.#write(tx, principal, server, url, outcome.next);
      return outcome.result;
    }) as R;
  }

  /**
   * Removes every sign-in of one principal to one server, whatever its URL.
   *
   * @param principal Whose.
   * @param server The server's name.
   * @returns Whether there was one.
   */
  async remove(principal: string, server: string): Promise<boolean> {
    const rows = await this.#sql`
      DELETE FROM mcpx_sign_ins WHERE principal = ${principal} AND server = ${server} RETURNING 1`;
    return rows.length > 0;
  }

  /**
   * Every sign-in, decrypted, by principal then server.
   *
   * @returns The rows.
   */
  async list(): Promise<SignInRow<T>[]> {
    const rows = await this.#sql<Row[]>`
      SELECT principal, server, url, sealed FROM mcpx_sign_ins ORDER BY principal, server, url`;
    return await Promise.all(rows.map(async (row) => ({
      principal: row.principal,
      server: row.server,
      url: row.url,
      value: await this.#open(row.sealed, row.principal, row.server, row.url),
    })));
  }

  async #write(
    tx: TransactionSql,
    principal: string,
    server: string,
    url: string,
    next: T | undefined,
  ): Promise<void> {
    await tx`DELETE FROM mcpx_sign_ins
      WHERE principal = ${principal} AND server = ${server} AND url <> ${url}`;
    if (next === undefined) {
      await tx`DELETE FROM mcpx_sign_ins
        WHERE principal = ${principal} AND server = ${server} AND url = ${url}`;
      return;
    }
    const sealed = await this.#cipher.seal(next, context(principal, server, url));
    await tx`INSERT INTO mcpx_sign_ins (principal, server, url, sealed)
      VALUES (${principal}, ${server}, ${url}, ${sealed})
      ON CONFLICT (principal, server, url) DO UPDATE SET sealed = EXCLUDED.sealed, saved_at = now()`;
  }

  async #open(sealed: Uint8Array, principal: string, server: string, url: string): Promise<T> {
    return await this.#cipher.open(sealed, context(principal, server, url)) as T;
  }
}
