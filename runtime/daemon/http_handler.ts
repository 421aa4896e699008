/**
 * {@linkcode HttpHandler}: the daemon over Streamable HTTP, a `(Request) => Response` for `Deno.serve`.
 *
 * Every request passes, in this order: the protected resource metadata (served without a token when OAuth is on),
 * authentication (401, see {@linkcode Authenticator}), the `Host` and `Origin` checks against DNS rebinding (403),
 * then routing: `GET /healthz`, the extra routes, and the MCP endpoint. On the MCP endpoint the JSON-RPC body
 * decides the scope needed (403 `insufficient_scope` without it); a session id that is unknown, or that another
 * principal opened, is refused with 404; an `initialize` past the session limits gets 429 or 503.
 *
 * @module
 */

import { logger } from "../log.ts";
import { isInitializeRequest } from "../sdk.ts";
import { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import type { ExecutorDaemon } from "./executor_daemon.ts";
import { checkHost, checkOrigin } from "./http_checks.ts";
import { EarlyCancels } from "./_early_cancels.ts";
import { cancelOnDisconnect, jsonRpcError, MAX_BODY_BYTES, readJson } from "./_json_rpc_http.ts";
import { DEFAULT_PRINCIPAL, type Principal } from "../principal.ts";
import type { AuthInfo, OAuthProtectedResourceMetadata } from "../sdk.ts";
import {
  type Authenticator,
  createAuthenticator,
  DEFAULT_TOKEN_SCOPES,
  missingScopes,
  openAuthenticator,
  refusalResponse,
  resourceMetadataResponse,
  resourceMetadataUrl,
  scopesForMcp,
} from "./auth/mod.ts";

const log = logger("daemon");

export { MAX_BODY_BYTES };

/** A handler for an extra route, e.g. `/metrics`; it gets the request's authenticated principal. */
export type RouteHandler = (
  request: Request,
  principal: Principal,
) => Response | Promise<Response>;

/** Default of {@linkcode HttpHandlerOptions.maxSessionsPerPrincipal}. */
export const DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 16;
/** Default of {@linkcode HttpHandlerOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 256;

/** Options for {@linkcode HttpHandler}. */
export interface HttpHandlerOptions {
  /**
   * Finds who sends each request (see `runtime/daemon/auth/`). Without it, `tokens` are accepted as the principal
   * `default` with every scope, and without either, every request is `default` with every scope (`--no-auth`).
   */
  authenticate?: Authenticator;
  /** Shorthand for an authenticator of these bearer tokens, all the principal `default` with every scope. */
  tokens?: readonly string[];
  /**
   * RFC 9728 metadata, served without a token at `/.well-known/oauth-protected-resource[/<path>]` and named in
   * every challenge's `resource_metadata`. Set it when OAuth tokens are accepted.
   */
  resourceMetadata?: OAuthProtectedResourceMetadata;
  /** The most MCP sessions one principal may hold open. Default 16 (`sessions.maxPerPrincipal`). */
  maxSessionsPerPrincipal?: number;
  /** The most MCP sessions open in all. Default 256 (`sessions.max`). */
  maxSessions?: number;
  /** `Host` values accepted besides the loopback names and the bound host (any port for loopback names). */
  allowedHosts?: readonly string[];
  /** Origins accepted besides `http://` loopback origins. A request without `Origin` is accepted. */
  allowedOrigins?: readonly string[];
  /** A session with no request for this long, and no running task, is closed. Default 30 minutes. */
  idleTimeoutMs?: number;
  /** The MCP endpoint's path. Default `/mcp`. */
  path?: string;
  /**
   * Extra routes, answered after authentication and the header checks; each checks its own scopes. A key is an
   * exact path (`"/metrics"`), or ends in `/` to take every path under it (`"/approvals/"` answers
   * `/approvals/abc`; the longest such key wins).
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
  /** The principal that opened it; only it may use the session. */
  owner: Principal;
  lastSeen: number;
  cancels: EarlyCancels;
}

/**
 * Serves an {@linkcode ExecutorDaemon} over Streamable HTTP, one daemon session per MCP session.
 *
 * @example
 * ```ts ignore
 * const handler = new HttpHandler(daemon, { authenticate: createAuthenticator({ tokens }) });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 8787 }, (req) => handler.handle(req));
 * ```
 */
export class HttpHandler {
  #daemon: ExecutorDaemon;
  #options: HttpHandlerOptions;
  #sessions = new Map<string, HttpSession>();
  #boundHost: string | undefined;
  #sweeper: number;
  #authenticate: Authenticator;
  #metadataUrl: string | undefined;

  /**
   * @param daemon The daemon whose sessions this serves.
   * @param options Authentication, allowed hosts and origins, limits, idle timeout, path and extra routes.
   */
  constructor(daemon: ExecutorDaemon, options: HttpHandlerOptions) {
    this.#daemon = daemon;
    this.#options = options;
    this.#authenticate = options.authenticate ?? (options.tokens?.length
      ? createAuthenticator({
        tokens: options.tokens.map((token) => ({
          principal: DEFAULT_PRINCIPAL,
          token,
          scopes: ["mcpx:execute", "mcpx:skills", "mcpx:approve", "mcpx:admin"],
        })),
      })
      : openAuthenticator());
    this.#metadataUrl = options.resourceMetadata === undefined
      ? undefined
      : resourceMetadataUrl(options.resourceMetadata.resource);
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
    if (this.#options.resourceMetadata !== undefined) {
      const metadata = resourceMetadataResponse(request, this.#options.resourceMetadata);
      if (metadata !== undefined) return metadata;
    }
    const page = this.#page(request);
    if (page !== undefined) {
      const refused = checkHost(request, this.#options.allowedHosts ?? [], this.#boundHost) ??
        checkOrigin(request, this.#options.allowedOrigins ?? []);
      if (refused === undefined) return await page();
    }
    const authentication = await this.#authenticate(request);
    if ("refused" in authentication) {
      const { refused } = authentication;
      // A 401 asks for the scopes an agent's session works with (running code and saving skills), so that a client
      // signs in once for both; approving and admin scopes are asked for by their own endpoints' 403.
      return refusalResponse(
        refused.status === 401 && refused.scopes === undefined
          ? { ...refused, scopes: DEFAULT_TOKEN_SCOPES }
          : refused,
        this.#metadataUrl,
      );
    }
    const { principal, authInfo } = authentication;
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
    const route = findRoute(this.#options.routes ?? {}, pathname);
    if (route !== undefined) return await route(request, principal);
    if (pathname !== (this.#options.path ?? "/mcp")) {
      return new Response("Not found\n", { status: 404 });
    }
    if (this.#daemon.closing) return jsonRpcError(503, -32000, "The daemon is shutting down");
    return await this.#mcp(request, principal, authInfo);
  }

  #page(request: Request): (() => Response | Promise<Response>) | undefined {
    const pages = this.#options.pages;
    if (pages === undefined || request.method !== "GET") return undefined;
    if (!(request.headers.get("accept") ?? "").includes("text/html")) return undefined;
    const { pathname } = new URL(request.url);
    return Object.hasOwn(pages, pathname) ? pages[pathname] : undefined;
  }

  async #mcp(request: Request, owner: Principal, authInfo: AuthInfo): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      if (session === undefined || session.owner.id !== owner.id) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastSeen = Date.now();
      if (request.method !== "POST") {
        const refused = this.#checkScopes(owner, ["mcpx:execute"]);
        if (refused !== undefined) return refused;
        return await session.transport.handleRequest(request, { authInfo });
      }
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const refused = this.#checkScopes(owner, scopesForMcp(body));
      if (refused !== undefined) return refused;
      const cancelled = session.cancels.check(body);
      if (cancelled !== undefined) {
        return jsonRpcError(
          200,
          -32800,
          "Request cancelled: the client cancelled it before it arrived",
          cancelled,
        );
      }
      const response = await session.transport.handleRequest(request, {
        parsedBody: body,
        authInfo,
      });
      return cancelOnDisconnect(response, body, session.transport);
    }
    if (request.method !== "POST") {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const refused = this.#checkScopes(owner, scopesForMcp(body));
    if (refused !== undefined) return refused;
    const initialize = Array.isArray(body)
      ? body.some(isInitializeRequest)
      : isInitializeRequest(body);
    if (!initialize) {
      return jsonRpcError(400, -32000, "Bad Request: No valid session ID provided");
    }
    const limited = this.#checkLimits(owner, body);
    if (limited !== undefined) return limited;
    return await this.#open(request, body, owner, authInfo);
  }

  /** A 403 `insufficient_scope` naming every scope the request needs, or `undefined` when all are held. */
  #checkScopes(principal: Principal, needed: readonly string[]): Response | undefined {
    const missing = missingScopes(principal.scopes, needed);
    if (missing.length === 0) return undefined;
    return refusalResponse({
      status: 403,
      error: "insufficient_scope",
      description: `This request needs the scope${missing.length === 1 ? "" : "s"} ${
        missing.join(" ")
      }`,
      scopes: needed,
    }, this.#metadataUrl);
  }

  /** The refusal of a new session past a limit: 429 for the principal's, 503 for the daemon's. */
  #checkLimits(owner: Principal, body: unknown): Response | undefined {
    const id = Array.isArray(body) ? null : (body as { id?: string | number }).id ?? null;
    const max = this.#options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (this.#sessions.size >= max) {
      log.warn("Session refused for {principal}: {count} sessions are open, the limit", {
        principal: owner.id,
        count: this.#sessions.size,
      });
      return jsonRpcError(
        503,
        -32000,
        `Cannot open a session: the daemon holds ${this.#sessions.size} sessions, its limit ` +
          `(sessions.max, ${max}); close one or raise sessions.max in mcp-executor.json`,
        id,
      );
    }
    const perPrincipal = this.#options.maxSessionsPerPrincipal ??
      DEFAULT_MAX_SESSIONS_PER_PRINCIPAL;
    let held = 0;
    for (const session of this.#sessions.values()) if (session.owner.id === owner.id) held++;
    if (held >= perPrincipal) {
      log.warn("Session refused for {principal}: {count} sessions are open, its limit", {
        principal: owner.id,
        count: held,
      });
      return jsonRpcError(
        429,
        -32000,
        `Cannot open a session: principal "${owner.id}" holds ${held} sessions, the limit ` +
          `(sessions.maxPerPrincipal, ${perPrincipal}); close one or raise sessions.maxPerPrincipal in ` +
          "mcp-executor.json",
        id,
      );
    }
    return undefined;
  }

  async #open(
    request: Request,
    body: unknown,
    owner: Principal,
    authInfo: AuthInfo,
  ): Promise<Response> {
    const id = crypto.randomUUID();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessionclosed: (closed) => void this.#closeSession(closed),
    });
    const server = this.#daemon.openSession(id, { principal: owner });
    this.#sessions.set(id, { transport, owner, lastSeen: Date.now(), cancels: new EarlyCancels() });
    transport.onclose = () => void this.#closeSession(id);
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody: body, authInfo });
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
        log.info("Session {id} of {principal} expired after {ms} ms idle", {
          id,
          principal: session.owner.id,
          ms: idleMs,
        });
        void this.#closeSession(id);
      }
    }
  }
}

/** The handler of a path: an exact key, else the longest key ending in `/` that the path starts with. */
function findRoute(
  routes: Record<string, RouteHandler>,
  pathname: string,
): RouteHandler | undefined {
  if (Object.hasOwn(routes, pathname)) return routes[pathname];
  let best: string | undefined;
  for (const key of Object.keys(routes)) {
    if (
      key.endsWith("/") && pathname.startsWith(key) &&
      (best === undefined || key.length > best.length)
    ) {
      best = key;
    }
  }
  return best === undefined ? undefined : routes[best];
}
