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

import { hostname as osHostname } from "node:os";
import { logger } from "../log.ts";
import { isInitializeRequest } from "../sdk.ts";
import { WebStandardStreamableHTTPServerTransport } from "../sdk.ts";
import type { ExecutorDaemon } from "./executor_daemon.ts";
import { checkHost, checkOrigin } from "./http_checks.ts";
import { EarlyCancels } from "./_early_cancels.ts";
import { findRoute } from "./_routes.ts";
import { StoreGate } from "./_store_gate.ts";
import { hearCancels } from "./_cancel_relay.ts";
import { checkLimits, checkScopes } from "./_session_limits.ts";
import { isHeld, Takeovers } from "./_takeovers.ts";
import { answerHeld } from "./_forward.ts";
import { requestIds } from "./_transport_streams.ts";
import type { HttpHandlerOptions } from "./http_handler_options.ts";
import { cancelOnDisconnect, jsonRpcError, MAX_BODY_BYTES, readJson } from "./_json_rpc_http.ts";
import { DEFAULT_PRINCIPAL, type Principal } from "../principal.ts";
import type { AuthInfo } from "../sdk.ts";
import {
  ALL_SCOPES,
  type Authenticator,
  createAuthenticator,
  DEFAULT_TOKEN_SCOPES,
  openAuthenticator,
  refusalResponse,
  resourceMetadataResponse,
  resourceMetadataUrl,
  scopesForMcp,
} from "./auth/mod.ts";

const log = logger("daemon");

export { MAX_BODY_BYTES };

