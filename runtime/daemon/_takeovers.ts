/**
 * {@linkcode Takeovers}: taking a session over from a replica that died, once per session however many of its
 * requests arrive at the same moment.
 *
 * @module
 */

import type { Principal } from "../principal.ts";
import type { AuthInfo, WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import { storeUnreachable } from "./_store_gate.ts";
import type { SessionRecord } from "../state/mod.ts";
import type { SessionLeases, Takeover } from "./session_leases.ts";

/** A session another replica holds under a live lease: its id and, when it recorded one, its address. */
export type Held = Extract<Takeover, { kind: "held" }>;

/**
 * Whether what {@linkcode Takeovers.get} gave is a session held elsewhere.
 *
 * @param got What `get` gave.
 * @returns True for {@linkcode Held}.
 */
export function isHeld(got: unknown): got is Held {
  return typeof got === "object" && got !== null && (got as { kind?: unknown }).kind === "held";
}

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
 * into a fresh transport under the same id) when the owner's lease lapsed; {@linkcode Held} while another replica
 * holds it (the handler forwards the request there, or answers 503 to retry); `undefined` (404) when unknown or
 * another principal's.
 */
export class Takeovers<S extends { transport: WebStandardStreamableHTTPServerTransport }> {
  #leases: SessionLeases;
  #hooks: TakeoverHooks<S>;
  #pending = new Map<string, Promise<S | Held | Response | undefined>>();

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
   * @returns The session, where it is held, a response (store unreachable) or `undefined` (404).
   */
  get(
    id: string,
    owner: Principal,
    request: { url: string; authInfo: AuthInfo; resuming: boolean },
  ): Promise<S | Held | Response | undefined> {
    const pending = this.#pending.get(id);
    if (pending !== undefined) {
      // A reconnect that joined a takeover that did not wait (held) tries its own, which waits.
      return request.resuming
        ? pending.then((got) => isHeld(got) ? this.get(id, owner, request) : got)
        : pending;
    }
    const leases = this.#leases;
    const taking = (async (): Promise<S | Held | Response | undefined> => {
      const wait = request.resuming ? leases.leaseMs * 2 : 0;
      const verdict = await leases.takeOver(id, owner, wait).catch(() => undefined);
      if (verdict === undefined) return storeUnreachable("find the session");
      if (verdict.kind === "unknown") return undefined;
      if (verdict.kind === "held") return verdict;
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

/**
 * Rebuilds a taken-over session's protocol state: replays its stored `initialize` request into a fresh transport
 * whose `sessionIdGenerator` returns the old id (SDK 1.32 cannot adopt a session otherwise), and reads the answer.
 *
 * @param transport The fresh transport, connected to the daemon session.
 * @param record The session's record.
 * @param url The MCP endpoint's URL.
 * @param authInfo The caller's authentication, as the request gave it.
 * @throws {Error} `Cannot take session ... over` when the replay is not answered with 200.
 *
 * @example
 * ```ts ignore
 * await replayInitialize(transport, record, request.url, authInfo);
 * ```
 */
export async function replayInitialize(
  transport: WebStandardStreamableHTTPServerTransport,
  record: SessionRecord,
  url: string,
  authInfo: AuthInfo,
): Promise<void> {
  const replay = await transport.handleRequest(
    new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(record.initialize),
    }),
    { parsedBody: record.initialize, authInfo },
  );
  await replay.text();
  if (!replay.ok) {
    throw new Error(
      `Cannot take session ${record.id} over: its initialize got HTTP ${replay.status}`,
    );
  }
}
