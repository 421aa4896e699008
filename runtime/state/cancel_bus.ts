/**
 * Cancellations between replicas: a client's `notifications/cancelled`, or its `DELETE` of the session, that
 * reaches a replica other than the one holding the session is published here and acted on by the holder. Two
 * engines: {@linkcode MemoryCancelBus} (one process, for tests) and {@linkcode PostgresCancelBus} (`NOTIFY` on the
 * channel `mcpx_cancels`; no rows: a cancel is only worth something to a task running now).
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
  /** Hears every replica's notices; resolves to the function that stops listening. */
  listen(onNotice: (notice: CancelNotice) => void): Promise<() => Promise<void>>;
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
 * ```
 */
export class MemoryCancelBus implements CancelBus {
  #listeners = new Set<(notice: CancelNotice) => void>();

  /**
   * @param notice The cancellation.
   * @returns Resolves once every listener was called.
   */
  publish(notice: CancelNotice): Promise<void> {
    for (const listener of this.#listeners) listener(structuredClone(notice));
    return Promise.resolve();
  }

  /**
   * @param onNotice Called with each notice.
   * @returns Stops listening.
   */
  listen(onNotice: (notice: CancelNotice) => void): Promise<() => Promise<void>> {
    const listener = (notice: CancelNotice) => onNotice(notice);
    this.#listeners.add(listener);
    return Promise.resolve(() => {
      this.#listeners.delete(listener);
      return Promise.resolve();
    });
  }
}

/**
 * Cancellations over PostgreSQL `NOTIFY`. The `postgres` client re-subscribes its `LISTEN` after a reconnect, so a
 * replica hears cancels again once the database is back.
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

  /** @param sql A `postgres` client; the store owns and ends it. */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * @param notice The cancellation.
   * @returns Resolves once notified.
   * @throws {Error} When the database does not answer.
   */
  async publish(notice: CancelNotice): Promise<void> {
    await this.#sql`SELECT pg_notify(${CANCELS_CHANNEL}, ${JSON.stringify(notice)})`;
  }

  /**
   * @param onNotice Called with each notice.
   * @returns Stops listening.
   */
  listen(onNotice: (notice: CancelNotice) => void): Promise<() => Promise<void>> {
    return listenJson(this.#sql, CANCELS_CHANNEL, onNotice);
  }
}
