/**
 * Who is calling the daemon over HTTP: static bearer tokens (a token file, `MCPX_TOKEN`, or a generated token),
 * OAuth 2.1 access tokens checked as a resource server (JWT with the issuer's keys, or RFC 7662 introspection),
 * the RFC 9728 metadata that points clients at the authorization server, and the `mcpx:` scopes.
 *
 * @module
 */

export {
  type Authenticated,
  type Authentication,
  type Authenticator,
  type AuthenticatorOptions,
  type AuthRefusal,
  challenge,
  createAuthenticator,
  openAuthenticator,
  refusalResponse,
  requireScopes,
} from "./authenticator.ts";
export {
  claudeAddCommand,
  defaultStateDir,
  GENERATED_TOKEN_FILE,
  type GeneratedToken,
  generatedToken,
  STATE_DIR_ENV,
} from "./generated_token.ts";
export { type IntrospectionOptions, introspectionVerifier } from "./introspection.ts";
export { discoverIssuer, type IssuerMetadata, issuerMetadataUrls } from "./issuer_metadata.ts";
export {
  DEFAULT_ALGORITHMS,
  jwtVerifier,
  type JwtVerifierOptions,
  oauthPrincipalId,
} from "./jwt_verifier.ts";
export {
  protectedResourceMetadata,
  type ResourceMetadataOptions,
  resourceMetadataPaths,
  resourceMetadataResponse,
  resourceMetadataUrl,
} from "./resource_metadata.ts";
export {
  ALL_SCOPES,
  DEFAULT_TOKEN_SCOPES,
  missingScopes,
  parseScopeClaim,
  SCOPE_ADMIN,
  SCOPE_APPROVE,
  SCOPE_EXECUTE,
  SCOPE_SKILLS,
  scopesForMcp,
} from "./scopes.ts";
export {
  loadTokenFile,
  MIN_TOKEN_LENGTH,
  parseTokenFile,
  type StaticToken,
  staticTokenLookup,
} from "./static_tokens.ts";
