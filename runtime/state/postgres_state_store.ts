/**
 * The PostgreSQL engine: the daemon's state shared by several replicas, selected by `state.url` or
 * `MCPX_STATE_URL`. Opening it migrates the schema.
 *
 * @module
 */

import postgres, { type Sql } from "postgres";
import { migrate } from "./migrations.ts";
import { PostgresAuditChain } from "./postgres_audit_chain.ts";
import { PostgresSessionRecords } from "./postgres_session_records.ts";
import type { StateHealth, StateStore } from "./state_store.ts";

/**
 * The state in PostgreSQL. Build it with {@linkcode PostgresStateStore.open}.
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore } from "./mod.ts";
 * await using store = await PostgresStateStore.open("postgres://postgres@127.0.0.1:5432/postgres");
 * console.log(await store.health());
 * ```
 */
export class PostgresStateStore implements StateStore {
  /** The audit trail: one chain for the deployment. */
  readonly audit: PostgresAuditChain;
  /** Session records with leases, shared by the replicas. */
  readonly sessions: PostgresSessionRecords;
  /** The migration versions this store applied when it opened (empty when another replica had). */
  readonly migrated: readonly number[];
  #sql: Sql;

  private constructor(sql: Sql, migrated: number[]) {
    this.#sql = sql;
    this.audit = new PostgresAuditChain(sql);
    this.sessions = new PostgresSessionRecords(sql);
    this.migrated = migrated;
  }

  /**
   * Connects and applies the migrations the database lacks.
   *
   * @param url A `postgres://` or `postgresql://` URL.
   * @param options `max`: connections in the pool (default 10); `migrate: false` leaves the schema as it is (for
   *   readers such as `mcpx audit verify`).
   * @returns The open store.
   * @throws {TypeError} When the URL is not a PostgreSQL URL.
   * @throws {Error} `Cannot open the state store: ...` when the database cannot be reached or migrated.
   */
  static async open(
    url: string,
    options: { max?: number; migrate?: boolean } = {},
  ): Promise<PostgresStateStore> {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new TypeError('Cannot open the state store: the URL must start with "postgres://"');
    }
    const sql = postgres(url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
    });
    try {
      return new PostgresStateStore(sql, options.migrate === false ? [] : await migrate(sql));
    } catch (error) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw new Error(`Cannot open the state store: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Asks the database for `SELECT 1`.
   *
   * @returns `{ engine: "postgres", ok }`, with the error when it failed.
   */
  async health(): Promise<StateHealth> {
    try {
      await this.#sql`SELECT 1`;
      return { engine: "postgres", ok: true };
    } catch (error) {
      return { engine: "postgres", ok: false, error: (error as Error).message };
    }
  }

  /**
   * Ends the connections after running queries finish.
   *
   * @returns Resolves once ended.
   */
  close(): Promise<void> {
    return this.#sql.end({ timeout: 5 });
  }

  /** Same as {@linkcode PostgresStateStore.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
