/**
 * The PostgreSQL engine's audit chain: one chain for the whole deployment in `mcpx_audit`, each append one
 * transaction that takes an advisory lock, reads the head and inserts the next rows, so replicas appending at the
 * same moment never fork the chain or lose a line.
 *
 * @module
 */

import type { Sql, TransactionSql } from "postgres";
import {
  type AuditChain,
  AuditChainChecker,
  type AuditHead,
  type AuditRecord,
  type AuditVerdict,
  chainAuditRecords,
} from "./audit_chain.ts";

/** The advisory lock key appends run under ("mcpx" and 2). */
const AUDIT_LOCK = 0x6d637078_0002;
/** Rows read at a time by `verify()`. */
const VERIFY_BATCH = 1_000;

/**
 * The audit chain in the table `mcpx_audit` (created by the migrations).
 *
 * @example
 * ```ts ignore
 * import { PostgresStateStore } from "./mod.ts";
 * await using store = await PostgresStateStore.open(Deno.env.get("MCPX_TEST_PG_URL")!);
 * await store.audit.append([{ type: "task", taskId: "t1" }]);
 * console.log(await store.audit.verify());
 * ```
 */
export class PostgresAuditChain implements AuditChain {
  #sql: Sql;
  /** Lines that come within 5 ms share one transaction (bench/state_bench.ts: the cost per tool call). */
  readonly gatherMs = 5;

  /**
   * @param sql A `postgres` client on a migrated database; the store owns and ends it.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** The table. */
  get where(): string {
    return "PostgreSQL table mcpx_audit";
  }

  /**
   * Chains and inserts records after the deployment's head, in one transaction.
   *
   * @param records The records, in order.
   * @returns Resolves once committed.
   * @throws {Error} When the database cannot be reached or the transaction fails: nothing is inserted.
   */
  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${AUDIT_LOCK}::bigint)`;
      const head = await readHead(tx);
      const { lines } = chainAuditRecords(records, head);
      const rows = lines.map((l) => ({ seq: l.seq, prev: l.prev, hash: l.hash, line: l.text }));
      await tx`INSERT INTO mcpx_audit ${tx(rows, "seq", "prev", "hash", "line")}`;
    });
  }

  /**
   * The last row.
   *
   * @returns The head.
   */
  head(): Promise<AuditHead> {
    return readHead(this.#sql);
  }

  /**
   * Checks every row in `seq` order; the row's `seq` and `hash` columns must match its line.
   *
   * @returns The verdict; a break names the row's `seq`.
   */
  async verify(): Promise<AuditVerdict> {
    const checker = new AuditChainChecker();
    let after = 0;
    for (;;) {
      const rows = await this.#sql<{ seq: string; hash: string; line: string }[]>`
        SELECT seq, hash, line FROM mcpx_audit WHERE seq > ${after} ORDER BY seq LIMIT ${VERIFY_BATCH}`;
      for (const row of rows) {
        const seq = Number(row.seq);
        let reason = checker.check(row.line);
        if (reason === undefined) {
          const line = JSON.parse(row.line) as { seq?: unknown; hash?: unknown };
          if (line.seq !== seq) reason = `its seq column ${seq} differs from its line's`;
          else if (line.hash !== row.hash) reason = "its hash column differs from its line's";
        }
        if (reason !== undefined) return checker.verdict({ seq, reason });
        after = seq;
      }
      if (rows.length < VERIFY_BATCH) return checker.verdict();
    }
  }

  /** Nothing to release: the store ends the client. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function readHead(sql: Sql | TransactionSql): Promise<AuditHead> {
  const [row] = await sql<{ seq: string; hash: string }[]>`
    SELECT seq, hash FROM mcpx_audit ORDER BY seq DESC LIMIT 1`;
  return row === undefined ? { seq: 0, hash: null } : { seq: Number(row.seq), hash: row.hash };
}
