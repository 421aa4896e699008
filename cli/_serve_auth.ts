/**
 * How `mcpx serve --http` decides who may call it: static tokens (`MCPX_TOKEN`, the token file), OAuth
 * (`auth.issuer`), `--no-auth`, or else a generated token kept in the state folder.
 *
 * @module
 */

import {
  ALL_SCOPES,
  type Authenticator,
  createAuthenticator,
  DAEMON_DEFAULTS,
  type DaemonConfig,
  defaultStateDir,
  type GeneratedToken,
  generatedToken,
  introspectionVerifier,
  isLoopback,
  jwtVerifier,
  loadTokenFile,
  MIN_TOKEN_LENGTH,
  protectedResourceMetadata,
  resolveConfigPath,
  resourceMetadataUrl,
  type StaticToken,
} from "../runtime/daemon/mod.ts";
import { DEFAULT_PRINCIPAL } from "../runtime/principal.ts";
import {
  type AuthInfo,
  InvalidTokenError,
  type OAuthProtectedResourceMetadata,
  type OAuthTokenVerifier,
} from "../runtime/sdk.ts";

/** What the flags and the config decided. */
export interface ServeAuth {
  /** The authenticator; `undefined` with `--no-auth`. */
  authenticate?: Authenticator;
  /** The RFC 9728 metadata, with OAuth. */
  resourceMetadata?: OAuthProtectedResourceMetadata;
  /** The metadata's URL, for challenges. */
  resourceMetadataUrl?: string;
  /** The generated token, when one is used. */
  generated?: GeneratedToken;
  /** `--no-auth` was given. */
  noAuth: boolean;
}

/** The inputs of {@linkcode resolveServeAuth}. */
export interface ServeAuthInput {
  daemonConfig: DaemonConfig;
  host: string;
  port: number;
  noAuth: boolean;
  bearerTokenFile: string | undefined;
  stateDir: string | undefined;
}

/**
 * Decides the daemon's authentication.
 *
 * @param input The config, the address and the flags.
 * @returns The authenticator and what to print.
 * @throws {Error} When the settings contradict each other or the token file is invalid; the message says which.
 *
 * @example
 * ```ts ignore
 * const auth = await resolveServeAuth({
 *   daemonConfig: { auth: { issuer: "https://login.example.com" } },
 *   host: "127.0.0.1",
 *   port: 8787,
 *   noAuth: false,
 *   bearerTokenFile: undefined,
 *   stateDir: undefined,
 * });
 * ```
 */
