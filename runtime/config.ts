/**
 * Loading `mcp.json`: the server list format Claude Desktop, Claude Code and Cursor share.
 *
 * ```json
 * {
 *   "mcpServers": {
 *     "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {} },
 *     "remote": { "type": "http", "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer ${TOKEN}" } },
 *     "legacy": { "type": "sse", "url": "http://127.0.0.1:3001/sse" }
 *   }
 * }
 * ```
 *
 * `${VAR}` and `${VAR:-default}` in `command`, `args`, `env`, `cwd`, `url`, `headers` and `oauth` are expanded from
 * the environment. A server entry without `type` is stdio when it has `command`, Streamable HTTP when it has `url`.
 *
 * A remote entry may carry `oauth` (Claude Code's field): `clientId` and `clientSecret` of a client registered with
 * the server's authorization server in advance, `scopes` (a space-separated string or an array), `callbackPort` (a
 * fixed loopback port for the redirect) and `clientMetadataUrl` (an HTTPS client ID metadata document). Cursor's
 * `auth: { CLIENT_ID, CLIENT_SECRET, scopes }` is read as the same thing.
 *
 * Any entry may set `timeout` (its per-call timeout, in milliseconds) and `maxConcurrentCalls` (the most calls in
 * flight to it at once, a positive integer; later calls wait in order; absent, no limit).
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";

import type {
  McpConfig,
  OAuthConfig,
  RemoteServerConfig,
  ServerConfig,
  StdioServerConfig,
} from "./config_types.ts";

export type { McpConfig, OAuthConfig, RemoteServerConfig, ServerConfig, StdioServerConfig };

const stringMap = z.record(z.string(), z.string());
const timeout = z.number().int().positive().optional();
const maxConcurrentCalls = z.number({ error: "must be a positive integer" })
  .int({ error: "must be a positive integer" })
  .positive({ error: "must be a positive integer" })
  .optional();

const stdioEntry = z.object({
  type: z.literal("stdio").optional(),
  command: z.string().min(1, "must not be empty"),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().optional(),
  disabled: z.boolean().optional(),
  timeout,
  maxConcurrentCalls,
});

const scopes = z.union([z.string(), z.array(z.string())]).optional();

const oauthEntry = z.object({
  clientId: z.string().min(1, "must not be empty").optional(),
  clientSecret: z.string().optional(),
  scopes,
  callbackPort: z.number().int().min(1).max(65535).optional(),
  clientMetadataUrl: z.url({ protocol: /^https$/, error: "must be an https URL" }).optional(),
});

/** Cursor's spelling of the same thing. */
const cursorAuthEntry = z.object({
  CLIENT_ID: z.string().min(1, "must not be empty").optional(),
  CLIENT_SECRET: z.string().optional(),
  scopes,
});

const remoteEntry = z.object({
  type: z.enum(["http", "streamable-http", "streamableHttp", "sse"]).optional(),
  url: z.string().min(1, "must not be empty"),
  headers: stringMap.optional(),
  oauth: oauthEntry.optional(),
  auth: cursorAuthEntry.optional(),
  disabled: z.boolean().optional(),
  timeout,
  maxConcurrentCalls,
});

const fileSchema = z.object({
  mcpServers: z.record(z.string(), z.unknown()),
});

/**
 * The error {@linkcode parseConfig} and {@linkcode loadConfig} throw for a file that is not a valid mcp.json.
 *
 * @example
 * ```ts
 * import { ConfigError, parseConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => parseConfig({ mcpServers: { memory: { args: [] } } }), ConfigError);
 * assert.throws(
 *   () => parseConfig({ mcpServers: { api: { url: "https://example.com/${MISSING}" } } }, { env: {} }),
 *   (error) => error instanceof ConfigError && error.code === "missing_variable",
 * );
 * ```
 */
export class ConfigError extends Error {
  /** `"unreadable"`, `"invalid_json"`, `"invalid_config"` or `"missing_variable"`. */
  readonly code: "unreadable" | "invalid_json" | "invalid_config" | "missing_variable";

  /**
   * Creates the error.
   *
   * @param message What was wrong, naming the server and the field.
   * @param code Why the config was refused.
   * @param options The underlying error, if any.
   */
  constructor(message: string, code: ConfigError["code"], options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigError";
    this.code = code;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

type Lookup = (name: string) => string | undefined;

function expandVariables(value: string, env: Lookup, where: string): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const found = env(name);
      if (found !== undefined && found !== "") return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(
        `Cannot load mcp.json: ${where} uses "\${${name}}" but the environment has no "${name}"`,
        "missing_variable",
      );
    },
  );
}

