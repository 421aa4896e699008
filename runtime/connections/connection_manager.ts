/**
 * All configured MCP servers, connected side by side.
 *
 * @module
 */

import type { McpConfig } from "../config.ts";
import type { Tool } from "../mcp_types.ts";
import { ToolError } from "../sandbox_runtime/wire_error.ts";
import {
  type CallOptions,
  ServerConnection,
  type ServerConnectionOptions,
} from "./server_connection.ts";
import { unwrapResult } from "./unwrap_result.ts";
import { TokenStore } from "./auth/mod.ts";

/**
 * How one server's start went.
 *
 * @example A server that cannot start
 * ```ts
 * import { ConnectionManager, parseConfig, type ServerStatus } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ mcpServers: { broken: { command: "/no/such/program" } } });
 * await using servers = new ConnectionManager(config);
 * const [status]: ServerStatus[] = await servers.connectAll();
 * assert.deepEqual([status?.name, status?.state, status?.toolCount], ["broken", "failed", 0]);
 * assert.match(status?.error ?? "", /Cannot connect to server "broken"/);
 * ```
 */
export interface ServerStatus {
  /** The server's name in mcp.json. */
  name: string;
  /** Its connection state. */
  state: ServerConnection["state"];
  /** The server's transport: `"stdio"`, `"http"` or `"sse"`. */
  transport: "stdio" | "http" | "sse";
  /** How many tools it lists (0 unless connected). */
  toolCount: number;
  /** What the server reported in `initialize`. */
  serverInfo?: { name: string; version: string };
  /** Why it failed, with its last stderr lines, when it did. */
  error?: string;
  /** Present when it failed because its user must sign in (`deno task auth <server>`). */
  needsSignIn?: true;
}

/**
 * Options for {@linkcode ConnectionManager}.
 *
 * @example
 * ```ts
 * import { ConnectionManager, type ConnectionManagerOptions, parseConfig } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const changed: string[] = [];
 * const options: ConnectionManagerOptions = { connectTimeoutMs: 5_000, onToolsChanged: (server) => changed.push(server) };
 * const config = parseConfig({ mcpServers: { broken: { command: "/no/such/program" } } });
 * await using servers = new ConnectionManager(config, options);
 * assert.equal((await servers.connectAll())[0]?.state, "failed");
 * assert.deepEqual(changed, []);
 * ```
 */
export interface ConnectionManagerOptions extends Omit<ServerConnectionOptions, "onToolsChanged"> {
  /** Called after a server's tool list changed (tools/list_changed). */
  onToolsChanged?: (server: string, tools: readonly Tool[]) => void;
  /**
   * The file OAuth sign-ins are kept in, unless `tokenStore` is given. Default: `$MCP_EXECUTOR_TOKEN_FILE`, else
   * `mcp-executor/tokens.json` in `$XDG_CONFIG_HOME` or `~/.config`.
   */
  tokenFile?: string;
}

/**
 * Holds one {@linkcode ServerConnection} per configured server. One server failing to start does not stop the
 * others; {@linkcode ConnectionManager.status} says which failed and why.
 *
 * @example
 * ```ts ignore
 * import { ConnectionManager, loadConfig } from "@mcp-executor/runtime";
 * await using servers = new ConnectionManager(await loadConfig("mcp.json"));
 * await servers.connectAll();
 * const graph = await servers.callTool("memory", "read_graph", {});
 * ```
 *
 * @example With no servers, a call is refused
 * ```ts
 * import { ConnectionManager, parseConfig, ToolError } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * await using servers = new ConnectionManager(parseConfig({ mcpServers: {} }));
 * assert.deepEqual(await servers.connectAll(), []);
 * await assert.rejects(servers.callTool("memory", "read_graph", {}), ToolError);
 * ```
 */
export class ConnectionManager implements AsyncDisposable {
  #connections = new Map<string, ServerConnection>();
  #tokenFile: string | undefined;

