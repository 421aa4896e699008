/**
 * {@linkcode SessionLeases}: one replica's side of the shared session records. It records each session it opens,
 * renews the leases of those it holds every third of the lease length, decides what a request for a session it
 * does not hold gets (taken over, refused as held elsewhere, or unknown), and ends its leases at a graceful stop.
 *
 * @module
 */

import { hostname } from "node:os";
import { logger } from "../log.ts";
import type { Principal } from "../principal.ts";
import type {
  CancelBus,
  SessionEventRows,
  SessionRecord,
  SessionRecords,
  StateHealth,
} from "../state/mod.ts";
import { jsonRpcError } from "./_json_rpc_http.ts";
import { SharedEventStore } from "./session_events.ts";

const log = logger("daemon");

/**
 * Default of {@linkcode SessionLeasesOptions.leaseMs} (`state.leaseMs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LEASE_MS } from "./session_leases.ts";
 * assert.equal(DEFAULT_LEASE_MS, 1_500);
 * ```
 */
export const DEFAULT_LEASE_MS = 1_500;

/**
 * Default of {@linkcode SessionLeasesOptions.forwardTimeoutMs} (`state.forwardTimeoutMs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_FORWARD_TIMEOUT_MS } from "./session_leases.ts";
 * assert.equal(DEFAULT_FORWARD_TIMEOUT_MS, 5_000);
 * ```
 */
export const DEFAULT_FORWARD_TIMEOUT_MS = 5_000;

/**
 * This replica's id: `MCPX_REPLICA_ID`, else `state.replicaId`, else `<hostname>-<pid>`.
 *
 * @param configured `state.replicaId` from `mcp-executor.json`.
 * @param env Reads an environment variable. Default: `Deno.env.get`.
 * @returns The id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replicaId } from "./session_leases.ts";
 * assert.equal(replicaId("b", () => "a"), "a");
 * assert.equal(replicaId("b", () => undefined), "b");
 * assert.match(replicaId(undefined, () => undefined), new RegExp(`-${Deno.pid}$`));
 * ```
 */
export function replicaId(
  configured: string | undefined,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  return env("MCPX_REPLICA_ID") || configured || `${hostname()}-${Deno.pid}`;
}

/**
 * Options for {@linkcode SessionLeases}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemorySessionRecords } from "../state/mod.ts";
 * import type { SessionLeasesOptions } from "./session_leases.ts";
 * const options: SessionLeasesOptions = { records: new MemorySessionRecords(), replica: "r1", leaseMs: 1_500 };
 * assert.equal(options.leaseMs, 1_500);
 * ```
 */
export interface SessionLeasesOptions {
  /** The shared records (`store.sessions`). */
  records: SessionRecords;
  /** This replica's id (see {@linkcode replicaId}). */
  replica: string;
  /** How long a lease runs without a heartbeat. Default {@linkcode DEFAULT_LEASE_MS}. */
  leaseMs?: number;
  /** The store's health, for `GET /healthz` and the gate for new tasks (`store.health`). */
  health?: (options?: { maxAgeMs?: number }) => Promise<StateHealth>;
  /** The shared session events (`store.events`): a client's reconnect after a takeover is answered from them. */
  events?: SessionEventRows;
  /** How long stored events are kept at most. Default one hour. */
  eventsMaxAgeMs?: number;
  /** Cancellations between replicas (`store.cancels`): a cancel sent to another replica reaches the holder. */
  cancels?: CancelBus;
  /**
   * Where this replica answers HTTP (`state.advertiseUrl`), recorded with each session it holds so that another
   * replica forwards the session's requests here. Default: set by the HTTP listener from the address it binds.
   */
  url?: string;
  /**
   * How long a request forwarded to the replica holding its session waits for that replica's response headers
   * before it is answered as if the owner were gone. Default {@linkcode DEFAULT_FORWARD_TIMEOUT_MS}.
   */
  forwardTimeoutMs?: number;
}

/**
 * What a request for a session this replica does not hold gets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Takeover } from "./session_leases.ts";
 * const held: Takeover = { kind: "held", owner: "r2" };
 * assert.equal(held.kind, "held");
 * ```
 */
export type Takeover =
  | { kind: "unknown" }
  | { kind: "held"; owner: string; url?: string }
  | { kind: "claimed"; record: SessionRecord };