export async function resolveServeAuth(input: ServeAuthInput): Promise<ServeAuth> {
  const { daemonConfig } = input;
  const http = daemonConfig.http ?? {};
  const tokenEnv = http.bearerTokenEnv ?? DAEMON_DEFAULTS.bearerTokenEnv;
  const tokens: StaticToken[] = [];
  const fromEnv = Deno.env.get(tokenEnv)?.trim();
  if (fromEnv) {
    if (fromEnv.length < MIN_TOKEN_LENGTH) {
      throw new Error(
        `Cannot use the token in ${tokenEnv}: it has ${fromEnv.length} characters; it needs at least ` +
          `${MIN_TOKEN_LENGTH}`,
      );
    }
    tokens.push({ principal: DEFAULT_PRINCIPAL, token: fromEnv, scopes: ALL_SCOPES });
  }
  if (input.bearerTokenFile !== undefined) {
    tokens.push(...await loadTokenFile(input.bearerTokenFile));
  }
  const auth = daemonConfig.auth;
  if (input.noAuth) {
    if (tokens.length > 0 || auth !== undefined) {
      throw new RangeError(
        `Cannot use --no-auth with ${
          auth === undefined ? `a token (${tokenEnv} or a token file)` : "auth.issuer"
        }: choose one`,
      );
    }
    if (!isLoopback(input.host)) {
      throw new Error(
        `Refusing --no-auth on ${input.host}: it is allowed on loopback only (127.0.0.1, ::1, localhost)`,
      );
    }
    return { noAuth: true };
  }
  if (auth === undefined) {
    if (tokens.length > 0) return { authenticate: createAuthenticator({ tokens }), noAuth: false };
    if (!isLoopback(input.host)) {
      throw new Error(
        `Refusing to listen on ${input.host}: beyond loopback the daemon needs a bearer token or OAuth. ` +
          `Set the token in the ${tokenEnv} environment variable, or list tokens in a file given with ` +
          "--token-file (or http.bearerTokenFile), or set auth.issuer in mcp-executor.json; never a token as a " +
          "flag value, which other users see in ps",
      );
    }
    const generated = await generatedToken(input.stateDir ?? defaultStateDir());
    return {
      authenticate: createAuthenticator({
        tokens: [{ principal: DEFAULT_PRINCIPAL, token: generated.token, scopes: ALL_SCOPES }],
      }),
      generated,
      noAuth: false,
    };
  }
  const publicUrl = (http.publicUrl ?? localUrl(input.host, input.port)).replace(/\/+$/, "");
  const resource = `${publicUrl}/mcp`;
  const audience = auth.audience ?? resource;
  const principalClaim = auth.principalClaim ?? DAEMON_DEFAULTS.principalClaim;
  const jwt = jwtVerifier({
    issuer: auth.issuer,
    audience,
    principalClaim,
    ...(auth.jwksUri === undefined ? {} : { jwksUri: auth.jwksUri }),
    ...(auth.algorithms === undefined ? {} : { algorithms: auth.algorithms }),
  });
  const introspection = auth.introspectionUrl === undefined ? undefined : introspectionVerifier({
    url: auth.introspectionUrl,
    issuer: auth.issuer,
    audience,
    principalClaim,
    ...(auth.introspectionClientId === undefined ? {} : {
      clientId: auth.introspectionClientId,
      clientSecret: Deno.env.get(
        auth.introspectionSecretEnv ?? DAEMON_DEFAULTS.introspectionSecretEnv,
      ) ?? "",
    }),
  });
  const resourceMetadata = protectedResourceMetadata({ resource, issuer: auth.issuer });
  return {
    authenticate: createAuthenticator({
      tokens,
      verifier: eitherVerifier(jwt, introspection),
      ...(auth.requiredScopes === undefined ? {} : { requiredScopes: auth.requiredScopes }),
    }),
    resourceMetadata,
    resourceMetadataUrl: resourceMetadataUrl(resource),
    noAuth: false,
  };
}

/**
 * The token file's path: `--token-file`, else `http.bearerTokenFile` relative to the config file.
 *
 * @param flag The flag's value.
 * @param daemonConfig The config.
 * @returns The path, or `undefined`.
 *
 * @example
 * ```ts ignore
 * bearerTokenFilePath(undefined, { path: "/srv/mcp-executor.json", http: { bearerTokenFile: "tokens.txt" } }); // "/srv/tokens.txt"
 * ```
 */
export function bearerTokenFilePath(
  flag: string | undefined,
  daemonConfig: DaemonConfig,
): string | undefined {
  const configured = daemonConfig.http?.bearerTokenFile;
  return flag ??
    (configured === undefined ? undefined : resolveConfigPath(daemonConfig, configured));
}

/** JWTs (three dot-separated parts) to the JWT verifier, other tokens to introspection when it is set. */
function eitherVerifier(
  jwt: OAuthTokenVerifier,
  introspection: OAuthTokenVerifier | undefined,
): OAuthTokenVerifier {
  return {
    verifyAccessToken(token: string): Promise<AuthInfo> {
      if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) return jwt.verifyAccessToken(token);
      if (introspection !== undefined) return introspection.verifyAccessToken(token);
      return Promise.reject(new InvalidTokenError("The token is not valid: it is not a JWT"));
    },
  };
}

function localUrl(host: string, port: number): string {
  if (port === 0) {
    throw new Error(
      "Cannot accept OAuth tokens on port 0: their audience is the daemon's URL; set http.publicUrl " +
        "or a fixed --port",
    );
  }
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
