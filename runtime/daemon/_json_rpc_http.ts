/**
 * The JSON-RPC side of the daemon's HTTP answers: reading a bounded JSON body, JSON-RPC error responses, and
 * cancelling a POST's requests when its client goes away. Private to `runtime/daemon/`.
 *
 * @module
 */

import type { JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from "../sdk.ts";

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a request's body once, bounded like every MCP body, so that it can be forwarded and still be read here if
 * the owner cannot be reached.
 *
 * @param request The request.
 * @returns The bytes (`undefined` for a request without a body), or a 413 response past `MAX_BODY_BYTES`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./_json_rpc_http.ts";
 * const body = await readBody(new Request("http://x/mcp", { method: "POST", body: "{}" }));
 * assert.deepEqual(body, new TextEncoder().encode("{}"));
 * assert.equal(await readBody(new Request("http://x/mcp")), undefined);
 * ```
 */
export async function readBody(
  request: Request,
): Promise<Uint8Array<ArrayBuffer> | undefined | Response> {
  const reader = request.body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return jsonRpcError(413, -32600, `Request too large: the limit is ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body as JSON, or the error response: 413 past {@linkcode MAX_BODY_BYTES}, 400 when not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  const bytes = await readBody(request);
  if (bytes instanceof Response) return bytes;
  try {
    return JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
  } catch {
    return jsonRpcError(400, -32700, "Parse error: the body is not JSON");
  }
}

/**
 * When the client goes away before a POST's response stream ends, its requests are cancelled the way the
 * client itself would cancel them: with `notifications/cancelled`, which aborts the running task.
 */
export function cancelOnDisconnect(
  response: Response,
  body: unknown,
  transport: WebStandardStreamableHTTPServerTransport,
): Response {
  const messages = (Array.isArray(body) ? body : [body]) as Partial<JSONRPCMessage>[];
  const ids = messages.flatMap((m) =>
    m !== null && typeof m === "object" && "method" in m && "id" in m && m.id !== undefined
      ? [m.id]
      : []
  );
  if (ids.length === 0 || response.body === null) return response;
  const reader = response.body.getReader();
  let done = false;
  const body$ = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) {
        done = true;
        controller.close();
      } else {
        controller.enqueue(chunk.value);
      }
    },
    cancel(reason) {
      if (!done) {
        for (const requestId of ids) {
          transport.onmessage?.({
            jsonrpc: "2.0",
            method: "notifications/cancelled",
            params: { requestId, reason: "The client disconnected" },
          });
        }
      }
      return reader.cancel(reason);
    },
  });
  return new Response(body$, { status: response.status, headers: response.headers });
}

export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id }), {
    status,
    headers: { "content-type": "application/json" },
  });
}