/**
 * One replica's leases on the sessions it holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemorySessionRecords } from "../state/mod.ts";
 * import { SessionLeases } from "./session_leases.ts";
 * const records = new MemorySessionRecords();
 * const a = new SessionLeases({ records, replica: "a" });
 * const b = new SessionLeases({ records, replica: "b" });
 * const alice = { id: "alice", scopes: ["mcpx:execute"] };
 * await a.opened("s1", alice, { method: "initialize" });
 * assert.deepEqual(await b.takeOver("s1", alice), { kind: "held", owner: "a" });
 * await a.handOver();
 * assert.equal((await b.takeOver("s1", { id: "mallory", scopes: [] })).kind, "unknown");
 * assert.equal((await b.takeOver("s1", alice)).kind, "claimed");
 * ```
 */
export class SessionLeases {
  /** This replica's id. */
  readonly replica: string;
  /** The lease length in milliseconds. */
  readonly leaseMs: number;
  /** Cancellations between replicas, when given. */
  readonly cancels: CancelBus | undefined;
  /** How long a forward waits for the owner's response headers. */
  readonly forwardTimeoutMs: number;
  #url: string | undefined;
  #records: SessionRecords;
  #health: ((options?: { maxAgeMs?: number }) => Promise<StateHealth>) | undefined;
  #timer: number | undefined;
  #sweeper: number | undefined;
  #stopped = false;
  #events: SessionEventRows | undefined;
  #eventsMaxAgeMs: number;

  /**
   * @param options The records, this replica's id and the lease length.
   * @throws {RangeError} When `leaseMs` is under 300 or `forwardTimeoutMs` not above 0.
   */
  constructor(options: SessionLeasesOptions) {
    this.#records = options.records;
    this.replica = options.replica;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#health = options.health;
    this.#events = options.events;
    this.#eventsMaxAgeMs = options.eventsMaxAgeMs ?? 3_600_000;
    this.cancels = options.cancels;
    this.#url = options.url;
    this.forwardTimeoutMs = options.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
    if (!(this.forwardTimeoutMs > 0)) {
      throw new RangeError(
        `Cannot lease sessions: forwardTimeoutMs ${this.forwardTimeoutMs} is not above 0`,
      );
    }
    if (!(this.leaseMs >= 300)) {
      throw new RangeError(`Cannot lease sessions: leaseMs ${this.leaseMs} is under 300`);
    }
  }

  /** Where this replica answers HTTP, as recorded with its sessions; `undefined` until known. */
  get url(): string | undefined {
    return this.#url;
  }

  /**
   * Sets {@linkcode SessionLeases.url} when no address was configured (the listener calls it with the address it
   * binds).
   *
   * @param url An origin such as `http://127.0.0.1:8787`.
   */
  listening(url: string): void {
    this.#url ??= url;
  }

