/**
 * Pending approvals in PostgreSQL: one row per question in `mcpx_approvals` (the question encrypted: its
 * arguments may hold real values), and `NOTIFY` on the channel `mcpx_approvals` when one is asked, answered or
 * withdrawn, so an operator's answer that reaches any replica gets to the task waiting on the replica that asked.
 *
 * @module
 */

import type { Sql } from "postgres";
import { listenJson } from "./_listen_json.ts";
import type { StateCipher } from "./state_cipher.ts";

/** The channel replicas listen on. */
const CHANNEL = "mcpx_approvals";

/** What a replica hears: a question asked, answered (first answer wins) or withdrawn elsewhere. */
export type ApprovalNotice =
  | { type: "added"; id: string; origin: string }
  | {
    type: "answered";
    id: string;
    origin: string;
    approved: boolean;
    answeredBy: string;
    reason?: string;
  }
  | { type: "withdrawn"; id: string; origin: string };

function context(id: string): string {
  return JSON.stringify(["approval", id]);
}

/**
 * The approval rows and their notices. `origin` names this replica in its notices, so it can skip its own.
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore, StateCipher } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!, {
 *   cipher: await StateCipher.load(),
 * });
 * const approvals = store.approvals();
 * const stop = await approvals.listen((notice) => console.log(notice));
 * await approvals.ask({ id: "a1", tool: "delete_entities" });
 * await stop();
 * ```
 */
export class PostgresApprovals<T extends { id: string } = { id: string }> {
  /** This replica's name in notices. */
  readonly origin: string = crypto.randomUUID();
  #sql: Sql;
  #cipher: StateCipher;
  #maxAgeMs: number;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   * @param cipher Encrypts the questions.
   * @param maxAgeMs Questions older than this are not listed and are removed (their replica died). Default 1 h.
   */
  constructor(sql: Sql, cipher: StateCipher, maxAgeMs = 3_600_000) {
    this.#sql = sql;
    this.#cipher = cipher;
    this.#maxAgeMs = maxAgeMs;
  }

  /**
   * Stores a question asked on this replica and tells the others.
   *
   * @param approval The question; its `id` keys the row.
   * @returns Resolves once stored and notified.
   */
  async ask(approval: T): Promise<void> {
    const sealed = await this.#cipher.seal(approval, context(approval.id));
    const notice: ApprovalNotice = { type: "added", id: approval.id, origin: this.origin };
    await this.#sql.begin(async (tx) => {
      await tx`DELETE FROM mcpx_approvals
        WHERE asked_at < now() - make_interval(secs => ${this.#maxAgeMs / 1000})`;
      await tx`INSERT INTO mcpx_approvals (id, sealed) VALUES (${approval.id}, ${sealed})`;
      await tx`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`;
    });
  }

  /**
   * Records an answer, unless the question was answered or withdrawn already, and tells every replica.
   *
   * @param id The question's id.
   * @param answer Approve or not, who answered, and why.
   * @returns Whether this answer was the first.
   */
  async answer(
    id: string,
    answer: { approved: boolean; answeredBy: string; reason?: string },
  ): Promise<boolean> {
    const notice: ApprovalNotice = { type: "answered", id, origin: this.origin, ...answer };
    return await this.#sql.begin(async (tx) => {
      const rows = await tx`DELETE FROM mcpx_approvals WHERE id = ${id} RETURNING id`;
      if (rows.length === 0) return false;
      await tx`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`;
      return true;
    }) as boolean;
  }

  /**
   * Removes a question (its deadline passed or its task ended) and tells the others.
   *
   * @param id The question's id.
   * @returns Resolves once removed.
   */
  async withdraw(id: string): Promise<void> {
    const notice: ApprovalNotice = { type: "withdrawn", id, origin: this.origin };
    await this.#sql.begin(async (tx) => {
      const rows = await tx`DELETE FROM mcpx_approvals WHERE id = ${id} RETURNING id`;
      if (rows.length > 0) await tx`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`;
    });
  }

  /**
   * One question, if it is still pending.
   *
   * @param id The question's id.
   * @returns The question, or `undefined`.
   */
  async get(id: string): Promise<T | undefined> {
    const [row] = await this.#sql<{ sealed: Uint8Array }[]>`
      SELECT sealed FROM mcpx_approvals WHERE id = ${id}`;
    return row === undefined ? undefined : await this.#cipher.open(row.sealed, context(id)) as T;
  }

  /**
   * Every pending question of every replica, oldest first.
   *
   * @returns The questions.
   */
  async pending(): Promise<T[]> {
    const rows = await this.#sql<{ id: string; sealed: Uint8Array }[]>`
      SELECT id, sealed FROM mcpx_approvals
      WHERE asked_at >= now() - make_interval(secs => ${
      this.#maxAgeMs / 1000
    }) ORDER BY asked_at, id`;
    return await Promise.all(
      rows.map(async (row) => await this.#cipher.open(row.sealed, context(row.id)) as T),
    );
  }

  /**
   * Listens to every replica's notices (this one's included: check `origin`).
   *
   * @param onNotice Called with each notice.
   * @returns Stops listening.
   */
  listen(onNotice: (notice: ApprovalNotice) => void): Promise<() => Promise<void>> {
    return listenJson(this.#sql, CHANNEL, onNotice);
  }
}
