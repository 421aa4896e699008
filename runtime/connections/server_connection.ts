/**
 * One MCP server and the SDK client connected to it.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import {
  type CallToolResult,
  Client,
  ErrorCode,
  McpError,
  SSEClientTransport,
  StdioClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
  ToolListChangedNotificationSchema,
  type Transport,
} from "../sdk.ts";
import { ToolError } from "../sandbox_runtime/wire_error.ts";
import { serverEnvironment } from "./server_env.ts";

/** Where a connection stands. */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "connected"
  | "disconnected"
  | "failed"
  | "closed";

/** Options for {@linkcode ServerConnection}. */
export interface ServerConnectionOptions {
  /** How the client introduces itself. Default `{ name: "mcp-executor", version: "0.1.0" }`. */
  clientInfo?: { name: string; version: string };
  /** Default per-call timeout in milliseconds, unless the server's entry sets one. Default 60,000. */
  callTimeoutMs?: number;
  /** How long `initialize` and the first `tools/list` may take, in milliseconds. Default 60,000. */
  connectTimeoutMs?: number;
  /** Called with the new tool list after the server sent `notifications/tools/list_changed`. */
  onToolsChanged?: (tools: Tool[]) => void;
  /**
   * After a failed start, how long until the next attempt, in milliseconds; it doubles with each failure in a row, up
   * to `maxRetryDelayMs`. Calls in between fail at once. Default 500.
   */
  retryDelayMs?: number;
  /** The longest wait between attempts to start a failing server, in milliseconds. Default 30,000. */
  maxRetryDelayMs?: number;
}

/** Options for one tool call. */
export interface CallOptions {
  /** Cancels the call; the agent sees a ToolError with code `"call_cancelled"`. */
  signal?: AbortSignal;
  /** Overrides the per-call timeout. */
  timeoutMs?: number;
  /** Receives the server's progress notifications; each one also resets the timeout. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

const STDERR_LINES = 20;

/**
 * A connection to one MCP server over stdio, Streamable HTTP or legacy SSE.
 *
 * A server that dies fails its calls in flight with a {@linkcode ToolError} (`"server_unavailable"`); the next call
 * starts it again (stdio) or reconnects (HTTP). A start that fails is tried again by a later call, with a backoff
 * (`retryDelayMs`, doubling up to `maxRetryDelayMs`); calls within the backoff fail at once.
 *
 * @example
 * ```ts ignore
 * import { ServerConnection } from "./server_connection.ts";
 * await using memory = new ServerConnection("memory", {
 *   type: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"], env: {},
 * });
 * await memory.connect();
 * console.log(memory.tools.map((tool) => tool.name));
 * ```
 */
export class ServerConnection implements AsyncDisposable {
  /** The server's name in mcp.json. */
  readonly name: string;
  /** Its validated mcp.json entry. */
  readonly config: ServerConfig;
  #options: ServerConnectionOptions;
  #client: Client | undefined;
  #transport: Transport | undefined;
  #state: ConnectionState = "idle";
  #tools: Tool[] = [];
  #error: string | undefined;
  #stderr: string[] = [];
  #connecting: Promise<void> | undefined;
  #serverInfo: { name: string; version: string } | undefined;
  #closed = false;
  #failures = 0;
  #retryAt = 0;

  /**
   * @param name The server's name in mcp.json.
   * @param config Its validated entry.
   * @param options Timeouts, client identity and the tools/list_changed callback.
   */
  constructor(name: string, config: ServerConfig, options: ServerConnectionOptions = {}) {
    this.name = name;
    this.config = config;
    this.#options = options;
  }

  /** Where the connection stands. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The server's tools as of the last `tools/list`. */
  get tools(): readonly Tool[] {
    return this.#tools;
  }

  /** Why the last connection attempt failed or the connection was lost, if it was. */
  get error(): string | undefined {
    return this.#error;
  }

