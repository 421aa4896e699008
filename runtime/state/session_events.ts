/**
 * {@linkcode SessionEventRows}: the SSE events of each MCP session's response streams, kept in the shared store so
 * that a replica that took a session over can answer the client's reconnect (`GET` with `Last-Event-ID`).
 * {@linkcode PostgresSessionEvents} is the PostgreSQL engine's (`mcpx_session_events`, migration 5); the embedded
 * engine keeps none (one replica, nothing to take over).
 *
 * @module
 */

import type { Sql } from "postgres";

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
  /** Stores one event of a stream; `requestIds` on the stream's first (priming) event. Returns its id. */
  store(
    session: string,
    stream: string,
    replica: string,
    message: unknown,
    requestIds?: (string | number)[],
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

  /**
   * @param sql A `postgres` client on a migrated database.
   */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Inserts the event; its id is the row's. */
  async store(
    session: string,
    stream: string,
    replica: string,
    message: unknown,
    requestIds?: (string | number)[],
  ): Promise<string> {
    const sql = this.#sql;
    const [row] = await sql<{ id: string }[]>`INSERT INTO mcpx_session_events
        (session, stream, replica, request_ids, message)
      VALUES (${session}, ${stream}, ${replica},
        ${requestIds === undefined ? null : sql.json(requestIds)}, ${sql.json(message as never)})
      RETURNING id::text AS id`;
    return row!.id;
  }

  /** Reads the stream of `eventId`, only among `session`'s events. */
  async replay(session: string, eventId: string): Promise<StreamReplay | undefined> {
    if (!/^[0-9]{1,18}$/.test(eventId)) return undefined;
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

  /** Deletes one stream's rows. */
  async dropStream(session: string, stream: string): Promise<void> {
    await this
      .#sql`DELETE FROM mcpx_session_events WHERE session = ${session} AND stream = ${stream}`;
  }

  /** Deletes a session's rows. */
  async dropSession(session: string): Promise<void> {
    await this.#sql`DELETE FROM mcpx_session_events WHERE session = ${session}`;
  }

  /** Deletes rows older than `maxAgeMs`. */
  async sweep(maxAgeMs: number): Promise<number> {
    const result = await this.#sql`DELETE FROM mcpx_session_events
      WHERE stored_at < now() - ${maxAgeMs} * interval '1 millisecond'`;
    return result.count;
  }
}
