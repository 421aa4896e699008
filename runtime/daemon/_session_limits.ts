/**
 * The session limits of the HTTP daemon (`sessions.max`, `sessions.maxPerPrincipal`) and the scope check of an MCP
 * request. Private to
 * `runtime/daemon/`.
 *
 * @module
 */

import { logger } from "../log.ts";
import type { Principal } from "../principal.ts";
import { jsonRpcError } from "./_json_rpc_http.ts";
import { missingScopes, refusalResponse } from "./auth/mod.ts";
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
} from "./http_handler_options.ts";

const log = logger("daemon");

/** The refusal of a new session past a limit: 429 for the principal's, 503 for the daemon's. */
export function checkLimits(
  sessions: ReadonlyMap<string, { owner: Principal }>,
  limits: { maxSessions?: number; maxSessionsPerPrincipal?: number },
  owner: Principal,
  body: unknown,
): Response | undefined {
  const id = Array.isArray(body) ? null : (body as { id?: string | number }).id ?? null;
  const max = limits.maxSessions ?? DEFAULT_MAX_SESSIONS;
  if (sessions.size >= max) {
    log.warn("Session refused for {principal}: {count} sessions are open, the limit", {
      principal: owner.id,
      count: sessions.size,
    });
    return jsonRpcError(
      503,
      -32000,
      `Cannot open a session: the daemon holds ${sessions.size} sessions, its limit ` +
        `(sessions.max, ${max}); close one or raise sessions.max in mcp-executor.json`,
      id,
    );
  }
  const perPrincipal = limits.maxSessionsPerPrincipal ??
    DEFAULT_MAX_SESSIONS_PER_PRINCIPAL;
  let held = 0;
  for (const session of sessions.values()) if (session.owner.id === owner.id) held++;
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

/** A 403 `insufficient_scope` naming every scope the request needs, or `undefined` when all are held. */
export function checkScopes(
  metadataUrl: string | undefined,
  principal: Principal,
  needed: readonly string[],
): Response | undefined {
  const missing = missingScopes(principal.scopes, needed);
  if (missing.length === 0) return undefined;
  return refusalResponse({
    status: 403,
    error: "insufficient_scope",
    description: `This request needs the scope${missing.length === 1 ? "" : "s"} ${
      missing.join(" ")
    }`,
    scopes: needed,
  }, metadataUrl);
}
