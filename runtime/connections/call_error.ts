/**
 * The errors a tool call fails with, as agent code sees them.
 *
 * @module
 */

import { ErrorCode, McpError } from "../sdk.ts";
import { ToolError } from "../wire/mod.ts";

/**
 * A {@linkcode ToolError} in the form `Cannot call tool "t" on server "s": why`.
 *
 * @param server The server's name.
 * @param tool The tool's name.
 * @param details The code, the reason and the underlying error.
 * @returns The error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callError } from "./call_error.ts";
 * const error = callError("s", "t", { code: "tool_failed", why: "it broke" });
 * assert.equal(error.message, 'Cannot call tool "t" on server "s": it broke');
 * ```
 */
export function callError(
  server: string,
  tool: string,
  details: { code: ToolError["code"]; why: string; cause?: unknown },
): ToolError {
  return new ToolError(`Cannot call tool "${tool}" on server "${server}": ${details.why}`, {
    code: details.code,
    server,
    tool,
    cause: details.cause,
  });
}

/**
 * Turns what a call failed with into the {@linkcode ToolError} agent code sees.
 *
 * @param server The server's name.
 * @param tool The tool's name.
 * @param failure The error, the call's timeout, whether the connection was lost and whether the call was
 * cancelled.
 * @returns The error: `call_cancelled`, `call_timeout`, `server_unavailable`, `invalid_arguments` or
 * `tool_failed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyCallError } from "./call_error.ts";
 * const error = classifyCallError("s", "t", { error: new Error("x"), timeout: 1, lost: true });
 * assert.equal(error.code, "server_unavailable");
 * ```
 */
export function classifyCallError(
  server: string,
  tool: string,
  failure: { error: unknown; timeout: number; lost: boolean; aborted?: boolean | undefined },
): ToolError {
  const { error, timeout } = failure;
  const fail = (code: ToolError["code"], why: string) =>
    callError(server, tool, { code, why, cause: error });
  if (failure.aborted) return fail("call_cancelled", "the call was cancelled");
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return fail("call_timeout", `no answer within ${timeout} ms (limit "callTimeoutMs")`);
  }
  if (failure.lost) {
    return fail("server_unavailable", `server "${server}" closed the connection during the call`);
  }
  if (error instanceof McpError && error.code === ErrorCode.InvalidParams) {
    return fail("invalid_arguments", error.message);
  }
  return fail("tool_failed", error instanceof Error ? error.message : String(error));
}