  /**
   * Starts the heartbeat: every third of the lease, renews the leases of `held()`; `lost` gets the ids another
   * replica took meanwhile (this one must drop them without ending them).
   *
   * @param held The ids this replica holds.
   * @param lost Called with the ids no longer held.
   */
  start(held: () => string[], lost: (ids: string[]) => void): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(async () => {
      const ids = held();
      if (ids.length === 0 || this.#stopped) return;
      try {
        const renewed = new Set(await this.#records.renew(this.replica, ids, this.leaseMs));
        const gone = ids.filter((id) => !renewed.has(id));
        if (gone.length > 0 && !this.#stopped) lost(gone);
      } catch (error) {
        log.warn("Replica {replica} cannot renew its session leases: {error}", {
          replica: this.replica,
          error: String(error),
        });
      }
    }, Math.max(100, Math.floor(this.leaseMs / 3))) as unknown as number;
    Deno.unrefTimer(this.#timer);
    const events = this.#events;
    if (events === undefined) return;
    this.#sweeper = setInterval(() => {
      events.sweep(this.#eventsMaxAgeMs).catch((error) =>
        log.warn("Replica {replica} cannot forget old session events: {error}", {
          replica: this.replica,
          error: String(error),
        })
      );
    }, Math.min(60_000, this.#eventsMaxAgeMs)) as unknown as number;
    Deno.unrefTimer(this.#sweeper);
  }

  /**
   * The SDK transport's event store for session `id`, on the shared events; `undefined` without them.
   *
   * @param id The session id.
   * @param requestIds The request ids a stream answers (read from the transport).
   */
  eventStore(
    id: string,
    requestIds: (stream: string) => (string | number)[],
  ): SharedEventStore | undefined {
    return this.#events && new SharedEventStore(this.#events, id, this.replica, requestIds);
  }

  /**
   * Records a session this replica just opened.
   *
   * @throws {Error} `Cannot record session ...` when the store fails.
   */
  async opened(id: string, principal: Principal, initialize: unknown): Promise<void> {
    await this.#records.create({
      id,
      principal: { id: principal.id, scopes: [...principal.scopes] },
      owner: this.replica,
      ...(this.#url === undefined ? {} : { ownerUrl: this.#url }),
      initialize,
    }, this.leaseMs);
  }

  /**
   * What a request of `principal` for session `id`, not open here, gets: `unknown` when no record is kept or
   * another principal opened it, `held` while another replica's lease runs, else `claimed` (atomically).
   */
  async takeOver(id: string, principal: Principal, waitMs = 0): Promise<Takeover> {
    const deadline = Date.now() + waitMs;
    while (true) {
      const verdict = await this.#takeOver(id, principal);
      if (verdict.kind !== "held" || Date.now() >= deadline) return verdict;
      await new Promise((r) => setTimeout(r, Math.max(100, Math.floor(this.leaseMs / 5))));
    }
  }

  async #takeOver(id: string, principal: Principal): Promise<Takeover> {
    if (this.#stopped) return { kind: "unknown" };
    const record = await this.#records.get(id);
    if (record === undefined || record.principal.id !== principal.id) return { kind: "unknown" };
    if (record.leaseLive && record.owner !== this.replica) {
      return held(record);
    }
    const claimed = await this.#records.claim(id, this.replica, this.leaseMs, this.#url);
    if (claimed === undefined) {
      const now = await this.#records.get(id);
      return now === undefined ? { kind: "unknown" } : held(now);
    }
    log.info("Replica {replica} took session {id} of {principal} over from {owner}", {
      replica: this.replica,
      id,
      principal: principal.id,
      owner: record.owner,
    });
    return { kind: "claimed", record: claimed };
  }

  /** Forgets a session closed for good; a store error is logged, not thrown. */
  async ended(id: string): Promise<void> {
    await this.#events?.dropSession(id).catch(() => {});
    await this.#records.delete(id).catch((error) =>
      log.warn("Cannot forget session {id}: {error}", { id, error: String(error) })
    );
  }

  /**
   * Graceful stop: no more heartbeats or takeovers, and every lease this replica holds ends now, so that another
   * replica takes its sessions at their next request. A store error is logged, not thrown.
   */
  async handOver(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearInterval(this.#sweeper);
    await this.#records.release(this.replica).catch((error) =>
      log.warn("Replica {replica} cannot end its session leases: {error}", {
        replica: this.replica,
        error: String(error),
      })
    );
  }

  /**
   * The store's health, for `GET /healthz` and the gate for new tasks.
   *
   * @param options `maxAgeMs`: a success that recent may answer (see `StateStore.health`).
   * @returns What the store says, or `undefined` when no health function was given.
   */
  async health(options?: { maxAgeMs?: number }): Promise<StateHealth | undefined> {
    return await this.#health?.(options);
  }

  /** Stops the heartbeat without ending the leases (they lapse). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearInterval(this.#sweeper);
  }
}

function held(record: SessionRecord): Takeover {
  return {
    kind: "held",
    owner: record.owner,
    ...(record.ownerUrl === undefined ? {} : { url: record.ownerUrl }),
  };
}

/**
 * The answer to a request for a session another replica holds under a live lease, when it could not be forwarded
 * to that replica (unreachable, or forwarded once already): 503, retry (HAProxy's `retry-on 503` with
 * `option redispatch` sends it on; a client retries itself otherwise).
 *
 * @param id The session id.
 * @param owner The replica that holds it.
 * @returns The JSON-RPC error response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heldResponse } from "./session_leases.ts";
 * const response = heldResponse("s1", "a");
 * assert.equal(response.status, 503);
 * assert.match((await response.json()).error.message, /held by replica a.*retry/);
 * ```
 */
export function heldResponse(id: string, owner: string): Response {
  const response = jsonRpcError(
    503,
    -32000,
    `Session ${id} is held by replica ${owner}, whose lease is live; retry the request`,
  );
  response.headers.set("retry-after", "1");
  return response;
}
