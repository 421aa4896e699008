/**
 * All configured MCP servers, connected side by side.
 *
 * @module
 */

import type { McpConfig } from "../config.ts";
import type { Tool } from "../mcp_types.ts";
import { ToolError } from "../wire/mod.ts";
import {
  type CallOptions,
  ServerConnection,
  type ServerConnectionOptions,
} from "./server_connection.ts";
import { unwrapResult } from "./unwrap_result.ts";
import { FileSignInStore } from "./auth/mod.ts";
import { signsInPerPrincipal } from "./signs_in_per_principal.ts";
import { DEFAULT_PRINCIPAL, validatePrincipalId } from "../principal.ts";

/** Default of {@linkcode ConnectionManagerOptions.maxPrincipalConnections}. */
const DEFAULT_MAX_PRINCIPAL_CONNECTIONS = 32;

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
  /**
   * For a server whose entry sets `maxConcurrentCalls`: the limit, the calls holding a slot and the calls waiting
   * for one (over all its connections).
   */
  calls?: { limit: number; inFlight: number; waiting: number };
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
   * The file OAuth sign-ins are kept in, unless `signInStore` is given. Default: `$MCP_EXECUTOR_TOKEN_FILE`, else
   * `mcp-executor/tokens.json` in `$XDG_CONFIG_HOME` or `~/.config`.
   */
  signInFile?: string;
  /**
   * The old name of `signInFile`, read when `signInFile` is not given.
   *
   * @deprecated Use `signInFile`: "token" alone names LLM tokens; this option names where sign-ins are kept.
   */
  tokenFile?: string;
  /**
   * The most connections kept open for principals other than the default one (over every server that signs in
   * per principal). Past it, the least recently used connection with no call in flight is closed; its principal's
   * next call opens it again. Default 32.
   */
  maxPrincipalConnections?: number;
}

