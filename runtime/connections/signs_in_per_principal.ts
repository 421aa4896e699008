/**
 * Which configured servers sign in per principal, and which use a deployment credential shared by all.
 *
 * @module
 */

import type { RemoteServerConfig, ServerConfig } from "../config.ts";

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
