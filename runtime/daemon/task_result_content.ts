/**
 * {@linkcode taskResultContent}: a task's result as an MCP tool result, with a short text a model reads and a hint
 * on what to change when the task did not complete.
 *
 * @module
 */

import type { CallToolResult } from "../sdk.ts";
import type { TaskResult } from "../types.ts";
import { TYPE_WARNING_PREFIX } from "../typecheck/mod.ts";

const TYPE_LOG_PREFIX = `[mcp-executor] ${TYPE_WARNING_PREFIX}`;

/** The most characters of the text content (the full result is in `structuredContent`). */
export const MAX_TEXT_CHARS = 20_000;

const HINTS: Record<string, string> = {
  timeout: "Raise `timeout` (ms), or do less in one call.",
  cancelled: "The task was cancelled; run it again if it is still needed.",
  shutting_down: "The daemon is shutting down; retry once it is back.",
  not_allowed: 'Add the server (or "server.tool") to requiredTools, or omit requiredTools.',
  unknown_server: "Call search_tools with an empty query to list the servers.",
  server_unavailable: "That server is not connected; use another one or retry later.",
  blocked: "Rewrite the code without the blocked construct.",
  syntax_error: "Fix the syntax; the code is a TypeScript module body.",
  memory_limit: "Use less memory: process data in pieces and return less.",
  limit_exceeded: "Make fewer tool calls in one task.",
  quota_exceeded: "Delete files in the workspace (Deno.remove) before writing more.",
  invalid_workspace: "Use a workspace name of letters, digits, '.', '_' and '-'.",
  tool_failed: 'Check the tool\'s arguments with search_tools detail "full".',
  type_error:
    'Fix the type errors (line:column) and call again; search_tools detail "full" shows types.',
  invalid_arguments: 'Check the tool\'s arguments with search_tools detail "full".',
};

/**
 * Turns a task result into a tool result: `structuredContent` holds status, data, logs, error and stats; the text
 * holds the data as JSON (or the error with a hint) and the logs. A task that did not complete is `isError`.
 *
 * @param result The task's result.
 * @returns The tool result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskResultContent } from "./task_result_content.ts";
 * const stats = { duration: 3, tokensUsed: 9, tokensDirect: 90, tokensSaved: 0.9, memoryUsed: 0, toolsCalled: [] };
 * const ok = taskResultContent({ id: "t", status: "completed", data: { n: 1 }, logs: ["hi"], stats });
 * assert.equal(ok.isError, undefined);
 * assert.equal(ok.content[0]?.type === "text" && ok.content[0].text, '{"n":1}\nlogs:\nhi');
 * const failed = taskResultContent({
 *   id: "t",
 *   status: "timeout",
 *   logs: [],
 *   error: { name: "TimeoutError", code: "timeout", message: "Task timed out after 5 ms" },
 *   stats,
 * });
 * assert.equal(failed.isError, true);
 * ```
 */
export function taskResultContent(result: TaskResult): CallToolResult {
  const structured: Record<string, unknown> = { status: result.status };
  if (result.data !== undefined) structured.data = result.data;
  structured.logs = result.logs;
  if (result.error !== undefined) {
    const { name, code, message } = result.error;
    structured.error = { name, code, message };
  }
  structured.stats = {
    durationMs: Math.round(result.stats.duration * 10) / 10,
    toolsCalled: result.stats.toolsCalled,
    tokensUsed: result.stats.tokensUsed,
    tokensSaved: result.stats.tokensSaved,
  };
  if (result.dataTruncated) structured.dataTruncated = true;
  if (result.warnings !== undefined && result.warnings.length > 0) {
    structured.warnings = result.warnings;
  }
  const parts: string[] = [];
  if (result.status === "completed") {
    parts.push(result.data === undefined ? "(no return value)" : JSON.stringify(result.data));
  } else {
    const error = result.error;
    const code = error?.code ?? result.status;
    parts.push(`Task ${result.status} (${code}): ${error?.message ?? "no message"}`);
    const hint = HINTS[code];
    if (hint !== undefined) parts.push(hint);
    const frames = error?.stack?.split("\n").slice(1).join("\n") ?? "";
    if (frames !== "") parts.push(frames);
  }
  const typeErrors = result.warnings?.some((w) => w.startsWith(TYPE_WARNING_PREFIX)) ?? false;
  if (result.warnings !== undefined && result.warnings.length > 0) {
    const head = typeErrors
      ? "warnings (the code ran; fix its type errors next time):"
      : "warnings:";
    parts.push(`${head}\n${result.warnings.join("\n")}`);
  }
  // Type errors lead the logs too, for library callers; the text has them once, under warnings.
  const logs = typeErrors ? result.logs.filter((l) => !l.startsWith(TYPE_LOG_PREFIX)) : result.logs;
  if (logs.length > 0) parts.push(`logs:\n${logs.join("\n")}`);
  let text = parts.join("\n");
  if (text.length > MAX_TEXT_CHARS) {
    text = `${text.slice(0, MAX_TEXT_CHARS)}\n[cut at ${MAX_TEXT_CHARS} characters]`;
  }
  const out: CallToolResult = { content: [{ type: "text", text }], structuredContent: structured };
  if (result.status !== "completed") out.isError = true;
  return out;
}

/**
 * A tool result that reports an error to the client (and its model) as text, with `isError` set.
 *
 * @param text What went wrong, in the project's `Cannot X: reason` style.
 * @returns The result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResult } from "./task_result_content.ts";
 * assert.deepEqual(errorResult("Cannot run: no"), { content: [{ type: "text", text: "Cannot run: no" }], isError: true });
 * ```
 */
export function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
