/**
 * A protected MCP server for sign-in tests: an SDK `McpServer` over Streamable HTTP behind bearer tokens, with its
 * own small OAuth 2.1 authorization server on the same origin (RFC 9728 and RFC 8414 metadata, dynamic client
 * registration, authorization code with PKCE approved at once, refresh tokens). A sign-in signs in as the account
 * the browser names (`login_hint`, see {@linkcode actAsBrowser}), else the server's default account; `whoami` answers
 * the account of the access token it was called with. Every token it issues is recorded with its account, and
 * every MCP request with the token it carried, so that a test can search logs and results for them and check who
 * acted.
 *
 * @module
 */

import { z } from "zod";
import { McpServer, WebStandardStreamableHTTPServerTransport } from "../../runtime/sdk.ts";

/** Options for {@linkcode startOAuthServer}. */
export interface OAuthServerOptions {
  /** The account a sign-in signs in as when the browser names none; `whoami` returns the caller's account. */
  account: string;
  /** Access token lifetime in seconds. Default 3600. */
  accessTtlSeconds?: number;
}

/** A running protected server. */
export interface OAuthServer extends AsyncDisposable {
  /** The MCP endpoint. */
  url: string;
  /** Every access token, refresh token and client secret issued so far. */
  secrets: string[];
  /** Refreshes served. */
  refreshes: number;
  /** Authorization codes exchanged (sign-ins). */
  signIns: number;
  /** Makes every access token issued so far invalid (the server answers 401). */
  revokeAccessTokens(): void;
  /** Makes the refresh token grant fail with `invalid_grant` from now on. */
  refuseRefresh(): void;
  /** Whether a bearer token is a valid access token of this server (for another resource server in front). */
  accepts(token: string): boolean;
  /** The account an access or refresh token was issued to. */
  accountOf(token: string): string | undefined;
  /** Every authorized MCP request: the access token it carried and that token's account. */
  requests: { token: string; account: string }[];
  /** Every bearer token any request to the MCP endpoint carried, valid or not. */
  bearers: string[];
}

