/**
 * Cancellations across replicas. A request for a session that another live replica holds is refused with 503
 * (retry), except a cancellation: a POST that only carries `notifications/cancelled`, or a `DELETE` of the
 * session, is published on the store's {@linkcode CancelBus} and answered as the holder would (202, 200); the
 * holder hears it and aborts the request, or ends the session. Without it a cancel that a load balancer sent to the
 * wrong replica would be lost and its task would run to its end.
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
 * assert.deepEqual(heard, [{ session: "s1", requestIds: [5], from: "r2" }, { session: "s1", requestIds: [], end: true, from: "r2" }]);
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
 * Listens to the bus for cancellations of sessions held here: request ids go to {@linkcode deliverCancels}, an
 * ended session to `end`. A bus that cannot listen is logged, not thrown.
 *
 * @param bus The bus, or `undefined` (one replica: nothing to hear).
 * @param find The session held here under an id, if any.
 * @param end Ends a session held here (the client's `DELETE`).
 * @returns Resolves to the function that stops listening (`undefined` when not listening).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryCancelBus } from "../state/mod.ts";
 * import { hearCancels } from "./_cancel_relay.ts";
 * const bus = new MemoryCancelBus();
 * const ended: string[] = [];
 * const stop = await hearCancels(bus, () => undefined, (id) => ended.push(id));
 * await bus.publish({ session: "s1", requestIds: [], end: true, from: "r2" });
 * assert.deepEqual(ended, []); // not held here
 * await stop?.();
 * ```
 */
export function hearCancels(
  bus: CancelBus | undefined,
  find: (id: string) => Parameters<typeof deliverCancels>[1] | undefined,
  end: (id: string) => void,
): Promise<(() => Promise<void>) | undefined> {
  if (bus === undefined) return Promise.resolve(undefined);
  return bus.listen((notice) => {
    const session = find(notice.session);
    if (session === undefined) return;
    log.info("Cancellation of session {id} from replica {from}: {what}", {
      id: notice.session,
      from: notice.from,
      what: notice.end ? "ended" : `requests ${notice.requestIds.join(", ")}`,
    });
    if (notice.end) end(notice.session);
    else deliverCancels(notice.requestIds, session);
  }).catch((error) => {
    log.warn("Cannot hear cancellations from other replicas: {error}", { error: String(error) });
    return undefined;
  });
}
