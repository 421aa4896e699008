/**
 * {@linkcode jwtVerifier}: checks JWT access tokens (RFC 9068) with `jose` against the issuer's published keys:
 * signature with pinned algorithms, issuer, audience (the daemon's canonical resource URL, RFC 8707) and a
 * required `exp`. Keys come from the issuer's JWKS, found through its metadata when no `jwksUri` is given, cached
 * and fetched again when a token names a key id not seen yet (key rotation).
 *
 * @module
 */

import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { type AuthInfo, InvalidTokenError, type OAuthTokenVerifier } from "../../sdk.ts";
import { discoverIssuer } from "./issuer_metadata.ts";
import { parseScopeClaim } from "./scopes.ts";

/** The signing algorithms accepted unless `algorithms` says otherwise. */
export const DEFAULT_ALGORITHMS: readonly string[] = ["RS256", "PS256", "ES256", "EdDSA"];

/** Options for {@linkcode jwtVerifier}. */
export interface JwtVerifierOptions {
  /** The issuer (`iss`) tokens must name. */
  issuer: string;
  /** The audience (`aud`) tokens must name: the daemon's canonical resource URL. */
  audience: string;
  /** The JWKS URL. Default: `jwks_uri` of the issuer's metadata. */
  jwksUri?: string;
  /** The accepted algorithms. Default {@linkcode DEFAULT_ALGORITHMS}. */
  algorithms?: readonly string[];
  /** The claim naming the principal. Default `sub`. */
  principalClaim?: string;
  /** How long after one JWKS fetch another may happen, in ms (jose's cooldown). Default 30 000. */
  jwksCooldownMs?: number;
}

/**
 * The principal id of an OAuth token: the issuer, `#`, and the principal claim, e.g.
 * `https://login.example.com#alice`.
 *
 * @param issuer The token's issuer.
 * @param subject The principal claim's value.
 * @returns The id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oauthPrincipalId } from "./jwt_verifier.ts";
 * assert.equal(oauthPrincipalId("https://id.example", "alice"), "https://id.example#alice");
 * ```
 */
export function oauthPrincipalId(issuer: string, subject: string): string {
  return `${issuer}#${subject}`;
}

/**
 * Makes a verifier of JWT access tokens.
 *
 * @param options The issuer, audience, keys and algorithms.
 * @returns An SDK verifier; it throws `InvalidTokenError` for any token it does not accept, and plain errors when
 *   the keys cannot be fetched.
 *
 * @example
 * ```ts ignore
 * const verifier = jwtVerifier({ issuer: "https://id.example", audience: "https://mcp.example/mcp" });
 * const info = await verifier.verifyAccessToken(token);
 * ```
 */
export function jwtVerifier(options: JwtVerifierOptions): OAuthTokenVerifier {
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const claim = options.principalClaim ?? "sub";
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    keys ??= (async () => {
      const uri = options.jwksUri ?? (await discoverIssuer(options.issuer)).jwks_uri;
      if (uri === undefined) {
        throw new Error(`Cannot verify tokens of ${options.issuer}: its metadata has no jwks_uri`);
      }
      return createRemoteJWKSet(new URL(uri), {
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
      });
    })();
    // A failed discovery is tried again at the next token.
    keys.catch(() => keys = undefined);
    return keys;
  };
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const jwks = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
          throw error;
        }
        throw new InvalidTokenError(`The token is not valid: ${describe(error)}`);
      }
      const subject = payload[claim];
      if (typeof subject !== "string" || subject === "") {
        throw new InvalidTokenError(`The token is not valid: it has no "${claim}" claim`);
      }
      const clientId = payload.client_id ?? payload.azp ?? subject;
      return {
        token,
        clientId: typeof clientId === "string" ? clientId : subject,
        scopes: parseScopeClaim(payload.scope ?? payload.scp),
        expiresAt: payload.exp!,
        resource: new URL(options.audience),
        extra: { principal: oauthPrincipalId(options.issuer, subject), subject },
      };
    },
  };
}

function describe(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return "it has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `claim "${error.claim}" ${
      error.reason === "missing" ? "is missing" : "is not accepted"
    }`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "its algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer matches it";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "its signature does not match";
  return "it is not a well-formed signed JWT";
}
