/**
 * The options of `HttpHandler`: authentication, header checks, session limits, routes, pages and, for
 * several replicas, the session leases.
 *
 * @module
 */

import type { Principal } from "../principal.ts";
import type { OAuthProtectedResourceMetadata } from "../sdk.ts";
import type { Authenticator } from "./auth/mod.ts";
import type { SessionLeases } from "./session_leases.ts";

/** A handler for an extra route, e.g. `/metrics`; it gets the request's authenticated principal. */
export type RouteHandler = (
  request: Request,
  principal: Principal,
) => Response | Promise<Response>;

/** Default of {@linkcode HttpHandlerOptions.maxSessionsPerPrincipal}. */
export const DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 16;
/** Default of {@linkcode HttpHandlerOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 256;

/** Options for `HttpHandler`. */
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
  /**
   * Several replicas: each session is recorded with this replica's lease and address, a request for a session
   * another live replica holds is forwarded to it, and one whose holder's lease lapsed is taken over (see
   * {@linkcode SessionLeases}). Without it, one replica.
   */
  leases?: SessionLeases;
  /**
   * With `leases`: how often the stored cancellations of the sessions held here with a task running are looked at
   * (they are also heard at once over the store's notices, which a lost connection can miss). Default 1000 ms.
   */
  cancelPollMs?: number;
}
