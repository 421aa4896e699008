/**
 * Cancellations across replicas through the store. A request for a session that another live replica holds is
 * forwarded to it (see `_forward.ts`); when the owner cannot be reached that way, a cancellation (a POST that only
 * carries `notifications/cancelled`, or a `DELETE` of the session) is published on the store's
 * {@linkcode CancelBus} (a row and a `NOTIFY`) and answered as the holder would (202, 200); the holder hears it,
 * or finds the row, and aborts the request, or ends the session. Without it a cancel that reached the wrong
 * replica would be lost and its task would run to its end.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import type { CancelBus, CancelNotice } from "../state/mod.ts";
import { jsonRpcError, readJson } from "./_json_rpc_http.ts";
import type { EarlyCancels } from "./_early_cancels.ts";

const log = logger("daemon");

type Message = { method?: unknown; id?: unknown; params?: { requestId?: unknown } };

/**
 * The request ids a body cancels, when every message in it is a `notifications/cancelled`.
 *
 * @param body The parsed JSON body: one message or a batch.
 * @returns The ids, or `undefined` when the body carries anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cancelledIds } from "./_cancel_relay.ts";
 * assert.deepEqual(cancelledIds({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 3 } }), [3]);
 * assert.equal(cancelledIds({ jsonrpc: "2.0", id: 3, method: "tools/call", params: {} }), undefined);
 * ```
 */
export function cancelledIds(body: unknown): (string | number)[] | undefined {
  const messages = (Array.isArray(body) ? body : [body]) as (Message | null)[];
  const ids: (string | number)[] = [];
  for (const message of messages) {
    const requestId = message?.params?.requestId;
    if (
      message === null || typeof message !== "object" ||
      message.method !== "notifications/cancelled" ||
      !(typeof requestId === "string" || typeof requestId === "number")
    ) return undefined;
    ids.push(requestId);
  }
  return ids.length === 0 ? undefined : ids;
}

/**
 * Publishes a cancellation of a session held by another replica, when the request is one.
 *
 * @param request A `POST` or `DELETE` for the session (its body is read).
 * @param to The session's id, the bus and this replica's id.
 * @returns 202 for forwarded `notifications/cancelled`, 200 for a forwarded `DELETE`, 503 when the store failed,
 *   or `undefined` when the request is something else (the caller answers it as held elsewhere).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryCancelBus, type CancelNotice } from "../state/mod.ts";
 * import { forwardCancel } from "./_cancel_relay.ts";
 * const bus = new MemoryCancelBus();
 * const heard: CancelNotice[] = [];
 * await bus.listen((notice) => heard.push(notice));
 * const post = (body: unknown) => new Request("http://x/mcp", { method: "POST", body: JSON.stringify(body) });
 * const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 5 } };
 * assert.equal((await forwardCancel(post(cancel), { session: "s1", bus, from: "r2" }))?.status, 202);
 * assert.equal(await forwardCancel(post({ jsonrpc: "2.0", id: 1, method: "ping" }), { session: "s1", bus, from: "r2" }), undefined);
 * assert.equal((await forwardCancel(new Request("http://x/mcp", { method: "DELETE" }), { session: "s1", bus, from: "r2" }))?.status, 200);
 * assert.deepEqual(heard, [
 *   { session: "s1", requestIds: [5], from: "r2", id: "1" },
 *   { session: "s1", requestIds: [], end: true, from: "r2", id: "2" },
 * ]);
 * ```
 */
export async function forwardCancel(
  request: Request,
  to: { session: string; bus: CancelBus; from: string },
): Promise<Response | undefined> {
  let notice: CancelNotice;
  if (request.method === "DELETE") {
    notice = { session: to.session, requestIds: [], end: true, from: to.from };
  } else if (request.method === "POST") {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const requestIds = cancelledIds(body);
    if (requestIds === undefined) return undefined;
    notice = { session: to.session, requestIds, from: to.from };
  } else {
    return undefined;
  }
  try {
    await to.bus.publish(notice);
  } catch (error) {
    log.warn("Cannot forward a cancellation of session {id}: {error}", {
      id: to.session,
      error: String(error),
    });
    return jsonRpcError(503, -32000, "Cannot forward the cancellation: the state store failed");
  }
  return new Response(null, { status: notice.end ? 200 : 202 });
}

/**
 * Acts on a forwarded cancellation of requests in a session held here: each request id is noted as cancelled (so
 * it is not run if it arrives later) and its cancellation delivered to the session's server, which aborts the
 * running request as if the client had sent it here.
 *
 * @param requestIds The cancelled requests' ids.
 * @param session The session's transport and its early cancellations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EarlyCancels } from "./_early_cancels.ts";
 * import { deliverCancels } from "./_cancel_relay.ts";
 * const cancels = new EarlyCancels();
 * const heard: unknown[] = [];
 * const transport = { onmessage: (message: unknown) => heard.push(message) };
 * // deno-lint-ignore no-explicit-any
 * deliverCancels([8], { transport: transport as any, cancels });
 * assert.equal(heard.length, 1);
 * assert.equal(cancels.check({ jsonrpc: "2.0", id: 8, method: "tools/call", params: {} }), 8);
 * ```
 */
