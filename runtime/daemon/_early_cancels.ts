/**
 * Cancellations that arrive before their request. Over Streamable HTTP a request and its `notifications/cancelled`
 * travel in separate POSTs, which a busy daemon may take in either order; the SDK drops a cancellation of a request
 * it has not seen, and the request would then run to its end for a client that gave up on it.
 *
 * @module
 */

import { LruCache } from "../lru_cache.ts";

/** How many cancelled request ids a session remembers (ids are unique per session; old ones never come back). */
const REMEMBERED = 256;

type Message = { method?: unknown; id?: unknown; params?: { requestId?: unknown } };

/**
 * One session's cancelled request ids, so that a request arriving after its cancellation is not run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EarlyCancels } from "./_early_cancels.ts";
 * const cancels = new EarlyCancels();
 * assert.equal(cancels.check({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 4 } }), undefined);
 * assert.equal(cancels.check({ jsonrpc: "2.0", id: 4, method: "tools/call", params: {} }), 4);
 * assert.equal(cancels.check({ jsonrpc: "2.0", id: 5, method: "tools/call", params: {} }), undefined);
 * ```
 */
export class EarlyCancels {
  #ids = new LruCache<string, true>(REMEMBERED);

  /**
   * Notes the cancellations in a POST's body, and says whether the body is one request cancelled before (a batch is
   * passed on whole: its other messages must still be answered).
   *
   * @param body The parsed JSON body: one message or a batch.
   * @returns The id of a request in the body that was already cancelled, or `undefined`.
   */
  check(body: unknown): string | number | undefined {
    const messages = (Array.isArray(body) ? body : [body]) as Message[];
    let cancelled: string | number | undefined;
    for (const message of messages) {
      if (message === null || typeof message !== "object") continue;
      const requestId = message.params?.requestId;
      if (
        message.method === "notifications/cancelled" &&
        (typeof requestId === "string" || typeof requestId === "number")
      ) {
        this.#ids.set(JSON.stringify(requestId), true);
      } else if (
        !Array.isArray(body) && typeof message.method === "string" &&
        (typeof message.id === "string" || typeof message.id === "number") &&
        this.#ids.delete(JSON.stringify(message.id))
      ) {
        cancelled = message.id;
      }
    }
    return cancelled;
  }
}
