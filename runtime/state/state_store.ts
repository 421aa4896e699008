/**
 * `StateStore`: everything the daemon keeps, behind one interface, so one machine keeps files and several replicas
 * share PostgreSQL. Today it holds the audit trail; skills, search usage, sign-ins, sessions, PII vaults and
 * approvals join it as further members.
 *
 * @module
 */

import type { AuditChain } from "./audit_chain.ts";
import type { SkillRows } from "./skill_rows.ts";
import type { UsageRows } from "./usage_rows.ts";
import type { SessionRecords } from "./session_records.ts";
import type { SessionEventRows } from "./session_events.ts";

/**
 * What `health()` says about a store.
 *
 * @example
 * ```ts
 * import type { StateHealth } from "./state_store.ts";
 * import assert from "node:assert/strict";
 * const health: StateHealth = { engine: "files", ok: true };
 * assert.ok(health.ok);
 * ```
 */
export interface StateHealth {
  /** `"files"` (embedded) or `"postgres"`. */
  engine: "files" | "postgres";
  /** True when the store answers. */
  ok: boolean;
  /** Why not, when it does not. */
  error?: string;
}

/**
 * The daemon's state, one member per kind of thing kept.
 *
 * @example
 * ```ts
 * import { FileStateStore, type StateStore } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await using store: StateStore = new FileStateStore({ audit: { file: `${dir}/audit.jsonl` } });
 * await store.audit.append([{ type: "task" }]);
 * assert.deepEqual(await store.health(), { engine: "files", ok: true });
 * ```
 */
export interface StateStore extends AsyncDisposable {
  /** The tamper-evident audit trail. */
  readonly audit: AuditChain;
  /** Saved skills as rows, shared by replicas; absent in the embedded engine (skills stay folders). */
  readonly skills?: SkillRows;
  /** Learned search use, shared by replicas; absent in the embedded engine (`search_usage.json`). */
  readonly usage?: UsageRows;
  /** MCP sessions with their owner replica's lease, so that another replica takes them over. */
  readonly sessions: SessionRecords;
  /** Sessions' SSE events, for a client's reconnect after a takeover; absent in the embedded engine. */
  readonly events?: SessionEventRows;
  /**
   * Whether the store answers. Never throws. With `maxAgeMs`, an engine may answer from a success that recent, when
   * nothing since says the store went away (PostgreSQL: no connection closed); without it, it asks now.
   */
  health(options?: { maxAgeMs?: number }): Promise<StateHealth>;
  /** Releases files and connections; call it once, at shutdown. */
  close(): Promise<void>;
}
