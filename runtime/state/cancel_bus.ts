/**
 * Cancellations between replicas: a client's `notifications/cancelled`, or its `DELETE` of the session, that
 * reaches a replica other than the one holding the session is published here and acted on by the holder. Two
 * engines: {@linkcode MemoryCancelBus} (one process, for tests) and {@linkcode PostgresCancelBus} (a row of
 * `mcpx_cancels` and a `NOTIFY` on the channel `mcpx_cancels`). The row is kept for a short time (a minute by
 * default: a cancel is only worth something to a task running now), so that a holder whose `LISTEN` connection
 * was down when the notice went out finds it when it reconnects, or when it looks while a task of the session
 * runs ({@linkcode CancelBus.recent}).
 *
 * @module
 */

import type { Sql } from "postgres";
import { listenJson } from "./_listen_json.ts";

/** The channel replicas listen on for cancellations. */
export const CANCELS_CHANNEL = "mcpx_cancels";

/**
 * A cancellation for the replica holding `session`: the requests `requestIds`, or with `end`, the session itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CancelNotice } from "./cancel_bus.ts";
 * const notice: CancelNotice = { session: "s1", requestIds: [4], from: "r2" };
 * assert.deepEqual(notice.requestIds, [4]);
 * ```
 */
export interface CancelNotice {
  /** The session's id. */
  session: string;
  /** The cancelled requests' JSON-RPC ids. */
  requestIds: (string | number)[];
  /** True when the client ended the session (`DELETE`). */
  end?: boolean;
  /** The replica that received it (for logs). */
  from: string;
  /** The stored notice's id, set by the bus: a notice heard and also found stored is acted on once. */
  id?: string;
}

/**
 * Default of the `ttlMs` option of the cancel buses: how long a stored cancellation is found by
 * {@linkcode CancelBus.recent}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CANCEL_TTL_MS } from "./cancel_bus.ts";
 * assert.equal(DEFAULT_CANCEL_TTL_MS, 60_000);
 * ```
 */
export const DEFAULT_CANCEL_TTL_MS = 60_000;

function checkTtl(ttlMs: number): number {
  if (!(Number.isInteger(ttlMs) && ttlMs >= 1_000)) {
    throw new RangeError(`Invalid cancel ttlMs ${ttlMs}: expected a whole number of at least 1000`);
  }
  return ttlMs;
}

/**
 * Where cancellations travel between replicas.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CancelBus, MemoryCancelBus } from "./cancel_bus.ts";
 * const bus: CancelBus = new MemoryCancelBus();
 * assert.equal(typeof bus.publish, "function");
 * ```
 */
export interface CancelBus {
  /** Tells every replica (this one included). */
  publish(notice: CancelNotice): Promise<void>;
  /**
   * Hears every replica's notices; resolves to the function that stops listening. `onConnect` is called each time
   * the subscription is (re)established, when notices may have been missed (look them up with `recent`).
   */
  listen(
    onNotice: (notice: CancelNotice) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** The notices stored for these sessions in the last `ttlMs`, oldest first, each with its `id`. */
  recent(sessions: readonly string[]): Promise<CancelNotice[]>;
}

/**
 * Cancellations within one process: for tests and a single daemon.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CancelNotice, MemoryCancelBus } from "./cancel_bus.ts";
 * const bus = new MemoryCancelBus();
 * const heard: CancelNotice[] = [];
 * const stop = await bus.listen((notice) => heard.push(notice));
 * await bus.publish({ session: "s1", requestIds: [1], from: "r2" });
 * await stop();
 * await bus.publish({ session: "s1", requestIds: [2], from: "r2" });
 * assert.deepEqual(heard.map((n) => n.requestIds), [[1]]);
 * assert.deepEqual((await bus.recent(["s1"])).map((n) => n.id), ["1", "2"]);
 * ```
 */
export class MemoryCancelBus implements CancelBus {
  #listeners = new Set<(notice: CancelNotice) => void>();
  #stored: { notice: CancelNotice; at: number }[] = [];
  #next = 1;
  #ttlMs: number;

  /**
   * @param options `ttlMs`: how long a notice is stored (default {@linkcode DEFAULT_CANCEL_TTL_MS}).
   * @throws {RangeError} When `ttlMs` is not a whole number of at least 1000.
   */
  constructor(options: { ttlMs?: number } = {}) {
    this.#ttlMs = checkTtl(options.ttlMs ?? DEFAULT_CANCEL_TTL_MS);
  }

