/**
 * {@linkcode Authenticator}: who is calling, from a request's `Authorization: Bearer` header, independent of HTTP
 * routing. {@linkcode createAuthenticator} accepts static tokens and, when given, OAuth access tokens through an
 * SDK {@linkcode OAuthTokenVerifier}; {@linkcode openAuthenticator} lets everyone in (`--no-auth`).
 *
 * @module
 */

import { logger } from "../../log.ts";
import { DEFAULT_PRINCIPAL, type Principal, validatePrincipalId } from "../../principal.ts";
import {
  type AuthInfo,
  InsufficientScopeError,
  InvalidTokenError,
  type OAuthTokenVerifier,
} from "../../sdk.ts";
import { ALL_SCOPES } from "./scopes.ts";
import { type StaticToken, staticTokenLookup } from "./static_tokens.ts";

const log = logger("daemon");

/** A request whose caller is known. */
export interface Authenticated {
  /** Who is calling. */
  principal: Principal;
  /** The token's details, handed to the MCP transport (`extra.authInfo` in tool handlers). */
  authInfo: AuthInfo;
}

/** Why a request is refused: a 401 without a valid token, 403 without a scope, 503 when no check was possible. */
export interface AuthRefusal {
  /** The HTTP status. */
  status: 401 | 403 | 503;
  /** The OAuth error code (RFC 6750), absent when no token was sent at all. */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope" | "temporarily_unavailable";
  /** What was wrong, for people. */
  description: string;
  /** The scopes the request needs, for the challenge's `scope` parameter. */
  scopes?: readonly string[];
}

/** The outcome of {@linkcode Authenticator}: the caller, or why not. */
export type Authentication = Authenticated | { refused: AuthRefusal };

/** Finds who sent a request. Never rejects: a failure is a refusal. */
export type Authenticator = (request: Request) => Promise<Authentication>;

/** Options for {@linkcode createAuthenticator}. */
export interface AuthenticatorOptions {
  /** Static tokens, compared in constant time; checked before the verifier. */
  tokens?: readonly StaticToken[];
  /**
   * Verifies other tokens (JWT or introspection). The `AuthInfo` it returns names the principal in
   * `extra.principal` (else `clientId` is used) and throws the SDK's `InvalidTokenError` or
   * `InsufficientScopeError` to refuse.
   */
  verifier?: OAuthTokenVerifier;
  /** Scopes every token of the verifier must hold (403 `insufficient_scope` without them). Default none. */
  requiredScopes?: readonly string[];
}

/**
 * Makes an authenticator from static tokens and an optional OAuth verifier.
 *
 * @param options The tokens and the verifier.
 * @returns The authenticator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAuthenticator } from "./authenticator.ts";
 * const token = "s".repeat(32);
 * const authenticate = createAuthenticator({
 *   tokens: [{ principal: "ci", token, scopes: ["mcpx:execute"] }],
 * });
 * const ask = (authorization?: string) =>
 *   authenticate(new Request("http://127.0.0.1/mcp", { headers: authorization ? { authorization } : {} }));
 * const ok = await ask(`Bearer ${token}`);
 * assert.ok("principal" in ok && ok.principal.id === "ci");
 * const none = await ask();
 * assert.ok("refused" in none && none.refused.status === 401 && none.refused.error === undefined);
 * const wrong = await ask(`Bearer ${"x".repeat(32)}`);
 * assert.ok("refused" in wrong && wrong.refused.error === "invalid_token");
 * ```
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const lookup = staticTokenLookup(options.tokens ?? []);
  const verifier = options.verifier;
  return async (request) => {
    const header = request.headers.get("authorization");
    if (header === null) {
      return refuse(401, undefined, "A bearer token is required");
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (match === null) {
      return refuse(401, "invalid_request", 'Expected "Authorization: Bearer <token>"');
    }
    const token = match[1]!;
    const found = await lookup(token);
    if (found !== undefined) {
      const scopes = [...found.scopes];
      return {
        principal: { id: found.principal, scopes },
        authInfo: {
          token,
          clientId: found.principal,
          scopes,
          extra: { principal: found.principal },
        },
      };
    }
    if (verifier === undefined) return refuse(401, "invalid_token", "The token is not valid");
    let authInfo: AuthInfo;
    try {
      authInfo = await verifier.verifyAccessToken(token);
    } catch (error) {
      if (error instanceof InsufficientScopeError) {
        return refuse(403, "insufficient_scope", error.message);
      }
      if (error instanceof InvalidTokenError) return refuse(401, "invalid_token", error.message);
      log.warn("Cannot verify an access token: {error}", { error: String(error) });
      return refuse(
        503,
        "temporarily_unavailable",
        "Cannot verify the token now: the authorization server did not answer",
      );
    }
    const named = authInfo.extra?.principal ?? authInfo.clientId;
    let id: string;
    try {
      id = validatePrincipalId(named);
    } catch (error) {
      return refuse(401, "invalid_token", (error as Error).message);
    }
    const required = options.requiredScopes ?? [];
    const lacking = required.filter((scope) => !authInfo.scopes.includes(scope));
    if (lacking.length > 0) {
      return {
        refused: {
          status: 403,
          error: "insufficient_scope",
          description: `The token lacks the scope${lacking.length === 1 ? "" : "s"} ${
            lacking.join(" ")
          }`,
          scopes: required,
        },
      };
    }
    return { principal: { id, scopes: [...authInfo.scopes] }, authInfo };
  };
}

/**
 * The authenticator of `--no-auth`: every request is {@linkcode DEFAULT_PRINCIPAL} with every scope.
 *
 * @returns The authenticator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAuthenticator } from "./authenticator.ts";
 * const result = await openAuthenticator()(new Request("http://127.0.0.1/mcp"));
 * assert.ok("principal" in result && result.principal.id === "default");
 * ```
 */
