/**
 * {@linkcode SessionEventRows}: the SSE events of each MCP session's response streams, kept in the shared store so
 * that a replica that took a session over can answer the client's reconnect (`GET` with `Last-Event-ID`).
 * {@linkcode PostgresSessionEvents} is the PostgreSQL engine's (`mcpx_session_events`, migration 5); the embedded
 * engine keeps none (one replica, nothing to take over).
 *
 * @module
 */

import type { Sql } from "postgres";
import { logger } from "../log.ts";

const log = logger("state");

/** Event ids taken from the table's sequence at a time (one round trip), and the level that takes more ahead. */
const ID_BLOCK = 64;
const ID_LOW = 16;

/**
 * One stream's events after a given one, with what the stream was opened for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StreamReplay } from "./session_events.ts";
 * const replay: StreamReplay = { stream: "s", replica: "r1", requestIds: [1], answered: [], events: [] };
 * assert.equal(replay.replica, "r1");
 * ```
 */
export interface StreamReplay {
  /** The stream's id (the SDK transport's). */
  stream: string;
  /** The replica that opened the stream and ran its requests. */
  replica: string;
  /** The JSON-RPC ids of the requests the stream answers. */
  requestIds: (string | number)[];
  /** The ids among them that have a response stored. */
  answered: (string | number)[];
  /** The events after the one named, oldest first. */
  events: { id: string; message: unknown }[];
}

/**
 * The shared store of sessions' SSE events. Event ids are the store's; every read names the session, so a session's
 * events are read back only through that session.
 *
 * @example
 * ```ts ignore
 * const id = await rows.store("session", "stream", "r1", {}, [1]);
 * console.log(await rows.replay("session", id));
 * ```
 */
export interface SessionEventRows {
  /**
   * Stores one event of a stream; `requestIds` on the stream's first (priming) event. Returns its id. Ids grow
   * with the order of `store` calls in one process; `fresh` asks for an id above every id handed out anywhere so
   * far (for an event added to a stream another replica wrote).
   */
  store(
    session: string,
    stream: string,
    replica: string,
    message: unknown,
    requestIds?: (string | number)[],
    options?: { fresh?: boolean },
  ): Promise<string>;
  /** The events of `session` after `eventId` in that event's stream; `undefined` when the session has no such event. */
  replay(session: string, eventId: string): Promise<StreamReplay | undefined>;
  /** Forgets one stream's events (its responses were sent). */
  dropStream(session: string, stream: string): Promise<void>;
  /** Forgets every event of a session (it ended). */
  dropSession(session: string): Promise<void>;
  /** Forgets events stored more than `maxAgeMs` ago; returns how many. */
  sweep(maxAgeMs: number): Promise<number>;
}

interface Row {
  id: string;
  stream: string;
  replica: string;
  request_ids: (string | number)[] | null;
  message: unknown;
}

function responseId(message: unknown): string | number | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const m = message as { id?: string | number; result?: unknown; error?: unknown };
  return m.id !== undefined && ("result" in m || "error" in m) ? m.id : undefined;
}

/**
 * Session events in PostgreSQL (`mcpx_session_events`, migration 5).
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { PostgresSessionEvents } from "./session_events.ts";
 * const rows = new PostgresSessionEvents(postgres(Deno.env.get("MCPX_TEST_PG_URL")!));
 * console.log(await rows.sweep(3_600_000));
 * ```
 */
export class PostgresSessionEvents implements SessionEventRows {
  #sql: Sql;
  /** Ids taken ahead from the sequence, smallest first. */
  #ids: string[] = [];
  #taking: Promise<void> | undefined;
  /** Inserts on their way, which a later read or drop of this process waits for. */
  #unsettled = new Set<Promise<void>>();

