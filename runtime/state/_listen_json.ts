/**
 * {@linkcode listenJson}: one way the PostgreSQL engine hears a channel of JSON notices.
 *
 * @module
 */

import type { Sql } from "postgres";
import { logger } from "../log.ts";

const log = logger("state");

/**
 * Listens to a channel whose payloads are JSON. A payload that is not JSON (not ours) is ignored; a listener that
 * throws is logged, never thrown into the database client's connection.
 *
 * @param sql The connection pool.
 * @param channel The channel.
 * @param onNotice Called with each parsed notice.
 * @param onConnect Called on every (re)connection of the listening connection.
 * @returns Stops listening.
 */
export async function listenJson<T>(
  sql: Sql,
  channel: string,
  onNotice: (notice: T) => void,
  onConnect?: () => void,
): Promise<() => Promise<void>> {
  const { unlisten } = await sql.listen(channel, (payload) => {
    let notice: T;
    try {
      notice = JSON.parse(payload) as T;
    } catch {
      return;
    }
    try {
      onNotice(notice);
    } catch (error) {
      log.warn("A listener of {channel} failed: {error}", { channel, error: String(error) });
    }
  }, onConnect);
  return unlisten;
}
