/**
 * The shapes of a loaded `mcp.json`: {@linkcode McpConfig} and its server entries.
 *
 * @module
 */

/**
 * A server started as a child process and spoken to over stdin/stdout.
 *
 * @example
 * ```ts
 * import { parseConfig, type StdioServerConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ mcpServers: { memory: { command: "npx", args: ["-y", "${PKG}"] } } },
 *   { env: { PKG: "@modelcontextprotocol/server-memory" } });
 * const memory = config.servers.memory as StdioServerConfig;
 * assert.deepEqual([memory.type, memory.args[1]], ["stdio", "@modelcontextprotocol/server-memory"]);
 * ```
 */
export interface StdioServerConfig {
  /** Always `"stdio"` (an entry with a `command`). */
  type: "stdio";
  /** The program to start. */
  command: string;
  /** Its arguments, with `${VAR}` expanded. */
  args: string[];
  /** Added to the variables passed through by default (see `connections/server_connection.ts`). */
  env: Record<string, string>;
  /** The child's working folder; relative paths are taken from the config file's folder, which is the default. */
  cwd?: string;
  /** Per-call timeout for this server, in milliseconds. */
  timeoutMs?: number;
  /**
   * The most calls in flight to this server at once (mcp.json's `maxConcurrentCalls`); later calls wait in order of
   * arrival, within their own timeout. Absent: no limit. Set it for a server that is not safe under parallel calls
   * (server-memory rewrites its whole file per call, so parallel writes overwrite each other).
   */
  maxConcurrentCalls?: number;
}

/**
 * A server reached over HTTP: Streamable HTTP (`"http"`) or the legacy HTTP+SSE transport (`"sse"`).
 *
 * @example
 * ```ts
 * import { parseConfig, type RemoteServerConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ mcpServers: { linear: { url: "https://mcp.linear.app/mcp",
 *   headers: { Authorization: "Bearer ${TOKEN}" } } } }, { env: { TOKEN: "t0k" } });
 * const linear = config.servers.linear as RemoteServerConfig;
 * assert.deepEqual([linear.type, linear.headers.Authorization], ["http", "Bearer t0k"]);
 * ```
 */
export interface RemoteServerConfig {
  /** `"http"` for Streamable HTTP, `"sse"` for the legacy HTTP+SSE transport. */
  type: "http" | "sse";
  /** The server's URL. */
  url: string;
  /** Headers sent with every request, with `${VAR}` expanded. */
  headers: Record<string, string>;
  /** Per-call timeout for this server, in milliseconds. */
  timeoutMs?: number;
  /**
   * The most calls in flight to this server at once (mcp.json's `maxConcurrentCalls`); later calls wait in order of
   * arrival, within their own timeout. Absent: no limit. Set it for a server that is not safe under parallel calls
   * (server-memory rewrites its whole file per call, so parallel writes overwrite each other).
   */
  maxConcurrentCalls?: number;
  /** How to sign in when the server asks for OAuth; absent, sign-in still works with dynamic registration. */
  oauth?: OAuthConfig;
}

/**
 * The `oauth` field of a remote entry, with `${VAR}` expanded.
 *
 * @example
 * ```ts
 * import { type OAuthConfig, parseConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ mcpServers: { linear: { type: "http", url: "https://mcp.linear.app/mcp",
 *   oauth: { clientId: "${CLIENT_ID}", scopes: ["read", "write"] } } } }, { env: { CLIENT_ID: "abc" } });
 * const server = config.servers.linear;
 * const oauth: OAuthConfig | undefined = server?.type === "http" ? server.oauth : undefined;
 * assert.deepEqual([oauth?.clientId, oauth?.scopes], ["abc", "read write"]);
 * ```
 */
export interface OAuthConfig {
  /** A client ID registered in advance; without it the client registers itself or uses `clientMetadataUrl`. */
  clientId?: string;
  /** The secret of that client (write `${VAR}` rather than the secret itself). */
  clientSecret?: string;
  /** Scopes to ask for when the server names none, space-separated. */
  scopes?: string;
  /** The loopback port of the redirect (`http://127.0.0.1:<port>/callback`); default: a random free port. */
  callbackPort?: number;
  /** The HTTPS URL of this client's ID metadata document, used where the authorization server supports them. */
  clientMetadataUrl?: string;
}

/**
 * One entry of `mcpServers`, validated and with `${VAR}` expanded.
 *
 * @example
 * ```ts
 * import { parseConfig, type ServerConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ mcpServers: { memory: { command: "npx" }, legacy: { type: "sse", url: "http://127.0.0.1:3001/sse" } } });
 * const where = (s: ServerConfig): string => s.type === "stdio" ? s.command : s.url;
 * assert.deepEqual(Object.values(config.servers).map(where), ["npx", "http://127.0.0.1:3001/sse"]);
 * ```
 */
export type ServerConfig = StdioServerConfig | RemoteServerConfig;

/**
 * A validated `mcp.json`.
 *
 * @example An orchestrator over a config built in code
 * ```ts
 * import { MCPOrchestrator, type McpConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config: McpConfig = { servers: {} };
 * const dir = await Deno.makeTempDir();
 * await using orch = new MCPOrchestrator({ config, serversDir: `${dir}/servers` });
 * await orch.initialize();
 * assert.deepEqual(orch.listServers(), []);
 * ```
 */
export interface McpConfig {
  /** The servers by name, in file order; entries with `"disabled": true` are left out. */
  servers: Record<string, ServerConfig>;
  /** The file it was read from, when it came from a file. */
  path?: string;
}
