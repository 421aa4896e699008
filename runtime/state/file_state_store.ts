/**
 * The embedded engine: the daemon's state in files on one machine, no database.
 *
 * @module
 */

import { FileAuditChain, type FileAuditChainOptions } from "./file_audit_chain.ts";
import { MemorySessionRecords } from "./memory_session_records.ts";
import type { StateHealth, StateStore } from "./state_store.ts";

/**
 * Options for {@linkcode FileStateStore}.
 *
 * @example
 * ```ts
 * import type { FileStateStoreOptions } from "./file_state_store.ts";
 * import assert from "node:assert/strict";
 * const options: FileStateStoreOptions = { audit: { file: "/tmp/audit.jsonl" } };
 * assert.equal(options.audit.file, "/tmp/audit.jsonl");
 * ```
 */
export interface FileStateStoreOptions {
  /** The audit file, its rotation size and how many rotated files to keep. */
  audit: FileAuditChainOptions;
}

/**
 * The state in files: the audit trail is a chained JSON-lines file.
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
 */
export class FileStateStore implements StateStore {
  /** The audit trail. */
  readonly audit: FileAuditChain;
  /** Session records in memory: one replica, nothing to take over. */
  readonly sessions: MemorySessionRecords = new MemorySessionRecords();

  /**
   * @param options Where each kind of state is kept.
   */
  constructor(options: FileStateStoreOptions) {
    this.audit = new FileAuditChain(options.audit);
  }

  /**
   * Files are always there to try.
   *
   * @returns `{ engine: "files", ok: true }`.
   */
  health(): Promise<StateHealth> {
    return Promise.resolve({ engine: "files", ok: true });
  }

  /**
   * Closes the audit file.
   *
   * @returns Resolves once closed.
   */
  close(): Promise<void> {
    return this.audit.close();
  }

  /** Same as {@linkcode FileStateStore.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
