/**
 * One MCP server and the SDK client connected to it.
 *
 * @module
 */

import { sendCall } from "./send_call.ts";
import { CallQueue, takeSlot } from "./call_queue.ts";
import type { ServerConfig } from "../config.ts";
import type { CallToolResult, Tool } from "../mcp_types.ts";
import {
  Client,
  ErrorCode,
  McpError,
  StdioClientTransport,
  ToolListChangedNotificationSchema,
  type Transport,
  UnauthorizedError,
} from "../sdk.ts";
import type { ToolError } from "../wire/mod.ts";
import { SignInRequiredError, type StoredOAuthProvider } from "./auth/mod.ts";
import type {
  CallOptions,
  ConnectionState,
  ServerConnectionOptions,
} from "./connection_options.ts";
import { createTransport, type RemoteTransport } from "./create_transport.ts";
import { callError, classifyCallError } from "./call_error.ts";
import { listAllTools } from "./list_all_tools.ts";
import { principalOAuth, signsInPerPrincipal } from "./signs_in_per_principal.ts";
import {
  DEFAULT_ELICITATION_TIMEOUT_MS,
  elicitationCapabilities,
  InFlightCalls,
  installElicitationHandler,
} from "./elicitation.ts";

export type { CallOptions, ConnectionState, ServerConnectionOptions };

const STDERR_LINES = 20;
/** Sign-ins one connect or call may go through (a first sign-in, then one step-up) before it gives up. */
const MAX_SIGN_INS = 2;