  /**
   * @param notice The cancellation.
   * @returns Resolves once stored and every listener was called.
   */
  publish(notice: CancelNotice): Promise<void> {
    const now = Date.now();
    const stored = { ...structuredClone(notice), id: String(this.#next++) };
    this.#stored = this.#stored.filter((row) => now - row.at < this.#ttlMs);
    this.#stored.push({ notice: stored, at: now });
    for (const listener of this.#listeners) listener(structuredClone(stored));
    return Promise.resolve();
  }

  /**
   * @param onNotice Called with each notice.
   * @param onConnect Called once, now (a process's bus never disconnects).
   * @returns Stops listening.
   */
  listen(
    onNotice: (notice: CancelNotice) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>> {
    const listener = (notice: CancelNotice) => onNotice(notice);
    this.#listeners.add(listener);
    onConnect?.();
    return Promise.resolve(() => {
      this.#listeners.delete(listener);
      return Promise.resolve();
    });
  }

  /**
   * @param sessions The sessions' ids.
   * @returns Their notices of the last `ttlMs`.
   */
  recent(sessions: readonly string[]): Promise<CancelNotice[]> {
    const now = Date.now();
    return Promise.resolve(
      this.#stored.filter((row) =>
        now - row.at < this.#ttlMs && sessions.includes(row.notice.session)
      )
        .map((row) => structuredClone(row.notice)),
    );
  }
}

/**
 * Cancellations as rows of `mcpx_cancels` (migration 8) and PostgreSQL `NOTIFY`. The `postgres` client
 * re-subscribes its `LISTEN` after a reconnect, so a replica hears cancels again once the database is back, and
 * finds the ones it missed meanwhile with `recent`.
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!);
 * const stop = await store.cancels.listen((notice) => console.log(notice));
 * await store.cancels.publish({ session: "s1", requestIds: [3], from: "r2" });
 * await stop();
 * ```
 */
export class PostgresCancelBus implements CancelBus {
  #sql: Sql;
  #ttlMs: number;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   * @param options `ttlMs`: how long a notice is found by `recent` (default {@linkcode DEFAULT_CANCEL_TTL_MS});
   *   older rows are deleted by later publishes.
   * @throws {RangeError} When `ttlMs` is not a whole number of at least 1000.
   */
  constructor(sql: Sql, options: { ttlMs?: number } = {}) {
    this.#sql = sql;
    this.#ttlMs = checkTtl(options.ttlMs ?? DEFAULT_CANCEL_TTL_MS);
  }

  /**
   * Stores the notice and announces it, in one transaction (the `NOTIFY` goes out on commit), and deletes
   * notices past their time.
   *
   * @param notice The cancellation.
   * @returns Resolves once stored and notified.
   * @throws {Error} When the database does not answer.
   */
  async publish(notice: CancelNotice): Promise<void> {
    const { id: _ignored, ...rest } = notice;
    await this.#sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`INSERT INTO mcpx_cancels (session, notice)
        VALUES (${rest.session}, ${tx.json(rest as never)}) RETURNING id::text AS id`;
      await tx`SELECT pg_notify(${CANCELS_CHANNEL}, ${JSON.stringify({ ...rest, id: row!.id })})`;
      await tx`DELETE FROM mcpx_cancels
        WHERE sent_at < now() - ${this.#ttlMs} * interval '1 millisecond'`;
    });
  }

  /**
   * @param onNotice Called with each notice.
   * @param onConnect Called on every (re)connection of the listening connection.
   * @returns Stops listening.
   */
  listen(
    onNotice: (notice: CancelNotice) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>> {
    return listenJson(this.#sql, CANCELS_CHANNEL, onNotice, onConnect);
  }

  /**
   * @param sessions The sessions' ids.
   * @returns Their notices of the last `ttlMs`, oldest first.
   * @throws {Error} When the database does not answer.
   */
  async recent(sessions: readonly string[]): Promise<CancelNotice[]> {
    if (sessions.length === 0) return [];
    const rows = await this.#sql<{ id: string; notice: CancelNotice }[]>`
      SELECT id::text AS id, notice FROM mcpx_cancels
      WHERE session = ANY(${[...sessions]})
        AND sent_at >= now() - ${this.#ttlMs} * interval '1 millisecond'
      ORDER BY mcpx_cancels.id`;
    return rows.map((row) => ({ ...row.notice, id: row.id }));
  }
}
