/**
 * {@linkcode introspectionVerifier}: checks opaque access tokens by asking the authorization server (RFC 7662
 * token introspection), authenticated as a client with HTTP Basic. A token is accepted when it is `active`, names
 * this issuer (when it names one) and this audience, and has an `exp` in the future. Without `sub` (RFC 7662 makes
 * it optional; client credentials tokens often lack it) the principal is named by `client_id`.
 *
 * @module
 */

import { type AuthInfo, InvalidTokenError, type OAuthTokenVerifier } from "../../sdk.ts";
import { oauthPrincipalId } from "./jwt_verifier.ts";
import { parseScopeClaim } from "./scopes.ts";

/** Options for {@linkcode introspectionVerifier}. */
export interface IntrospectionOptions {
  /** The introspection endpoint. */
  url: string;
  /** The issuer tokens must come from. */
  issuer: string;
  /** The audience tokens must name: the daemon's canonical resource URL. */
  audience: string;
  /** The client id the daemon introspects as. */
  clientId?: string;
  /** That client's secret. */
  clientSecret?: string;
  /** The claim naming the principal. Default `sub`. */
  principalClaim?: string;
  /** How long one introspection call may take, in ms. Default 10 000. */
  timeoutMs?: number;
}

/**
 * Makes a verifier that introspects each token.
 *
 * @param options The endpoint, the expected issuer and audience, and the daemon's client credentials.
 * @returns An SDK verifier; it throws `InvalidTokenError` for an inactive or foreign token, and plain errors when
 *   the endpoint does not answer.
 *
 * @example
 * ```ts ignore
 * const verifier = introspectionVerifier({
 *   url: "https://id.example/token/introspection",
 *   issuer: "https://id.example",
 *   audience: "https://mcp.example/mcp",
 *   clientId: "mcp-executor",
 *   clientSecret: Deno.env.get("MCPX_INTROSPECTION_SECRET"),
 * });
 * ```
 */
export function introspectionVerifier(options: IntrospectionOptions): OAuthTokenVerifier {
  const claim = options.principalClaim ?? "sub";
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (options.clientId !== undefined) {
    const pair = `${formEncode(options.clientId)}:${formEncode(options.clientSecret ?? "")}`;
    headers.authorization = `Basic ${btoa(pair)}`;
  }
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const response = await fetch(options.url, {
        method: "POST",
        headers,
        body: new URLSearchParams({ token, token_type_hint: "access_token" }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`Cannot introspect a token at ${options.url}: HTTP ${response.status}`);
      }
      const result = await response.json() as Record<string, unknown>;
      if (result.active !== true) throw new InvalidTokenError("The token is not active");
      if (result.iss !== undefined && result.iss !== options.issuer) {
        throw new InvalidTokenError('The token is not valid: claim "iss" is not accepted');
      }
      const audiences = typeof result.aud === "string"
        ? [result.aud]
        : Array.isArray(result.aud)
        ? result.aud
        : [];
      if (!audiences.includes(options.audience)) {
        throw new InvalidTokenError('The token is not valid: claim "aud" is not accepted');
      }
      if (typeof result.exp !== "number") {
        throw new InvalidTokenError('The token is not valid: claim "exp" is missing');
      }
      if (result.exp * 1000 <= Date.now()) throw new InvalidTokenError("The token has expired");
      // RFC 7662 makes `sub` optional; a client credentials token acts for its client, so its id names it.
      const subject = result[claim] ?? (claim === "sub" ? result.client_id : undefined);
      if (typeof subject !== "string" || subject === "") {
        throw new InvalidTokenError(`The token is not valid: it has no "${claim}" claim`);
      }
      return {
        token,
        clientId: typeof result.client_id === "string" ? result.client_id : subject,
        scopes: parseScopeClaim(result.scope),
        expiresAt: result.exp,
        resource: new URL(options.audience),
        extra: { principal: oauthPrincipalId(options.issuer, subject), subject },
      };
    },
  };
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic. */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, "+");
}