  /**
   * @param sql A `postgres` client on a migrated database.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Inserts the event under an id taken ahead from the table's sequence, and returns the id without waiting for
   * the row: the SDK holds a stream's request until its opening event's id is known, and each response until its
   * event's id is, and those round trips cost every task about 1 ms (bench/state_bench.ts). The insert is on its
   * connection before the event goes to the client, so a replica that dies right after sending has its row
   * committed all the same; a later read or drop in this process waits for the inserts on their way. An insert
   * that fails is logged: the client got its event, and only a reconnect after a takeover would miss it (it then
   * hears the call may be retried). `fresh` (a lost call's error, written by the replica that took the stream
   * over) is waited for.
   */
  async store(
    session: string,
    stream: string,
    replica: string,
    message: unknown,
    requestIds?: (string | number)[],
    options: { fresh?: boolean } = {},
  ): Promise<string> {
    const sql = this.#sql;
    const id = options.fresh ? (await this.#take(1))[0]! : await this.#nextId();
    const insert = sql`INSERT INTO mcpx_session_events
        (id, session, stream, replica, request_ids, message)
      VALUES (${id}, ${session}, ${stream}, ${replica},
        ${requestIds === undefined ? null : sql.json(requestIds)}, ${sql.json(message as never)})`;
    if (options.fresh) {
      await insert;
      return id;
    }
    const sent: Promise<void> = insert.then(
      () => {},
      (error: Error) =>
        log.warn("Cannot store an event of stream {stream}: {error}", {
          stream,
          error: error.message,
        }),
    ).finally(() => this.#unsettled.delete(sent));
    this.#unsettled.add(sent);
    return id;
  }

  /** The next id taken ahead, taking more when few are left (in the background while some are). */
  async #nextId(): Promise<string> {
    if (this.#ids.length <= ID_LOW) this.#takeAhead().catch(() => {});
    while (this.#ids.length === 0) await this.#takeAhead();
    return this.#ids.shift()!;
  }

  /** Takes a block of ids; concurrent callers share one query. */
  #takeAhead(): Promise<void> {
    this.#taking ??= this.#take(ID_BLOCK)
      .then((ids) => void this.#ids.push(...ids))
      .finally(() => this.#taking = undefined);
    return this.#taking;
  }

  /** `n` new ids from the table's sequence, smallest first. */
  async #take(n: number): Promise<string[]> {
    const rows = await this.#sql<
      { id: string }[]
    >`SELECT nextval('mcpx_session_events_id_seq')::text AS id
      FROM generate_series(1, ${n})`;
    return rows.map((r) => r.id).sort((a, b) =>
      a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
    );
  }

  /** Reads the stream of `eventId`, only among `session`'s events. */
  async replay(session: string, eventId: string): Promise<StreamReplay | undefined> {
    if (!/^[0-9]{1,18}$/.test(eventId)) return undefined;
    await Promise.all(this.#unsettled);
    const rows = await this.#sql<
      Row[]
    >`SELECT e.id::text AS id, e.stream, e.replica, e.request_ids, e.message
      FROM mcpx_session_events e
      JOIN mcpx_session_events s ON s.session = e.session AND s.stream = e.stream
      WHERE s.id = ${eventId} AND s.session = ${session}
      ORDER BY e.id`;
    if (rows.length === 0) return undefined;
    const first = rows.find((r) => r.request_ids !== null) ?? rows[0]!;
    const answered = rows.map((r) => responseId(r.message)).filter((id) => id !== undefined);
    return {
      stream: first.stream,
      replica: first.replica,
      requestIds: first.request_ids ?? [],
      answered,
      events: rows.filter((r) => BigInt(r.id) > BigInt(eventId)).map((r) => ({
        id: r.id,
        message: r.message,
      })),
    };
  }

  /** Deletes one stream's rows (after the inserts on their way). */
  async dropStream(session: string, stream: string): Promise<void> {
    await Promise.all(this.#unsettled);
    await this
      .#sql`DELETE FROM mcpx_session_events WHERE session = ${session} AND stream = ${stream}`;
  }

  /** Deletes a session's rows (after the inserts on their way). */
  async dropSession(session: string): Promise<void> {
    await Promise.all(this.#unsettled);
    await this.#sql`DELETE FROM mcpx_session_events WHERE session = ${session}`;
  }

  /** Deletes rows older than `maxAgeMs`. */
  async sweep(maxAgeMs: number): Promise<number> {
    const result = await this.#sql`DELETE FROM mcpx_session_events
      WHERE stored_at < now() - ${maxAgeMs} * interval '1 millisecond'`;
    return result.count;
  }
}
