/**
 * {@linkcode HttpHandler}: the daemon over Streamable HTTP, a `(Request) => Response` for `Deno.serve`.
 *
 * Every request passes, in this order: the bearer token (401), the `Host` and `Origin` checks against DNS
 * rebinding (403), then routing: `GET /healthz`, the extra routes, and the MCP endpoint. On the MCP endpoint a
 * session id that is unknown, or that another token opened, is refused with 404.
 *
 * @module
 */

import { logger } from "../log.ts";
import { isInitializeRequest, type JSONRPCMessage } from "../sdk.ts";
import { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import type { ExecutorDaemon } from "./executor_daemon.ts";
import { checkHost, checkOrigin, tokenIndex } from "./http_checks.ts";
import { EarlyCancels } from "./_early_cancels.ts";
import { DEFAULT_PRINCIPAL, type Principal } from "../principal.ts";

const log = logger("daemon");

/** The scopes of a request that passed the bearer token, until requests are authenticated per principal. */
const ALL_SCOPES = ["mcpx:execute", "mcpx:skills", "mcpx:approve", "mcpx:admin"] as const;

/** A handler for an extra route, e.g. `/metrics`; it gets the request's authenticated principal. */
export type RouteHandler = (
  request: Request,
  principal: Principal,
) => Response | Promise<Response>;

/** Options for {@linkcode HttpHandler}. */
export interface HttpHandlerOptions {
  /** Bearer tokens accepted (`Authorization: Bearer <token>`); empty: no token is asked for. */
  tokens: readonly string[];
  /** `Host` values accepted besides the loopback names and the bound host (any port for loopback names). */
  allowedHosts?: readonly string[];
  /** Origins accepted besides `http://` loopback origins. A request without `Origin` is accepted. */
  allowedOrigins?: readonly string[];
  /** A session with no request for this long, and no running task, is closed. Default 30 minutes. */
  idleTimeoutMs?: number;
  /** The MCP endpoint's path. Default `/mcp`. */
  path?: string;
  /**
   * Extra routes by path, answered after the token and header checks (e.g. `/metrics`). A key ending in `/`
   * matches every path under it (`/approvals/` answers `/approvals/<id>`); an exact key wins.
   */
  routes?: Record<string, RouteHandler>;
  /**
   * Pages by path: a `GET` whose `Accept` names `text/html` is answered without a bearer token (after the `Host`
   * and `Origin` checks), so that a browser can open it. A page must hold no secret; it asks for the token and
   * calls the routes with it (e.g. `/approvals`).
   */
  pages?: Record<string, () => Response | Promise<Response>>;
}

interface HttpSession {
  transport: WebStandardStreamableHTTPServerTransport;
  /** The index of the token that opened it (-1 without tokens). */
  owner: number;
  lastSeen: number;
  cancels: EarlyCancels;
}

/**
 * Serves an {@linkcode ExecutorDaemon} over Streamable HTTP, one daemon session per MCP session.
 *
 * @example
 * ```ts ignore
 * const handler = new HttpHandler(daemon, { tokens: [] });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 8787 }, (req) => handler.handle(req));
 * ```
 */
export class HttpHandler {
  #daemon: ExecutorDaemon;
  #options: HttpHandlerOptions;
  #sessions = new Map<string, HttpSession>();
  #boundHost: string | undefined;
  #sweeper: number;

  /**
   * @param daemon The daemon whose sessions this serves.
   * @param options Tokens, allowed hosts and origins, idle timeout, path and extra routes.
   */
  constructor(daemon: ExecutorDaemon, options: HttpHandlerOptions) {
    this.#daemon = daemon;
    this.#options = options;
    const idle = options.idleTimeoutMs ?? 30 * 60_000;
    const every = Math.min(60_000, Math.max(250, idle / 4));
    // Typed as a number: Deno.unrefTimer takes the id, and node typings in the graph widen it.
    this.#sweeper = setInterval(() => this.#sweep(idle), every) as unknown as number;
    Deno.unrefTimer(this.#sweeper);
  }

  /** How many MCP sessions are open over HTTP. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Tells the handler the address it listens on, so that `Host: <that address>` is accepted.
   *
   * @param hostname The bound host name or address.
   */
  listening(hostname: string): void {
    this.#boundHost = hostname;
  }

  /**
   * Answers one request.
   *
   * @param request The request.
   * @returns The response; never rejects.
   */
  async handle(request: Request): Promise<Response> {
    try {
      return await this.#handle(request);
    } catch (error) {
      log.error("HTTP request failed: {error}", { error: String(error) });
      return jsonRpcError(500, -32603, "Internal error");
    }
  }

  /**
   * Stops expiring sessions and closes every session's transport.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const ids = [...this.#sessions.keys()];
    await Promise.all(ids.map((id) => this.#closeSession(id)));
  }

  async #handle(request: Request): Promise<Response> {
    const page = this.#page(request);
    if (page !== undefined) {
      const refused = checkHost(request, this.#options.allowedHosts ?? [], this.#boundHost) ??
        checkOrigin(request, this.#options.allowedOrigins ?? []);
      if (refused === undefined) return await page();
    }
    const owner = await tokenIndex(request, this.#options.tokens);
    if (owner === undefined) {
      return new Response(
        JSON.stringify({ error: "Unauthorized: a valid bearer token is required" }),
        {
          status: 401,
          headers: {
            "content-type": "application/json",
            "www-authenticate": 'Bearer realm="mcp-executor"',
          },
        },
      );
    }
    const refused = checkHost(request, this.#options.allowedHosts ?? [], this.#boundHost) ??
      checkOrigin(request, this.#options.allowedOrigins ?? []);
    if (refused !== undefined) {
      return new Response(JSON.stringify({ error: `Forbidden: ${refused}` }), {
        status: 403,
        headers: { "content-type": "application/json" },
      });
    }
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz" && request.method === "GET") {
      return Response.json(this.#daemon.health());
    }
    const route = this.#route(pathname);
    // Replaced by the authenticated principal once requests are authenticated per principal: until then a request
    // that passed the bearer token acts as the default principal, with every scope (as stdio sessions do).
    if (route !== undefined) {
      return await route(request, { id: DEFAULT_PRINCIPAL, scopes: ALL_SCOPES });
    }
    if (pathname !== (this.#options.path ?? "/mcp")) {
      return new Response("Not found\n", { status: 404 });
    }
    if (this.#daemon.closing) return jsonRpcError(503, -32000, "The daemon is shutting down");
    return await this.#mcp(request, owner);
  }

  #route(pathname: string): RouteHandler | undefined {
    const routes = this.#options.routes ?? {};
    if (Object.hasOwn(routes, pathname)) return routes[pathname];
    const prefix = Object.keys(routes).find((key) => key.endsWith("/") && pathname.startsWith(key));
    return prefix === undefined ? undefined : routes[prefix];
  }

  #page(request: Request): (() => Response | Promise<Response>) | undefined {
    const pages = this.#options.pages;
    if (pages === undefined || request.method !== "GET") return undefined;
    if (!(request.headers.get("accept") ?? "").includes("text/html")) return undefined;
    const { pathname } = new URL(request.url);
    return Object.hasOwn(pages, pathname) ? pages[pathname] : undefined;
  }

  async #mcp(request: Request, owner: number): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      if (session === undefined || session.owner !== owner) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastSeen = Date.now();
      if (request.method !== "POST") return await session.transport.handleRequest(request);
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const cancelled = session.cancels.check(body);
      if (cancelled !== undefined) {
        return jsonRpcError(
          200,
          -32800,
          "Request cancelled: the client cancelled it before it arrived",
          cancelled,
        );
      }
      const response = await session.transport.handleRequest(request, { parsedBody: body });
      return cancelOnDisconnect(response, body, session.transport);
    }
    if (request.method !== "POST") {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const initialize = Array.isArray(body)
      ? body.some(isInitializeRequest)
      : isInitializeRequest(body);
    if (!initialize) {
      return jsonRpcError(400, -32000, "Bad Request: No valid session ID provided");
    }
    return await this.#open(request, body, owner);
  }

  async #open(request: Request, body: unknown, owner: number): Promise<Response> {
    const id = crypto.randomUUID();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessionclosed: (closed) => void this.#closeSession(closed),
    });
    const server = this.#daemon.openSession(id);
    this.#sessions.set(id, { transport, owner, lastSeen: Date.now(), cancels: new EarlyCancels() });
    transport.onclose = () => void this.#closeSession(id);
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody: body });
      if (!response.ok) await this.#closeSession(id);
      return response;
    } catch (error) {
      await this.#closeSession(id);
      throw error;
    }
  }

  async #closeSession(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    await this.#daemon.closeSession(id);
    await session.transport.close().catch(() => {});
  }

  #sweep(idleMs: number): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) {
      if (now - session.lastSeen > idleMs && this.#daemon.activeTasks(id) === 0) {
        log.info("Session {id} expired after {ms} ms idle", { id, ms: idleMs });
        void this.#closeSession(id);
      }
    }
  }
}

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The body as JSON, or the error response: 413 past {@linkcode MAX_BODY_BYTES}, 400 when not JSON. */
async function readJson(request: Request): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader !== undefined) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return jsonRpcError(413, -32600, `Request too large: the limit is ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  try {
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return jsonRpcError(400, -32700, "Parse error: the body is not JSON");
  }
}

/**
 * When the client goes away before a POST's response stream ends, its requests are cancelled the way the
 * client itself would cancel them: with `notifications/cancelled`, which aborts the running task.
 */
function cancelOnDisconnect(
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

function jsonRpcError(
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
