/**
 * The embedded engine's session records: in memory, for one replica, where nothing is ever taken over.
 *
 * @module
 */

import type { NewSessionRecord, SessionRecord, SessionRecords } from "./session_records.ts";

interface Row extends Omit<SessionRecord, "leaseLive"> {
  leaseUntil: number;
}

/**
 * Session records in this process's memory, with the same lease rules as the PostgreSQL engine.
 *
 * @example
 * ```ts
 * import { MemorySessionRecords } from "./memory_session_records.ts";
 * import assert from "node:assert/strict";
 * const records = new MemorySessionRecords();
 * await records.create({ id: "s1", principal: { id: "default", scopes: [] }, owner: "r1", initialize: {} }, 1_000);
 * assert.deepEqual(await records.renew("r1", ["s1", "s2"], 1_000), ["s1"]);
 * await records.delete("s1");
 * assert.equal(await records.get("s1"), undefined);
 * ```
 */
export class MemorySessionRecords implements SessionRecords {
  #rows = new Map<string, Row>();

  /** Keeps the record, leased to its owner. */
  create(record: NewSessionRecord, leaseMs: number): Promise<void> {
    const now = Date.now();
    this.#rows.set(record.id, {
      ...structuredClone(record),
      leaseUntil: now + leaseMs,
      createdAt: new Date(now),
      lastSeen: new Date(now),
    });
    return Promise.resolve();
  }

  /** The record, or `undefined`. */
  get(id: string): Promise<SessionRecord | undefined> {
    const row = this.#rows.get(id);
    return Promise.resolve(row === undefined ? undefined : view(row));
  }

  /** Takes it when the lease lapsed or `owner` holds it. */
  claim(
    id: string,
    owner: string,
    leaseMs: number,
    ownerUrl?: string,
  ): Promise<SessionRecord | undefined> {
    const row = this.#rows.get(id);
    const now = Date.now();
    if (row === undefined || (row.owner !== owner && row.leaseUntil > now)) {
      return Promise.resolve(undefined);
    }
    Object.assign(row, { owner, leaseUntil: now + leaseMs, lastSeen: new Date(now) });
    if (ownerUrl === undefined) delete row.ownerUrl;
    else row.ownerUrl = ownerUrl;
    return Promise.resolve(view(row));
  }

  /** Extends `owner`'s leases; returns the ids it still holds. */
  renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    const now = Date.now();
    const held: string[] = [];
    for (const id of ids) {
      const row = this.#rows.get(id);
      if (row?.owner !== owner) continue;
      row.leaseUntil = now + leaseMs;
      row.lastSeen = new Date(now);
      held.push(id);
    }
    return Promise.resolve(held);
  }

  /** Ends `owner`'s leases now. */
  release(owner: string, ids?: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const row of this.#rows.values()) {
      if (row.owner === owner && (ids === undefined || ids.includes(row.id))) row.leaseUntil = now;
    }
    return Promise.resolve();
  }

  /** Forgets the record. */
  delete(id: string): Promise<void> {
    this.#rows.delete(id);
    return Promise.resolve();
  }
}

function view(row: Row): SessionRecord {
  const { leaseUntil, ...rest } = row;
  return { ...structuredClone(rest), leaseLive: leaseUntil > Date.now() };
}
