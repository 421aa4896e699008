/**
 * The option shapes of `ServerConnection`: per connection and per call.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import type { AuthorizationUrlHandler, SignInStore } from "./auth/mod.ts";
import type { CallContext, ElicitationHandler } from "./elicitation.ts";
import type { CallQueue } from "./call_queue.ts";

/**
 * Where a connection stands.
 *
 * @example
 * ```ts
 * import { type ConnectionState, ServerConnection } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * await using server = new ServerConnection("broken", { type: "stdio", command: "/no/such/program", args: [], env: {} });
 * const before: ConnectionState = server.state;
 * await assert.rejects(server.connect());
 * assert.deepEqual([before, server.state], ["idle", "failed"]);
 * ```
 */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "connected"
  | "disconnected"
  | "failed"
  | "closed";

/**
 * Options for `ServerConnection`.
 *
 * @example
 * ```ts
 * import { ServerConnection, type ServerConnectionOptions } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: ServerConnectionOptions = { clientInfo: { name: "my-app", version: "1.0.0" }, connectTimeoutMs: 5_000 };
 * await using server = new ServerConnection("broken", { type: "stdio", command: "/no/such/program", args: [], env: {} },
 *   options);
 * await assert.rejects(server.connect(), /Cannot connect to server "broken"/);
 * ```
 */
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
  /**
   * Answers the server's `elicitation/create`. Without it the client does not declare the elicitation capability.
   */
  onElicitation?: ElicitationHandler;
  /** How long an elicitation may wait for its answer before it is declined, in milliseconds. Default 600,000. */
  elicitationTimeoutMs?: number;
  /**
   * Where OAuth sign-ins are kept (remote servers). Default: a `FileSignInStore` on its default file; the daemon with
   * `state.url` gives a `SharedSignInStore`.
   */
  signInStore?: SignInStore;
  /**
   * The old name of `signInStore`, read when `signInStore` is not given.
   *
   * @deprecated Use `signInStore`.
   */
  tokenStore?: SignInStore;
  /**
   * Shows the authorization URL of a sign-in to the user. Without it, a server that needs a sign-in fails with an
   * error naming `deno task auth <server>`.
   */
  onAuthorizationUrl?: AuthorizationUrlHandler;
  /** How long a sign-in may take once its URL was shown, in milliseconds. Default 300,000. */
  signInTimeoutMs?: number;
  /**
   * Whose OAuth sign-in a remote server without an `Authorization` header of its own uses. Default `"default"`
   * (the user's own sign-ins, as `deno task auth <server>` stores them).
   */
  principal?: string;
  /**
   * The queue that bounds the calls in flight to this server, shared with the server's other connections
   * (`ConnectionManager` gives a principal's own connection the server's queue). Default: a queue of the
   * connection's own when the entry sets `maxConcurrentCalls`, else none.
   */
  callQueue?: CallQueue;
}

/**
 * Options for one tool call.
 *
 * @example Options of one call (here to a server that is not configured)
 * ```ts
 * import { type CallOptions, ConnectionManager, parseConfig, ToolError } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: CallOptions = { timeoutMs: 2_000, signal: AbortSignal.timeout(5_000), context: { taskId: "t1" } };
 * await using servers = new ConnectionManager(parseConfig({ mcpServers: {} }));
 * await assert.rejects(servers.callTool("memory", "read_graph", {}, options),
 *   (e) => e instanceof ToolError && e.code === "unknown_tool");
 * ```
 */
export interface CallOptions {
  /** Cancels the call; the agent sees a ToolError with code `"call_cancelled"`. */
  signal?: AbortSignal;
  /** Overrides the per-call timeout. */
  timeoutMs?: number;
  /** Receives the server's progress notifications; each one also resets the timeout. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  /** Who the call is made for; an elicitation during the call carries it. */
  context?: CallContext;
  /**
   * The principal the call acts for (the calling task's). A server that signs in per principal is called with
   * that principal's sign-in; other servers ignore it. Default `"default"`.
   */
  principal?: string;
  /**
   * Told how long the call waited for a free slot, in milliseconds (0 when one was free), for a server whose entry
   * sets `maxConcurrentCalls`; never called for a server without the limit.
   */
  onQueueWait?: (ms: number) => void;
}
