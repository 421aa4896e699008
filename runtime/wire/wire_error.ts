/**
 * Errors that cross the sandbox boundary. `postMessage` and JSON drop an error's class, so every error travels as a
 * {@linkcode WireError} and is rebuilt on the other side with {@linkcode fromWire}.
 *
 * Both sides of the sandbox use this file: it imports nothing outside `runtime/wire/` and no npm package.
 *
 * @module
 */

/**
 * The plain-object form of an error, as it travels between the host, the sandbox process and the Worker.
 *
 * @example
 * ```ts
 * import { ToolError, type WireError } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const wire: WireError = new ToolError("boom", { code: "tool_failed", server: "memory", tool: "read_graph" }).toWire();
 * assert.equal(JSON.parse(JSON.stringify(wire)).server, "memory");
 * assert.ok(ToolError.fromWire(wire) instanceof ToolError);
 * ```
 */
export interface WireError {
  /** The error's class name, e.g. `"ToolError"`, `"TypeError"`. */
  name: string;
  /** A machine-readable code callers branch on, e.g. `"tool_failed"`, `"not_allowed"`, `"timeout"`. */
  code: string;
  /** The human-readable message. */
  message: string;
  /** The stack as the agent should see it (host paths already rewritten), when there is one. */
  stack?: string;
  /** The MCP server a tool error came from. */
  server?: string;
  /** The tool a tool error came from. */
  tool?: string;
}

/**
 * The codes a {@linkcode ToolError} carries.
 *
 * @example
 * ```ts
 * import { ToolError, type ToolErrorCode } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const code: ToolErrorCode = "not_allowed";
 * const error = new ToolError('Cannot call tool "write_file": not allowed', { code, server: "fs", tool: "write_file" });
 * assert.equal(error.code, "not_allowed");
 * ```
 */
export type ToolErrorCode =
  | "tool_failed"
  | "not_allowed"
  | "unknown_tool"
  | "server_unavailable"
  | "call_timeout"
  | "call_cancelled"
  | "limit_exceeded"
  | "invalid_arguments"
  | "not_approved"
  | "data_flow"
  | "unknown_token"
  | "privacy_scan";

/**
 * A tool call that did not produce a result: the server answered `isError`, the call was refused by the task's
 * allowlist, the server was unreachable or died, or the call timed out.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToolError } from "@mcp-executor/runtime";
 * const err = new ToolError("Tool \"read_graph\" failed: boom", {
 *   code: "tool_failed", server: "memory", tool: "read_graph",
 * });
 * if (err.code === "tool_failed") assert.ok(err.server === "memory");
 * ```
 */
export class ToolError extends Error {
  /** Why the call failed. */
  readonly code: ToolErrorCode;
  /** The server the call was addressed to. */
  readonly server: string;
  /** The tool the call was addressed to. */
  readonly tool: string;

  /**
   * Creates the error.
   *
   * @param message The message, naming the action that failed.
   * @param options The code, server and tool, and an optional cause.
   */
  constructor(
    message: string,
    options: { code: ToolErrorCode; server: string; tool: string; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ToolError";
    this.code = options.code;
    this.server = options.server;
    this.tool = options.tool;
  }

  /**
   * The error as a plain object that survives `postMessage` and JSON.
   *
   * @returns The wire form, without the stack (host stacks never reach agent code).
   */
  toWire(): WireError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      server: this.server,
      tool: this.tool,
    };
  }

  /**
   * Rebuilds a ToolError from its wire form.
   *
   * @param wire The wire form, as produced by {@linkcode ToolError.prototype.toWire}.
   * @returns A ToolError with the same code, server, tool and message.
   */
  static fromWire(wire: WireError): ToolError {
    return new ToolError(wire.message, {
      code: (wire.code as ToolErrorCode) ?? "tool_failed",
      server: wire.server ?? "",
      tool: wire.tool ?? "",
    });
  }
}

/**
 * Turns anything thrown into a {@linkcode WireError}.
 *
 * @param error What was thrown: an Error, a ToolError, or any other value.
 * @param code The code to use when the error carries none.
 * @returns The wire form; a non-Error value becomes an `"Error"` whose message is its string form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toWireError } from "./wire_error.ts";
 * assert.ok(toWireError(new RangeError("too big")).name === "RangeError");
 * assert.ok(toWireError("plain string").message === "plain string");
 * ```
 */
export function toWireError(error: unknown, code = "error"): WireError {
  if (error instanceof ToolError) return error.toWire();
  if (error instanceof Error) {
    const own = (error as { code?: unknown }).code;
    const wire: WireError = {
      name: error.name,
      code: typeof own === "string" ? own : code,
      message: error.message,
    };
    if (error.stack !== undefined) wire.stack = error.stack;
    return wire;
  }
  let message: string;
  try {
    message = typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { name: "Error", code, message };
}

/**
 * Rebuilds an Error from its wire form: a {@linkcode ToolError} when the name says so, otherwise an `Error` whose
 * `name` and `code` are copied across.
 *
 * @param wire The wire form.
 * @returns An Error to throw on this side of the boundary.
 */
export function fromWire(wire: WireError): Error {
  if (wire.name === "ToolError") return ToolError.fromWire(wire);
  const error = new Error(wire.message) as Error & { code?: string };
  error.name = wire.name;
  error.code = wire.code;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
