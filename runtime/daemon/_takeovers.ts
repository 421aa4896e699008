/**
 * {@linkcode Takeovers}: taking a session over from a replica that died, once per session however many of its
 * requests arrive at the same moment.
 *
 * @module
 */

import type { Principal } from "../principal.ts";
import type { AuthInfo, WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import { storeUnreachable } from "./_store_gate.ts";
import { heldResponse, replayInitialize, type SessionLeases } from "./session_leases.ts";

/** What a takeover needs from the handler that keeps the sessions. */
export interface TakeoverHooks<S> {
  /** Starts a session here under the same id, for its principal. */
  start(id: string, owner: Principal): Promise<S>;
  /** Forgets a session whose initialize replay failed. */
  abandon(id: string, session: S): Promise<void>;
  /** Keeps a session that is taken over and initialized. */
  keep(id: string, session: S): void;
}

/**
 * Sessions not open on this replica, looked up in the shared records: taken over (the stored `initialize` replayed
 * into a fresh transport under the same id) when the owner's lease lapsed; a 503 asking to retry while another
 * replica holds it; `undefined` (404) when unknown or another principal's.
 */
export class Takeovers<S extends { transport: WebStandardStreamableHTTPServerTransport }> {
  #leases: SessionLeases;
  #hooks: TakeoverHooks<S>;
  #pending = new Map<string, Promise<S | Response | undefined>>();

  /**
   * @param leases This replica's session leases.
   * @param hooks How sessions are started, kept and dropped.
   */
  constructor(leases: SessionLeases, hooks: TakeoverHooks<S>) {
    this.#leases = leases;
    this.#hooks = hooks;
  }

  /**
   * Takes a session over, or says why not.
   *
   * @param id The session id the request names.
   * @param owner The request's principal.
   * @param request The request's URL and auth, for the replayed `initialize`; `resuming` when it is a reconnect
   *   (`Last-Event-ID`), which waits out the dead replica's lease.
   * @returns The session, a response (held elsewhere, store unreachable) or `undefined` (404).
   */
  get(
    id: string,
    owner: Principal,
    request: { url: string; authInfo: AuthInfo; resuming: boolean },
  ): Promise<S | Response | undefined> {
    const pending = this.#pending.get(id);
    if (pending !== undefined) {
      // A reconnect that joined a takeover that did not wait (held) tries its own, which waits.
      return request.resuming
        ? pending.then((got) => got instanceof Response ? this.get(id, owner, request) : got)
        : pending;
    }
    const leases = this.#leases;
    const taking = (async (): Promise<S | Response | undefined> => {
      const wait = request.resuming ? leases.leaseMs * 2 : 0;
      const verdict = await leases.takeOver(id, owner, wait).catch(() => undefined);
      if (verdict === undefined) return storeUnreachable("find the session");
      if (verdict.kind === "unknown") return undefined;
      if (verdict.kind === "held") return heldResponse(id, verdict.owner);
      // Kept only once initialized, so that a request arriving meanwhile waits for this takeover.
      const session = await this.#hooks.start(id, owner);
      try {
        await replayInitialize(session.transport, verdict.record, request.url, request.authInfo);
      } catch (error) {
        await this.#hooks.abandon(id, session);
        throw error;
      }
      this.#hooks.keep(id, session);
      return session;
    })().finally(() => this.#pending.delete(id));
    this.#pending.set(id, taking);
    return taking;
  }
}
