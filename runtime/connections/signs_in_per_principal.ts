/**
 * Which configured servers sign in per principal, and which use a deployment credential shared by all.
 *
 * @module
 */

import type { RemoteServerConfig, ServerConfig } from "../config.ts";
import { FileSignInStore, StoredOAuthProvider } from "./auth/mod.ts";
import type { ServerConnectionOptions } from "./connection_options.ts";
import type { InFlightCall } from "./elicitation.ts";

/**
 * Whether a server's entry signs in with OAuth, each principal with their own sign-in: a remote (`http` or `sse`)
 * entry with no `Authorization` header of its own. A stdio server, or a remote entry that carries its own
 * `Authorization` header, is a deployment credential: every principal uses the same one.
 *
 * @param config The server's validated mcp.json entry.
 * @returns `true` for a per-principal sign-in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signsInPerPrincipal } from "./signs_in_per_principal.ts";
 * assert.equal(signsInPerPrincipal({ type: "http", url: "https://mcp.linear.app/mcp", headers: {} }), true);
 * assert.equal(signsInPerPrincipal({ type: "http", url: "https://api.example/mcp",
 *   headers: { Authorization: "Bearer team-key" } }), false);
 * assert.equal(signsInPerPrincipal({ type: "stdio", command: "npx", args: [], env: {} }), false);
 * ```
 */
export function signsInPerPrincipal(config: ServerConfig): config is RemoteServerConfig {
  if (config.type === "stdio") return false;
  return !Object.keys(config.headers).some((name) => name.toLowerCase() === "authorization");
}

/**
 * The OAuth provider of one connection to a server that signs in per principal (see
 * {@linkcode signsInPerPrincipal}).
 *
 * @param config The server's entry.
 * @param from The server's name, the connection's options, and the tool call under way, if any: a sign-in that
 * starts during a call names it, so the daemon knows whom to ask.
 * @returns The provider, keeping its sign-ins in `options.signInStore` (default: a `FileSignInStore` on its default file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileSignInStore } from "./auth/mod.ts";
 * import { principalOAuth } from "./signs_in_per_principal.ts";
 * const signInStore = new FileSignInStore(`${await Deno.makeTempDir()}/tokens.json`);
 * const provider = principalOAuth({ type: "http", url: "https://mcp.linear.app/mcp", headers: {} },
 *   { server: "linear", options: { principal: "alice", signInStore }, call: () => undefined });
 * assert.equal(provider.principal, "alice");
 * await provider.close();
 * ```
 */
export function principalOAuth(
  config: RemoteServerConfig,
  from: { server: string; options: ServerConnectionOptions; call: () => InFlightCall | undefined },
): StoredOAuthProvider {
  const { server, options, call } = from;
  const show = options.onAuthorizationUrl;
  return new StoredOAuthProvider({
    server,
    url: config.url,
    store: options.signInStore ?? options.tokenStore ?? new FileSignInStore(),
    ...(options.principal === undefined ? {} : { principal: options.principal }),
    ...(config.oauth === undefined ? {} : { oauth: config.oauth }),
    ...(show === undefined ? {} : {
      onAuthorizationUrl: (request) => {
        const current = call();
        return show(current === undefined ? request : { ...request, call: current });
      },
    }),
    ...(options.signInTimeoutMs === undefined ? {} : { signInTimeoutMs: options.signInTimeoutMs }),
    ...(options.clientInfo === undefined ? {} : { clientName: options.clientInfo.name }),
  });
}