/**
 * A connection to one MCP server over stdio, Streamable HTTP or legacy SSE.
 *
 * A server that dies fails its calls in flight with a {@linkcode ToolError} (`"server_unavailable"`); the next call
 * starts it again (stdio) or reconnects (HTTP). A start that fails is tried again by a later call, with a backoff
 * (`retryDelayMs`, doubling up to `maxRetryDelayMs`); calls within the backoff fail at once.
 *
 * @example
 * ```ts ignore
 * import { ServerConnection } from "@mcp-executor/runtime";
 * await using memory = new ServerConnection("memory", {
 *   type: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"], env: {},
 * });
 * await memory.connect();
 * console.log(memory.tools.map((tool) => tool.name));
 * ```
 *
 * @example A server that cannot start
 * ```ts
 * import { ServerConnection } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * await using server = new ServerConnection("broken", { type: "stdio", command: "/no/such/program", args: [], env: {} });
 * await assert.rejects(server.connect(), /Cannot connect to server "broken"/);
 * assert.equal(server.state, "failed");
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
  #signInError: SignInRequiredError | undefined;
  #serverInfo: { name: string; version: string } | undefined;
  #closed = false;
  #oauth: StoredOAuthProvider | undefined;
  #calls = new InFlightCalls();
  #queue: CallQueue | undefined;
  #closing = new AbortController();
  #failures = 0;
  #retryAt = 0;

  /**
   * Creates the connection; nothing starts until {@linkcode ServerConnection.connect}.
   *
   * @param name The server's name in mcp.json.
   * @param config Its validated entry.
   * @param options Timeouts, client identity and the tools/list_changed callback.
   */
  constructor(name: string, config: ServerConfig, options: ServerConnectionOptions = {}) {
    this.name = name;
    this.config = config;
    this.#options = options;
    const limit = config.maxConcurrentCalls;
    this.#queue = options.callQueue ?? (limit === undefined ? undefined : new CallQueue(limit));
    if (signsInPerPrincipal(config)) {
      // A sign-in that starts during a tool call names the call, so the daemon knows whom to ask.
      this.#oauth = principalOAuth(config, {
        server: name,
        options,
        call: () => this.#calls.current(),
      });
    }
  }

  /** Whose sign-in the connection uses, for a server that signs in with OAuth; `undefined` for any other. */
  get principal(): string | undefined {
    return this.#oauth?.principal;
  }

  /** The queue of `maxConcurrentCalls`, when the server's entry sets it (shared by its per-principal connections). */
  get callQueue(): CallQueue | undefined {
    return this.#queue;
  }

  /** Whether the last attempt failed because the server needs its user to sign in (`deno task auth`). */
  get needsSignIn(): boolean {
    return this.#signInError !== undefined;
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
    const timeoutMs = this.#options.connectTimeoutMs ?? 60_000;
    let client: Client;
    let transport: Transport;
    for (let signIns = 0;; signIns++) {
      client = this.#createClient();
      transport = createTransport(this.config, {
        onStderrLine: (line) => this.#keepStderr(line),
        ...(this.#oauth === undefined
          ? {}
          : { authProvider: this.#oauth, fetch: this.#oauth.fetch }),
      });
      try {
        await this.#oauth?.refreshIfExpiring();
        await client.connect(transport, { timeout: timeoutMs });
        this.#tools = await listAllTools(client, timeoutMs);
        break;
      } catch (error) {
        await client.close().catch(() => {});
        const code = signIns < MAX_SIGN_INS
          ? await this.#oauth?.completeSignIn(error).catch((e: unknown) => e)
          : undefined;
        if (typeof code === "string") {
          await (transport as RemoteTransport).finishAuth(code);
          continue;
        }
        this.#state = "failed";
        this.#failures++;
        const first = this.#options.retryDelayMs ?? 500;
        const delay = Math.min(
          first * 2 ** (this.#failures - 1),
          this.#options.maxRetryDelayMs ?? 30_000,
        );
        this.#retryAt = performance.now() + delay;
        const cause = code instanceof Error ? code : error;
        this.#signInError = cause instanceof SignInRequiredError ? cause : undefined;
        const reason = cause instanceof UnauthorizedError
          ? `the server still refused access after ${signIns} sign-in(s)`
          : cause instanceof Error
          ? cause.message
          : String(cause);
        this.#error = this.#withStderr(`Cannot connect to server "${this.name}": ${reason}`);
        throw new Error(this.#error, { cause });
      }
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
    this.#signInError = undefined;
    this.#failures = 0;
    this.#state = "connected";
  }

  #createClient(): Client {
    const handler = this.#options.onElicitation;
    const client = new Client(
      this.#options.clientInfo ?? { name: "mcp-executor", version: "0.1.0" },
      handler === undefined ? {} : { capabilities: elicitationCapabilities() },
    );
    if (handler !== undefined) {
      installElicitationHandler(client, {
        server: this.name,
        handler,
        timeoutMs: this.#options.elicitationTimeoutMs ?? DEFAULT_ELICITATION_TIMEOUT_MS,
        calls: this.#calls,
      });
    }
    client.onclose = () => {
      if (this.#client === client && this.#state === "connected") {
        this.#state = "disconnected";
        this.#error = this.#withStderr(`Server "${this.name}" closed the connection`);
      }
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      try {
        this.#tools = await listAllTools(client);
        this.#options.onToolsChanged?.(this.#tools);
      } catch {
        // A failed refresh keeps the previous list; the next list_changed tries again.
      }
    });
    return client;
  }

  #keepStderr(line: string): void {
    this.#stderr.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
    if (this.#stderr.length > STDERR_LINES) this.#stderr.shift();
  }

  #withStderr(message: string): string {
    if (this.#stderr.length === 0) return message;
    return `${message}; its last stderr lines:\n  ${this.#stderr.join("\n  ")}`;
  }

  /**
   * Calls a tool and returns the raw result. A disconnected server is reconnected first. For a server whose entry
   * sets `maxConcurrentCalls`, a call past the limit waits first, in order of arrival, within its own timeout.
   *
   * @param tool The tool's name.
   * @param args Its arguments.
   * @param options Cancellation, timeout and progress.
   * @returns The raw `tools/call` result (`isError` results are returned, not thrown).
   * @throws {ToolError} `"server_unavailable"` when the server cannot be reached or dies during the call,
   * `"call_timeout"` and `"call_cancelled"` for those (also while it waits for a slot: then it never reaches the
   * server).
   */
  async callTool(tool: string, args: unknown, options: CallOptions = {}): Promise<CallToolResult> {
    if (this.#closed) {
      throw this.#toolError(tool, "server_unavailable", `server "${this.name}" is shut down`);
    }
    const queue = this.#queue;
    if (queue === undefined) {
      return await this.#callTool(tool, args, options, this.#timeout(options));
    }
    // Waiting for a slot counts against the call's own deadline: what is left goes to the server.
    const slot = { ...options, server: this.name, tool, timeoutMs: this.#timeout(options) };
    const left = await takeSlot(queue, { ...slot, closing: this.#closing.signal });
    try {
      return await this.#callTool(tool, args, options, left);
    } finally {
      queue.release();
    }
  }

  #timeout(options: CallOptions): number {
    return options.timeoutMs ?? this.config.timeoutMs ?? this.#options.callTimeoutMs ?? 60_000;
  }

  async #callTool(tool: string, args: unknown, options: CallOptions, left: number) {
    const timeout = this.#timeout(options);
    const call = { tool, ...options.context };
    if (this.#state !== "connected") {
      try {
        // In the call's context: a sign-in the connection needs is shown to whoever made this call.
        await this.#calls.run(call, () => this.connect());
      } catch {
        const why = this.#signInError?.message ?? `server "${this.name}" is not connected`;
        throw this.#toolError(tool, "server_unavailable", why);
      }
    }
    for (let signIns = 0;; signIns++) {
      const client = this.#client!;
      try {
        await this.#oauth?.refreshIfExpiring();
        return await this.#calls.run(
          call,
          () => sendCall(client, { tool, args, timeoutMs: left, options }),
        );
      } catch (error) {
        const code = signIns < MAX_SIGN_INS
          ? await this.#oauth?.completeSignIn(error).catch((e: unknown) => e)
          : undefined;
        if (typeof code === "string") {
          await (this.#transport as RemoteTransport).finishAuth(code);
          continue;
        }
        const cause = code instanceof Error ? code : error;
        if (cause instanceof SignInRequiredError) {
          throw this.#toolError(tool, "server_unavailable", cause.message, cause);
        }
        throw this.#classify(tool, cause, timeout, options.signal);
      }
    }
  }

  #classify(tool: string, error: unknown, timeout: number, signal?: AbortSignal): ToolError {
    const lost = !signal?.aborted &&
      !(error instanceof McpError && error.code === ErrorCode.RequestTimeout) &&
      (this.#state !== "connected" ||
        (error instanceof McpError && error.code === ErrorCode.ConnectionClosed));
    if (lost && this.#state === "connected") this.#state = "disconnected";
    return classifyCallError(this.name, tool, { error, timeout, lost, aborted: signal?.aborted });
  }

  #toolError(tool: string, code: ToolError["code"], why: string, cause?: unknown): ToolError {
    return callError(this.name, tool, { code, why, cause });
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
    this.#closing.abort(); // Calls waiting in the queue leave it.
    const client = this.#client;
    this.#client = undefined;
    await this.#connecting?.catch(() => {});
    await client?.close().catch(() => {});
    await this.#oauth?.close();
  }

  /** Same as {@linkcode ServerConnection.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
