/**
 * What the daemon keeps, behind one interface ({@linkcode StateStore}), in two engines: files on one machine
 * ({@linkcode FileStateStore}, the default) or PostgreSQL shared by several replicas
 * ({@linkcode PostgresStateStore}). Today the store holds the tamper-evident audit trail; the PostgreSQL engine
 * also keeps upstream sign-ins, PII vaults and pending approvals, encrypted with a {@linkcode StateCipher}.
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
export {
  type CancelBus,
  type CancelNotice,
  CANCELS_CHANNEL,
  DEFAULT_CANCEL_TTL_MS,
  MemoryCancelBus,
  PostgresCancelBus,
} from "./cancel_bus.ts";
export { FileAuditChain, type FileAuditChainOptions, verifyAuditFile } from "./file_audit_chain.ts";
export { FileStateStore, type FileStateStoreOptions } from "./file_state_store.ts";
export { MemorySessionRecords } from "./memory_session_records.ts";
export { migrate, type Migration, MIGRATIONS } from "./migrations.ts";
export { PostgresAuditChain } from "./postgres_audit_chain.ts";
export { type ApprovalNotice, PostgresApprovals } from "./postgres_approvals.ts";
export { PostgresPiiVaults } from "./postgres_pii_vaults.ts";
export { PostgresSessionRecords } from "./postgres_session_records.ts";
export {
  PostgresSessionEvents,
  type SessionEventRows,
  type StreamReplay,
} from "./session_events.ts";
export { PostgresSignIns, type SignInRow } from "./postgres_sign_ins.ts";
export { PostgresSkillRows, SKILLS_CHANNEL } from "./postgres_skill_rows.ts";
export { PostgresStateStore } from "./postgres_state_store.ts";
export { PostgresUsageRows } from "./postgres_usage_rows.ts";
export type { NewSessionRecord, SessionRecord, SessionRecords } from "./session_records.ts";
export type { SkillFiles, SkillHead, SkillListener, SkillRow, SkillRows } from "./skill_rows.ts";
export { STATE_KEY_ENV, StateCipher } from "./state_cipher.ts";
export type { StateHealth, StateStore } from "./state_store.ts";
export type { UsageEntry, UsageRows } from "./usage_rows.ts";
