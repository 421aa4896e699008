/**
 * The PostgreSQL engine's session records: the table `mcpx_sessions`, leases judged by the database's clock so
 * that replicas' clocks need not agree.
 *
 * @module
 */

import type { Sql } from "postgres";
import type { NewSessionRecord, SessionRecord, SessionRecords } from "./session_records.ts";

interface Row {
  id: string;
  principal_id: string;
  scopes: string[];
  owner: string;
  owner_url: string | null;
  lease_live: boolean;
  initialize: unknown;
  created_at: Date;
  last_seen: Date;
}

/**
 * Session records in `mcpx_sessions` (migrations 3 and 6). A claim is one `UPDATE ... WHERE lease_expires <= now()`, so
 * two replicas never both take a session.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { PostgresSessionRecords } from "./postgres_session_records.ts";
 * const records = new PostgresSessionRecords(postgres(Deno.env.get("MCPX_TEST_PG_URL")!));
 * console.log(await records.get("s1"));
 * ```
 */
export class PostgresSessionRecords implements SessionRecords {
  #sql: Sql;

  /**
   * @param sql A `postgres` client on a migrated database.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Inserts the record (or replaces one of the same id), leased to its owner. */
  async create(record: NewSessionRecord, leaseMs: number): Promise<void> {
    const sql = this.#sql;
    try {
      await sql`INSERT INTO mcpx_sessions
          (id, principal_id, scopes, owner, owner_url, lease_expires, initialize)
        VALUES (${record.id}, ${record.principal.id}, ${sql.json([...record.principal.scopes])},
          ${record.owner}, ${
        record.ownerUrl ?? null
      }, now() + ${leaseMs} * interval '1 millisecond', ${sql.json(record.initialize as never)})
        ON CONFLICT (id) DO UPDATE SET principal_id = excluded.principal_id, scopes = excluded.scopes,
          owner = excluded.owner, owner_url = excluded.owner_url, lease_expires = excluded.lease_expires, initialize = excluded.initialize,
          last_seen = now()`;
    } catch (error) {
      throw new Error(`Cannot record session ${record.id}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The record, or `undefined`. */
  async get(id: string): Promise<SessionRecord | undefined> {
    const rows = await this.#sql<
      Row[]
    >`SELECT ${this.#columns()} FROM mcpx_sessions WHERE id = ${id}`;
    return rows[0] === undefined ? undefined : view(rows[0]);
  }

  /** Takes it when the lease lapsed or `owner` holds it, in one conditional update. */
  async claim(
    id: string,
    owner: string,
    leaseMs: number,
    ownerUrl?: string,
  ): Promise<SessionRecord | undefined> {
    const rows = await this.#sql<Row[]>`UPDATE mcpx_sessions
      SET owner = ${owner}, owner_url = ${
      ownerUrl ?? null
    }, lease_expires = now() + ${leaseMs} * interval '1 millisecond', last_seen = now()
      WHERE id = ${id} AND (lease_expires <= now() OR owner = ${owner})
      RETURNING ${this.#columns()}`;
    return rows[0] === undefined ? undefined : view(rows[0]);
  }

  /** Extends `owner`'s leases; returns the ids it still holds. */
  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql<{ id: string }[]>`UPDATE mcpx_sessions
      SET lease_expires = now() + ${leaseMs} * interval '1 millisecond', last_seen = now()
      WHERE owner = ${owner} AND id = ANY(${[...ids]}) RETURNING id`;
    return rows.map((row) => row.id);
  }

  /** Ends `owner`'s leases now. */
  async release(owner: string, ids?: readonly string[]): Promise<void> {
    if (ids === undefined) {
      await this.#sql`UPDATE mcpx_sessions SET lease_expires = now() WHERE owner = ${owner}`;
    } else if (ids.length > 0) {
      await this.#sql`UPDATE mcpx_sessions SET lease_expires = now()
        WHERE owner = ${owner} AND id = ANY(${[...ids]})`;
    }
  }

  /** Deletes the record. */
  async delete(id: string): Promise<void> {
    await this.#sql`DELETE FROM mcpx_sessions WHERE id = ${id}`;
  }

  #columns() {
    return this
      .#sql`id, principal_id, scopes, owner, owner_url, lease_expires > now() AS lease_live, initialize,
      created_at, last_seen`;
  }
}

function view(row: Row): SessionRecord {
  return {
    id: row.id,
    principal: { id: row.principal_id, scopes: row.scopes },
    owner: row.owner,
    ...(row.owner_url === null ? {} : { ownerUrl: row.owner_url }),
    leaseLive: row.lease_live,
    initialize: row.initialize,
    createdAt: row.created_at,
    lastSeen: row.last_seen,
  };
}