function expandMap(
  map: Record<string, string> | undefined,
  env: Lookup,
  where: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    out[key] = expandVariables(value, env, `${where}.${key}`);
  }
  return out;
}

/**
 * Validates an mcp.json document and expands `${VAR}` references.
 *
 * @param document The parsed JSON.
 * @param options `env` to expand variables from (default: the process environment, read lazily, one variable at
 * a time) and `baseDir`, the folder relative `cwd` values are taken from (default: the current folder).
 * @returns The validated config.
 * @throws {ConfigError} When a server entry is malformed (the message names the server and the field) or a
 * variable it uses is not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "@mcp-executor/runtime";
 * const config = parseConfig(
 *   { mcpServers: { memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] } } },
 *   { env: {} },
 * );
 * assert.ok(config.servers.memory?.type === "stdio");
 * ```
 */
export function parseConfig(
  document: unknown,
  options: { env?: Record<string, string | undefined>; baseDir?: string } = {},
): McpConfig {
  const given = options.env;
  const env: Lookup = given === undefined ? (name) => Deno.env.get(name) : (name) => given[name];
  const baseDir = options.baseDir ?? Deno.cwd();
  const top = fileSchema.safeParse(document);
  if (!top.success) {
    throw new ConfigError(
      `Cannot load mcp.json: it needs a top-level "mcpServers" object`,
      "invalid_config",
    );
  }
  const servers: Record<string, ServerConfig> = {};
  for (const [name, raw] of Object.entries(top.data.mcpServers)) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new ConfigError(
        `Cannot load mcp.json: server "${name}" must be an object`,
        "invalid_config",
      );
    }
    const entry = raw as Record<string, unknown>;
    const isRemote = entry.type === "http" || entry.type === "sse" ||
      entry.type === "streamable-http" || entry.type === "streamableHttp" ||
      (entry.type === undefined && entry.command === undefined && entry.url !== undefined);
    if (entry.type !== undefined && entry.type !== "stdio" && !isRemote) {
      throw new ConfigError(
        `Cannot load mcp.json: server "${name}" field "type" must be "stdio", "http" or "sse", got ${
          JSON.stringify(entry.type)
        }`,
        "invalid_config",
      );
    }
    if (!isRemote && entry.command === undefined) {
      throw new ConfigError(
        `Cannot load mcp.json: server "${name}" needs a "command" (stdio) or a "url" (http, sse)`,
        "invalid_config",
      );
    }
    const parsed = (isRemote ? remoteEntry : stdioEntry).safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = formatPath(issue.path);
      throw new ConfigError(
        `Cannot load mcp.json: server "${name}" field "${field}": ${issue.message}`,
        "invalid_config",
        { cause: parsed.error },
      );
    }
    if (parsed.data.disabled === true) continue;
    const where = `server "${name}"`;
    if ("url" in parsed.data) {
      const data = parsed.data;
      const url = expandVariables(data.url, env, `${where} field "url"`);
      try {
        new URL(url);
      } catch {
        throw new ConfigError(
          `Cannot load mcp.json: server "${name}" field "url" is not a valid URL: ${
            JSON.stringify(url)
          }`,
          "invalid_config",
        );
      }
      const remote: RemoteServerConfig = {
        type: data.type === "sse" ? "sse" : "http",
        url,
        headers: expandMap(data.headers, env, `${where} field "headers"`),
      };
      if (data.timeout !== undefined) remote.timeoutMs = data.timeout;
      if (data.maxConcurrentCalls !== undefined) {
        remote.maxConcurrentCalls = data.maxConcurrentCalls;
      }
      const oauth = expandOAuth(
        data.oauth,
        data.auth,
        (value, field) => expandVariables(value, env, `${where} field "${field}"`),
      );
      if (oauth !== undefined) remote.oauth = oauth;
      servers[name] = remote;
    } else {
      const data = parsed.data;
      const stdio: StdioServerConfig = {
        type: "stdio",
        command: expandVariables(data.command, env, `${where} field "command"`),
        args: (data.args ?? []).map((arg, i) =>
          expandVariables(arg, env, `${where} field "args[${i}]"`)
        ),
        env: expandMap(data.env, env, `${where} field "env"`),
        cwd: data.cwd === undefined
          ? baseDir
          : resolveFrom(baseDir, expandVariables(data.cwd, env, `${where} field "cwd"`)),
      };
      if (data.timeout !== undefined) stdio.timeoutMs = data.timeout;
      if (data.maxConcurrentCalls !== undefined) stdio.maxConcurrentCalls = data.maxConcurrentCalls;
      servers[name] = stdio;
    }
  }
  return { servers };
}

