/**
 * `VaultStore`: where session vaults are shared between replicas (the PostgreSQL state store gives one), so a
 * placeholder issued on one replica is restored on another for the same session.
 *
 * @module
 */

import type { VaultRecord } from "./privacy_vault.ts";

/**
 * What {@linkcode PrivacyVaults} needs from a shared store of session vaults.
 *
 * @example
 * ```ts
 * import type { VaultRecord, VaultStore } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const rows = new Map<string, VaultRecord[]>();
 * const store: VaultStore = {
 *   load: (session) => Promise.resolve(rows.get(session)),
 *   save: (session, records) => {
 *     const stored = rows.get(session) ?? [];
 *     const merged = [...stored, ...records.filter((r) => !stored.some((s) => s.token === r.token))];
 *     rows.set(session, merged);
 *     return Promise.resolve(merged);
 *   },
 *   drop: (session) => Promise.resolve(void rows.delete(session)),
 * };
 * assert.equal(await store.load("s1"), undefined);
 * ```
 */
export interface VaultStore {
  /** A session's records, or `undefined` when none are stored (or they expired). */
  load(session: string): Promise<VaultRecord[] | undefined>;
  /**
   * Adds this replica's records to the session's (a stored placeholder keeps its value) and keeps them `ttlMs` more.
   * Returns every record of the session.
   */
  save(session: string, records: readonly VaultRecord[], ttlMs: number): Promise<VaultRecord[]>;
  /** Forgets a session's records everywhere. */
  drop(session: string): Promise<void>;
}