export function deliverCancels(
  requestIds: (string | number)[],
  session: { transport: WebStandardStreamableHTTPServerTransport; cancels: EarlyCancels },
): void {
  for (const requestId of requestIds) {
    const message = {
      jsonrpc: "2.0" as const,
      method: "notifications/cancelled",
      params: { requestId, reason: "Cancelled by the client through another replica" },
    };
    session.cancels.check(message);
    session.transport.onmessage?.(message);
  }
}

/**
 * Default of `pollMs` in {@linkcode hearCancels}: how often the stored cancellations of sessions with a running
 * task are looked at.
 */
export const DEFAULT_CANCEL_POLL_MS = 1_000;

/** The sessions held here, as {@linkcode hearCancels} needs them. */
export interface HeldSessions {
  /** The session held here under an id, if any. */
  find(id: string): Parameters<typeof deliverCancels>[1] | undefined;
  /** Ends a session held here (the client's `DELETE`). */
  end(id: string): void;
  /** The ids of every session held here. */
  held(): string[];
  /** The ids of the sessions held here with a task running. */
  busy(): string[];
}

/**
 * Listens to the bus for cancellations of sessions held here: request ids go to {@linkcode deliverCancels}, an
 * ended session to `end`. Since a `NOTIFY` is lost while the listening connection is down, the stored notices are
 * looked up too: for every session held here each time the subscription (re)connects, and every `pollMs` for the
 * sessions with a task running. Each notice is acted on once (by its id). A bus that cannot listen or be read is
 * logged, not thrown.
 *
 * @param bus The bus, or `undefined` (one replica: nothing to hear).
 * @param sessions The sessions held here.
 * @param options `pollMs` (default {@linkcode DEFAULT_CANCEL_POLL_MS}).
 * @returns Resolves to the function that stops listening (`undefined` when not listening).
 * @throws {RangeError} When `pollMs` is not a whole number of at least 10.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryCancelBus } from "../state/mod.ts";
 * import { hearCancels } from "./_cancel_relay.ts";
 * const bus = new MemoryCancelBus();
 * const ended: string[] = [];
 * const stop = await hearCancels(bus, {
 *   find: () => undefined,
 *   end: (id) => ended.push(id),
 *   held: () => [],
 *   busy: () => [],
 * });
 * await bus.publish({ session: "s1", requestIds: [], end: true, from: "r2" });
 * assert.deepEqual(ended, []); // not held here
 * await stop?.();
 * ```
 */
export function hearCancels(
  bus: CancelBus | undefined,
  sessions: HeldSessions,
  options: { pollMs?: number } = {},
): Promise<(() => Promise<void>) | undefined> {
  const pollMs = options.pollMs ?? DEFAULT_CANCEL_POLL_MS;
  if (!(Number.isInteger(pollMs) && pollMs >= 10)) {
    throw new RangeError(`Invalid cancel pollMs ${pollMs}: expected a whole number of at least 10`);
  }
  if (bus === undefined) return Promise.resolve(undefined);
  const seen = new Map<string, number>();
  const act = (notice: CancelNotice) => {
    if (notice.id !== undefined) {
      if (seen.has(notice.id)) return;
      seen.set(notice.id, Date.now());
    }
    const session = sessions.find(notice.session);
    if (session === undefined) return;
    log.info("Cancellation of session {id} from replica {from}: {what}", {
      id: notice.session,
      from: notice.from,
      what: notice.end ? "ended" : `requests ${notice.requestIds.join(", ")}`,
    });
    if (notice.end) sessions.end(notice.session);
    else deliverCancels(notice.requestIds, session);
  };
  let looking = false;
  // A reconnection always looks; a poll skips its turn while a look runs.
  const look = async (ids: string[], always = false) => {
    if (ids.length === 0 || (looking && !always)) return;
    looking = true;
    try {
      for (const notice of await bus.recent(ids)) act(notice);
    } catch (error) {
      log.warn("Cannot read the stored cancellations: {error}", { error: String(error) });
    } finally {
      looking = false;
    }
    // Ids older than any stored notice can be forgotten.
    const old = Date.now() - 10 * 60_000;
    for (const [id, at] of seen) if (at < old) seen.delete(id);
  };
  const timer = setInterval(() => void look(sessions.busy()), pollMs);
  Deno.unrefTimer(timer);
  return bus.listen(act, () => void look(sessions.held(), true)).then(
    (stop) => async () => {
      clearInterval(timer);
      await stop();
    },
    (error) => {
      clearInterval(timer);
      log.warn("Cannot hear cancellations from other replicas: {error}", { error: String(error) });
      return undefined;
    },
  );
}
