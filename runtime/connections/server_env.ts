/**
 * The environment a stdio MCP server is started with.
 *
 * @module
 */

import { getDefaultEnvironment } from "../sdk.ts";

/**
 * Variables passed through to every stdio server besides the SDK's minimal set (HOME, LOGNAME, PATH, SHELL, TERM,
 * USER). Without the TLS and proxy ones a server started through `deno run npm:...` or `npx` behind a
 * TLS-intercepting proxy cannot fetch its package and dies before `initialize` with "Connection closed".
 */
export const PASS_THROUGH_ENV: readonly string[] = [
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "DENO_CERT",
  "DENO_DIR",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "NPM_CONFIG_REGISTRY",
  "npm_config_registry",
  "TMPDIR",
];

/**
 * Builds a stdio server's environment: the SDK's default set, the pass-through variables that are set, then the
 * entry's own `env` from mcp.json on top.
 *
 * @param extra The `env` object of the server's mcp.json entry.
 * @returns The environment to start the server with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverEnvironment } from "./server_env.ts";
 * const env = serverEnvironment({ MEMORY_FILE_PATH: "/tmp/memory.jsonl" });
 * assert.ok(env.MEMORY_FILE_PATH === "/tmp/memory.jsonl");
 * ```
 */
export function serverEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...getDefaultEnvironment() };
  for (const name of PASS_THROUGH_ENV) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
