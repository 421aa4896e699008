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

/**
 * Where this replica answers HTTP for the others (they forward requests for the sessions it holds there):
 * `MCPX_ADVERTISE_URL`, else `state.advertiseUrl`, else `undefined` (the address the listener binds). Only an
 * origin is accepted: `http://` or `https://`, a host and a port, no path, query or credentials.
 *
 * @param config The daemon config.
 * @param env Reads an environment variable. Default: `Deno.env.get` (needs `--allow-env`).
 * @returns The origin, or `undefined`.
 * @throws {ConfigError} `"invalid_config"` naming the setting when it is not such an origin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDaemonConfig } from "./daemon_config.ts";
 * import { advertiseUrl } from "./state_url.ts";
 * const config = parseDaemonConfig({ state: { advertiseUrl: "http://10.0.0.5:8787" } });
 * assert.equal(advertiseUrl(config, () => undefined), "http://10.0.0.5:8787");
 * assert.equal(advertiseUrl(config, () => "http://pod-a:8787/"), "http://pod-a:8787");
 * assert.throws(() => advertiseUrl(config, () => "http://pod-a:8787/mcp"), /MCPX_ADVERTISE_URL.*origin/);
 * ```
 */
export function advertiseUrl(
  config: DaemonConfig,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string | undefined {
  const fromEnv = env("MCPX_ADVERTISE_URL") || undefined;
  const value = fromEnv ?? config.state?.advertiseUrl;
  if (value === undefined) return undefined;
  const source = fromEnv === undefined ? "state.advertiseUrl" : "MCPX_ADVERTISE_URL";
  const origin = parseOrigin(value);
  if (origin === undefined) {
    throw new ConfigError(
      `Cannot advertise this replica: ${source} ${
        JSON.stringify(value)
      } is not an origin such as "http://10.0.0.5:8787" (http or https, no path, query or credentials)`,
      "invalid_config",
    );
  }
  return origin;
}

/**
 * The origin of an `http://` or `https://` URL that is nothing more, else `undefined`.
 *
 * @param value The text.
 * @returns The origin.
 */
export function parseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const bare = (url.protocol === "http:" || url.protocol === "https:") && url.username === "" &&
    url.password === "" && (url.pathname === "/" || url.pathname === "") && url.search === "" &&
    url.hash === "";
  return bare ? url.origin : undefined;
}