function randomToken(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().replaceAll("-", "")}`;
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Starts a protected MCP server with its authorization server on a free loopback port.
 *
 * @param options The account and token lifetime.
 * @returns The server; dispose it to stop it.
 */
export function startOAuthServer(options: OAuthServerOptions): OAuthServer {
  const ttl = options.accessTtlSeconds ?? 3600;
  const access = new Map<string, number>(); // token -> expiry (ms)
  const refresh = new Set<string>();
  const accounts = new Map<string, string>(); // access or refresh token -> account
  const codes = new Map<string, { challenge: string; redirectUri: string; account: string }>();
  const clients = new Map<string, { secret: string; redirectUris: string[] }>();
  let refuse = false;
  const state: OAuthServer = {
    url: "",
    secrets: [],
    refreshes: 0,
    signIns: 0,
    revokeAccessTokens: () => access.clear(),
    refuseRefresh: () => {
      refuse = true;
    },
    accepts: (token) => (access.get(token) ?? 0) > Date.now(),
    accountOf: (token) => accounts.get(token),
    requests: [],
    bearers: [],
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  const issue = (account: string) => {
    const accessToken = randomToken("at");
    const refreshToken = randomToken("rt");
    access.set(accessToken, Date.now() + ttl * 1000);
    refresh.add(refreshToken);
    accounts.set(accessToken, account);
    accounts.set(refreshToken, account);
    state.secrets.push(accessToken, refreshToken);
    return Response.json({
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: ttl,
      refresh_token: refreshToken,
    });
  };
  const oauthError = (error: string) => Response.json({ error }, { status: 400 });

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const base = url.origin;
    switch (url.pathname) {
      case "/.well-known/oauth-protected-resource/mcp":
        return Response.json({ resource: `${base}/mcp`, authorization_servers: [base] });
      case "/.well-known/oauth-authorization-server":
        return Response.json({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          registration_endpoint: `${base}/register`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_post"],
        });
      case "/register": {
        const body = await request.json() as { redirect_uris: string[] };
        const clientId = randomToken("client");
        const secret = randomToken("cs");
        state.secrets.push(secret);
        clients.set(clientId, { secret, redirectUris: body.redirect_uris });
        return Response.json({
          ...body,
          client_id: clientId,
          client_secret: secret,
          token_endpoint_auth_method: "client_secret_post",
        }, { status: 201 });
      }
      case "/authorize": {
        const p = url.searchParams;
        const client = clients.get(p.get("client_id") ?? "");
        const redirectUri = p.get("redirect_uri") ?? "";
        if (client === undefined || !client.redirectUris.includes(redirectUri)) {
          return oauthError("invalid_client");
        }
        const code = randomToken("code");
        codes.set(code, {
          challenge: p.get("code_challenge") ?? "",
          redirectUri,
          account: p.get("login_hint") ?? options.account,
        });
        const back = new URL(redirectUri);
        back.searchParams.set("code", code);
        back.searchParams.set("state", p.get("state") ?? "");
        return new Response(null, { status: 302, headers: { location: back.href } });
      }
      case "/token": {
        const form = new URLSearchParams(await request.text());
        const client = clients.get(form.get("client_id") ?? "");
        if (client === undefined || client.secret !== form.get("client_secret")) {
          return Response.json({ error: "invalid_client" }, { status: 401 });
        }
        if (form.get("grant_type") === "authorization_code") {
          const code = codes.get(form.get("code") ?? "");
          codes.delete(form.get("code") ?? "");
          if (
            code === undefined || code.redirectUri !== form.get("redirect_uri") ||
            code.challenge !== await s256(form.get("code_verifier") ?? "")
          ) return oauthError("invalid_grant");
          state.signIns++;
          return issue(code.account);
        }
        if (form.get("grant_type") === "refresh_token") {
          const token = form.get("refresh_token") ?? "";
          if (refuse || !refresh.delete(token)) return oauthError("invalid_grant");
          state.refreshes++;
          return issue(accounts.get(token) ?? options.account);
        }
        return oauthError("unsupported_grant_type");
      }
      case "/mcp": {
        // Stateless, answers as JSON: no standing SSE stream is offered, so none is left open.
        if (request.method === "GET") return new Response(null, { status: 405 });
        const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        if (bearer !== "") state.bearers.push(bearer);
        const expiry = access.get(bearer);
        if (expiry === undefined || expiry < Date.now()) {
          return new Response("Unauthorized", {
            status: 401,
            headers: {
              "www-authenticate":
                `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
            },
          });
        }
        const account = accounts.get(bearer) ?? options.account;
        state.requests.push({ token: bearer, account });
        const mcp = new McpServer({ name: "protected", version: "1.0.0" });
        mcp.registerTool("whoami", { inputSchema: { note: z.string().optional() } }, () => ({
          content: [{ type: "text", text: account }],
        }));
        const transport = new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: true,
        });
        await mcp.connect(transport);
        return transport.handleRequest(request);
      }
    }
    return new Response("Not found", { status: 404 });
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  state.url = `http://127.0.0.1:${server.addr.port}/mcp`;
  return state;
}

/**
 * Follows an authorization URL as a browser would, to the loopback redirect.
 *
 * @param request The URL and the redirect to stop at.
 * @param options `account`: whom the person at this browser signs in as (sent as `login_hint`).
 * @returns Resolves once the loopback listener answered.
 */
export async function actAsBrowser(
  request: { url: URL; redirectUrl: string },
  options: { account?: string } = {},
): Promise<void> {
  const url = new URL(request.url);
  if (options.account !== undefined) url.searchParams.set("login_hint", options.account);
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (location === null) throw new Error(`The authorization server answered ${response.status}`);
  const back = await fetch(location);
  await back.body?.cancel();
}
