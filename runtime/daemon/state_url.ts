/**
 * Which state store the daemon uses: PostgreSQL when `state.url` or `MCPX_STATE_URL` names one, else files.
 *
 * @module
 */

import { ConfigError } from "../config.ts";
import type { DaemonConfig } from "./daemon_config.ts";

/**
 * The PostgreSQL URL of the state store, from `state.url` in `mcp-executor.json`, else `MCPX_STATE_URL`.
 * Several replicas share workspaces through `sessions.dir` on a shared volume, so a URL without `sessions.dir` is
 * refused.
 *
 * @param config The daemon config.
 * @param env Reads an environment variable. Default: `Deno.env.get` (needs `--allow-env`).
 * @returns The URL, or `undefined` for the embedded (files) store.
 * @throws {ConfigError} `"invalid_config"` when a URL is set and `sessions.dir` is not, or the variable is not a
 *   `postgres://` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDaemonConfig } from "./daemon_config.ts";
 * import { stateUrl } from "./state_url.ts";
 * const url = "postgres://mcpx@db:5432/mcpx";
 * assert.equal(stateUrl(parseDaemonConfig({ state: { url }, sessions: { dir: "/shared" } }), () => undefined), url);
 * assert.equal(stateUrl(parseDaemonConfig({}), () => undefined), undefined);
 * assert.throws(() => stateUrl(parseDaemonConfig({ state: { url } }), () => undefined), /state\.url.*sessions\.dir/);
 * ```
 */
export function stateUrl(
  config: DaemonConfig,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string | undefined {
  const fromEnv = env("MCPX_STATE_URL") || undefined;
  const url = config.state?.url ?? fromEnv;
  if (url === undefined) return undefined;
  const source = config.state?.url === undefined ? "MCPX_STATE_URL" : "state.url";
  if (!/^postgres(ql)?:\/\/\S+$/.test(url)) {
    throw new ConfigError(
      `Cannot use the state store: ${source} is not a "postgres://" URL`,
      "invalid_config",
    );
  }
  if (config.sessions?.dir === undefined) {
    throw new ConfigError(
      `Cannot use the state store: ${source} is set but sessions.dir is not; replicas share workspaces ` +
        "through sessions.dir on a shared volume",
      "invalid_config",
    );
  }
  return url;
}
