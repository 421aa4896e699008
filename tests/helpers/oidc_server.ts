/**
 * A real OpenID provider for the daemon's sign-in tests: npm `oidc-provider` on a random loopback port, issuing
 * RS256 `at+jwt` access tokens for one resource (RFC 8707 resource indicators) through the client credentials
 * grant. Under Deno it prints an "Unsupported runtime" warning, which is expected.
 *
 * @module
 */

import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { freePort } from "./servers.ts";

/** A client of the provider: its id is the `sub` of its client credentials tokens. */
export interface OidcClient {
  /** The client id. */
  id: string;
  /** The scopes it may ask for. */
  scopes: readonly string[];
}

/** A running provider. */
export interface OidcServer extends AsyncDisposable {
  /** The issuer URL (`iss`). */
  issuer: string;
  /** The RFC 7662 endpoint and the client a resource server introspects as. */
  introspection: { url: string; clientId: string; clientSecret: string };
  /**
   * Gets an access token by the client credentials grant.
   *
   * @param clientId One of the clients.
   * @param options The resource to ask for (default: the server's) and the scopes (default: all the client's).
   * @returns The JWT access token.
   */
  token(
    clientId: string,
    options?: { resource?: string; scopes?: readonly string[] },
  ): Promise<string>;
}

/**
 * Starts `oidc-provider` on 127.0.0.1.
 *
 * @param options The resource tokens are issued for (the daemon's canonical URL), the clients, and the access
 *   token format (default `"jwt"`; `"opaque"` tokens can only be introspected).
 * @returns The provider; disposing stops it.
 */
export async function startOidcServer(
  options: {
    resource: string;
    clients: readonly OidcClient[];
    accessTokenFormat?: "jwt" | "opaque";
    /**
     * People sign in too: dynamic client registration and the authorization code flow with PKCE, through the
     * provider's development login pages (any login, any password; `tests/helpers/oidc_login.ts` fills them).
     * Default `false`: client credentials only.
     */
    interactive?: boolean;
  },
): Promise<OidcServer> {
  const port = freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signing = { ...await exportJWK(privateKey), kid: "test-key", alg: "RS256", use: "sig" };
  const allScopes = [...new Set(options.clients.flatMap((c) => c.scopes))];
  const secrets = new Map(options.clients.map((c) => [c.id, crypto.randomUUID()]));
  const introspector = { clientId: "mcp-executor", clientSecret: crypto.randomUUID() };
  const provider = new Provider(issuer, {
    clients: [
      ...options.clients.map((c) => ({
        client_id: c.id,
        client_secret: secrets.get(c.id)!,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        scope: c.scopes.join(" "),
      })),
      // The resource server's own client, for introspection only.
      {
        client_id: introspector.clientId,
        client_secret: introspector.clientSecret,
        grant_types: [],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys: [signing] },
    ...(options.interactive === true
      ? {
        pkce: { required: () => true },
        // The login typed on the development page is the account, and its `sub`.
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => ({ sub }),
        }),
      }
      : {}),
    ttl: { ClientCredentials: 600 },
    scopes: allScopes,
    features: {
      devInteractions: { enabled: options.interactive === true },
      registration: { enabled: options.interactive === true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // The resource server may introspect every token; other clients none.
        allowedPolicy: (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === introspector.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.resource,
        useGrantedResource: () => true,
        // Any resource asked for is served, so that a test can get a token for another audience.
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => ({
          scope: allScopes.join(" "),
          audience: resourceIndicator,
          ...(options.accessTokenFormat === "opaque"
            ? { accessTokenFormat: "opaque" }
            : { accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
        }),
      },
    },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    introspection: { url: `${issuer}/token/introspection`, ...introspector },
    async token(clientId, { resource = options.resource, scopes } = {}) {
      const client = options.clients.find((c) => c.id === clientId);
      if (client === undefined) throw new TypeError(`Cannot get a token: no client "${clientId}"`);
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${btoa(`${clientId}:${secrets.get(clientId)}`)}`,
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          resource,
          scope: (scopes ?? client.scopes).join(" "),
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        throw new Error(`Cannot get a token for "${clientId}": ${JSON.stringify(body)}`);
      }
      return body.access_token as string;
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