export {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
  type HttpHandlerOptions,
  type RouteHandler,
} from "./http_handler_options.ts";

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
  #takeovers: Takeovers<HttpSession> | undefined;
  #gate: StoreGate | undefined;
  /** Sessions whose `initialize` is being answered: their shared record is written once it has been. */
  #opening = new Set<string>();
  #unlisten: Promise<(() => Promise<void>) | undefined>;

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
          scopes: ALL_SCOPES,
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
    const leases = options.leases;
    this.#gate = leases &&
      new StoreGate(async (o) => (await leases.health(o)) ?? { engine: "postgres", ok: true });
    // Cancellations other replicas received for sessions held here (see _cancel_relay.ts).
    this.#unlisten = hearCancels(leases?.cancels, {
      find: (id) => this.#sessions.get(id),
      end: (id) => void this.#closeSession(id),
      held: () => [...this.#sessions.keys()],
      busy: () => [...this.#sessions.keys()].filter((id) => this.#daemon.activeTasks(id) > 0),
    }, options.cancelPollMs === undefined ? {} : { pollMs: options.cancelPollMs });
    // A session still being opened has no record yet: renewing it would find none and drop it as lost.
    options.leases?.start(
      () => [...this.#sessions.keys()].filter((id) => !this.#opening.has(id)),
      (lost) => {
        for (const id of lost) void this.#closeSession(id, false);
      },
    );
    this.#takeovers = leases && new Takeovers<HttpSession>(leases, {
      start: (id, owner) => this.#start(id, owner),
      abandon: async (id, session) => {
        await this.#daemon.closeSession(id);
        await session.transport.close().catch(() => {});
      },
      keep: (id, session) => void this.#sessions.set(id, session),
    });
  }

  /** How many MCP sessions are open over HTTP. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Tells the handler the address it listens on, so that `Host: <that address>` is accepted; with leases and no
   * `state.advertiseUrl`, that address (this machine's name for a wildcard bind) is where other replicas forward
   * requests for the sessions held here.
   *
   * @param hostname The bound host name or address.
   * @param port The bound port.
   */
  listening(hostname: string, port?: number): void {
    this.#boundHost = hostname;
    if (port === undefined) return;
    const name = hostname === "0.0.0.0" || hostname === "::" ? osHostname() : hostname;
    this.#options.leases?.listening(`http://${name.includes(":") ? `[${name}]` : name}:${port}`);
  }

  /** `allowedHosts`, and the host other replicas forward to (this replica's advertised address). */
  #hosts(): readonly string[] {
    const advertised = this.#options.leases?.url;
    const hosts = this.#options.allowedHosts ?? [];
    return advertised === undefined ? hosts : [...hosts, new URL(advertised).host];
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
    await (await this.#unlisten)?.().catch(() => {});
    await this.handOver();
    const ids = [...this.#sessions.keys()];
    await Promise.all(ids.map((id) => this.#closeSession(id, false)));
  }

  /**
   * With {@linkcode HttpHandlerOptions.leases}: ends this replica's leases now, so that other replicas take its
   * sessions at their next request while running calls finish here. Without, does nothing.
   *
   * @returns Resolves once the store has the leases ended.
   */
  async handOver(): Promise<void> {
    await this.#options.leases?.handOver();
  }

  async #handle(request: Request): Promise<Response> {
    if (this.#options.resourceMetadata !== undefined) {
      const metadata = resourceMetadataResponse(request, this.#options.resourceMetadata);
      if (metadata !== undefined) return metadata;
    }
    const page = this.#page(request);
    if (page !== undefined) {
      const refused = checkHost(request, this.#hosts(), this.#boundHost) ??
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
    const refused = checkHost(request, this.#hosts(), this.#boundHost) ??
      checkOrigin(request, this.#options.allowedOrigins ?? []);
    if (refused !== undefined) {
      return new Response(JSON.stringify({ error: `Forbidden: ${refused}` }), {
        status: 403,
        headers: { "content-type": "application/json" },
      });
    }
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz" && request.method === "GET") {
      const health = this.#daemon.health();
      const leases = this.#options.leases;
      const store = await this.#gate?.health();
      // The store down degrades the replica (new tasks are refused) without taking it out of the balancer.
      if (store?.ok === false && health.status === "ok") health.status = "degraded";
      return Response.json(
        leases === undefined ? health : { ...health, replica: leases.replica, store },
        { status: health.status === "stopping" ? 503 : 200 },
      );
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
      const find = (resuming: boolean) =>
        this.#takeovers?.get(sessionId, owner, { url: request.url, authInfo, resuming });
      let session = this.#sessions.get(sessionId) ?? await find(false);
      if (isHeld(session)) {
        // Held by another live replica: forwarded there, else a cancel relayed through the store, else 503.
        session = await answerHeld(request, session, {
          leases: this.#options.leases!,
          retake: () => find(true),
          mayCancel: checkScopes(this.#metadataUrl, owner, ["mcpx:execute"]) === undefined,
        });
      }
      if (session instanceof Response) return session;
      if (session === undefined || session.owner.id !== owner.id) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastSeen = Date.now();
      if (request.method !== "POST") {
        const refused = checkScopes(this.#metadataUrl, owner, ["mcpx:execute"]);
        if (refused !== undefined) return refused;
        return await session.transport.handleRequest(request, { authInfo });
      }
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const refused = checkScopes(this.#metadataUrl, owner, scopesForMcp(body));
      if (refused !== undefined) return refused;
      const unreachable = await this.#gate?.refusal(body);
      if (unreachable !== undefined) return unreachable;
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
    const refused = checkScopes(this.#metadataUrl, owner, scopesForMcp(body));
    if (refused !== undefined) return refused;
    const initialize = Array.isArray(body)
      ? body.some(isInitializeRequest)
      : isInitializeRequest(body);
    if (!initialize) {
      return jsonRpcError(400, -32000, "Bad Request: No valid session ID provided");
    }
    const limited = checkLimits(this.#sessions, this.#options, owner, body);
    if (limited !== undefined) return limited;
    return await this.#open(request, body, owner, authInfo);
  }

  async #open(
    request: Request,
    body: unknown,
    owner: Principal,
    authInfo: AuthInfo,
  ): Promise<Response> {
    const id = crypto.randomUUID();
    const session = await this.#start(id, owner);
    const { transport } = session;
    this.#opening.add(id);
    this.#sessions.set(id, session);
    try {
      const response = await transport.handleRequest(request, { parsedBody: body, authInfo });
      if (!response.ok) await this.#closeSession(id);
      else await this.#options.leases?.opened(id, owner, body);
      return response;
    } catch (error) {
      await this.#closeSession(id);
      if (!(error instanceof Error) || !error.message.startsWith("Cannot record")) throw error;
      return jsonRpcError(
        503,
        -32000,
        `Cannot open a session: the state store failed: ${error.message}`,
      );
    } finally {
      this.#opening.delete(id);
    }
  }

  /** A fresh transport and daemon session under `id`, connected and kept. */
  async #start(id: string, owner: Principal): Promise<HttpSession> {
    const eventStore = this.#options.leases?.eventStore(
      id,
      (stream) => requestIds(transport, stream),
    );
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => id,
        onsessionclosed: (closed) => void this.#closeSession(closed),
        ...(eventStore === undefined ? {} : { eventStore }),
      });
    const server = this.#daemon.openSession(id, { principal: owner });
    transport.onclose = () => void this.#closeSession(id, false);
    try {
      await server.connect(transport);
    } catch (error) {
      await this.#daemon.closeSession(id);
      throw error;
    }
    return { transport, owner, lastSeen: Date.now(), cancels: new EarlyCancels() };
  }

  /** Closes a session here; `ended` (a `DELETE`, idle expiry) also forgets its shared record. */
  async #closeSession(id: string, ended = true): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    if (ended) await this.#options.leases?.ended(id);
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