  /**
   * Creates the manager; nothing connects until {@linkcode ConnectionManager.connectAll}.
   *
   * @param config The validated mcp.json.
   * @param options Timeouts and the tools/list_changed callback.
   */
  constructor(config: McpConfig, options: ConnectionManagerOptions = {}) {
    const { onToolsChanged, tokenFile, ...rest } = options;
    const remote = Object.values(config.servers).some((server) => server.type !== "stdio");
    if (remote && rest.tokenStore === undefined) rest.tokenStore = new TokenStore(tokenFile);
    this.#tokenFile = rest.tokenStore?.path;
    for (const [name, server] of Object.entries(config.servers)) {
      this.#connections.set(
        name,
        new ServerConnection(name, server, {
          ...rest,
          onToolsChanged: (tools) => onToolsChanged?.(name, tools),
        }),
      );
    }
  }

  /**
   * Connects every server at once and waits for all of them to succeed or fail.
   *
   * @returns Each server's status, in config order.
   */
  async connectAll(): Promise<ServerStatus[]> {
    await Promise.allSettled([...this.#connections.values()].map((c) => c.connect()));
    return this.status();
  }

  /**
   * Each server's state, tool count and, for a failed one, the reason.
   *
   * @returns One entry per configured server, in config order.
   */
  status(): ServerStatus[] {
    return [...this.#connections.values()].map((c) => {
      const status: ServerStatus = {
        name: c.name,
        state: c.state,
        transport: c.config.type,
        toolCount: c.tools.length,
      };
      if (c.serverInfo !== undefined) status.serverInfo = c.serverInfo;
      if (c.error !== undefined) status.error = c.error;
      if (c.needsSignIn) status.needsSignIn = true;
      return status;
    });
  }

  /** The file OAuth sign-ins are kept in, when a remote server is configured. */
  get tokenFile(): string | undefined {
    return this.#tokenFile;
  }

  /** The configured server names, in config order. */
  get names(): string[] {
    return [...this.#connections.keys()];
  }

  /**
   * One server's connection.
   *
   * @param name The server's name.
   * @returns Its connection, or `undefined` when no such server is configured.
   */
  get(name: string): ServerConnection | undefined {
    return this.#connections.get(name);
  }

  /**
   * Calls a tool and unwraps its result for agent code (see `unwrap_result.ts`).
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @param args The arguments.
   * @param options Cancellation, timeout and progress.
   * @returns The unwrapped value.
   * @throws {ToolError} `"unknown_tool"` for a server or tool that does not exist, `"tool_failed"` when the server
   * answered with `isError`, and the connection's codes otherwise.
   */
  async callTool(
    server: string,
    tool: string,
    args: unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    const result = await this.callToolRaw(server, tool, args, options);
    return unwrapResult(server, tool, result);
  }

  /**
   * Calls a tool and returns the raw MCP result, as classic tool calling would put it in front of a model.
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @param args The arguments.
   * @param options Cancellation, timeout and progress.
   * @returns The raw `tools/call` result.
   * @throws {ToolError} As {@linkcode ConnectionManager.callTool}, except that `isError` results are returned.
   */
  callToolRaw(
    server: string,
    tool: string,
    args: unknown,
    options: CallOptions = {},
  ): ReturnType<ServerConnection["callTool"]> {
    const connection = this.#connections.get(server);
    if (connection === undefined) {
      return Promise.reject(
        new ToolError(`Cannot call tool "${tool}": server "${server}" is not configured`, {
          code: "unknown_tool",
          server,
          tool,
        }),
      );
    }
    if (connection.state === "connected" && !connection.tools.some((t) => t.name === tool)) {
      return Promise.reject(
        new ToolError(`Cannot call tool "${tool}": server "${server}" has no such tool`, {
          code: "unknown_tool",
          server,
          tool,
        }),
      );
    }
    return connection.callTool(tool, args, options);
  }

  /**
   * Closes every connection.
   *
   * @returns Resolves once all are closed.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#connections.values()].map((c) => c.close()));
  }

  /** Same as {@linkcode ConnectionManager.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
