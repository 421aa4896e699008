/**
 * The PostgreSQL engine: the daemon's state shared by several replicas, selected by `state.url` or
 * `MCPX_STATE_URL`. Opening it migrates the schema.
 *
 * @module
 */

import postgres, { type Sql } from "postgres";
import { migrate } from "./migrations.ts";
import { PostgresAuditChain } from "./postgres_audit_chain.ts";
import { PostgresApprovals } from "./postgres_approvals.ts";
import { PostgresCancelBus } from "./cancel_bus.ts";
import { PostgresPiiVaults } from "./postgres_pii_vaults.ts";
import { PostgresSignIns } from "./postgres_sign_ins.ts";
import type { StateCipher } from "./state_cipher.ts";
import { PostgresSkillRows } from "./postgres_skill_rows.ts";
import { PostgresUsageRows } from "./postgres_usage_rows.ts";
import { PostgresSessionRecords } from "./postgres_session_records.ts";
import { PostgresSessionEvents } from "./session_events.ts";
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
  /** Saved skills: every version a row, saves announced with `NOTIFY`. */
  readonly skills: PostgresSkillRows;
  /** Learned search use: counters upserted by every replica. */
  readonly usage: PostgresUsageRows;
  /** Session records with leases, shared by the replicas. */
  readonly sessions: PostgresSessionRecords;
  /** The SSE events of sessions' response streams, for a client's reconnect after a takeover. */
  readonly events: PostgresSessionEvents;
  /** Cancellations between replicas, over `NOTIFY`. */
  readonly cancels: PostgresCancelBus;
  /** The migration versions this store applied when it opened (empty when another replica had). */
  readonly migrated: readonly number[];
  #sql: Sql;
  #eventsSql: Sql;
  /** Connections of either pool that closed (an idle timeout, or the server gone), counted by the clients. */
  #closes: { count: number };
  /** The last `SELECT 1` that succeeded, and the close count then. */
  #healthy: { at: number; epoch: number } | undefined;
  #cipher: StateCipher | undefined;

  private constructor(
    sql: Sql,
    eventsSql: Sql,
    migrated: number[],
    cipher: StateCipher | undefined,
    closes: { count: number },
  ) {
    this.#closes = closes;
    this.#sql = sql;
    this.#eventsSql = eventsSql;
    this.audit = new PostgresAuditChain(sql);
    this.skills = new PostgresSkillRows(sql);
    this.usage = new PostgresUsageRows(sql);
    this.sessions = new PostgresSessionRecords(sql);
    this.events = new PostgresSessionEvents(eventsSql);
    this.cancels = new PostgresCancelBus(sql);
    this.migrated = migrated;
    this.#cipher = cipher;
  }

  /**
   * Upstream sign-ins, encrypted with the cipher the store was opened with.
   *
   * @returns The sign-in rows.
   * @throws {Error} When the store was opened without a cipher.
   */
  get signIns(): PostgresSignIns {
    return new PostgresSignIns(this.#sql, this.#need());
  }

  /**
   * PII vaults per session, encrypted with the cipher the store was opened with.
   *
   * @typeParam R The records the caller keeps (each with its `token`).
   * @returns The vault rows.
   * @throws {Error} When the store was opened without a cipher.
   */
  piiVaults<R extends { token: string } = { token: string }>(): PostgresPiiVaults<R> {
    return new PostgresPiiVaults<R>(this.#sql, this.#need());
  }

  /**
   * Pending approvals of every replica, the questions encrypted, with `NOTIFY` between replicas.
   *
   * @typeParam T The questions the caller keeps (each with its `id`).
   * @returns The approval rows; one object per replica (its `origin` names it in notices).
   * @throws {Error} When the store was opened without a cipher.
   */
  approvals<T extends { id: string } = { id: string }>(): PostgresApprovals<T> {
    return new PostgresApprovals<T>(this.#sql, this.#need());
  }

  #need(): StateCipher {
    if (this.#cipher === undefined) {
      throw new Error("Cannot use encrypted state: the state store was opened without a key");
    }
    return this.#cipher;
  }

  /**
   * Connects and applies the migrations the database lacks.
   *
   * @param url A `postgres://` or `postgresql://` URL.
   * @param options `max`: connections in the pool (default 10); `migrate: false` leaves the schema as it is (for
   *   readers such as `mcpx audit verify`); `cipher` encrypts sign-ins and PII vaults (without it they are not
   *   available).
   * @returns The open store.
   * @throws {TypeError} When the URL is not a PostgreSQL URL.
   * @throws {Error} `Cannot open the state store: ...` when the database cannot be reached or migrated.
   */
  static async open(
    url: string,
    options: { max?: number; migrate?: boolean; cipher?: StateCipher } = {},
  ): Promise<PostgresStateStore> {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new TypeError('Cannot open the state store: the URL must start with "postgres://"');
    }
    const closes = { count: 0 };
    const onclose = () => void closes.count++;
    const sql = postgres(url, {
      max: options.max ?? 10,
      onnotice: () => {},
      onclose,
      connect_timeout: 10,
      // After an outage, reconnects and LISTEN re-subscriptions (skills, approvals, cancellations) are tried at
      // least every second: the client's default backoff grows to 20 s, which would leave a replica deaf to other
      // replicas' notices for that long once the database is back.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    });
    // Session events on connections of their own that commit without waiting for the WAL flush: every streamed
    // response waits for its event row, and the flush wait cost +5.3 ms per task (bench/state_bench.ts). A replica's
    // death loses nothing committed; only a crash of PostgreSQL itself could lose its last few hundred milliseconds
    // of events, which a client's reconnect then reports as a lost call. Everything else keeps synchronous commits.
    const eventsSql = postgres(url, {
      max: 4,
      onnotice: () => {},
      onclose,
      connect_timeout: 10,
      connection: { synchronous_commit: "off" },
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    });
    try {
      const migrated = options.migrate === false ? [] : await migrate(sql);
      return new PostgresStateStore(sql, eventsSql, migrated, options.cipher, closes);
    } catch (error) {
      await eventsSql.end({ timeout: 1 }).catch(() => {});
      await sql.end({ timeout: 1 }).catch(() => {});
      throw new Error(`Cannot open the state store: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Asks the database for `SELECT 1`, or, with `maxAgeMs`, answers from an earlier success that recent when no
   * connection to the database closed since (a stopped or unreachable server closes them, so the next check asks).
   *
   * @param options `maxAgeMs`: how old a success may be to count; default 0 (ask now).
   * @returns `{ engine: "postgres", ok }`, with the error when it failed.
   */
  async health(options: { maxAgeMs?: number } = {}): Promise<StateHealth> {
    const epoch = this.#closes.count;
    if (
      this.#healthy !== undefined && this.#healthy.epoch === epoch &&
      performance.now() - this.#healthy.at < (options.maxAgeMs ?? 0)
    ) return { engine: "postgres", ok: true };
    try {
      await this.#sql`SELECT 1`;
      this.#healthy = { at: performance.now(), epoch };
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
  async close(): Promise<void> {
    await Promise.all([this.#sql.end({ timeout: 5 }), this.#eventsSql.end({ timeout: 5 })]);
  }

  /** Same as {@linkcode PostgresStateStore.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
