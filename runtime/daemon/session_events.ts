/**
 * {@linkcode SharedEventStore}: the SDK transport's `EventStore` on the shared store's session events, so that a
 * client whose response stream broke when its replica died reconnects (`GET` with `Last-Event-ID`) to the replica
 * that took the session over, and gets what was stored, then, for each request of that stream that has no response
 * (its task died with the replica), an error saying the call did not finish and may be retried.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { JSONRPCMessage } from "../sdk.ts";
import type { SessionEventRows } from "../state/mod.ts";

const log = logger("daemon");

/** How long a stream's events are kept after its last response was stored, for a client reconnecting late. */
const LINGER_MS = 30_000;

/**
 * The JSON-RPC error a request gets when it was running on a replica that stopped.
 *
 * @param id The request's id.
 * @param replica The replica it ran on.
 * @returns The error response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lostCallError } from "./session_events.ts";
 * const error = lostCallError(7, "r1");
 * assert.equal(error.id, 7);
 * assert.match(error.error.message, /replica "r1", which stopped; it did not finish and may be retried/);
 * ```
 */
export function lostCallError(
  id: string | number,
  replica: string,
): {
  jsonrpc: "2.0";
  id: string | number;
  error: { code: number; message: string; data: unknown };
} {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: -32603,
      message:
        `The call was running on replica "${replica}", which stopped; it did not finish and may be retried`,
      data: { replica, retryable: true },
    },
  };
}

/**
 * One session's event store. `requestIds(stream)` names the requests a stream answers (the transport knows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionEventRows } from "../state/mod.ts";
 * import { SharedEventStore } from "./session_events.ts";
 * const kept: { id: string; session: string; stream: string; replica: string; message: unknown; ids?: (string | number)[] }[] = [];
 * const rows: SessionEventRows = {
 *   store: (session, stream, replica, message, ids) => {
 *     kept.push({ id: String(kept.length + 1), session, stream, replica, message, ids });
 *     return Promise.resolve(String(kept.length));
 *   },
 *   replay: (session, eventId) => {
 *     const mine = kept.filter((e) => e.session === session);
 *     const first = mine.find((e) => e.id === eventId);
 *     if (first === undefined) return Promise.resolve(undefined);
 *     return Promise.resolve({
 *       stream: first.stream, replica: first.replica, requestIds: first.ids ?? [], answered: [],
 *       events: mine.filter((e) => Number(e.id) > Number(eventId)),
 *     });
 *   },
 *   dropStream: () => Promise.resolve(),
 *   dropSession: () => Promise.resolve(),
 *   sweep: () => Promise.resolve(0),
 * };
 * // Replica r1 opens a stream for request 5 and dies; r2 answers the reconnect.
 * const r1 = new SharedEventStore(rows, "s1", "r1", () => [5]);
 * const primed = await r1.storeEvent("stream-a", {} as never);
 * const r2 = new SharedEventStore(rows, "s1", "r2", () => [], 0);
 * const sent: unknown[] = [];
 * const stream = await r2.replayEventsAfter(primed, { send: (_id, m) => { sent.push(m); return Promise.resolve(); } });
 * assert.equal(stream, "stream-a");
 * assert.match((sent[0] as { error: { message: string } }).error.message, /"r1".*may be retried/);
 * // Another session's event is not found.
 * const other = new SharedEventStore(rows, "s2", "r2", () => []);
 * await assert.rejects(other.replayEventsAfter(primed, { send: () => Promise.resolve() }));
 * await new Promise((r) => setTimeout(r, 10));
 * ```
 */
export class SharedEventStore {
  #rows: SessionEventRows;
  #session: string;
  #replica: string;
  #requestIds: (stream: string) => (string | number)[];
  /** Streams opened in this process, with the requests still unanswered. */
  #open = new Map<string, Set<string | number>>();
  #lingerMs: number;

  /**
   * @param rows The shared store's session events.
   * @param session The session's id.
   * @param replica This replica's id.
   * @param requestIds The request ids a stream answers.
   * @param lingerMs How long a stream's events stay after its last response. Default 30 s.
   */
  constructor(
    rows: SessionEventRows,
    session: string,
    replica: string,
    requestIds: (stream: string) => (string | number)[],
    lingerMs = LINGER_MS,
  ) {
    this.#lingerMs = lingerMs;
    this.#rows = rows;
    this.#session = session;
    this.#replica = replica;
    this.#requestIds = requestIds;
  }

  /** Stores an event; the stream's first (the SDK's empty priming event) records its request ids. */
  async storeEvent(stream: string, message: JSONRPCMessage): Promise<string> {
    const priming = !this.#open.has(stream) && Object.keys(message).length === 0;
    const ids = priming ? this.#requestIds(stream) : undefined;
    if (ids !== undefined) this.#open.set(stream, new Set(ids));
    const id = await this.#rows.store(this.#session, stream, this.#replica, message, ids);
    const m = message as { id?: string | number; result?: unknown; error?: unknown };
    const pending = this.#open.get(stream);
    if (pending !== undefined && m.id !== undefined && ("result" in m || "error" in m)) {
      pending.delete(m.id);
      if (pending.size === 0) {
        this.#open.delete(stream);
        this.#dropLater(stream);
      }
    }
    return id;
  }

  /**
   * Sends the events of this session after `lastEventId`; when the stream was opened by another process (a
   * replica that stopped), sends each of its unanswered requests {@linkcode lostCallError}, stored first so that a
   * later reconnect gets it again.
   *
   * @throws {Error} When this session has no such event.
   */
  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const replay = await this.#rows.replay(this.#session, lastEventId);
    if (replay === undefined) {
      throw new Error(`Cannot resume: session ${this.#session} has no event ${lastEventId}`);
    }
    for (const event of replay.events) {
      if (Object.keys(event.message as object).length === 0) continue;
      await send(event.id, event.message as JSONRPCMessage);
    }
    if (!this.#open.has(replay.stream)) {
      const answered = new Set(replay.answered);
      for (const id of replay.requestIds.filter((r) => !answered.has(r))) {
        const error = lostCallError(id, replay.replica);
        log.info("Session {session}: request {id} died with replica {replica}; answered as lost", {
          session: this.#session,
          id: String(id),
          replica: replay.replica,
        });
        await send(
          await this.#rows.store(this.#session, replay.stream, this.#replica, error, undefined, {
            fresh: true,
          }),
          error,
        );
      }
      this.#dropLater(replay.stream);
    }
    return replay.stream;
  }

  #dropLater(stream: string): void {
    const timer = setTimeout(() => {
      this.#rows.dropStream(this.#session, stream).catch((error) =>
        log.warn("Cannot forget the events of session {session}: {error}", {
          session: this.#session,
          error: String(error),
        })
      );
    }, this.#lingerMs);
    Deno.unrefTimer(timer);
  }
}
