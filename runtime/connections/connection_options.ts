/**
 * The option shapes of `ServerConnection`: per connection and per call.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import type { AuthorizationUrlHandler, TokenStore } from "./auth/mod.ts";
import type { CallContext, ElicitationHandler } from "./elicitation.ts";

/** Where a connection stands. */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "connected"
  | "disconnected"
  | "failed"
  | "closed";

/** Options for `ServerConnection`. */
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
  /** Where OAuth sign-ins are kept (remote servers). Default: a {@linkcode TokenStore} on its default file. */
  tokenStore?: TokenStore;
  /**
   * Shows the authorization URL of a sign-in to the user. Without it, a server that needs a sign-in fails with an
   * error naming `deno task auth <server>`.
   */
  onAuthorizationUrl?: AuthorizationUrlHandler;
  /** How long a sign-in may take once its URL was shown, in milliseconds. Default 300,000. */
  signInTimeoutMs?: number;
}

/** Options for one tool call. */
export interface CallOptions {
  /** Cancels the call; the agent sees a ToolError with code `"call_cancelled"`. */
  signal?: AbortSignal;
  /** Overrides the per-call timeout. */
  timeoutMs?: number;
  /** Receives the server's progress notifications; each one also resets the timeout. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  /** Who the call is made for; an elicitation during the call carries it. */
  context?: CallContext;
}
