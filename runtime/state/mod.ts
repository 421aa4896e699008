/**
 * What the daemon keeps, behind one interface ({@linkcode StateStore}), in two engines: files on one machine
 * ({@linkcode FileStateStore}, the default) or PostgreSQL shared by several replicas
 * ({@linkcode PostgresStateStore}). Today the store holds the tamper-evident audit trail.
 *
 * @example
 * ```ts
 * import { FileStateStore } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using store = new FileStateStore({ audit: { file: `${dir}/audit.jsonl` } });
 * await store.audit.append([{ type: "task" }]);
 * assert.ok((await store.audit.verify()).intact);
 * ```
 *
 * @module
 */

export {
  type AuditBreak,
  type AuditChain,
  AuditChainChecker,
  type AuditHead,
  type AuditRecord,
  type AuditVerdict,
  chainAuditRecords,
} from "./audit_chain.ts";
export { FileAuditChain, type FileAuditChainOptions, verifyAuditFile } from "./file_audit_chain.ts";
export { FileStateStore, type FileStateStoreOptions } from "./file_state_store.ts";
export { MemorySessionRecords } from "./memory_session_records.ts";
export { migrate, type Migration, MIGRATIONS } from "./migrations.ts";
export { PostgresAuditChain } from "./postgres_audit_chain.ts";
export { PostgresSessionRecords } from "./postgres_session_records.ts";
export { PostgresStateStore } from "./postgres_state_store.ts";
export type { NewSessionRecord, SessionRecord, SessionRecords } from "./session_records.ts";
export type { StateHealth, StateStore } from "./state_store.ts";