export function openAuthenticator(): Authenticator {
  const scopes = [...ALL_SCOPES];
  return () =>
    Promise.resolve({
      principal: { id: DEFAULT_PRINCIPAL, scopes },
      authInfo: { token: "", clientId: DEFAULT_PRINCIPAL, scopes },
    });
}

/**
 * The `WWW-Authenticate` value of a refusal (RFC 6750, with RFC 9728's `resource_metadata`).
 *
 * @param refusal The refusal.
 * @param resourceMetadataUrl The protected resource metadata's URL, when the daemon has one (OAuth).
 * @returns The header's value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { challenge } from "./authenticator.ts";
 * assert.equal(
 *   challenge({ status: 403, error: "insufficient_scope", description: "no", scopes: ["mcpx:admin"] }),
 *   'Bearer realm="mcp-executor", error="insufficient_scope", error_description="no", scope="mcpx:admin"',
 * );
 * ```
 */
export function challenge(refusal: AuthRefusal, resourceMetadataUrl?: string): string {
  const params = [`realm="mcp-executor"`];
  if (resourceMetadataUrl !== undefined) params.push(`resource_metadata="${resourceMetadataUrl}"`);
  if (refusal.error !== undefined && refusal.error !== "temporarily_unavailable") {
    params.push(`error="${refusal.error}"`, `error_description="${quoted(refusal.description)}"`);
  }
  if (refusal.scopes !== undefined && refusal.scopes.length > 0) {
    params.push(`scope="${refusal.scopes.join(" ")}"`);
  }
  return `Bearer ${params.join(", ")}`;
}

/**
 * The HTTP response of a refusal: its status, the `WWW-Authenticate` challenge and a JSON body with `error` and
 * `error_description`.
 *
 * @param refusal The refusal.
 * @param resourceMetadataUrl The protected resource metadata's URL, when the daemon has one (OAuth).
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refusalResponse } from "./authenticator.ts";
 * const response = refusalResponse({ status: 401, description: "A bearer token is required" });
 * assert.equal(response.status, 401);
 * assert.match(response.headers.get("www-authenticate")!, /^Bearer /);
 * assert.equal((await response.json()).error, "unauthorized");
 * ```
 */
export function refusalResponse(refusal: AuthRefusal, resourceMetadataUrl?: string): Response {
  return new Response(
    JSON.stringify({
      error: refusal.error ?? "unauthorized",
      error_description: refusal.description,
    }),
    {
      status: refusal.status,
      headers: {
        "content-type": "application/json",
        "www-authenticate": challenge(refusal, resourceMetadataUrl),
      },
    },
  );
}

/**
 * A route handler's check that its caller holds some scopes.
 *
 * @param principal The caller.
 * @param scopes The scopes the route needs.
 * @param resourceMetadataUrl The protected resource metadata's URL, when the daemon has one.
 * @returns A 403 `insufficient_scope` response naming `scopes`, or `undefined` when the caller holds them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireScopes } from "./authenticator.ts";
 * assert.equal(requireScopes({ id: "ops", scopes: ["mcpx:admin"] }, ["mcpx:admin"]), undefined);
 * const refused = requireScopes({ id: "ci", scopes: ["mcpx:execute"] }, ["mcpx:admin"]);
 * assert.equal(refused?.status, 403);
 * assert.match(refused!.headers.get("www-authenticate")!, /scope="mcpx:admin"/);
 * ```
 */
export function requireScopes(
  principal: Principal,
  scopes: readonly string[],
  resourceMetadataUrl?: string,
): Response | undefined {
  if (scopes.every((scope) => principal.scopes.includes(scope))) return undefined;
  return refusalResponse({
    status: 403,
    error: "insufficient_scope",
    description: `This needs the scope${scopes.length === 1 ? "" : "s"} ${scopes.join(" ")}`,
    scopes,
  }, resourceMetadataUrl);
}

function refuse(
  status: AuthRefusal["status"],
  error: AuthRefusal["error"],
  description: string,
): Authentication {
  return {
    refused: error === undefined ? { status, description } : { status, error, description },
  };
}

function quoted(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, " ");
}