  /** The name and version the server reported in `initialize`. */
  get serverInfo(): { name: string; version: string } | undefined {
    return this.#serverInfo;
  }

  /** The last lines the server wrote to stderr (stdio servers only). */
  get stderrTail(): readonly string[] {
    return this.#stderr;
  }

  /**
   * Connects and lists the server's tools. Calling it while a connection attempt is under way joins that attempt.
   *
   * @returns Resolves once connected and listed.
   * @throws {Error} When the server cannot be started or reached; the message ends with its last stderr lines.
   */
  connect(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new Error(`Cannot connect to server "${this.name}": it was closed`));
    }
    if (this.#state === "connected") return Promise.resolve();
    const wait = Math.ceil(this.#retryAt - performance.now());
    if (this.#connecting === undefined && this.#state === "failed" && wait > 0) {
      return Promise.reject(
        new Error(
          `${
            this.#error ?? `Cannot connect to server "${this.name}"`
          } (next attempt in ${wait} ms)`,
        ),
      );
    }
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    this.#state = "connecting";
    this.#stderr = [];
    const client = new Client(
      this.#options.clientInfo ?? { name: "mcp-executor", version: "0.1.0" },
    );
    const transport = this.#createTransport();
    client.onclose = () => {
      if (this.#client === client && this.#state === "connected") {
        this.#state = "disconnected";
        this.#error = this.#withStderr(`Server "${this.name}" closed the connection`);
      }
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      try {
        this.#tools = await this.#listTools(client);
        this.#options.onToolsChanged?.(this.#tools);
      } catch {
        // A failed refresh keeps the previous list; the next list_changed tries again.
      }
    });
    const timeoutMs = this.#options.connectTimeoutMs ?? 60_000;
    try {
      await client.connect(transport, { timeout: timeoutMs });
      this.#tools = await this.#listTools(client, timeoutMs);
    } catch (error) {
      await client.close().catch(() => {});
      this.#state = "failed";
      this.#failures++;
      const first = this.#options.retryDelayMs ?? 500;
      const delay = Math.min(
        first * 2 ** (this.#failures - 1),
        this.#options.maxRetryDelayMs ?? 30_000,
      );
      this.#retryAt = performance.now() + delay;
      const reason = error instanceof Error ? error.message : String(error);
      this.#error = this.#withStderr(`Cannot connect to server "${this.name}": ${reason}`);
      throw new Error(this.#error, { cause: error });
    }
    if (this.#closed) {
      await client.close().catch(() => {});
      throw new Error(
        `Cannot connect to server "${this.name}": the connection was closed while starting`,
      );
    }
    this.#client = client;
    this.#transport = transport;
    const info = client.getServerVersion();
    this.#serverInfo = info === undefined ? undefined : { name: info.name, version: info.version };
    this.#error = undefined;
    this.#failures = 0;
    this.#state = "connected";
  }

  #withStderr(message: string): string {
    if (this.#stderr.length === 0) return message;
    return `${message}; its last stderr lines:\n  ${this.#stderr.join("\n  ")}`;
  }

  #createTransport(): Transport {
    const config = this.config;
    if (config.type === "stdio") {
      const transport = new StdioClientTransport({
        // "deno" means this Deno, so that `npx deno task ...` works on a machine without Deno on its PATH.
        command: config.command === "deno" ? Deno.execPath() : config.command,
        args: config.args,
        env: serverEnvironment(config.env),
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
        stderr: "pipe",
      });
      let partial = "";
      transport.stderr?.on("data", (chunk: Uint8Array | string) => {
        const text = partial +
          (typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
        const lines = text.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          if (line.trim() === "") continue;
          this.#stderr.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
          if (this.#stderr.length > STDERR_LINES) this.#stderr.shift();
        }
      });
      return transport;
    }
    const url = new URL(config.url);
    const requestInit: RequestInit = { headers: config.headers };
    return config.type === "sse"
      ? new SSEClientTransport(url, { requestInit })
      : new StreamableHTTPClientTransport(url, { requestInit });
  }

  async #listTools(client: Client, timeoutMs?: number): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await client.listTools(
        cursor === undefined ? {} : { cursor },
        timeoutMs === undefined ? undefined : { timeout: timeoutMs },
      );
      tools.push(...page.tools);
      cursor = page.nextCursor;
      if (cursor !== undefined) {
        if (seen.has(cursor)) break; // A server repeating a cursor would otherwise loop forever.
        seen.add(cursor);
      }
    } while (cursor !== undefined);
    return tools;
  }

  /**
   * Calls a tool and returns the raw result. A disconnected server is reconnected first.
   *
   * @param tool The tool's name.
   * @param args Its arguments.
   * @param options Cancellation, timeout and progress.
   * @returns The raw `tools/call` result (`isError` results are returned, not thrown).
   * @throws {ToolError} `"server_unavailable"` when the server cannot be reached or dies during the call,
   * `"call_timeout"` and `"call_cancelled"` for those.
   */
  async callTool(tool: string, args: unknown, options: CallOptions = {}): Promise<CallToolResult> {
    if (this.#closed) {
      throw this.#toolError(tool, "server_unavailable", `server "${this.name}" is shut down`);
    }
    if (this.#state !== "connected") {
      try {
        await this.connect();
      } catch {
        throw this.#toolError(tool, "server_unavailable", `server "${this.name}" is not connected`);
      }
    }
    const client = this.#client!;
    const timeout = options.timeoutMs ?? this.config.timeoutMs ?? this.#options.callTimeoutMs ??
      60_000;
    const onProgress = options.onProgress;
    try {
      const result = await client.callTool(
        { name: tool, arguments: (args ?? {}) as Record<string, unknown> },
        undefined,
        {
          timeout,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(onProgress === undefined ? {} : {
            onprogress: (p: { progress: number; total?: number; message?: string }) =>
              onProgress(p),
            resetTimeoutOnProgress: true,
          }),
        },
      );
      return result as CallToolResult;
    } catch (error) {
      throw this.#classify(tool, error, timeout, options.signal);
    }
  }

  #classify(tool: string, error: unknown, timeout: number, signal?: AbortSignal): ToolError {
    if (signal?.aborted) {
      return this.#toolError(tool, "call_cancelled", "the call was cancelled", error);
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return this.#toolError(
        tool,
        "call_timeout",
        `no answer within ${timeout} ms (limit "callTimeoutMs")`,
        error,
      );
    }
    if (
      this.#state !== "connected" ||
      (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)
    ) {
      if (this.#state === "connected") this.#state = "disconnected";
      return this.#toolError(
        tool,
        "server_unavailable",
        `server "${this.name}" closed the connection during the call`,
        error,
      );
    }
    if (error instanceof McpError && error.code === ErrorCode.InvalidParams) {
      return this.#toolError(tool, "invalid_arguments", error.message, error);
    }
    const message = error instanceof Error ? error.message : String(error);
    return this.#toolError(tool, "tool_failed", message, error);
  }

  #toolError(tool: string, code: ToolError["code"], why: string, cause?: unknown): ToolError {
    return new ToolError(`Cannot call tool "${tool}" on server "${this.name}": ${why}`, {
      code,
      server: this.name,
      tool,
      cause,
    });
  }

  /** The child process id of a stdio server, when it runs. */
  get pid(): number | undefined {
    const transport = this.#transport;
    return transport instanceof StdioClientTransport ? transport.pid ?? undefined : undefined;
  }

  /**
   * Closes the connection (and stops a stdio server). Further calls fail.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#state = "closed";
    const client = this.#client;
    this.#client = undefined;
    await this.#connecting?.catch(() => {});
    await client?.close().catch(() => {});
  }

  /** Same as {@linkcode ServerConnection.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
