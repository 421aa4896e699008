/**
 * `SessionRecords`: one row per MCP session (who opened it, which replica holds it and until when, and the
 * `initialize` request it began with), so that when a replica dies another one takes its sessions over under the
 * same ids.
 *
 * @module
 */

/**
 * One session as the store keeps it.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from "./session_records.ts";
 * import assert from "node:assert/strict";
 * const record: SessionRecord = {
 *   id: "s1",
 *   principal: { id: "alice", scopes: ["mcpx:execute"] },
 *   owner: "host-a-41",
 *   leaseLive: true,
 *   initialize: { jsonrpc: "2.0", id: 0, method: "initialize", params: {} },
 *   createdAt: new Date(0),
 *   lastSeen: new Date(0),
 * };
 * assert.equal(record.owner, "host-a-41");
 * ```
 */
export interface SessionRecord {
  /** The `Mcp-Session-Id`. */
  id: string;
  /** The principal that opened it; only it may use the session. */
  principal: { id: string; scopes: readonly string[] };
  /** The replica id that holds it. */
  owner: string;
  /**
   * Where the owner answers HTTP (its `state.advertiseUrl`, e.g. `http://10.0.0.5:8787`), so that another replica
   * can forward a request for the session to it; absent when the owner gave none.
   */
  ownerUrl?: string;
  /** True while the owner's lease runs (judged by the store's clock). */
  leaseLive: boolean;
  /** The JSON-RPC body of the `initialize` request the session began with, replayed on takeover. */
  initialize: unknown;
  /** When it was opened. */
  createdAt: Date;
  /** When a replica last opened, claimed or renewed it. */
  lastSeen: Date;
}

/**
 * What a new session's record needs.
 *
 * @example
 * ```ts
 * import type { NewSessionRecord } from "./session_records.ts";
 * import assert from "node:assert/strict";
 * const fresh: NewSessionRecord = { id: "s1", principal: { id: "default", scopes: [] }, owner: "r1", initialize: {} };
 * assert.equal(fresh.id, "s1");
 * ```
 */
export type NewSessionRecord = Pick<
  SessionRecord,
  "id" | "principal" | "owner" | "ownerUrl" | "initialize"
>;

/**
 * Session records with leases. A replica renews the leases of the sessions it holds every third of the lease
 * length; a session whose lease lapsed may be claimed by one replica, atomically.
 *
 * @example
 * ```ts
 * import { MemorySessionRecords } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const records = new MemorySessionRecords();
 * const principal = { id: "alice", scopes: ["mcpx:execute"] };
 * await records.create({ id: "s1", principal, owner: "a", initialize: {} }, 5_000);
 * assert.equal(await records.claim("s1", "b", 5_000), undefined); // a's lease runs
 * await records.release("a");
 * assert.equal((await records.claim("s1", "b", 5_000))?.owner, "b");
 * ```
 */
export interface SessionRecords {
  /**
   * Records a session just opened, held by `record.owner` for `leaseMs`.
   *
   * @throws {Error} `Cannot record session ...` when the store fails.
   */
  create(record: NewSessionRecord, leaseMs: number): Promise<void>;
  /** The record of a session, or `undefined` when none is kept. */
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Takes a session over for `owner` when its lease lapsed (or `owner` already holds it): one conditional update,
   * so of two replicas claiming at once exactly one gets it.
   *
   * @param ownerUrl Where `owner` answers HTTP (recorded as the new {@linkcode SessionRecord.ownerUrl}).
   * @returns The record as claimed, or `undefined` when another replica holds a live lease or the id is unknown.
   */
  claim(
    id: string,
    owner: string,
    leaseMs: number,
    ownerUrl?: string,
  ): Promise<SessionRecord | undefined>;
  /**
   * Extends the leases `owner` holds on these sessions.
   *
   * @returns The ids `owner` still holds; a missing one was taken over (or deleted) meanwhile.
   */
  renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]>;
  /** Ends the leases `owner` holds (all, or these ids) now, so that another replica takes them at once. */
  release(owner: string, ids?: readonly string[]): Promise<void>;
  /** Forgets a session that was closed for good (`DELETE`, idle expiry). */
  delete(id: string): Promise<void>;
}