/**
 * Holds one {@linkcode ServerConnection} per configured server. One server failing to start does not stop the
 * others; {@linkcode ConnectionManager.status} says which failed and why.
 *
 * A remote server with no `Authorization` header of its own signs in per principal: the connection opened by
 * {@linkcode ConnectionManager.connectAll} is the default principal's (it supplies the tool list), and a call made
 * for another principal (`CallOptions.principal`) goes through that principal's own connection, opened on their
 * first call with their own sign-in, never the default principal's or anyone else's. A stdio server, or a remote
 * entry with its own `Authorization` header, is a deployment credential: one connection serves every principal.
 * A server's `maxConcurrentCalls` counts the calls over all its connections, every principal's together.
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
  #signInFile: string | undefined;
  #connectionOptions: ServerConnectionOptions;
  /** Other principals' connections, least recently used first, by `JSON.stringify([principal, server])`. */
  #principalConnections = new Map<string, ServerConnection>();
  #maxPrincipalConnections: number;
  #callsInFlight = new Map<ServerConnection, number>();
  #closing = new Set<Promise<void>>();
  #closed = false;

  /**
   * Creates the manager; nothing connects until {@linkcode ConnectionManager.connectAll}.
   *
   * @param config The validated mcp.json.
   * @param options Timeouts and the tools/list_changed callback.
   */
  constructor(config: McpConfig, options: ConnectionManagerOptions = {}) {
    const {
      onToolsChanged,
      signInFile,
      tokenFile,
      maxPrincipalConnections,
      principal: _,
      ...rest
    } = options;
    const max = maxPrincipalConnections ?? DEFAULT_MAX_PRINCIPAL_CONNECTIONS;
    if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(
        `Invalid maxPrincipalConnections ${max}: expected an integer of at least 0`,
      );
    }
    this.#maxPrincipalConnections = max;
    const remote = Object.values(config.servers).some((server) => server.type !== "stdio");
    rest.signInStore ??= rest.tokenStore;
    delete rest.tokenStore;
    if (remote && rest.signInStore === undefined) {
      rest.signInStore = new FileSignInStore(signInFile ?? tokenFile);
    }
    this.#signInFile = rest.signInStore?.path;
    this.#connectionOptions = rest;
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
      const queue = c.callQueue;
      if (queue !== undefined) {
        status.calls = { limit: queue.limit, inFlight: queue.inFlight, waiting: queue.waiting };
      }
      return status;
    });
  }

  /** The file OAuth sign-ins are kept in, when a remote server is configured. */
  get signInFile(): string | undefined {
    return this.#signInFile;
  }

  /**
   * The old name of {@linkcode ConnectionManager.signInFile}.
   *
   * @deprecated Use `signInFile`.
   */
  get tokenFile(): string | undefined {
    return this.#signInFile;
  }

  /** The configured server names, in config order. */
  get names(): string[] {
    return [...this.#connections.keys()];
  }

  /**
   * One server's connection: the default principal's, or another principal's when one is open for them.
   *
   * @param name The server's name.
   * @param options `principal`: whose connection (default: the default principal's). A server that does not sign
   * in per principal has one connection, returned for every principal.
   * @returns The connection, or `undefined` when no such server is configured or the principal's connection is
   * not open.
   */
  get(name: string, options: { principal?: string } = {}): ServerConnection | undefined {
    const base = this.#connections.get(name);
    const principal = options.principal ?? DEFAULT_PRINCIPAL;
    if (
      base === undefined || principal === DEFAULT_PRINCIPAL || !signsInPerPrincipal(base.config)
    ) {
      return base;
    }
    return this.#principalConnections.get(JSON.stringify([principal, name]));
  }

  /**
   * Calls a tool and unwraps its result for agent code (see `unwrap_result.ts`).
   *
   * @param server The server's name.
   * @param tool The tool's name.
   * @param args The arguments.
   * @param options Cancellation, timeout, progress and the principal the call acts for.
   * @returns The unwrapped value.
   * @throws {ToolError} `"unknown_tool"` for a server or tool that does not exist, `"tool_failed"` when the server
   * answered with `isError`, and the connection's codes otherwise.
   * @throws {TypeError} When `options.principal` is not a valid principal id.
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
   * @param options Cancellation, timeout, progress and the principal the call acts for.
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
    const unknown = (listing: ServerConnection) =>
      listing.state === "connected" && !listing.tools.some((t) => t.name === tool);
    const noSuchTool = () =>
      Promise.reject(
        new ToolError(`Cannot call tool "${tool}": server "${server}" has no such tool`, {
          code: "unknown_tool",
          server,
          tool,
        }),
      );
    // The default principal's connection lists the tools; a principal's own one, when it is the only one up.
    if (unknown(connection)) return noSuchTool();
    const principal = options.principal ?? DEFAULT_PRINCIPAL;
    if (principal === DEFAULT_PRINCIPAL || !signsInPerPrincipal(connection.config)) {
      return connection.callTool(tool, args, options);
    }
    try {
      validatePrincipalId(principal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closed) {
      return Promise.reject(
        new ToolError(
          `Cannot call tool "${tool}" on server "${server}": the connections are shut down`,
          {
            code: "server_unavailable",
            server,
            tool,
          },
        ),
      );
    }
    const own = this.#connectionFor(server, connection, principal);
    if (connection.state !== "connected" && unknown(own)) return noSuchTool();
    return this.#inFlight(own, () => own.callTool(tool, args, options));
  }

  /** Another principal's connection to a per-principal server, opened (lazily) on their first call. */
  #connectionFor(server: string, base: ServerConnection, principal: string): ServerConnection {
    const key = JSON.stringify([principal, server]);
    let connection = this.#principalConnections.get(key);
    if (connection !== undefined) {
      this.#principalConnections.delete(key); // Moved to the most recently used end.
    } else {
      // No onToolsChanged: the catalog is the default principal's connection's tool list.
      // The server's queue: `maxConcurrentCalls` bounds the calls to the server, whoever makes them.
      const queue = base.callQueue;
      connection = new ServerConnection(server, base.config, {
        ...this.#connectionOptions,
        principal,
        ...(queue === undefined ? {} : { callQueue: queue }),
      });
    }
    this.#principalConnections.set(key, connection);
    this.#evict(connection);
    return connection;
  }

  /** Closes the least recently used idle principal connections past the bound (never `keep`). */
  #evict(keep?: ServerConnection): void {
    for (const [key, connection] of this.#principalConnections) {
      if (this.#principalConnections.size <= this.#maxPrincipalConnections) return;
      if (connection === keep || (this.#callsInFlight.get(connection) ?? 0) > 0) continue;
      this.#principalConnections.delete(key);
      const closing: Promise<void> = connection.close().catch(() => {}).finally(() =>
        this.#closing.delete(closing)
      );
      this.#closing.add(closing);
    }
  }

  async #inFlight<T>(connection: ServerConnection, call: () => Promise<T>): Promise<T> {
    this.#callsInFlight.set(connection, (this.#callsInFlight.get(connection) ?? 0) + 1);
    try {
      return await call();
    } finally {
      const left = (this.#callsInFlight.get(connection) ?? 1) - 1;
      if (left === 0) this.#callsInFlight.delete(connection);
      else this.#callsInFlight.set(connection, left);
      // A connection kept past the bound while it was busy is closed once idle.
      if (left === 0) this.#evict();
    }
  }

  /**
   * Closes every connection.
   *
   * @returns Resolves once all are closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const principals = [...this.#principalConnections.values()];
    this.#principalConnections.clear();
    await Promise.allSettled([
      ...[...this.#connections.values(), ...principals].map((c) => c.close()),
      ...this.#closing,
    ]);
    this.#callsInFlight.clear();
  }

  /** Same as {@linkcode ConnectionManager.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