function expandOAuth(
  oauth: z.infer<typeof oauthEntry> | undefined,
  cursor: z.infer<typeof cursorAuthEntry> | undefined,
  expand: (value: string, field: string) => string,
): OAuthConfig | undefined {
  if (oauth === undefined && cursor === undefined) return undefined;
  const prefix = oauth === undefined ? "auth" : "oauth";
  const clientId = oauth?.clientId ?? cursor?.CLIENT_ID;
  const clientSecret = oauth?.clientSecret ?? cursor?.CLIENT_SECRET;
  const scopes = oauth?.scopes ?? cursor?.scopes;
  const out: OAuthConfig = {};
  if (clientId !== undefined) out.clientId = expand(clientId, `${prefix}.clientId`);
  if (clientSecret !== undefined && clientSecret !== "") {
    const secret = expand(clientSecret, `${prefix}.clientSecret`);
    if (secret !== "") out.clientSecret = secret;
  }
  if (scopes !== undefined) {
    const list = (Array.isArray(scopes) ? scopes : scopes.split(/\s+/))
      .map((scope) => expand(scope, `${prefix}.scopes`).trim())
      .filter((scope) => scope !== "");
    if (list.length > 0) out.scopes = list.join(" ");
  }
  if (oauth?.callbackPort !== undefined) out.callbackPort = oauth.callbackPort;
  if (oauth?.clientMetadataUrl !== undefined) out.clientMetadataUrl = oauth.clientMetadataUrl;
  return out;
}

function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * Reads a JSON configuration file, with the errors every config file gets: `"unreadable"` and `"invalid_json"`,
 * each naming the file.
 *
 * @param path The file.
 * @param what What it is, for the message (`"mcp.json"`, `"mcp-executor.json"`).
 * @param options `optional`: a missing file gives `undefined` instead of an error.
 * @returns The parsed JSON, not yet validated.
 * @throws {ConfigError} When the file cannot be read or is not JSON.
 *
 * @example
 * ```ts
 * import { readJsonFile } from "./config.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.json`, "{ nope");
 * await assert.rejects(readJsonFile(`${dir}/a.json`, "a.json"), /Cannot load a\.json: ".*a\.json" is not valid JSON/);
 * assert.equal(await readJsonFile(`${dir}/b.json`, "b.json", { optional: true }), undefined);
 * ```
 */
export async function readJsonFile(
  path: string,
  what: string,
  options: { optional?: boolean } = {},
): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (options.optional && error instanceof Deno.errors.NotFound) return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot load ${what}: cannot read "${path}": ${reason}`, "unreadable", {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `Cannot load ${what}: "${path}" is not valid JSON: ${reason}`,
      "invalid_json",
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads, validates and expands an mcp.json file.
 *
 * @param path The file's path.
 * @param options `env` to expand variables from (default: the process environment).
 * @returns The validated config; relative `cwd` values (and the default `cwd`) are the file's folder.
 * @throws {ConfigError} When the file cannot be read, is not JSON, or is not a valid mcp.json.
 *
 * @example Read a file written here
 * ```ts
 * import { loadConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/mcp.json`, JSON.stringify({ mcpServers: { memory: { command: "npx" } } }));
 * const config = await loadConfig(`${dir}/mcp.json`);
 * assert.deepEqual([Object.keys(config.servers), config.path], [["memory"], `${dir}/mcp.json`]);
 * ```
 */
export async function loadConfig(
  path: string,
  options: { env?: Record<string, string | undefined> } = {},
): Promise<McpConfig> {
  const document = await readJsonFile(path, "mcp.json");
  const baseDir = dirname(resolve(path));
  const config = parseConfig(document, { ...options, baseDir });
  config.path = resolve(path);
  return config;
}
