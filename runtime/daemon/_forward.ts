/**
 * Forwarding between replicas: a request for a session that another live replica holds is sent on to that replica's
 * recorded address (`state.advertiseUrl`), and its answer (a JSON body or an SSE stream) streamed back, so that a
 * client whose request reached the wrong replica (a load balancer without stickiness, a redispatch, a client that
 * talks to replicas directly) is answered all the same.
 *
 * - The client's own headers go along (`Authorization`, `Mcp-Session-Id`, `Last-Event-ID`, `Accept`, `Origin`,
 *   ...), so the owner authenticates the request again with the client's bearer token and checks its scopes: this
 *   replica vouches for nothing.
 * - A request is forwarded at most once: it carries {@linkcode FORWARDED_HEADER}, and a request that carries it is
 *   never forwarded again (two replicas that each think the other holds the session answer 503 instead of passing
 *   the request back and forth).
 * - Waiting for the owner's response headers is bounded (`state.forwardTimeoutMs`); a stream that has begun runs as
 *   long as the client keeps it, and ends on the owner when the client goes away.
 * - An owner that cannot be reached (refused, timed out) gives `undefined`: the caller answers as without
 *   forwarding (a cancellation relayed through the store, else 503 to retry, and a takeover once the lease lapses).
 *
 * @module
 */

import { logger } from "../log.ts";
import { forwardCancel } from "./_cancel_relay.ts";
import { readBody } from "./_json_rpc_http.ts";
import { type Held, isHeld } from "./_takeovers.ts";
import { heldResponse, type SessionLeases } from "./session_leases.ts";

const log = logger("daemon");

/** The header that marks a forwarded request (its value: the replica that forwarded it). */
export const FORWARDED_HEADER = "mcpx-forwarded-by";

/** Headers that belong to one connection, not to the request or response (RFC 9110 7.6.1), and `Host`. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/**
 * Sends a request on to the replica that holds its session, and returns that replica's response as it streams.
 *
 * @param request The client's request (its body already read into `body`).
 * @param to `url`: the owner's address (an origin; the request's path and query are kept), `body`, `from` (this
 *   replica's id, the loop guard's value) and `timeoutMs` (for the response headers).
 * @returns The owner's response, or `undefined` when the request was forwarded already, the owner has no
 *   address, or it cannot be reached in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FORWARDED_HEADER, forwardToOwner } from "./_forward.ts";
 * await using owner = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   Response.json({ auth: request.headers.get("authorization"), by: request.headers.get(FORWARDED_HEADER) }));
 * const request = new Request("http://lb/mcp?x=1", { headers: { authorization: "Bearer t" } });
 * const url = `http://127.0.0.1:${owner.addr.port}`;
 * const response = await forwardToOwner(request, { url, from: "r2", timeoutMs: 1_000 });
 * assert.deepEqual(await response?.json(), { auth: "Bearer t", by: "r2" });
 * const again = new Request("http://lb/mcp", { headers: { [FORWARDED_HEADER]: "r1" } });
 * assert.equal(await forwardToOwner(again, { url, from: "r2", timeoutMs: 1_000 }), undefined);
 * ```
 */
export async function forwardToOwner(
  request: Request,
  to: { url: string | undefined; body?: Uint8Array<ArrayBuffer>; from: string; timeoutMs: number },
): Promise<Response | undefined> {
  if (to.url === undefined || request.headers.has(FORWARDED_HEADER)) return undefined;
  const { pathname, search } = new URL(request.url);
  const target = new URL(pathname + search, to.url);
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (!HOP_BY_HOP.has(name)) headers.set(name, value);
  }
  headers.set(FORWARDED_HEADER, to.from);
  // One controller ends the forward: the client going away (its request's signal) or no headers in time.
  const abort = new AbortController();
  const onClientGone = () => abort.abort(new Error("The client went away"));
  request.signal.addEventListener("abort", onClientGone, { once: true });
  const timer = setTimeout(
    () => abort.abort(new Error(`No answer in ${to.timeoutMs} ms`)),
    to.timeoutMs,
  );
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      ...(to.body === undefined ? {} : { body: to.body }),
      signal: abort.signal,
      redirect: "manual",
    });
  } catch (error) {
    request.signal.removeEventListener("abort", onClientGone);
    log.warn("Cannot forward a request for session {id} to {url}: {error}", {
      id: request.headers.get("mcp-session-id"),
      url: to.url,
      error: String((error as Error).message ?? error),
    });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  const out = new Headers();
  for (const [name, value] of upstream.headers) {
    if (!HOP_BY_HOP.has(name)) out.set(name, value);
  }
  const body = upstream.body?.pipeThrough(
    new TransformStream({
      flush: () => request.signal.removeEventListener("abort", onClientGone),
    }),
    // Our caller cancelling the stream (the client went away) cancels the owner's stream too.
  );
  return new Response(body ?? null, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: out,
  });
}

/**
 * The answer to a request for a session another live replica holds: the owner's own answer, forwarded; when the
 * owner cannot be reached, a reconnect (`GET` with `Last-Event-ID`) waits for its lease to lapse and takes the
 * session over (`retake`), a cancellation is relayed through the store, and anything else gets 503 (retry).
 *
 * @param request The client's request.
 * @param held Who holds the session, and where.
 * @param options This replica's leases, the waiting takeover, and whether the caller may cancel (its scopes).
 * @returns A response, or what `retake` gave (the session taken over, or `undefined` for 404).
 */
export async function answerHeld<S>(
  request: Request,
  held: Held,
  options: {
    leases: SessionLeases;
    retake: () => Promise<S | Held | Response | undefined> | undefined;
    mayCancel: boolean;
  },
): Promise<S | Response | undefined> {
  const { leases } = options;
  const id = request.headers.get("mcp-session-id") ?? "";
  const body = await readBody(request);
  if (body instanceof Response) return body;
  const forwarded = await forwardToOwner(request, {
    url: held.url,
    ...(body === undefined ? {} : { body }),
    from: leases.replica,
    timeoutMs: leases.forwardTimeoutMs,
  });
  if (forwarded !== undefined) return forwarded;
  let got: S | Held | Response | undefined = held;
  if (request.method === "GET" && request.headers.has("last-event-id")) {
    got = await options.retake();
  }
  if (!isHeld(got)) return got;
  const relayed = leases.cancels === undefined || !options.mayCancel
    ? undefined
    : await forwardCancel(
      new Request(request.url, {
        method: request.method,
        headers: request.headers,
        ...(body === undefined ? {} : { body }),
      }),
      { session: id, bus: leases.cancels, from: leases.replica },
    );
  return relayed ?? heldResponse(id, got.owner);
}
